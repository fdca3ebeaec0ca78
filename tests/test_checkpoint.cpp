// Model directories: a written model reads back bit-identical, and every kind of broken or
// hostile directory gives its own clear error naming the file, the key or tensor, what was
// expected and found, before anything the broken file sizes is allocated.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "attnscope/checkpoint.h"
#include "attnscope/error.h"
#include "attnscope/io.h"
#include "memory_limit.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

Config test_config() {
  Config c;
  c.d_model = 16;
  c.nhead = 2;
  c.num_encoder_layers = 1;
  c.num_decoder_layers = 2;
  c.dim_feedforward = 24;
  c.src_vocab_size = 12;
  c.tgt_vocab_size = 14;
  c.max_positions = 20;
  return c;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/checkpoint/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A saved model directory, and the tensors it holds, for tests that break one thing.
std::string saved_model(const std::string& name, const Config& c = test_config()) {
  const std::string dir = fresh_dir(name);
  const Model model(c, random_weights(c, 4));
  save_model_dir(dir, model, placeholder_vocab(c.src_vocab_size, "s"),
                 placeholder_vocab(c.tgt_vocab_size, "t"));
  return dir;
}

// Rewrites model.safetensors of `dir` after `edit` changed the list of tensors.
void rewrite_tensors(
    const std::string& dir,
    const std::function<void(std::vector<TensorRef>&, std::vector<std::vector<float>>&)>& edit) {
  const SafetensorsFile file = SafetensorsFile::read(dir + "/model.safetensors");
  std::vector<std::vector<float>> storage;
  std::vector<TensorRef> tensors;
  for (const std::string& name : file.names())
    storage.push_back(file.read_floats(name));
  size_t i = 0;
  for (const std::string& name : file.names()) {
    tensors.push_back({name, file.info(name).shape, storage[i++].data()});
  }
  edit(tensors, storage);
  write_safetensors(dir + "/model.safetensors", tensors);
}

std::string error_of(const std::string& dir) {
  try {
    load_model_dir(dir);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The message of the CheckpointError that parsing this config.json text throws.
std::string config_error(const std::string& text) {
  try {
    config_from_json(text, "c.json");
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

// A config.json with valid vocabulary sizes (12 and 14) and `key` set to `value` (JSON text).
std::string config_with(const std::string& key, const std::string& value) {
  std::string text = "{";
  if (key != "src_vocab_size") text += R"("src_vocab_size": 12, )";
  if (key != "tgt_vocab_size") text += R"("tgt_vocab_size": 14, )";
  return text + "\"" + key + "\": " + value + "}";
}

// Writes a safetensors file of zero bytes with each tensor's own dtype, tiled in order.
void write_tensors_with_dtypes(
    const std::string& path,
    const std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>>& tensors) {
  const std::map<std::string, uint64_t> sizes = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2},
                                                 {"I64", 8}, {"I32", 4}, {"U8", 1}};
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  uint64_t offset = 0;
  for (const auto& [name, dtype, shape] : tensors) {
    uint64_t bytes = sizes.at(dtype);
    for (int64_t d : shape)
      bytes *= static_cast<uint64_t>(d);
    header[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  const std::string text = header.dump();
  std::string file;
  for (int i = 0; i < 8; ++i)
    file.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  write_file_atomic(path, file + text + std::string(offset, '\0'));
}

// The message load_model_dir(dir) throws, computed in a child process whose address space
// may grow by at most `headroom` bytes (in_child): an allocation sized by a hostile file fails
// there with std::bad_alloc instead of the expected message.
std::string error_within_memory(const std::string& dir, uint64_t headroom) {
  return in_child(headroom, [&] { return error_of(dir); });
}

}  // namespace

TEST_CASE("a saved model reads back bit-identical") {
  for (bool learned : {false, true}) {
    Config c = test_config();
    c.positional = learned ? Positional::kLearned : Positional::kSinusoidal;
    c.tie_output = learned;
    const std::string dir = saved_model(learned ? "roundtrip_learned" : "roundtrip", c);
    const ModelBundle bundle = load_model_dir(dir);
    Weights original = random_weights(c, 4);
    Weights loaded = bundle.model.weights();
    const std::vector<ParameterRef> a = parameters(original, c), b = parameters(loaded, c);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CAPTURE(a[i].name);
      REQUIRE(a[i].shape == b[i].shape);
      int64_t n = 1;
      for (int64_t d : a[i].shape)
        n *= d;
      CHECK(std::memcmp(a[i].data, b[i].data, n * sizeof(float)) == 0);
    }
    CHECK(config_to_json(bundle.model.config()) == config_to_json(c));
    CHECK(bundle.src_vocab.tokens() == placeholder_vocab(c.src_vocab_size, "s").tokens());
    // Saving what was loaded gives the same bytes.
    const std::string again = fresh_dir(learned ? "roundtrip_learned2" : "roundtrip2");
    save_model_dir(again, bundle.model, bundle.src_vocab, bundle.tgt_vocab);
    CHECK(read_file(again + "/model.safetensors") == read_file(dir + "/model.safetensors"));
    CHECK(read_file(again + "/config.json") == read_file(dir + "/config.json"));
  }
}

TEST_CASE("an F16 checkpoint loads as the rounded weights") {
  const Config c = test_config();
  const std::string dir = fresh_dir("f16");
  const Model model(c, random_weights(c, 4));
  save_model_dir(dir, model, placeholder_vocab(c.src_vocab_size, "s"),
                 placeholder_vocab(c.tgt_vocab_size, "t"), DType::kF16);
  const ModelBundle bundle = load_model_dir(dir);
  const Matrix w = model.weights().decoder[1].ff.linear1_weight;
  const Matrix back = bundle.model.weights().decoder[1].ff.linear1_weight;
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    CHECK(back.data()[i] == static_cast<float>(Eigen::half(w.data()[i])));
  }
  CHECK(SafetensorsFile::read(dir + "/model.safetensors").info("src_embed.weight").dtype == "F16");
}

TEST_CASE("a missing tensor is named with its expected shape") {
  const std::string dir = saved_model("missing");
  rewrite_tensors(dir, [](std::vector<TensorRef>& t, auto&) {
    t.erase(std::remove_if(t.begin(), t.end(),
                           [](const TensorRef& r) {
                             return r.name == "transformer.decoder.layers.1.norm2.bias";
                           }),
            t.end());
  });
  const std::string e = error_of(dir);
  CHECK(contains(e, dir + "/model.safetensors"));
  CHECK(contains(e, "tensor 'transformer.decoder.layers.1.norm2.bias' is missing"));
  CHECK(contains(e, "[16]"));
}

TEST_CASE("an unexpected tensor is named") {
  const std::string dir = saved_model("extra");
  static std::vector<float> extra(5, 1.0f);
  rewrite_tensors(dir, [](std::vector<TensorRef>& t, auto&) {
    t.push_back({"transformer.encoder.layers.7.norm1.weight", {5}, extra.data()});
  });
  CHECK(contains(error_of(dir), "unexpected tensor 'transformer.encoder.layers.7.norm1.weight'"));
}

TEST_CASE("a tensor of the wrong shape says what was expected and found") {
  const std::string dir = saved_model("shape");
  rewrite_tensors(dir, [](std::vector<TensorRef>& t, auto&) {
    for (TensorRef& r : t) {
      if (r.name == "transformer.encoder.layers.0.self_attn.in_proj_weight") r.shape = {24, 32};
    }
  });
  CHECK(contains(error_of(dir),
                 "tensor 'transformer.encoder.layers.0.self_attn.in_proj_weight': shape [24,32], "
                 "expected [48,16]"));
}

TEST_CASE("a truncated or corrupt safetensors file is refused with the file named") {
  const std::string dir = saved_model("truncated");
  const std::string path = dir + "/model.safetensors";
  const std::string bytes = read_file(path);
  write_file_atomic(path, bytes.substr(0, bytes.size() - 100));
  std::string e = error_of(dir);
  CHECK(contains(e, path));
  CHECK(e != "(no error)");

  write_file_atomic(path, bytes.substr(0, 5));
  CHECK(contains(error_of(dir), path));

  std::string corrupt = bytes;
  corrupt[8] = '#';  // the header's opening brace
  write_file_atomic(path, corrupt);
  e = error_of(dir);
  CHECK(contains(e, path));
  CHECK(contains(e, "JSON"));
}

TEST_CASE("config and vocabularies that do not match the weights are refused") {
  const std::string dir = saved_model("mismatch");
  // A config asking for a wider model than the tensors hold.
  std::string config = read_file(dir + "/config.json");
  Config c = config_from_json(config);
  c.d_model = 32;
  save_config(c, dir + "/config.json");
  CHECK(contains(error_of(dir), "tensor 'src_embed.weight': shape [12,16], expected [12,32]"));
  write_file_atomic(dir + "/config.json", config);
  CHECK(error_of(dir) == "(no error)");

  // A vocabulary with one token too many.
  const std::string vocab = read_file(dir + "/tgt_vocab.txt");
  write_file_atomic(dir + "/tgt_vocab.txt", vocab + "extra\n");
  CHECK(contains(error_of(dir), "tgt_vocab.txt: 15 tokens, config.json's tgt_vocab_size is 14"));
  write_file_atomic(dir + "/tgt_vocab.txt", vocab);

  fs::remove(dir + "/config.json");
  CHECK(contains(error_of(dir), dir + "/config.json"));
  CHECK(contains(error_of(fresh_dir("empty") + "/nowhere"), "not a model directory"));
}

TEST_CASE("config.json: sizes beyond the limits are refused as parsed, naming key and limit") {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"num_encoder_layers", "1000000000",
       "key 'num_encoder_layers' is 1000000000, expected an integer in [1, 64]"},
      {"num_decoder_layers", "0", "key 'num_decoder_layers' is 0, expected an integer in [1, 64]"},
      {"num_decoder_layers", "-2",
       "key 'num_decoder_layers' is -2, expected an integer in [1, 64]"},
      {"src_vocab_size", "1000000000000",
       "key 'src_vocab_size' is 1000000000000, expected an integer in [4, 1000000]"},
      {"tgt_vocab_size", "1000001",
       "key 'tgt_vocab_size' is 1000001, expected an integer in [4, 1000000]"},
      {"tgt_vocab_size", "3", "key 'tgt_vocab_size' is 3, expected an integer in [4, 1000000]"},
      {"d_model", "100000", "key 'd_model' is 100000, expected an integer in [1, 8192]"},
      {"d_model", "18446744073709551615",
       "key 'd_model' is 18446744073709551615, expected an integer in [1, 8192]"},
      {"d_model", "-9223372036854775808",
       "key 'd_model' is -9223372036854775808, expected an integer in [1, 8192]"},
      {"nhead", "0", "key 'nhead' is 0, expected an integer in [1, 256]"},
      {"nhead", "512", "key 'nhead' is 512, expected an integer in [1, 256]"},
      {"dim_feedforward", "1000000000",
       "key 'dim_feedforward' is 1000000000, expected an integer in [1, 65536]"},
      {"max_positions", "100000",
       "key 'max_positions' is 100000, expected an integer in [1, 8192]"},
      {"max_positions", "0", "key 'max_positions' is 0, expected an integer in [1, 8192]"},
      {"layer_norm_eps", "0", "key 'layer_norm_eps' is 0, expected a number in [1e-30, 1)"},
      {"layer_norm_eps", "-1e-5",
       "key 'layer_norm_eps' is -1e-05, expected a number in [1e-30, 1)"},
      {"layer_norm_eps", "1e-40", "key 'layer_norm_eps' is 1e-40, expected a number in [1e-30, 1)"},
      {"layer_norm_eps", "1.5", "key 'layer_norm_eps' is 1.5, expected a number in [1e-30, 1)"},
  };
  for (const auto& [key, value, expected] : cases) {
    CAPTURE(value);
    CHECK(config_error(config_with(key, value)) == "c.json: " + expected);
  }
}

