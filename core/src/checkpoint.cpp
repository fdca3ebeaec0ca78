// Loading and saving model directories, with every tensor's presence, dtype and shape checked.
#include "attnscope/checkpoint.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <set>

#include "attnscope/error.h"
#include "attnscope/utf8.h"

namespace attnscope {

namespace {

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string dims(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

// Refuses, before reading, a file that is not a regular file or is larger than `limit`: a
// model directory can hold a device that never ends or a file of any size. `what` says what
// the file should be, `why` what the limit is for.
void check_file_size(const std::string& path, uint64_t limit, const std::string& what,
                     const std::string& why) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return;  // the reader names what is wrong
  if (!S_ISREG(info.st_mode)) {
    throw CheckpointError(path + ": not a regular file, expected " + what);
  }
  if (static_cast<uint64_t>(info.st_size) > limit) {
    throw CheckpointError(path + ": file is " + std::to_string(info.st_size) +
                          " bytes, more than the limit of " + std::to_string(limit) + " bytes " +
                          why);
  }
}

Vocab load_vocab_checked(const std::string& path, int expected_size, const char* key) {
  check_file_size(path, kMaxVocabFileBytes, "a vocabulary (one token a line)", "for a vocabulary");
  Vocab vocab = Vocab::load(path);
  if (vocab.size() != expected_size) {
    throw CheckpointError(path + ": " + std::to_string(vocab.size()) + " tokens, config.json's " +
                          key + " is " + std::to_string(expected_size));
  }
  return vocab;
}

}  // namespace

Weights load_weights(const SafetensorsFile& file, const Config& config) {
  // The config's sizes bound everything allocated below.
  config.validate();
  // Every tensor is checked against the config before any weight is allocated, so a file
  // that does not fit is refused at no cost however large its config.
  std::set<std::string> expected;
  for (const ParameterSpec& p : parameter_specs(config)) {
    expected.insert(p.name);
    if (!file.contains(p.name)) {
      throw CheckpointError(file.path() + ": tensor '" + p.name + "' is missing (expected shape " +
                            dims(p.shape) + ")");
    }
    const TensorInfo& info = file.info(p.name);
    if (info.shape != p.shape) {
      throw CheckpointError(file.path() + ": tensor '" + p.name + "': shape " + dims(info.shape) +
                            ", expected " + dims(p.shape));
    }
    if (info.dtype != "F32" && info.dtype != "F16" && info.dtype != "BF16") {
      throw CheckpointError(file.path() + ": tensor '" + p.name + "' has dtype " + info.dtype +
                            ", expected F32, F16 or BF16");
    }
  }
  for (const std::string& name : file.names()) {
    if (!expected.count(name)) {
      // A hostile name can be megabytes long; it is cut at a UTF-8 character boundary.
      const size_t end = utf8_cut(name, 200);
      const std::string shown = name.substr(0, end) + (end < name.size() ? "..." : "");
      throw CheckpointError(file.path() + ": unexpected tensor '" + shown +
                            "' (not part of a model with this config.json)");
    }
  }
  Weights weights = allocate_weights(config);
  read_weights(file, config, "", weights);
  return weights;
}

void read_weights(const SafetensorsFile& file, const Config& config, const std::string& prefix,
                  Weights& weights) {
  std::vector<float> buffer;
  for_each_parameter(weights, config, [&](const ParameterRef& p) {
    const std::string name = prefix + p.name;
    if (!file.contains(name)) {
      throw CheckpointError(file.path() + ": tensor '" + name + "' is missing (expected shape " +
                            dims(p.shape) + ")");
    }
    if (file.info(name).shape != p.shape) {
      throw CheckpointError(file.path() + ": tensor '" + name + "': shape " +
                            dims(file.info(name).shape) + ", expected " + dims(p.shape));
    }
    if (!p.transposed) {
      file.read_floats_into(name, p.data, p.count());
      return;
    }
    buffer.resize(static_cast<size_t>(p.count()));
    file.read_floats_into(name, buffer.data(), p.count());
    p.read_from(buffer.data());
  });
}

std::vector<TensorRef> weight_tensors(const Weights& weights, const Config& config,
                                      const std::string& prefix,
                                      std::vector<std::vector<float>>& storage) {
  std::vector<TensorRef> tensors;
  for (const ParameterRef& p : parameters(weights, config)) {
    const float* data = p.data;
    if (p.transposed) {
      storage.emplace_back(static_cast<size_t>(p.count()));
      p.write_to(storage.back().data());
      data = storage.back().data();
    }
    tensors.push_back({prefix + p.name, p.shape, data});
  }
  return tensors;
}

ModelBundle load_model_dir(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw CheckpointError(dir +
                          ": not a model directory (expected a folder with config.json, "
                          "model.safetensors, src_vocab.txt and tgt_vocab.txt)");
  }
  const Config config = load_config(join_path(dir, "config.json"));
  Vocab src =
      load_vocab_checked(join_path(dir, "src_vocab.txt"), config.src_vocab_size, "src_vocab_size");
  Vocab tgt =
      load_vocab_checked(join_path(dir, "tgt_vocab.txt"), config.tgt_vocab_size, "tgt_vocab_size");
  // The tensors must tile the data buffer and be exactly the config's, so a larger file cannot
  // be this model's; refusing it unread keeps a huge file from being read into memory.
  const std::string weights_path = join_path(dir, "model.safetensors");
  const uint64_t largest =
      8 + kMaxSafetensorsHeaderBytes + 4 * static_cast<uint64_t>(parameter_count(config));
  check_file_size(weights_path, largest, "a safetensors file",
                  "for a model with this config.json (" + std::to_string(parameter_count(config)) +
                      " parameters as F32 and the largest header)");
  const SafetensorsFile file = SafetensorsFile::read(weights_path, largest);
  Weights weights = load_weights(file, config);
  return ModelBundle{dir, Model(config, std::move(weights)), std::move(src), std::move(tgt)};
}

