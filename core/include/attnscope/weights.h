// Every learned parameter of the encoder-decoder, as plain structs with their shapes.
// Names and layouts are those of a PyTorch module holding
// `self.transformer = nn.Transformer(..., batch_first=True)` plus embeddings and a generator,
// so `for_each_parameter` is the single table that maps a state_dict name to a field.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attnscope/config.h"
#include "attnscope/tensor.h"

namespace attnscope {

struct AttentionWeights {
  Matrix in_proj_weight;   // (3 * d_model, d_model): rows are [W_q; W_k; W_v]
  Vector in_proj_bias;     // (3 * d_model)
  Matrix out_proj_weight;  // (d_model, d_model)
  Vector out_proj_bias;    // (d_model)
};

struct LayerNormWeights {
  Vector weight;  // (d_model)
  Vector bias;    // (d_model)
};

struct FeedForwardWeights {
  Matrix linear1_weight;  // (dim_feedforward, d_model)
  Vector linear1_bias;    // (dim_feedforward)
  Matrix linear2_weight;  // (d_model, dim_feedforward)
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
  Matrix generator_weight;  // (tgt_vocab_size, d_model); empty when tie_output
  Vector generator_bias;    // (tgt_vocab_size); empty when tie_output
};

// One parameter as the checkpoint sees it: its state_dict name, its shape, and its storage
// (row-major, exactly shape's element count once the weights are allocated).
struct ParameterRef {
  std::string name;
  std::vector<int64_t> shape;
  float* data;
};

// Visits every parameter the config calls for, in a stable order, with its PyTorch name.
// Call `allocate_weights` first so each field has its shape.
void for_each_parameter(Weights& weights, const Config& config,
                        const std::function<void(const ParameterRef&)>& visit);
std::vector<ParameterRef> parameters(Weights& weights, const Config& config);

// The shape `config` calls for of the parameter named `name` (a state_dict name);
// empty when the name is not one of its parameters.
std::vector<int64_t> expected_shape(const std::string& name, const Config& config);

// A parameter's name and the shape `config` calls for, without storage.
struct ParameterSpec {
  std::string name;
  std::vector<int64_t> shape;
};

// Every parameter `config` calls for, in for_each_parameter's order, computed from the config
// alone: a file can be checked against it before any weight is allocated.
std::vector<ParameterSpec> parameter_specs(const Config& config);

// Sizes every field for `config`, zero-filled.
Weights allocate_weights(const Config& config);

// Random weights in the ranges PyTorch's default initialisation gives (Xavier-uniform
// matrices, N(0,1) embeddings), with LayerNorm gains near 1 and small non-zero biases so
// that every parameter influences the output. Deterministic for a seed.
Weights random_weights(const Config& config, uint64_t seed);

// Number of learned scalars.
int64_t parameter_count(const Config& config);

}  // namespace attnscope
