// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
// 2014): a 64-bit state advanced by a fixed odd constant and scrambled on the way out. Fixed
// arithmetic, so the same seed gives the same numbers with every compiler and standard
// library, which std::shuffle and the std:: distributions do not promise.
#pragma once

#include <cstdint>

namespace attnscope {

// Advances `state` and returns the next number of its SplitMix64 stream.
inline uint64_t splitmix64_next(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The first number of the stream seeded with x: a hash in which every bit of x moves every
// bit of the result, so that nearby inputs (seeds 1, 2, 3; consecutive ids) give unrelated
// outputs.
inline uint64_t splitmix64(uint64_t x) {
  return splitmix64_next(x);
}

}  // namespace attnscope
