// What the task generators and readers of tasks.h share: a seeded random source that gives
// the same numbers on every machine, the hash that decides the test split, and words joined
// and split on single spaces.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace attnscope::detail {

// Random numbers from fixed algorithms (mt19937_64 and a plain modulo rather than
// std::uniform_int_distribution, whose output differs between standard libraries) so that
// a seed gives the same data on every machine. Seeds are spread with splitmix64
// (attnscope/random.h) first, so that nearby seeds give unrelated streams.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  int below(size_t n) { return static_cast<int>(engine_() % n); }
  bool chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// The 64-bit FNV-1a hash of the bytes of text.
inline uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// Whether a pair goes to the test split: the FNV-1a hash of its source is 0 modulo 10.
inline bool in_test_split(const std::string& source) {
  return fnv1a(source) % 10 == 0;
}

inline std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ' ';
    out += words[i];
  }
  return out;
}

// The words of text between single spaces; runs of spaces give no empty words.
inline std::vector<std::string> split_spaces(const std::string& text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

}  // namespace attnscope::detail
