// Version and data folders of the installed or built programs (see about.h).
#include "about.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "attnscope/error.h"
#include "attnscope_build_info.h"

#ifndef ATTNSCOPE_DATA_FROM_BIN
#define ATTNSCOPE_DATA_FROM_BIN "../share/attnscope"
#endif

namespace attnscope {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultModelName = "toy-en-fr";

// The folder of the running program, "" if the kernel does not say (no /proc).
fs::path program_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path();
}

}  // namespace

const char* project_version() {
  return ATTNSCOPE_VERSION;
}

const char* build_commit() {
  return ATTNSCOPE_COMMIT;
}

std::string version_line(const std::string& program) {
  std::string line = program + " " + project_version();
  if (*build_commit() != '\0') line += std::string(" (commit ") + build_commit() + ")";
  return line;
}

std::vector<std::string> model_search_dirs() {
  const fs::path dir = program_dir();
  if (dir.empty()) return {};
  return {(dir / ATTNSCOPE_DATA_FROM_BIN / "models").lexically_normal().string(),
          (dir / "assets" / "models").string()};
}

std::string bundled_models_dir() {
  for (const std::string& dir : model_search_dirs()) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return dir;
  }
  return {};
}

std::string default_model_dir() {
  const std::vector<std::string> tried = model_search_dirs();
  for (const std::string& dir : tried) {
    std::error_code ec;
    const fs::path model = fs::path(dir) / kDefaultModelName;
    if (fs::is_regular_file(model / "config.json", ec)) return model.string();
  }
  std::string where;
  for (const std::string& dir : tried)
    where += (where.empty() ? "'" : ", '") + dir + "'";
  throw InputError(
      std::string("no bundled model '") + kDefaultModelName + "' found (looked in " +
      (where.empty() ? std::string("no folder: /proc/self/exe is unreadable") : where) +
      "); pass --model DIR");
}

}  // namespace attnscope
