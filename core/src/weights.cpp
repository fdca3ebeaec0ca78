// The parameter table: names, shapes and initialisation of every weight.
#include "attnscope/weights.h"

#include <cmath>
#include <random>

namespace attnscope {

namespace {

using Visit = std::function<void(const ParameterRef&)>;

void visit_matrix(Matrix& m, const std::string& name, const Visit& visit) {
  visit({name, {m.rows(), m.cols()}, m.data()});
}

void visit_vector(Vector& v, const std::string& name, const Visit& visit) {
  visit({name, {v.size()}, v.data()});
}

void visit_attention(AttentionWeights& w, const std::string& prefix, const Visit& visit) {
  visit_matrix(w.in_proj_weight, prefix + ".in_proj_weight", visit);
  visit_vector(w.in_proj_bias, prefix + ".in_proj_bias", visit);
  visit_matrix(w.out_proj_weight, prefix + ".out_proj.weight", visit);
  visit_vector(w.out_proj_bias, prefix + ".out_proj.bias", visit);
}

void visit_norm(LayerNormWeights& w, const std::string& prefix, const Visit& visit) {
  visit_vector(w.weight, prefix + ".weight", visit);
  visit_vector(w.bias, prefix + ".bias", visit);
}

void visit_ff(FeedForwardWeights& w, const std::string& prefix, const Visit& visit) {
  visit_matrix(w.linear1_weight, prefix + ".linear1.weight", visit);
  visit_vector(w.linear1_bias, prefix + ".linear1.bias", visit);
  visit_matrix(w.linear2_weight, prefix + ".linear2.weight", visit);
  visit_vector(w.linear2_bias, prefix + ".linear2.bias", visit);
}

void allocate_attention(AttentionWeights& w, int d) {
  w.in_proj_weight = Matrix::Zero(3 * d, d);
  w.in_proj_bias = Vector::Zero(3 * d);
  w.out_proj_weight = Matrix::Zero(d, d);
  w.out_proj_bias = Vector::Zero(d);
}

void allocate_norm(LayerNormWeights& w, int d) {
  w.weight = Vector::Ones(d);
  w.bias = Vector::Zero(d);
}

void allocate_ff(FeedForwardWeights& w, int d, int ff) {
  w.linear1_weight = Matrix::Zero(ff, d);
  w.linear1_bias = Vector::Zero(ff);
  w.linear2_weight = Matrix::Zero(d, ff);
  w.linear2_bias = Vector::Zero(d);
}

}  // namespace

void for_each_parameter(Weights& w, const Config& c, const Visit& visit) {
  visit_matrix(w.src_embed, "src_embed.weight", visit);
  visit_matrix(w.tgt_embed, "tgt_embed.weight", visit);
  if (c.positional == Positional::kLearned) {
    visit_matrix(w.src_pos, "src_pos.weight", visit);
    visit_matrix(w.tgt_pos, "tgt_pos.weight", visit);
  }
  for (int l = 0; l < c.num_encoder_layers; ++l) {
    const std::string p = "transformer.encoder.layers." + std::to_string(l);
    EncoderLayerWeights& layer = w.encoder[l];
    visit_attention(layer.self_attn, p + ".self_attn", visit);
    visit_ff(layer.ff, p, visit);
    visit_norm(layer.norm1, p + ".norm1", visit);
    visit_norm(layer.norm2, p + ".norm2", visit);
  }
  visit_norm(w.encoder_norm, "transformer.encoder.norm", visit);
  for (int l = 0; l < c.num_decoder_layers; ++l) {
    const std::string p = "transformer.decoder.layers." + std::to_string(l);
    DecoderLayerWeights& layer = w.decoder[l];
    visit_attention(layer.self_attn, p + ".self_attn", visit);
    visit_attention(layer.multihead_attn, p + ".multihead_attn", visit);
    visit_ff(layer.ff, p, visit);
    visit_norm(layer.norm1, p + ".norm1", visit);
    visit_norm(layer.norm2, p + ".norm2", visit);
    visit_norm(layer.norm3, p + ".norm3", visit);
  }
  visit_norm(w.decoder_norm, "transformer.decoder.norm", visit);
  if (!c.tie_output) {
    visit_matrix(w.generator_weight, "generator.weight", visit);
    visit_vector(w.generator_bias, "generator.bias", visit);
  }
}

std::vector<ParameterRef> parameters(Weights& weights, const Config& config) {
  std::vector<ParameterRef> out;
  for_each_parameter(weights, config, [&](const ParameterRef& p) { out.push_back(p); });
  return out;
}

std::vector<int64_t> expected_shape(const std::string& name, const Config& c) {
  const int64_t d = c.d_model, ff = c.dim_feedforward;
  const int64_t vs = c.src_vocab_size, vt = c.tgt_vocab_size, p = c.max_positions;
  auto ends_with = [&](const char* suffix) {
    const std::string tail(suffix);
    return name.size() >= tail.size() &&
           name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (name == "src_embed.weight") return {vs, d};
  if (name == "tgt_embed.weight") return {vt, d};
  if (name == "src_pos.weight" || name == "tgt_pos.weight") return {p, d};
  if (name == "generator.weight") return {vt, d};
  if (name == "generator.bias") return {vt};
  if (ends_with(".in_proj_weight")) return {3 * d, d};
  if (ends_with(".in_proj_bias")) return {3 * d};
  if (ends_with(".out_proj.weight")) return {d, d};
  if (ends_with(".linear1.weight")) return {ff, d};
  if (ends_with(".linear1.bias")) return {ff};
  if (ends_with(".linear2.weight")) return {d, ff};
  if (ends_with(".out_proj.bias") || ends_with(".linear2.bias") || ends_with("norm.weight") ||
      ends_with("norm.bias") || name.find(".norm") != std::string::npos) {
    return {d};
  }
  return {};
}

std::vector<ParameterSpec> parameter_specs(const Config& c) {
  // The layer tables give for_each_parameter its names; the fields stay empty, so this costs
  // nothing however large the config.
  Weights shell;
  shell.encoder.resize(c.num_encoder_layers);
  shell.decoder.resize(c.num_decoder_layers);
  std::vector<ParameterSpec> specs;
  for_each_parameter(shell, c, [&](const ParameterRef& p) {
    specs.push_back({p.name, expected_shape(p.name, c)});
  });
  return specs;
}

Weights allocate_weights(const Config& c) {
  const int d = c.d_model;
  Weights w;
  w.src_embed = Matrix::Zero(c.src_vocab_size, d);
  w.tgt_embed = Matrix::Zero(c.tgt_vocab_size, d);
  if (c.positional == Positional::kLearned) {
    w.src_pos = Matrix::Zero(c.max_positions, d);
    w.tgt_pos = Matrix::Zero(c.max_positions, d);
  }
  w.encoder.resize(c.num_encoder_layers);
  for (EncoderLayerWeights& layer : w.encoder) {
    allocate_attention(layer.self_attn, d);
    allocate_ff(layer.ff, d, c.dim_feedforward);
    allocate_norm(layer.norm1, d);
    allocate_norm(layer.norm2, d);
  }
  allocate_norm(w.encoder_norm, d);
  w.decoder.resize(c.num_decoder_layers);
  for (DecoderLayerWeights& layer : w.decoder) {
    allocate_attention(layer.self_attn, d);
    allocate_attention(layer.multihead_attn, d);
    allocate_ff(layer.ff, d, c.dim_feedforward);
    allocate_norm(layer.norm1, d);
    allocate_norm(layer.norm2, d);
    allocate_norm(layer.norm3, d);
  }
  allocate_norm(w.decoder_norm, d);
  if (!c.tie_output) {
    w.generator_weight = Matrix::Zero(c.tgt_vocab_size, d);
    w.generator_bias = Vector::Zero(c.tgt_vocab_size);
  }
  return w;
}

Weights random_weights(const Config& c, uint64_t seed) {
  Weights w = allocate_weights(c);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for_each_parameter(w, c, [&](const ParameterRef& p) {
    int64_t n = 1;
    for (int64_t dim : p.shape)
      n *= dim;
    const bool is_embedding =
        p.name.find("embed") != std::string::npos || p.name.find("_pos.") != std::string::npos;
    const bool is_norm_gain = p.name.find("norm") != std::string::npos && p.name.size() > 7 &&
                              p.name.compare(p.name.size() - 7, 7, ".weight") == 0;
    if (is_embedding) {
      // nn.Embedding's N(0,1); scaled so that sqrt(d_model) * embedding stays O(1).
      const float scale = 1.0f / std::sqrt(static_cast<float>(c.d_model));
      for (int64_t i = 0; i < n; ++i)
        p.data[i] = scale * normal(rng);
    } else if (p.shape.size() == 2) {
      const float bound = std::sqrt(6.0f / static_cast<float>(p.shape[0] + p.shape[1]));
      std::uniform_real_distribution<float> uniform(-bound, bound);
      for (int64_t i = 0; i < n; ++i)
        p.data[i] = uniform(rng);
    } else if (is_norm_gain) {
      for (int64_t i = 0; i < n; ++i)
        p.data[i] = 1.0f + 0.1f * normal(rng);
    } else {
      for (int64_t i = 0; i < n; ++i)
        p.data[i] = 0.05f * normal(rng);
    }
  });
  return w;
}

int64_t parameter_count(const Config& c) {
  const int64_t d = c.d_model, ff = c.dim_feedforward;
  const int64_t attention = 4 * d * d + 4 * d;
  const int64_t feed_forward = 2 * d * ff + ff + d;
  const int64_t norm = 2 * d;
  int64_t total = (int64_t{c.src_vocab_size} + c.tgt_vocab_size) * d;
  if (c.positional == Positional::kLearned) total += 2 * int64_t{c.max_positions} * d;
  total += c.num_encoder_layers * (attention + feed_forward + 2 * norm) + norm;
  total += c.num_decoder_layers * (2 * attention + feed_forward + 3 * norm) + norm;
  if (!c.tie_output) total += int64_t{c.tgt_vocab_size} * (d + 1);
  return total;
}

}  // namespace attnscope
