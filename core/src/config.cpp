// config.json <-> Config. Keys follow torch.nn.Transformer's constructor arguments.
//
// config.json comes from outside and its numbers size every allocation that follows, so each
// key is checked for its JSON type and its range (attnscope::limits) as it is read, and the
// whole config for the weights it implies, before any tensor is read or allocated.
#include "attnscope/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/utf8.h"
#include "attnscope/weights.h"

namespace attnscope {

namespace {

using Json = nlohmann::ordered_json;

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// At most 40 bytes of `text`, cut at a character boundary, with "..." when cut.
std::string shorten(const std::string& text) {
  if (text.size() <= 40) return text;
  return text.substr(0, utf8_cut(text, 37)) + "...";
}

// A JSON value as an error message shows it: scalars as written (long strings cut short),
// arrays and objects by kind only, so a hostile value can neither flood the message nor make
// printing it recurse deeply.
std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::string:
      return Json(shorten(value.get_ref<const std::string&>())).dump();
    default:
      return value.dump();
  }
}

void check_range(const char* key, long long value, long long lo, long long hi) {
  if (value < lo || value > hi) {
    throw CheckpointError(std::string("config key '") + key + "' is " + std::to_string(value) +
                          ", expected an integer in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
  }
}

// Reads the keys of one config.json; every failure names the file and the key.
class KeyReader {
 public:
  KeyReader(const Json& json, const std::string& source) : json_(json), source_(source) {}

  [[noreturn]] void fail(const char* key, const std::string& message) const {
    throw CheckpointError(source_ + ": key '" + key + "' " + message);
  }

  // An integer in [lo, hi], checked as the JSON holds it: 1000000000000 in a hostile file is
  // reported as such, never truncated to an int first.
  void integer(const char* key, int& out, long long lo, long long hi,
               const char* meaning = "") const {
    const Json* value = find(key);
    if (!value) return;
    const auto out_of_range = [&](const std::string& found) {
      fail(key, "is " + found + ", expected an integer in [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]" + meaning);
    };
    if (!value->is_number_integer()) fail(key, "must be an integer, found " + describe(*value));
    if (value->is_number_unsigned()) {
      const auto number = value->get<unsigned long long>();
      if (number > static_cast<unsigned long long>(hi)) out_of_range(std::to_string(number));
      out = static_cast<int>(number);
      if (out < lo) out_of_range(std::to_string(number));
      return;
    }
    const auto number = value->get<long long>();
    if (number < lo || number > hi) out_of_range(std::to_string(number));
    out = static_cast<int>(number);
  }

  void boolean(const char* key, bool& out) const {
    const Json* value = find(key);
    if (!value) return;
    if (!value->is_boolean()) fail(key, "must be true or false, found " + describe(*value));
    out = value->get<bool>();
  }

  // A number in [lo, hi); JSON has no NaN, and a literal too large for a double is a JSON
  // error, so what remains to check is the range.
  void number(const char* key, double& out, double lo, double hi) const {
    const Json* value = find(key);
    if (!value) return;
    if (!value->is_number()) fail(key, "must be a number, found " + describe(*value));
    const double number = value->get<double>();
    if (!(number >= lo && number < hi)) {
      fail(key, "is " + number_text(number) + ", expected a number in [" + number_text(lo) + ", " +
                    number_text(hi) + ")");
    }
    out = number;
  }

  // A string naming one of `choices`.
  template <typename Enum>
  void choice(const char* key, Enum& out,
              const std::vector<std::pair<const char*, Enum>>& choices) const {
    const Json* value = find(key);
    if (!value) return;
    std::string expected;
    for (const auto& [name, item] : choices)
      expected += (expected.empty() ? "\"" : " or \"") + std::string(name) + "\"";
    if (!value->is_string()) fail(key, "must be " + expected + ", found " + describe(*value));
    const std::string& text = value->get_ref<const std::string&>();
    for (const auto& [name, item] : choices) {
      if (text == name) {
        out = item;
        return;
      }
    }
    fail(key, "is '" + shorten(text) + "', expected " + expected);
  }

 private:
  const Json* find(const char* key) const {
    const auto it = json_.find(key);
    return it == json_.end() ? nullptr : &*it;
  }

  const Json& json_;
  const std::string& source_;
};

}  // namespace

