// Typed exceptions thrown by the core. Messages say what was expected and what was found,
// and name the file or tensor involved, so the app and the command line can show them as-is.
#pragma once

#include <stdexcept>
#include <string>

namespace attnscope {

// Base of every error the core throws on bad input.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A model directory, config.json, safetensors file or vocabulary that cannot be used.
class CheckpointError : public Error {
 public:
  explicit CheckpointError(const std::string& what) : Error(what) {}
};

// A request the model cannot serve: an id out of range, a sequence longer than the
// model's maximum, an empty input where one is needed.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(what) {}
};

}  // namespace attnscope
