// Hyper-parameters of a Transformer encoder-decoder. The keys of config.json are
// torch.nn.Transformer's constructor arguments plus what the embeddings and the
// vocabularies need, so a PyTorch user can write this file by hand.
#pragma once

#include <cstdint>
#include <string>

namespace attnscope {

// The largest model a config may ask for. A config.json comes from outside, and its numbers
// size every allocation that follows, so each is bounded before anything is allocated. The
// bounds are far above the models this tool is meant to show (README, "Troubleshooting and
// limits", lists them).
namespace limits {
constexpr int kMaxLayers = 64;          // num_encoder_layers, num_decoder_layers
constexpr int kMaxDModel = 8192;        // d_model
constexpr int kMaxHeads = 256;          // nhead
constexpr int kMaxFeedForward = 65536;  // dim_feedforward
constexpr int kMaxVocab = 1'000'000;    // src_vocab_size, tgt_vocab_size
constexpr int kMaxPositions = 8192;     // max_positions
// Learned scalars in all: 2^30, 4 GiB as float32.
constexpr int64_t kMaxParameters = int64_t{1} << 30;
// layer_norm_eps lies in [kMinLayerNormEps, 1): smaller values vanish as a float32.
constexpr double kMinLayerNormEps = 1e-30;
}  // namespace limits

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

  // Throws CheckpointError naming the first field that is out of range (see `limits`), a
  // d_model that nhead does not divide, a special id outside its vocabulary, or more than
  // limits::kMaxParameters weights in all.
  void validate() const;
};

// JSON text of a config (pretty-printed, keys in a stable order).
std::string config_to_json(const Config& config);
// Parses config.json text; `source` names the file in error messages. Unknown keys are
// ignored; missing keys keep their defaults except the vocabulary sizes, which are required.
// Throws CheckpointError "<source>: key 'x' ..." naming the key, what was found and what was
// expected (the type, or the range with its limit), on a key given twice, and as validate().
Config config_from_json(const std::string& text, const std::string& source = "config.json");

// The most bytes config.json may hold; a real one holds a few hundred.
constexpr uint64_t kMaxConfigFileBytes = 1 << 20;

// Reads and parses config.json; throws CheckpointError when it is missing, not a regular
// file, or larger than kMaxConfigFileBytes (checked before it is read).
Config load_config(const std::string& path);
void save_config(const Config& config, const std::string& path);

const char* to_string(Activation activation);
const char* to_string(Positional positional);

}  // namespace attnscope
