// Hyper-parameters of a Transformer encoder-decoder. The keys of config.json are
// torch.nn.Transformer's constructor arguments plus what the embeddings and the
// vocabularies need, so a PyTorch user can write this file by hand.
#pragma once

#include <string>

namespace attnscope {

enum class Activation { kRelu, kGelu };
enum class Positional { kSinusoidal, kLearned };

struct Config {
  int d_model = 64;  // width of every token state
  int nhead = 4;     // attention heads; d_model % nhead == 0
  int num_encoder_layers = 2;
  int num_decoder_layers = 2;
  int dim_feedforward = 256;  // hidden width of each feed-forward block
  Activation activation = Activation::kRelu;
  double layer_norm_eps = 1e-5;  // as PyTorch stores it; used as float
  bool norm_first = false;       // false: post-norm (the paper); true: pre-norm
  int src_vocab_size = 0;
  int tgt_vocab_size = 0;
  int max_positions = 256;  // longest source or target sequence, in tokens
  Positional positional = Positional::kSinusoidal;
  bool tie_output = false;  // generator.weight is tgt_embed.weight, no bias
  int pad_id = 0;
  int unk_id = 1;
  int bos_id = 2;
  int eos_id = 3;
  bool lowercase = true;  // tokenizer: lowercase the input before lookup

  int head_dim() const { return d_model / nhead; }

  // Throws CheckpointError naming the first field that is out of range.
  void validate() const;
};

// JSON text of a config (pretty-printed, keys in a stable order).
std::string config_to_json(const Config& config);
// Parses config.json text; `source` names the file in error messages. Unknown keys are
// ignored; missing keys keep their defaults except the vocabulary sizes, which are required.
Config config_from_json(const std::string& text, const std::string& source = "config.json");

Config load_config(const std::string& path);
void save_config(const Config& config, const std::string& path);

const char* to_string(Activation activation);
const char* to_string(Positional positional);

}  // namespace attnscope
