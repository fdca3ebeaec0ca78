// Command-line parsing shared by the attnscope tools: `--key value`, `--key=value`, `--flag`
// and positional words, with every option checked against the list the tool accepts and
// every number checked against its range, so that a typo is an error, never ignored.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "attnscope/error.h"

namespace attnscope {

class Args {
 public:
  // Parses argv[first..argc). `valued` are the options that take a value, `flags` those that
  // do not. Throws InputError on an unknown option or a valued option without its value.
  static Args parse(int argc, char** argv, int first, const std::set<std::string>& valued,
                    const std::set<std::string>& flags) {
    Args args;
    for (int i = first; i < argc; ++i) {
      const std::string word = argv[i];
      if (word.size() <= 2 || word.compare(0, 2, "--") != 0) {
        args.positional.push_back(word);
        continue;
      }
      std::string key = word.substr(2);
      std::string value = "1";
      const size_t eq = key.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      }
      if (flags.count(key) != 0) {
        if (inline_value) throw InputError("option --" + key + " takes no value");
      } else if (valued.count(key) != 0) {
        if (!inline_value) {
          if (i + 1 >= argc) throw InputError("option --" + key + " needs a value");
          value = argv[++i];
        }
      } else {
        throw InputError("unknown option --" + key + " (see --help)");
      }
      args.options[key] = value;
    }
    return args;
  }

  bool has(const std::string& key) const { return options.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  }
  int64_t get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
    if (!has(key)) return fallback;
    const std::string& text = options.at(key);
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || value < min || value > max) {
      throw InputError("--" + key + " expects an integer from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got '" + text + "'");
    }
    return value;
  }
  double get_double(const std::string& key, double fallback, double min, double max) const {
    if (!has(key)) return fallback;
    const std::string& text = options.at(key);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !(value >= min && value <= max)) {
      throw InputError("--" + key + " expects a number from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got '" + text + "'");
    }
    return value;
  }

  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
};

// The sizes `--size WIDTHxHEIGHT` accepts, for the window and for an exported picture (its
// scene at scale 1) alike: from 320x240, the smallest the window's layout fits in, to
// 8192x8192, beyond any screen. A picture larger than this OpenGL's textures allow is
// refused when it is drawn.
constexpr int kMinSizeWidth = 320;
constexpr int kMinSizeHeight = 240;
constexpr int kMaxSizeSide = 8192;

struct SizeArg {
  int width = 0;
  int height = 0;
};

// Parses the value of --size; throws InputError naming the limits otherwise.
inline SizeArg parse_size(const std::string& text) {
  SizeArg size;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &size.width, &size.height, &extra) != 2 ||
      size.width < kMinSizeWidth || size.height < kMinSizeHeight || size.width > kMaxSizeSide ||
      size.height > kMaxSizeSide) {
    throw InputError("--size expects WIDTHxHEIGHT from " + std::to_string(kMinSizeWidth) + "x" +
                     std::to_string(kMinSizeHeight) + " to " + std::to_string(kMaxSizeSide) + "x" +
                     std::to_string(kMaxSizeSide) + ", got '" + text + "'");
  }
  return size;
}

}  // namespace attnscope