TEST_CASE("config.json: values of the wrong JSON type are refused saying what was found") {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"d_model", "64.5", "key 'd_model' must be an integer, found 64.5"},
      {"d_model", "64.0", "key 'd_model' must be an integer, found 64.0"},
      {"d_model", "1e30", "key 'd_model' must be an integer, found 1e+30"},
      {"d_model", "\"64\"", "key 'd_model' must be an integer, found \"64\""},
      {"nhead", "true", "key 'nhead' must be an integer, found true"},
      {"num_encoder_layers", "[2]", "key 'num_encoder_layers' must be an integer, found an array"},
      {"src_vocab_size", "{\"n\": 12}", "key 'src_vocab_size' must be an integer, found an object"},
      {"max_positions", "null", "key 'max_positions' must be an integer, found null"},
      {"layer_norm_eps", "\"1e-5\"", "key 'layer_norm_eps' must be a number, found \"1e-5\""},
      {"layer_norm_eps", "false", "key 'layer_norm_eps' must be a number, found false"},
      {"norm_first", "\"yes\"", "key 'norm_first' must be true or false, found \"yes\""},
      {"tie_output", "1", "key 'tie_output' must be true or false, found 1"},
      {"lowercase", "null", "key 'lowercase' must be true or false, found null"},
      {"activation", "3", "key 'activation' must be \"relu\" or \"gelu\", found 3"},
      {"positional", "\"rotary\"",
       "key 'positional' is 'rotary', expected \"sinusoidal\" or \"learned\""},
      {"pad_id", "\"0\"", "key 'pad_id' must be an integer, found \"0\""},
      {"d_model", "\"" + std::string(5000, 'x') + "\"",
       "key 'd_model' must be an integer, found \"" + std::string(37, 'x') + "...\""},
  };
  for (const auto& [key, value, expected] : cases) {
    CAPTURE(key);
    CHECK(config_error(config_with(key, value)) == "c.json: " + expected);
  }
  // JSON has no NaN or infinity: such a config.json is not JSON at all.
  CHECK(contains(config_error(config_with("layer_norm_eps", "NaN")), "c.json: not valid JSON"));
  CHECK(contains(config_error(config_with("layer_norm_eps", "1e999")), "c.json: not valid JSON"));
  // A value nested 200,000 deep is described by its kind, not printed (recursively).
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  CHECK(config_error(config_with("d_model", deep)) ==
        "c.json: key 'd_model' must be an integer, found an array");
  CHECK(config_error("[1, 2]") == "c.json: expected a JSON object, found an array");
  CHECK(config_error(R"({"src_vocab_size": 12, "tgt_vocab_size": 14, "d_model": 64,)"
                     R"( "d_model": 128})") == "c.json: key 'd_model' appears twice");
}