const char* to_string(Activation activation) {
  return activation == Activation::kGelu ? "gelu" : "relu";
}

const char* to_string(Positional positional) {
  return positional == Positional::kLearned ? "learned" : "sinusoidal";
}

void Config::validate() const {
  check_range("d_model", d_model, 1, limits::kMaxDModel);
  check_range("nhead", nhead, 1, limits::kMaxHeads);
  if (d_model % nhead != 0) {
    throw CheckpointError("config: d_model " + std::to_string(d_model) +
                          " is not divisible by nhead " + std::to_string(nhead));
  }
  check_range("num_encoder_layers", num_encoder_layers, 1, limits::kMaxLayers);
  check_range("num_decoder_layers", num_decoder_layers, 1, limits::kMaxLayers);
  check_range("dim_feedforward", dim_feedforward, 1, limits::kMaxFeedForward);
  check_range("src_vocab_size", src_vocab_size, 4, limits::kMaxVocab);
  check_range("tgt_vocab_size", tgt_vocab_size, 4, limits::kMaxVocab);
  check_range("max_positions", max_positions, 1, limits::kMaxPositions);
  // Written so that NaN fails too.
  if (!(layer_norm_eps >= limits::kMinLayerNormEps && layer_norm_eps < 1.0)) {
    throw CheckpointError("config key 'layer_norm_eps' is " + number_text(layer_norm_eps) +
                          ", expected a number in [" + number_text(limits::kMinLayerNormEps) +
                          ", 1)");
  }
  const int smallest_vocab = std::min(src_vocab_size, tgt_vocab_size);
  check_range("pad_id", pad_id, 0, smallest_vocab - 1);
  check_range("unk_id", unk_id, 0, smallest_vocab - 1);
  check_range("bos_id", bos_id, 0, tgt_vocab_size - 1);
  check_range("eos_id", eos_id, 0, smallest_vocab - 1);
  // Each size above is bounded, so this product cannot overflow; the total still can be far
  // more than any machine holds, and every later allocation is sized from it.
  const int64_t count = parameter_count(*this);
  if (count > limits::kMaxParameters) {
    char gib[32];
    std::snprintf(gib, sizeof gib, "%.1f", static_cast<double>(count) * 4 / (1 << 30));
    throw CheckpointError("config: the weights would hold " + std::to_string(count) +
                          " parameters (" + gib + " GiB as float32), more than the limit of " +
                          std::to_string(limits::kMaxParameters) + " (4 GiB)");
  }
}

std::string config_to_json(const Config& c) {
  Json json;
  json["d_model"] = c.d_model;
  json["nhead"] = c.nhead;
  json["num_encoder_layers"] = c.num_encoder_layers;
  json["num_decoder_layers"] = c.num_decoder_layers;
  json["dim_feedforward"] = c.dim_feedforward;
  json["activation"] = to_string(c.activation);
  json["layer_norm_eps"] = c.layer_norm_eps;
  json["norm_first"] = c.norm_first;
  json["src_vocab_size"] = c.src_vocab_size;
  json["tgt_vocab_size"] = c.tgt_vocab_size;
  json["max_positions"] = c.max_positions;
  json["positional"] = to_string(c.positional);
  json["tie_output"] = c.tie_output;
  json["pad_id"] = c.pad_id;
  json["unk_id"] = c.unk_id;
  json["bos_id"] = c.bos_id;
  json["eos_id"] = c.eos_id;
  json["lowercase"] = c.lowercase;
  return json.dump(2) + "\n";
}

