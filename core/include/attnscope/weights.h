// Every learned parameter of the encoder-decoder, and the one table that describes them.
//
// Names are those of a PyTorch module holding
// `self.transformer = nn.Transformer(..., batch_first=True)` plus embeddings and a generator.
//
// Layout, the same everywhere in memory (the model, training, its gradients and optimizer
// state): every Linear weight W (out, in) is held as its transpose W^T, (in, out), so that a
// layer is `y = x W^T + b` with x (tokens, in) and a plain product; embedding and position
// tables are (rows, d_model); vectors are vectors. Checkpoint files keep PyTorch's layout:
// the parameter table says which tensors are transposed, and only the functions below that
// read or write a file's order (ParameterRef::read_from / write_to) convert.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attnscope/config.h"
#include "attnscope/tensor.h"

namespace attnscope {

struct AttentionWeights {
  Matrix in_proj_weight;   // (d_model, 3 * d_model) [W_q; W_k; W_v]^T: columns [0, d) give q,
                           // [d, 2d) k, [2d, 3d) v; head h is columns [h dh, (h + 1) dh) of each
  Vector in_proj_bias;     // (3 * d_model) [b_q; b_k; b_v]
  Matrix out_proj_weight;  // (d_model, d_model) W_o^T
  Vector out_proj_bias;    // (d_model)
};

struct LayerNormWeights {
  Vector weight;  // (d_model) gain
  Vector bias;    // (d_model)
};

struct FeedForwardWeights {
  Matrix linear1_weight;  // (d_model, dim_feedforward) W_1^T
  Vector linear1_bias;    // (dim_feedforward)
  Matrix linear2_weight;  // (dim_feedforward, d_model) W_2^T
  Vector linear2_bias;    // (d_model)
};

struct EncoderLayerWeights {
  AttentionWeights self_attn;
  FeedForwardWeights ff;
  LayerNormWeights norm1;  // before/after self-attention
  LayerNormWeights norm2;  // before/after feed-forward
};

struct DecoderLayerWeights {
  AttentionWeights self_attn;       // masked self-attention
  AttentionWeights multihead_attn;  // cross-attention over the encoder output
  FeedForwardWeights ff;
  LayerNormWeights norm1;
  LayerNormWeights norm2;
  LayerNormWeights norm3;
};

struct Weights {
  Matrix src_embed;  // (src_vocab_size, d_model)
  Matrix tgt_embed;  // (tgt_vocab_size, d_model)
  Matrix src_pos;    // (max_positions, d_model); empty unless positional == learned
  Matrix tgt_pos;    // (max_positions, d_model); empty unless positional == learned
  std::vector<EncoderLayerWeights> encoder;  // [num_encoder_layers]
  LayerNormWeights encoder_norm;             // final norm nn.Transformer always applies
  std::vector<DecoderLayerWeights> decoder;  // [num_decoder_layers]
  LayerNormWeights decoder_norm;
  Matrix generator_weight;  // (d_model, tgt_vocab_size) W^T; empty when tie_output
  Vector generator_bias;    // (tgt_vocab_size); empty when tie_output
};

// How a parameter starts (random_weights, initial_weights).
enum class Init {
  kEmbedding,  // embedding and learned position tables: N(0, 1/d_model)
  kXavier,     // Linear weights: Xavier-uniform over (fan_in + fan_out)
  kNormGain,   // LayerNorm gains: 1
  kBias,       // biases of Linear layers and LayerNorms: 0
};

// One entry of the parameter table: what the config calls for, independent of storage.
struct ParameterSpec {
  std::string name;            // state_dict name
  std::vector<int64_t> shape;  // PyTorch's shape, as in a checkpoint file
  Init init = Init::kBias;
  bool transposed = false;     // held in memory as the transpose of `shape` (Linear weights)

  int64_t count() const;                     // number of scalars
  std::vector<int64_t> memory_shape() const;  // `shape`, reversed when transposed
};

// A table entry with its storage in a Weights: memory_shape().count() floats, row-major.
struct ParameterRef : ParameterSpec {
  float* data = nullptr;

  // Fills the storage from `file_order`, the tensor in PyTorch's row-major layout of `shape`.
  void read_from(const float* file_order) const;
  // Writes the tensor in PyTorch's layout into `file_order` (count() floats).
  void write_to(float* file_order) const;
};

// The parameter table: every parameter `config` calls for, in a stable order (the order of
// checkpoints and of for_each_parameter), computed from the config alone, so a file can be
// checked against it before any weight is allocated.
std::vector<ParameterSpec> parameter_specs(const Config& config);

// Visits every parameter of `weights` with its storage, in parameter_specs' order. The
// weights must have been allocated for `config` (allocate_weights).
void for_each_parameter(Weights& weights, const Config& config,
                        const std::function<void(const ParameterRef&)>& visit);
std::vector<ParameterRef> parameters(Weights& weights, const Config& config);
// The same, read-only in intent: the storage of a const Weights must not be written through.
std::vector<ParameterRef> parameters(const Weights& weights, const Config& config);

// Empty when every field of `weights` has the shape `config` calls for, else a message naming
// the first that does not (PyTorch's shapes, e.g. "tensor 'generator.weight': shape [5,8],
// expected [6,8]").
std::string shape_mismatch(const Weights& weights, const Config& config);

// Sizes every field for `config`: LayerNorm gains 1, everything else 0.
Weights allocate_weights(const Config& config);

// Random weights in the ranges PyTorch's default initialisation gives (Xavier-uniform
// matrices, N(0, 1/d_model) embeddings), with LayerNorm gains near 1 and small non-zero biases
// so that every parameter influences the output. Deterministic for a seed.
Weights random_weights(const Config& config, uint64_t seed);

// Number of learned scalars.
int64_t parameter_count(const Config& config);

}  // namespace attnscope
