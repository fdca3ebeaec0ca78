// write_file_atomic and replace_directory: a file is written under a fresh temporary name that
// no link planted in advance can redirect, gets the permissions a plain creation gives, is
// flushed with its folder, and on failure leaves nothing; a directory exchange flushes the
// folder that holds it.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/io.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

// What fsync was asked to flush while a SyncLog lives: the path of each descriptor.
bool g_recording = false;
std::vector<std::string> g_synced;

}  // namespace

// This test program's own fsync, found ahead of the C library's by the library code it calls:
// whether a file or a folder was flushed shows nowhere else, short of pulling the power.
extern "C" int fsync(int fd) {
  if (g_recording) {
    std::error_code error;
    const fs::path target = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), error);
    g_synced.push_back(error ? std::string("?") : target.string());
  }
  return static_cast<int>(::syscall(SYS_fsync, fd));
}

namespace {

struct SyncLog {
  SyncLog() {
    g_synced.clear();
    g_recording = true;
  }
  ~SyncLog() { g_recording = false; }
  const std::vector<std::string>& paths() const { return g_synced; }
};

// A new empty folder; its path is canonical, as /proc/self/fd shows paths.
std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(ATTNSCOPE_TEST_TMP) / "io" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return fs::canonical(dir).string();
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  return names;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// The temporary name write_file_atomic used before it made fresh ones.
std::string old_temporary(const std::string& path, pid_t pid) {
  return path + ".tmp." + std::to_string(pid);
}

// The message write_file_atomic throws, or "" when it does not throw.
std::string write_error(const std::string& path, const std::string& bytes) {
  try {
    write_file_atomic(path, bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

mode_t permissions(const std::string& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("write_file_atomic writes through no link planted at a temporary name") {
  // Links at the name the old scheme used for this process and at the names of the pids
  // around it, some to a file outside the folder, some to a file that does not exist yet:
  // following one would overwrite the file or create it.
  for (const bool absent_at_own_pid : {false, true}) {
    CAPTURE(absent_at_own_pid);
    const std::string outside = fresh_dir("planted-outside");
    const std::string victim = outside + "/victim.txt";
    const std::string absent = outside + "/absent.txt";
    const std::string dir = fresh_dir("planted");
    const std::string path = dir + "/out.txt";
    write_file_atomic(victim, "precious");
    std::vector<std::pair<std::string, std::string>> links;  // link, target
    for (int offset = -50; offset <= 50; ++offset) {
      const pid_t pid = ::getpid() + offset;
      if (pid <= 0) continue;
      const bool to_absent = (offset % 2 != 0) != absent_at_own_pid;
      links.emplace_back(old_temporary(path, pid), to_absent ? absent : victim);
      REQUIRE(::symlink(links.back().second.c_str(), links.back().first.c_str()) == 0);
    }

    write_file_atomic(path, "new");
    write_file_atomic(path, "newer");

    CHECK_FALSE(fs::is_symlink(path));
    CHECK(read_file(path) == "newer");
    CHECK(read_file(victim) == "precious");
    CHECK_FALSE(fs::exists(absent));
    for (const auto& link : links) {
      CAPTURE(link.first);
      REQUIRE(fs::is_symlink(link.first));
      CHECK(fs::read_symlink(link.first).string() == link.second);
    }
    CHECK(entries(dir).size() == links.size() + 1);  // the links and out.txt: no temporary
    CHECK(entries(outside) == std::set<std::string>{"victim.txt"});
  }
}

TEST_CASE("write_file_atomic uses a fresh temporary name each time, flushed with its folder") {
  const std::string dir = fresh_dir("fresh-names");
  const std::string path = dir + "/out.txt";
  // A regular file at the old name is not truncated, written or renamed.
  const std::string old_name = old_temporary(path, ::getpid());
  write_file_atomic(old_name, "keep");

  std::vector<std::string> temporaries;
  for (const char* bytes : {"first", "second"}) {
    SyncLog log;
    write_file_atomic(path, bytes);
    CHECK(read_file(path) == bytes);
    // The whole file is flushed under its temporary name, then the folder that now holds it
    // under its real one.
    REQUIRE(log.paths().size() == 2);
    temporaries.push_back(log.paths()[0]);
    CHECK(log.paths()[1] == dir);
  }
  for (const std::string& temporary : temporaries) {
    CAPTURE(temporary);
    // Recognisable as this file's temporary, so a reader of the folder knows what it was.
    CHECK(starts_with(temporary, path + ".tmp."));
    CHECK(temporary != old_name);
    CHECK_FALSE(fs::exists(temporary));
  }
  CHECK(temporaries[0] != temporaries[1]);
  CHECK(read_file(old_name) == "keep");
  CHECK(entries(dir) == std::set<std::string>{"out.txt", fs::path(old_name).filename().string()});
}

TEST_CASE("a written file has the permissions a plain creation gives, whatever it replaces") {
  const std::string dir = fresh_dir("permissions");
  const std::string path = dir + "/out.txt";
  const mode_t saved = ::umask(022);
  write_file_atomic(path, "a");
  CHECK(permissions(path) == 0644);
  ::umask(077);
  write_file_atomic(path, "b");
  CHECK(permissions(path) == 0600);
  ::umask(0);
  write_file_atomic(path, "c");
  CHECK(permissions(path) == 0666);
  ::umask(027);
  write_file_atomic(dir + "/other.txt", "d");
  CHECK(permissions(dir + "/other.txt") == 0640);
  ::umask(saved);
  CHECK(read_file(path) == "c");
}

TEST_CASE("a file that cannot be written is refused naming it and the reason, leaving nothing") {
  const std::string dir = fresh_dir("refused");
  SUBCASE("its folder is a regular file") {
    const std::string file = dir + "/a-file";
    write_file_atomic(file, "not a folder");
    const std::string path = file + "/out.txt";
    CHECK(write_error(path, "x") == "cannot write '" + path + "': " + std::strerror(ENOTDIR));
    CHECK(read_file(file) == "not a folder");
    CHECK(entries(dir) == std::set<std::string>{"a-file"});
  }
  SUBCASE("its folder does not exist") {
    const std::string path = dir + "/missing/out.txt";
    CHECK(write_error(path, "x") == "cannot write '" + path + "': " + std::strerror(ENOENT));
    CHECK(entries(dir).empty());
  }
  SUBCASE("a folder stands at its name") {
    // The temporary file is written and flushed, then the rename fails: it must go.
    const std::string path = dir + "/taken";
    fs::create_directories(path + "/inside");
    CHECK(write_error(path, "x") == "cannot replace '" + path + "': " + std::strerror(EISDIR));
    CHECK(entries(dir) == std::set<std::string>{"taken"});
    CHECK(entries(path) == std::set<std::string>{"inside"});
  }
  SUBCASE("its folder is read-only") {
    const std::string folder = dir + "/read-only";
    fs::create_directories(folder);
    write_file_atomic(folder + "/out.txt", "old");
    const std::string path = folder + "/out.txt";
    const std::string expected = "cannot write '" + path + "': " + std::strerror(EACCES);
    REQUIRE(::chmod(folder.c_str(), 0555) == 0);
    if (::geteuid() != 0) {
      CHECK(write_error(path, "x") == expected);
    } else {
      // Root ignores permissions; the user nobody, owning the folder, does not.
      const uid_t nobody = 65534;
      REQUIRE(::chown(folder.c_str(), nobody, nobody) == 0);
      const pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        if (::setgid(nobody) != 0 || ::setuid(nobody) != 0) ::_exit(77);
        if (::access(folder.c_str(), X_OK) != 0) ::_exit(78);  // a folder above is closed
        ::_exit(write_error(path, "x") == expected ? 0 : 1);
      }
      int status = 0;
      REQUIRE(::waitpid(child, &status, 0) == child);
      REQUIRE(WIFEXITED(status));
      if (WEXITSTATUS(status) >= 77) {
        MESSAGE("read-only folder case skipped: cannot run as the user nobody here");
      } else {
        CHECK(WEXITSTATUS(status) == 0);
      }
    }
    REQUIRE(::chmod(folder.c_str(), 0755) == 0);
    CHECK(read_file(path) == "old");
    CHECK(entries(folder) == std::set<std::string>{"out.txt"});
  }
}

TEST_CASE("a symbolic link at the path itself is replaced, not written through") {
  const std::string outside = fresh_dir("link-outside");
  const std::string dir = fresh_dir("link");
  const std::string path = dir + "/out.txt";
  write_file_atomic(outside + "/target.txt", "target");
  REQUIRE(::symlink((outside + "/target.txt").c_str(), path.c_str()) == 0);
  write_file_atomic(path, "new");
  CHECK_FALSE(fs::is_symlink(path));
  CHECK(read_file(path) == "new");
  CHECK(read_file(outside + "/target.txt") == "target");
}

TEST_CASE("replace_directory puts the staged directory in place and flushes their folder") {
  const std::string dir = fresh_dir("replace");
  const std::string target = dir + "/model";
  const std::string staged = dir + "/model.staged";
  SUBCASE("over an existing directory") {
    fs::create_directories(target);
    write_file_atomic(target + "/old.txt", "old");
    fs::create_directories(staged);
    write_file_atomic(staged + "/new.txt", "new");
    SyncLog log;
    replace_directory(staged, target);
    CHECK(std::count(log.paths().begin(), log.paths().end(), dir) >= 1);
    CHECK(entries(target) == std::set<std::string>{"new.txt"});
    CHECK(read_file(target + "/new.txt") == "new");
    CHECK(entries(dir) == std::set<std::string>{"model"});  // the old contents are gone
  }
  SUBCASE("where there is none yet") {
    fs::create_directories(staged);
    write_file_atomic(staged + "/new.txt", "new");
    SyncLog log;
    replace_directory(staged, target + "/");
    CHECK(std::count(log.paths().begin(), log.paths().end(), dir) >= 1);
    CHECK(entries(dir) == std::set<std::string>{"model"});
    CHECK(read_file(target + "/new.txt") == "new");
  }
  SUBCASE("a file in the way is refused and nothing is deleted") {
    write_file_atomic(target, "a file");
    fs::create_directories(staged);
    write_file_atomic(staged + "/new.txt", "new");
    try {
      replace_directory(staged, target);
      FAIL("expected an Error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()) ==
            "cannot move '" + staged + "' to '" + target + "': " + std::strerror(ENOTDIR));
    }
    CHECK(read_file(target) == "a file");
    CHECK(read_file(staged + "/new.txt") == "new");
  }
}
