// Runs a piece of a test in a child process whose address space may grow by a bounded
// amount, so that a reader which sizes an allocation from a hostile file fails there with
// std::bad_alloc instead of passing by allocating gigabytes.
#pragma once

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// The process's address space now, in bytes.
inline uint64_t address_space_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

// Runs `body` in a child process whose address space may grow by at most `headroom` bytes,
// and returns what it returned, or how it died: an allocation of more than the headroom fails
// there with std::bad_alloc. AddressSanitizer reserves terabytes of address space, so under
// it the limit is left out and only the result is checked. The child also keeps to itself
// whatever else `body` changes, such as a mount namespace.
inline std::string in_child(uint64_t headroom, const std::function<std::string()>& body) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(pipe_fds[0]);
    if (!kAddressSanitizer) {
      const rlimit limit{address_space_bytes() + headroom, address_space_bytes() + headroom};
      setrlimit(RLIMIT_AS, &limit);
    }
    std::string result;
    try {
      result = body();
    } catch (const std::bad_alloc&) {
      result = "(std::bad_alloc: more than the memory limit was allocated)";
    } catch (const std::exception& e) {
      result = std::string("(unexpected exception: ") + e.what() + ")";
    }
    const ssize_t written = write(pipe_fds[1], result.data(), result.size());
    _exit(written == static_cast<ssize_t>(result.size()) ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string result;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    result.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status))
    result += "(child died with signal " + std::to_string(WTERMSIG(status)) + ")";
  return result;
}
