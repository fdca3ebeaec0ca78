// The parameter table (see weights.h): one walk over the config names every parameter with
// its shape, initialisation and layout, and points at its field; allocation, loading and
// saving, checking, counting and initialisation are all driven by it.
#include "attnscope/weights.h"

#include <cmath>
#include <random>

namespace attnscope {

namespace {

// Where a parameter lives in a Weights: one of the two is set.
struct Field {
  Matrix* matrix = nullptr;
  Vector* vector = nullptr;
};

using Walk = std::function<void(const ParameterSpec&, Field)>;

// The table itself. `w` may be a shell whose layer vectors have the config's sizes and whose
// fields are empty: the specs do not depend on the fields.
void walk(Weights& w, const Config& c, const Walk& visit) {
  const int64_t d = c.d_model, ff = c.dim_feedforward;
  const auto table = [&](const std::string& name, Matrix& m, int64_t rows) {
    visit({name, {rows, d}, Init::kEmbedding, false}, {&m, nullptr});
  };
  const auto linear = [&](const std::string& weight, Matrix& m, const std::string& bias,
                          Vector& b, int64_t out, int64_t in) {
    visit({weight, {out, in}, Init::kXavier, true}, {&m, nullptr});
    visit({bias, {out}, Init::kBias, false}, {nullptr, &b});
  };
  const auto norm = [&](const std::string& prefix, LayerNormWeights& n) {
    visit({prefix + ".weight", {d}, Init::kNormGain, false}, {nullptr, &n.weight});
    visit({prefix + ".bias", {d}, Init::kBias, false}, {nullptr, &n.bias});
  };
  const auto attention = [&](const std::string& p, AttentionWeights& a) {
    linear(p + ".in_proj_weight", a.in_proj_weight, p + ".in_proj_bias", a.in_proj_bias, 3 * d, d);
    linear(p + ".out_proj.weight", a.out_proj_weight, p + ".out_proj.bias", a.out_proj_bias, d, d);
  };
  const auto feed_forward = [&](const std::string& p, FeedForwardWeights& f) {
    linear(p + ".linear1.weight", f.linear1_weight, p + ".linear1.bias", f.linear1_bias, ff, d);
    linear(p + ".linear2.weight", f.linear2_weight, p + ".linear2.bias", f.linear2_bias, d, ff);
  };

  table("src_embed.weight", w.src_embed, c.src_vocab_size);
  table("tgt_embed.weight", w.tgt_embed, c.tgt_vocab_size);
  if (c.positional == Positional::kLearned) {
    table("src_pos.weight", w.src_pos, c.max_positions);
    table("tgt_pos.weight", w.tgt_pos, c.max_positions);
  }
  for (int l = 0; l < c.num_encoder_layers; ++l) {
    const std::string p = "transformer.encoder.layers." + std::to_string(l);
    EncoderLayerWeights& layer = w.encoder[l];
    attention(p + ".self_attn", layer.self_attn);
    feed_forward(p, layer.ff);
    norm(p + ".norm1", layer.norm1);
    norm(p + ".norm2", layer.norm2);
  }
  norm("transformer.encoder.norm", w.encoder_norm);
  for (int l = 0; l < c.num_decoder_layers; ++l) {
    const std::string p = "transformer.decoder.layers." + std::to_string(l);
    DecoderLayerWeights& layer = w.decoder[l];
    attention(p + ".self_attn", layer.self_attn);
    attention(p + ".multihead_attn", layer.multihead_attn);
    feed_forward(p, layer.ff);
    norm(p + ".norm1", layer.norm1);
    norm(p + ".norm2", layer.norm2);
    norm(p + ".norm3", layer.norm3);
  }
  norm("transformer.decoder.norm", w.decoder_norm);
  if (!c.tie_output) {
    linear("generator.weight", w.generator_weight, "generator.bias", w.generator_bias,
           c.tgt_vocab_size, d);
  }
}

// A Weights with the config's number of layers and empty fields.
Weights shell(const Config& c) {
  Weights w;
  w.encoder.resize(c.num_encoder_layers);
  w.decoder.resize(c.num_decoder_layers);
  return w;
}

std::vector<int64_t> field_shape(Field f) {
  if (f.matrix) return {f.matrix->rows(), f.matrix->cols()};
  return {f.vector->size()};
}

float* field_data(Field f) {
  return f.matrix ? f.matrix->data() : f.vector->data();
}

std::string dims(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t j = 0; j < shape.size(); ++j)
    out += (j ? "," : "") + std::to_string(shape[j]);
  return out + "]";
}

// Only for the shape check: a field's shape in PyTorch's terms.
std::vector<int64_t> file_shape(const ParameterSpec& spec, Field f) {
  std::vector<int64_t> shape = field_shape(f);
  if (spec.transposed) std::reverse(shape.begin(), shape.end());
  return shape;
}

}  // namespace

