// config.json <-> Config. Keys follow torch.nn.Transformer's constructor arguments.
#include "attnscope/config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "attnscope/error.h"
#include "attnscope/io.h"

namespace attnscope {

namespace {

using Json = nlohmann::ordered_json;

// Upper bounds that keep a hostile config.json from asking for gigabytes before any
// tensor is read. They are far above any model this tool is meant to show.
constexpr int kMaxLayers = 64;
constexpr int kMaxDModel = 8192;
constexpr int kMaxHeads = 256;
constexpr int kMaxFeedForward = 65536;
constexpr int kMaxVocab = 1 << 22;
constexpr int kMaxPositions = 1 << 16;

void check_range(const char* key, long long value, long long lo, long long hi) {
  if (value < lo || value > hi) {
    throw CheckpointError(std::string("config key '") + key + "' is " + std::to_string(value) +
                          ", expected a value in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
  }
}

template <typename T>
void read_key(const Json& json, const char* key, T& out, const std::string& source) {
  auto it = json.find(key);
  if (it == json.end()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw CheckpointError(source + ": key '" + key + "' has the wrong type (" +
                          std::string(it->type_name()) + ")");
  }
}

// Integers are range-checked as 64-bit first so that 1e12 in a hostile file is reported,
// not silently truncated.
void read_key(const Json& json, const char* key, int& out, const std::string& source) {
  auto it = json.find(key);
  if (it == json.end()) return;
  if (!it->is_number_integer()) {
    throw CheckpointError(source + ": key '" + key + "' must be an integer, found " + it->dump());
  }
  const long long value = it->is_number_unsigned()
                              ? static_cast<long long>(std::min<unsigned long long>(
                                    it->get<unsigned long long>(), 1ULL << 62))
                              : it->get<long long>();
  if (value < -(1LL << 31) || value >= (1LL << 31)) {
    throw CheckpointError(source + ": key '" + key + "' is " + std::to_string(value) +
                          ", far beyond any supported size");
  }
  out = static_cast<int>(value);
}

}  // namespace

const char* to_string(Activation activation) {
  return activation == Activation::kGelu ? "gelu" : "relu";
}

const char* to_string(Positional positional) {
  return positional == Positional::kLearned ? "learned" : "sinusoidal";
}

void Config::validate() const {
  check_range("d_model", d_model, 1, kMaxDModel);
  check_range("nhead", nhead, 1, kMaxHeads);
  if (d_model % nhead != 0) {
    throw CheckpointError("config: d_model " + std::to_string(d_model) +
                          " is not divisible by nhead " + std::to_string(nhead));
  }
  check_range("num_encoder_layers", num_encoder_layers, 1, kMaxLayers);
  check_range("num_decoder_layers", num_decoder_layers, 1, kMaxLayers);
  check_range("dim_feedforward", dim_feedforward, 1, kMaxFeedForward);
  check_range("src_vocab_size", src_vocab_size, 4, kMaxVocab);
  check_range("tgt_vocab_size", tgt_vocab_size, 4, kMaxVocab);
  check_range("max_positions", max_positions, 1, kMaxPositions);
  if (!(layer_norm_eps > 0.0 && layer_norm_eps < 1.0)) {
    throw CheckpointError("config key 'layer_norm_eps' is " + std::to_string(layer_norm_eps) +
                          ", expected a value in (0, 1)");
  }
  const int smallest_vocab = std::min(src_vocab_size, tgt_vocab_size);
  check_range("pad_id", pad_id, 0, smallest_vocab - 1);
  check_range("unk_id", unk_id, 0, smallest_vocab - 1);
  check_range("bos_id", bos_id, 0, tgt_vocab_size - 1);
  check_range("eos_id", eos_id, 0, smallest_vocab - 1);
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
  Json json;
  try {
    json = Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw CheckpointError(source + ": not valid JSON (" + e.what() + ")");
  }
  if (!json.is_object()) throw CheckpointError(source + ": expected a JSON object");
  for (const char* required : {"src_vocab_size", "tgt_vocab_size"}) {
    if (!json.contains(required)) {
      throw CheckpointError(source + ": missing required key '" + required + "'");
    }
  }
  Config c;
  read_key(json, "d_model", c.d_model, source);
  read_key(json, "nhead", c.nhead, source);
  read_key(json, "num_encoder_layers", c.num_encoder_layers, source);
  read_key(json, "num_decoder_layers", c.num_decoder_layers, source);
  read_key(json, "dim_feedforward", c.dim_feedforward, source);
  read_key(json, "layer_norm_eps", c.layer_norm_eps, source);
  read_key(json, "norm_first", c.norm_first, source);
  read_key(json, "src_vocab_size", c.src_vocab_size, source);
  read_key(json, "tgt_vocab_size", c.tgt_vocab_size, source);
  read_key(json, "max_positions", c.max_positions, source);
  read_key(json, "tie_output", c.tie_output, source);
  read_key(json, "pad_id", c.pad_id, source);
  read_key(json, "unk_id", c.unk_id, source);
  read_key(json, "bos_id", c.bos_id, source);
  read_key(json, "eos_id", c.eos_id, source);
  read_key(json, "lowercase", c.lowercase, source);
  std::string activation = to_string(c.activation);
  read_key(json, "activation", activation, source);
  if (activation == "relu") {
    c.activation = Activation::kRelu;
  } else if (activation == "gelu") {
    c.activation = Activation::kGelu;
  } else {
    throw CheckpointError(source + ": key 'activation' is '" + activation +
                          "', expected \"relu\" or \"gelu\"");
  }
  std::string positional = to_string(c.positional);
  read_key(json, "positional", positional, source);
  if (positional == "sinusoidal") {
    c.positional = Positional::kSinusoidal;
  } else if (positional == "learned") {
    c.positional = Positional::kLearned;
  } else {
    throw CheckpointError(source + ": key 'positional' is '" + positional +
                          "', expected \"sinusoidal\" or \"learned\"");
  }
  try {
    c.validate();
  } catch (const CheckpointError& e) {
    throw CheckpointError(source + ": " + e.what());
  }
  return c;
}

Config load_config(const std::string& path) {
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