TEST_CASE("config.json: special ids outside their vocabulary are refused") {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"pad_id", "12",
       "key 'pad_id' is 12, expected an integer in [0, 11] (an id of both vocabularies)"},
      {"unk_id", "-1",
       "key 'unk_id' is -1, expected an integer in [0, 11] (an id of both vocabularies)"},
      {"eos_id", "10000000000",
       "key 'eos_id' is 10000000000, expected an integer in [0, 11] (an id of both "
       "vocabularies)"},
      // <bos> only starts the decoder: an id of the larger target vocabulary is fine...
      {"bos_id", "13", ""},
      // ...but not beyond it.
      {"bos_id", "14",
       "key 'bos_id' is 14, expected an integer in [0, 13] (an id of the target vocabulary)"},
  };
  for (const auto& [key, value, expected] : cases) {
    CAPTURE(key);
    CAPTURE(value);
    if (expected.empty()) {
      CHECK(config_error(config_with(key, value)) == "(no error)");
    } else {
      CHECK(config_error(config_with(key, value)) == "c.json: " + expected);
    }
  }
  // The same when the config is built in code.
  Config c = test_config();
  c.eos_id = c.src_vocab_size;
  CHECK_THROWS_WITH_AS(c.validate(), "config key 'eos_id' is 12, expected an integer in [0, 11]",
                       CheckpointError);
  // And a model directory whose config.json has one is refused, naming the file.
  const std::string dir = saved_model("special_ids");
  nlohmann::json config = nlohmann::json::parse(read_file(dir + "/config.json"));
  config["unk_id"] = 12;
  write_file_atomic(dir + "/config.json", config.dump());
  CHECK(error_of(dir) == dir +
                             "/config.json: key 'unk_id' is 12, expected an integer in [0, 11] (an "
                             "id of both vocabularies)");
}

