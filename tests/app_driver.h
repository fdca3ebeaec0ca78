// Drives the real attnscope window in tests: starts it on the test's display (tests run
// under Xvfb, see xvfb_test.sh), finds its window, and sends clicks, text and keys through
// xdotool as a user would.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "tool_run.h"

// Runs a shell command, returns its exit status.
inline int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string shell_out(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, n);
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

inline void write_file(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

inline void sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Waits until `path` exists (and has stopped growing), up to `timeout_ms`.
inline bool wait_for_file(const std::string& path, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 50) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return true;
    sleep_ms(50);
  }
  return false;
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class AppWindow {
 public:
  // Starts `attnscope arguments` in the folder of `log` (so that anything it writes to a
  // relative path stays there), its stderr going to `log`, and waits for its window.
  AppWindow(const std::string& arguments, const std::string& log) : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string command =
          "exec " + quote(ATTNSCOPE_APP) + " " + arguments + " 2>" + quote(log) + " >/dev/null";
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    window_ = shell_out(
        "timeout 30 xdotool search --sync --onlyvisible --name '^attnscope$' "
        "2>/dev/null | head -1");
    sleep_ms(500);  // a few frames: fonts built, first Trace shown
  }

  ~AppWindow() {
    if (pid_ > 0 && running()) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100 && running(); ++i)
        sleep_ms(20);
      if (running()) kill(pid_, SIGKILL);
    }
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }

  bool found() const { return !window_.empty(); }
  const std::string& window() const { return window_; }
  pid_t pid() const { return pid_; }

  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return false;
    }
    return r == 0;
  }

  // Moves the pointer to (x, y) inside the window, without clicking.
  void hover(int x, int y) {
    xdotool("mousemove --window " + window_ + " " + std::to_string(x) + " " + std::to_string(y));
  }
  // Left click at (x, y) inside the window.
  void click(int x, int y) {
    xdotool("mousemove --window " + window_ + " " + std::to_string(x) + " " + std::to_string(y) +
            " click 1");
  }
  void type(const std::string& text) { xdotool("type --delay 15 " + quote(text)); }
  // Key names as xdotool spells them: Return, Down, ctrl+s, ...
  void key(const std::string& keys) { xdotool("key --delay 60 " + keys); }
  // Puts `bytes` on the clipboard (any bytes, even invalid UTF-8) and pastes with Ctrl+V.
  void paste(const std::string& bytes, const std::string& tmp_file) {
    write_file(tmp_file, bytes);
    shell("xclip -selection clipboard -t UTF8_STRING -i " + quote(tmp_file) + " >/dev/null 2>&1");
    sleep_ms(100);
    key("ctrl+v");
  }
  std::string log() const { return read_whole_file(log_); }
  // Waits until the log contains `text`.
  bool wait_for_log(const std::string& text, int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 50) {
      if (log().find(text) != std::string::npos) return true;
      sleep_ms(50);
    }
    return false;
  }

 private:
  void xdotool(const std::string& arguments) {
    shell("xdotool " + arguments + " >/dev/null 2>&1");
    sleep_ms(150);  // let the app draw a frame or two
  }

  std::string log_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string window_;
};