void save_model_dir(const std::string& dir, const Model& model, const Vocab& src_vocab,
                    const Vocab& tgt_vocab, DType dtype) {
  const Config& config = model.config();
  if (src_vocab.size() != config.src_vocab_size || tgt_vocab.size() != config.tgt_vocab_size) {
    throw InputError("vocabularies of " + std::to_string(src_vocab.size()) + " and " +
                     std::to_string(tgt_vocab.size()) + " tokens for a model of " +
                     std::to_string(config.src_vocab_size) + " and " +
                     std::to_string(config.tgt_vocab_size));
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    throw Error("cannot create directory '" + dir + "': " + std::strerror(errno));
  }
  std::vector<std::vector<float>> storage;
  const std::vector<TensorRef> tensors = weight_tensors(model.weights(), config, "", storage);
  write_safetensors(join_path(dir, "model.safetensors"), tensors, dtype,
                    {{"format", "pt"}, {"producer", "attnscope"}});
  save_config(config, join_path(dir, "config.json"));
  src_vocab.save(join_path(dir, "src_vocab.txt"));
  tgt_vocab.save(join_path(dir, "tgt_vocab.txt"));
}

Vocab placeholder_vocab(int size, const std::string& prefix) {
  if (size < 1 || size > limits::kMaxVocab) {
    throw InputError("a vocabulary of " + std::to_string(size) + " tokens: expected 1 to " +
                     std::to_string(limits::kMaxVocab));
  }
  std::vector<std::string> tokens{"<pad>", "<unk>", "<bos>", "<eos>"};
  for (int i = static_cast<int>(tokens.size()); i < size; ++i) {
    tokens.push_back(prefix + std::to_string(i));
  }
  tokens.resize(size);
  return Vocab(std::move(tokens));
}

Tokenizer ModelBundle::src_tokenizer() const {
  return Tokenizer(src_vocab, model.config().unk_id, model.config().lowercase);
}

std::vector<int> ModelBundle::source_ids(const std::string& text, Tokenized* tokenized) const {
  Tokenized t = src_tokenizer().encode(text);
  std::vector<int> ids = t.ids;
  ids.push_back(model.config().eos_id);
  if (tokenized) *tokenized = std::move(t);
  return ids;
}

std::vector<int> ModelBundle::target_ids(const std::string& text, Tokenized* tokenized) const {
  Tokenized t = Tokenizer(tgt_vocab, model.config().unk_id, model.config().lowercase).encode(text);
  std::vector<int> ids{model.config().bos_id};
  ids.insert(ids.end(), t.ids.begin(), t.ids.end());
  if (tokenized) *tokenized = std::move(t);
  return ids;
}

void ModelBundle::label(Trace& trace) const {
  trace.src_tokens.clear();
  trace.tgt_tokens.clear();
  for (int id : trace.src_ids)
    trace.src_tokens.push_back(src_vocab.token(id));
  for (int id : trace.tgt_ids)
    trace.tgt_tokens.push_back(tgt_vocab.token(id));
}

std::string ModelBundle::detokenize_target(const std::vector<int>& ids) const {
  return Tokenizer(tgt_vocab, model.config().unk_id, model.config().lowercase).decode(ids);
}

}  // namespace attnscope