TEST_CASE("config.json: a model too large in all is refused before anything is allocated") {
  const std::string big = R"({"d_model": 8192, "nhead": 8, "num_encoder_layers": 64,)"
                          R"( "num_decoder_layers": 64, "dim_feedforward": 65536,)"
                          R"( "src_vocab_size": 1000000, "tgt_vocab_size": 1000000})";
  Config c;
  c.d_model = 8192;
  c.nhead = 8;
  c.num_encoder_layers = c.num_decoder_layers = 64;
  c.dim_feedforward = 65536;
  c.src_vocab_size = c.tgt_vocab_size = 1000000;
  const int64_t count = parameter_count(c);
  char gib[32];
  std::snprintf(gib, sizeof gib, "%.1f", static_cast<double>(count) * 4 / (1 << 30));
  CHECK(config_error(big) == "c.json: config: the weights would hold " + std::to_string(count) +
                                 " parameters (" + gib +
                                 " GiB as float32), more than the limit of 1073741824 (4 GiB)");
  // d_model must split evenly into heads.
  CHECK(config_error(R"({"src_vocab_size": 12, "tgt_vocab_size": 14, "d_model": 100,)"
                     R"( "nhead": 3})") ==
        "c.json: config: d_model 100 is not divisible by nhead 3");
  // A config built in code is held to the same limits.
  c = test_config();
  c.layer_norm_eps = std::nan("");
  CHECK_THROWS_WITH_AS(c.validate(),
                       "config key 'layer_norm_eps' is nan, expected a number in [1e-30, 1)",
                       CheckpointError);
  c = test_config();
  c.max_positions = limits::kMaxPositions + 1;
  CHECK_THROWS_WITH_AS(c.validate(),
                       "config key 'max_positions' is 8193, expected an integer in [1, 8192]",
                       CheckpointError);
}