int64_t ParameterSpec::count() const {
  int64_t n = 1;
  for (int64_t dim : shape)
    n *= dim;
  return n;
}

std::vector<int64_t> ParameterSpec::memory_shape() const {
  return transposed ? std::vector<int64_t>(shape.rbegin(), shape.rend()) : shape;
}

void ParameterRef::read_from(const float* file_order) const {
  if (!transposed) {
    std::copy(file_order, file_order + count(), data);
    return;
  }
  // A row-major (out, in) tensor is a column-major (in, out) one.
  using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  Eigen::Map<Matrix>(data, shape[1], shape[0]) =
      Eigen::Map<const ColMajor>(file_order, shape[1], shape[0]);
}

void ParameterRef::write_to(float* file_order) const {
  if (!transposed) {
    std::copy(data, data + count(), file_order);
    return;
  }
  using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  Eigen::Map<ColMajor>(file_order, shape[1], shape[0]) =
      Eigen::Map<const Matrix>(data, shape[1], shape[0]);
}

std::vector<ParameterSpec> parameter_specs(const Config& c) {
  Weights w = shell(c);
  std::vector<ParameterSpec> specs;
  walk(w, c, [&](const ParameterSpec& spec, Field) { specs.push_back(spec); });
  return specs;
}

void for_each_parameter(Weights& weights, const Config& c,
                        const std::function<void(const ParameterRef&)>& visit) {
  walk(weights, c, [&](const ParameterSpec& spec, Field f) {
    ParameterRef ref;
    static_cast<ParameterSpec&>(ref) = spec;
    ref.data = field_data(f);
    visit(ref);
  });
}

std::vector<ParameterRef> parameters(Weights& weights, const Config& config) {
  std::vector<ParameterRef> out;
  for_each_parameter(weights, config, [&](const ParameterRef& p) { out.push_back(p); });
  return out;
}

std::vector<ParameterRef> parameters(const Weights& weights, const Config& config) {
  return parameters(const_cast<Weights&>(weights), config);
}

std::string shape_mismatch(const Weights& weights, const Config& c) {
  if (weights.encoder.size() != static_cast<size_t>(c.num_encoder_layers) ||
      weights.decoder.size() != static_cast<size_t>(c.num_decoder_layers)) {
    return "weights have " + std::to_string(weights.encoder.size()) + "+" +
           std::to_string(weights.decoder.size()) + " layers, config says " +
           std::to_string(c.num_encoder_layers) + "+" + std::to_string(c.num_decoder_layers);
  }
  std::string message;
  walk(const_cast<Weights&>(weights), c, [&](const ParameterSpec& spec, Field f) {
    if (message.empty() && field_shape(f) != spec.memory_shape()) {
      message = "tensor '" + spec.name + "': shape " + dims(file_shape(spec, f)) + ", expected " +
                dims(spec.shape);
    }
  });
  return message;
}

Weights allocate_weights(const Config& c) {
  Weights w = shell(c);
  walk(w, c, [&](const ParameterSpec& spec, Field f) {
    const std::vector<int64_t> shape = spec.memory_shape();
    const float value = spec.init == Init::kNormGain ? 1.0f : 0.0f;
    if (f.matrix) {
      f.matrix->setConstant(shape[0], shape[1], value);
    } else {
      f.vector->setConstant(shape[0], value);
    }
  });
  return w;
}

Weights random_weights(const Config& c, uint64_t seed) {
  Weights w = allocate_weights(c);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values;
  for_each_parameter(w, c, [&](const ParameterRef& p) {
    // Drawn in the file's order, so a seed gives the same checkpoint whatever the layout.
    values.resize(static_cast<size_t>(p.count()));
    switch (p.init) {
      case Init::kEmbedding: {
        // nn.Embedding's N(0,1); scaled so that sqrt(d_model) * embedding stays O(1).
        const float scale = 1.0f / std::sqrt(static_cast<float>(c.d_model));
        for (float& v : values)
          v = scale * normal(rng);
        break;
      }
      case Init::kXavier: {
        const float bound = std::sqrt(6.0f / static_cast<float>(p.shape[0] + p.shape[1]));
        std::uniform_real_distribution<float> uniform(-bound, bound);
        for (float& v : values)
          v = uniform(rng);
        break;
      }
      case Init::kNormGain:
        for (float& v : values)
          v = 1.0f + 0.1f * normal(rng);
        break;
      case Init::kBias:
        for (float& v : values)
          v = 0.05f * normal(rng);
        break;
    }
    p.read_from(values.data());
  });
  return w;
}

int64_t parameter_count(const Config& c) {
  int64_t total = 0;
  for (const ParameterSpec& spec : parameter_specs(c))
    total += spec.count();
  return total;
}

}  // namespace attnscope
