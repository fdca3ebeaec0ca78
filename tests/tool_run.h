// Runs one of the command-line tools as a user would, capturing its exit status, standard
// output and standard error.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

struct ToolRun {
  int status = -1;  // exit status; -1 when the tool did not exit normally (a crash)
  std::string out;
  std::string err;
};

inline std::string read_whole_file(const std::string& path) {
  std::string text;
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return text;
  std::array<char, 65536> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0)
    text.append(buffer.data(), n);
  std::fclose(file);
  return text;
}

// `arguments` is appended to the quoted binary path as shell words.
inline ToolRun run_tool(const std::string& binary, const std::string& arguments) {
  const std::string tmp = ATTNSCOPE_TEST_TMP;
  std::system(("mkdir -p '" + tmp + "'").c_str());
  // One file per test process: tests running side by side (ctest -j) keep their own.
  const std::string err_path = tmp + "/tool_stderr_" + std::to_string(getpid()) + ".txt";
  const std::string command = "'" + binary + "' " + arguments + " 2>'" + err_path + "'";
  ToolRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 65536> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = read_whole_file(err_path);
  return run;
}
