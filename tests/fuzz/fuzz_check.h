// What the fuzz targets share: FUZZ_CHECK for the invariants a parser promises. A broken
// invariant aborts with the condition, so libFuzzer saves the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : attnscope_fuzz::fail(#condition, __FILE__, __LINE__))

namespace attnscope_fuzz {

[[noreturn]] inline void fail(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, condition);
  std::abort();
}

inline std::string bytes(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace attnscope_fuzz
