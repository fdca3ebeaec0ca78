// Whole-file reads and crash-safe writes over POSIX file descriptors, which report every
// failure through errno (iostreams would swallow the reason).
#include "attnscope/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "attnscope/error.h"

namespace attnscope {

namespace {

std::string reason(int error_number) {
  return std::strerror(error_number);
}

// Closes the descriptor on every path out of a scope unless released first.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns close()'s result: on network and some local file systems a
  // delayed write error only shows up here.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// A directory may be named as "dir/"; its entry in its folder is "dir".
std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

// The folder holding `name`.
std::string directory_of(const std::string& name) {
  const std::string path = without_trailing_slashes(name);
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Makes the entries of a folder (a rename into it, or out of it) durable. The data they name
// is already safe either way, so a folder that cannot be opened or synced (some file systems
// refuse) is not an error.
void sync_directory(const std::string& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// The umask as the process started, read while static initialisation runs on one thread;
// only used where /proc is not mounted.
const mode_t g_startup_umask = [] {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}();

}  // namespace

mode_t current_umask() {
  // umask() cannot read the mask without setting it, and while it is set to anything else a
  // file another thread creates (saves may run on several threads) gets the wrong
  // permissions; the kernel shows the mask in /proc/self/status (Linux 4.7 and later).
  FileDescriptor fd(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  if (fd.get() >= 0) {
    char text[4096];
    size_t size = 0;
    for (;;) {
      const ssize_t n = ::read(fd.get(), text + size, sizeof text - 1 - size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      size += static_cast<size_t>(n);
    }
    text[size] = '\0';
    const char* line = std::strstr(text, "\nUmask:");
    if (line != nullptr) {
      char* end = nullptr;
      const unsigned long mask = std::strtoul(line + 7, &end, 8);
      if (end != line + 7 && mask <= 0777) return static_cast<mode_t>(mask);
    }
  }
  return g_startup_umask;
}

std::string read_file(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Error("cannot open '" + path + "': " + reason(errno));
  std::string bytes;
  struct stat st {};
  // The size is only a hint for the first allocation; files in /proc report 0 and files can
  // grow while we read, so the loop below reads until end of file.
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    bytes.reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read '" + path + "': " + reason(errno));
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  return bytes;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  // A name no one can guess and create first; mkostemp creates it with O_EXCL, so a link
  // already at the name (even one pointing nowhere) makes it try another, never follows it.
  std::string tmp = path + ".tmp.XXXXXX";
  FileDescriptor fd(::mkostemp(tmp.data(), O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) throw Error("cannot write '" + path + "': " + reason(errno));

  // Every failure after the temporary file exists must remove it before throwing.
  const auto fail = [&](const char* what, int error_number) {
    if (fd.get() >= 0) fd.close();
    ::unlink(tmp.c_str());
    throw Error(std::string("cannot ") + what + " '" + path + "': " + reason(error_number));
  };

  // mkostemp gives 0600; a saved file is meant to be as readable as any other the user makes.
  if (::fchmod(fd.get(), 0666 & ~current_umask()) != 0) fail("write", errno);
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("write", errno);
  if (fd.close() != 0) fail("write", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("replace", errno);
  sync_directory(directory_of(path));
}

std::vector<std::string> split_lines(const std::string& contents) {
  std::vector<std::string> lines;
  size_t pos = contents.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (pos < contents.size()) {
    size_t end = contents.find('\n', pos);
    const size_t next = end == std::string::npos ? contents.size() : end + 1;
    if (end == std::string::npos) end = contents.size();
    if (end > pos && contents[end - 1] == '\r') --end;
    lines.push_back(contents.substr(pos, end - pos));
    pos = next;
  }
  return lines;
}

void replace_directory(const std::string& staged, const std::string& dir) {
  const auto fail = [&](int error_number) {
    throw Error("cannot move '" + staged + "' to '" + dir + "': " + reason(error_number));
  };
  // Both names change in one step; only once their folders are synced does a power cut keep
  // the new directory, so the old one is deleted after that.
  const auto sync_parents = [&] {
    const std::string parent = directory_of(dir);
    sync_directory(parent);
    if (directory_of(staged) != parent) sync_directory(directory_of(staged));
  };
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) {
    if (errno != ENOENT) fail(errno);
    if (std::rename(staged.c_str(), dir.c_str()) != 0) fail(errno);
    sync_parents();
    return;
  }
  if (!S_ISDIR(info.st_mode)) fail(ENOTDIR);
  if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno != EINVAL && errno != ENOSYS) fail(errno);
    const std::string old = without_trailing_slashes(dir) + ".old";
    std::error_code ignored;
    std::filesystem::remove_all(old, ignored);
    if (std::rename(dir.c_str(), old.c_str()) != 0) fail(errno);
    if (std::rename(staged.c_str(), dir.c_str()) != 0) {
      const int error_number = errno;
      std::rename(old.c_str(), dir.c_str());
      sync_parents();
      fail(error_number);
    }
    sync_parents();
    std::filesystem::remove_all(old, ignored);
    return;
  }
  sync_parents();
  std::error_code ignored;
  std::filesystem::remove_all(staged, ignored);
}

}  // namespace attnscope