TEST_CASE("the parameter table is known from the config alone") {
  for (bool learned : {false, true}) {
    Config c = test_config();
    c.positional = learned ? Positional::kLearned : Positional::kSinusoidal;
    c.tie_output = learned;
    Weights w = allocate_weights(c);
    const std::vector<ParameterRef> allocated = parameters(w, c);
    const std::vector<ParameterSpec> specs = parameter_specs(c);
    REQUIRE(specs.size() == allocated.size());
    for (size_t i = 0; i < specs.size(); ++i) {
      CHECK(specs[i].name == allocated[i].name);
      CHECK(specs[i].shape == allocated[i].shape);
    }
  }
  CHECK_THROWS_WITH_AS(placeholder_vocab(-5, "s"),
                       "a vocabulary of -5 tokens: expected 1 to 1000000", InputError);
  CHECK_THROWS_AS(placeholder_vocab(2'000'000'000, "s"), InputError);
}

TEST_CASE("a tensor stored in a dtype we do not read is refused naming it") {
  const std::string dir = saved_model("dtypes");
  const SafetensorsFile file = SafetensorsFile::read(dir + "/model.safetensors");
  for (const auto& [target, dtype] : std::vector<std::pair<std::string, std::string>>{
           {"src_embed.weight", "I64"},
           {"transformer.decoder.layers.1.linear2.weight", "F64"},
           {"transformer.decoder.norm.bias", "U8"},
           {"generator.bias", "I32"}}) {
    CAPTURE(dtype);
    std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>> tensors;
    for (const std::string& name : file.names())
      tensors.emplace_back(name, name == target ? dtype : "F32", file.info(name).shape);
    write_tensors_with_dtypes(dir + "/model.safetensors", tensors);
    CHECK(error_of(dir) == dir + "/model.safetensors: tensor '" + target + "' has dtype " + dtype +
                               ", expected F32, F16 or BF16");
  }
  // BF16 is read.
  std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>> tensors;
  for (const std::string& name : file.names())
    tensors.emplace_back(name, "BF16", file.info(name).shape);
  write_tensors_with_dtypes(dir + "/model.safetensors", tensors);
  CHECK(error_of(dir) == "(no error)");
}

TEST_CASE("model.safetensors with bytes beyond its tensors is refused") {
  const std::string dir = saved_model("trailing");
  const std::string path = dir + "/model.safetensors";
  const std::string bytes = read_file(path);
  write_file_atomic(path, bytes + "hidden");
  const std::string e = error_of(dir);
  CHECK(contains(e, path + ": the tensors cover "));
  CHECK(contains(e, "the last 6 bytes belong to no tensor (the format allows no trailing data)"));
}

TEST_CASE("files that are huge or never end are refused before they are read") {
  const Config c = test_config();
  SUBCASE("model.safetensors larger than the config's weights can be") {
    const std::string dir = saved_model("huge_weights");
    const std::string path = dir + "/model.safetensors";
    fs::resize_file(path, uint64_t{16} << 30);  // sparse: nothing is written to disk
    const uint64_t largest = 8 + 100'000'000 + 4 * static_cast<uint64_t>(parameter_count(c));
    const std::string e = error_within_memory(dir, 64 << 20);
    CHECK(e == path + ": file is 17179869184 bytes, more than the limit of " +
                   std::to_string(largest) + " bytes for a model with this config.json (" +
                   std::to_string(parameter_count(c)) +
                   " parameters as F32 and the largest header)");
    fs::remove(path);
  }
  SUBCASE("a vocabulary larger than a million tokens can be") {
    const std::string dir = saved_model("huge_vocab");
    fs::resize_file(dir + "/src_vocab.txt", uint64_t{4} << 30);
    CHECK(error_within_memory(dir, 64 << 20) ==
          dir +
              "/src_vocab.txt: file is 4294967296 bytes, more than the limit of 67108864 bytes "
              "for a vocabulary");
    fs::remove(dir + "/src_vocab.txt");
  }
  SUBCASE("config.json larger than a config can be") {
    const std::string dir = saved_model("huge_config");
    fs::resize_file(dir + "/config.json", uint64_t{4} << 30);
    CHECK(error_within_memory(dir, 64 << 20) ==
          dir +
              "/config.json: file is 4294967296 bytes, more than the limit of 1048576 bytes "
              "for a config");
    fs::remove(dir + "/config.json");
  }
  SUBCASE("a file that is a device or a directory") {
    const std::string dir = saved_model("devices");
    for (const char* name : {"config.json", "tgt_vocab.txt", "model.safetensors"}) {
      CAPTURE(name);
      const std::string path = dir + "/" + name;
      const std::string saved = read_file(path);
      fs::remove(path);
      fs::create_symlink("/dev/zero", path);
      CHECK(contains(error_within_memory(dir, 64 << 20), path + ": not a regular file"));
      fs::remove(path);
      fs::create_directory(path);
      CHECK(contains(error_of(dir), path + ": not a regular file"));
      fs::remove(path);
      write_file_atomic(path, saved);
    }
    CHECK(error_of(dir) == "(no error)");
  }
}

TEST_CASE("a large config with weights that do not match is refused before they are allocated") {
  // About 0.9 billion parameters (3.6 GB as float32): within the limits, so it is only the
  // order of the checks that keeps the weights from being allocated for a file of a few KB.
  Config big = test_config();
  big.d_model = 2048;
  big.nhead = 8;
  big.num_encoder_layers = big.num_decoder_layers = 6;
  big.dim_feedforward = 8192;
  big.src_vocab_size = big.tgt_vocab_size = 32000;
  REQUIRE_NOTHROW(big.validate());
  REQUIRE(parameter_count(big) > 800'000'000);

  const std::string dir = saved_model("big_config");
  save_config(big, dir + "/config.json");
  placeholder_vocab(big.src_vocab_size, "s").save(dir + "/src_vocab.txt");
  placeholder_vocab(big.tgt_vocab_size, "t").save(dir + "/tgt_vocab.txt");
  CHECK(error_within_memory(dir, 256 << 20) ==
        dir +
            "/model.safetensors: tensor 'src_embed.weight': shape [12,16], expected [32000,2048]");

  // The same when every tensor is present but one is misshapen: the last one checked.
  std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>> tensors;
  for (const ParameterSpec& p : parameter_specs(big)) {
    std::vector<int64_t> shape = p.shape;
    // Zero rows keep the file small; the shapes are all wrong but one is enough.
    shape[0] = 0;
    tensors.emplace_back(p.name, "F32", shape);
  }
  write_tensors_with_dtypes(dir + "/model.safetensors", tensors);
  CHECK(error_within_memory(dir, 256 << 20) ==
        dir +
            "/model.safetensors: tensor 'src_embed.weight': shape [0,2048], expected "
            "[32000,2048]");
}
