// Model directories: a written model reads back bit-identical, and every kind of broken
// directory gives its own clear error naming the file, the tensor, what was expected and found.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include "attnscope/checkpoint.h"
#include "attnscope/error.h"
#include "attnscope/io.h"

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