Config config_from_json(const std::string& text, const std::string& source) {
  // The parser keeps one of two equal keys silently; "d_model" given twice is ambiguous, so
  // the top-level keys are collected as they are met.
  std::vector<std::string> keys;
  Json json;
  try {
    json = Json::parse(text, [&](int depth, Json::parse_event_t event, Json& parsed) {
      if (depth == 1 && event == Json::parse_event_t::key)
        keys.push_back(parsed.get<std::string>());
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(source + ": not valid JSON (" + e.what() + ")");
  }
  if (!json.is_object()) {
    throw CheckpointError(source + ": expected a JSON object, found " + describe(json));
  }
  std::sort(keys.begin(), keys.end());
  const auto twice = std::adjacent_find(keys.begin(), keys.end());
  if (twice != keys.end()) throw CheckpointError(source + ": key '" + *twice + "' appears twice");
  for (const char* required : {"src_vocab_size", "tgt_vocab_size"}) {
    if (!json.contains(required)) {
      throw CheckpointError(source + ": missing required key '" + required + "'");
    }
  }

  using namespace limits;
  const KeyReader read(json, source);
  Config c;
  read.integer("d_model", c.d_model, 1, kMaxDModel);
  read.integer("nhead", c.nhead, 1, kMaxHeads);
  read.integer("num_encoder_layers", c.num_encoder_layers, 1, kMaxLayers);
  read.integer("num_decoder_layers", c.num_decoder_layers, 1, kMaxLayers);
  read.integer("dim_feedforward", c.dim_feedforward, 1, kMaxFeedForward);
  read.number("layer_norm_eps", c.layer_norm_eps, kMinLayerNormEps, 1.0);
  read.boolean("norm_first", c.norm_first);
  read.integer("src_vocab_size", c.src_vocab_size, 4, kMaxVocab);
  read.integer("tgt_vocab_size", c.tgt_vocab_size, 4, kMaxVocab);
  read.integer("max_positions", c.max_positions, 1, kMaxPositions);
  read.boolean("tie_output", c.tie_output);
  // Special ids index both vocabularies (the source ends with <eos>, unknown words of either
  // side become <unk>), except <bos>, which only the decoder reads.
  const int both = std::min(c.src_vocab_size, c.tgt_vocab_size) - 1;
  const char* in_both = " (an id of both vocabularies)";
  read.integer("pad_id", c.pad_id, 0, both, in_both);
  read.integer("unk_id", c.unk_id, 0, both, in_both);
  read.integer("bos_id", c.bos_id, 0, c.tgt_vocab_size - 1, " (an id of the target vocabulary)");
  read.integer("eos_id", c.eos_id, 0, both, in_both);
  read.boolean("lowercase", c.lowercase);
  read.choice<Activation>("activation", c.activation,
                          {{"relu", Activation::kRelu}, {"gelu", Activation::kGelu}});
  read.choice<Positional>(
      "positional", c.positional,
      {{"sinusoidal", Positional::kSinusoidal}, {"learned", Positional::kLearned}});
  try {
    c.validate();
  } catch (const CheckpointError& e) {
    throw CheckpointError(source + ": " + e.what());
  }
  return c;
}

Config load_config(const std::string& path) {
  // Checked before reading: config.json could be a huge file or a device that never ends.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw CheckpointError("cannot open '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw CheckpointError(path + ": not a regular file, expected the model's config (JSON)");
  }
  if (static_cast<uint64_t>(info.st_size) > kMaxConfigFileBytes) {
    throw CheckpointError(path + ": file is " + std::to_string(info.st_size) +
                          " bytes, more than the limit of " + std::to_string(kMaxConfigFileBytes) +
                          " bytes for a config");
  }
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error& e) {
    throw CheckpointError(e.what());
  }
  return config_from_json(text, path);
}

void save_config(const Config& config, const std::string& path) {
  write_file_atomic(path, config_to_json(config));
}

}  // namespace attnscope
