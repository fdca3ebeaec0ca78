// Forward pass of the encoder-decoder. Every operation follows torch.nn.Transformer's order
// of computation (scale q before q k^T, biased variance in LayerNorm, exact erf GELU) so that
// the recorded weights agree with PyTorch to float rounding.
#include "attnscope/model.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

#include "attnscope/error.h"
#include "attnscope/ops.h"

namespace attnscope {

namespace {

using ConstBlock = Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>;
using Block = Eigen::Ref<Matrix, 0, Eigen::OuterStride<>>;

// Below this many multiply-adds a head's work is too small to hand to another thread.
constexpr long kParallelHeadWork = 32 * 1024;

// Threads a caller of the model may use (set_num_threads). Matrix products use them through
// OpenMP; each call into the model sets the calling thread's OpenMP budget from it, so two
// threads may run models concurrently without touching each other's setting.
std::atomic<int> g_threads{1};

// Below this much work (multiply-adds of one pass) extra threads cost more than they save.
constexpr double kParallelModelWork = 1 << 24;

// Sets the calling thread's OpenMP budget for one call into the model and restores it.
class ThreadBudget {
 public:
  ThreadBudget(double work, double worth_it) : previous_(omp_get_max_threads()) {
    omp_set_num_threads(work >= worth_it ? g_threads.load() : 1);
  }
  ~ThreadBudget() { omp_set_num_threads(previous_); }
  ThreadBudget(const ThreadBudget&) = delete;
  ThreadBudget& operator=(const ThreadBudget&) = delete;

 private:
  int previous_;
};

// Linear weights are kept transposed, (in, out), inside the model: Eigen then packs them for
// its products with a plain copy instead of a transposing one, which makes the products
// over few tokens (most of a translation) 10-30% faster. Applying this twice restores
// PyTorch's layout.
void transpose_linear_weights(Weights& w, const Config& config) {
  auto flip = [](Matrix& m) { m = m.transpose().eval(); };
  auto flip_attention = [&](AttentionWeights& a) {
    flip(a.in_proj_weight);
    flip(a.out_proj_weight);
  };
  auto flip_ff = [&](FeedForwardWeights& f) {
    flip(f.linear1_weight);
    flip(f.linear2_weight);
  };
  for (EncoderLayerWeights& layer : w.encoder) {
    flip_attention(layer.self_attn);
    flip_ff(layer.ff);
  }
  for (DecoderLayerWeights& layer : w.decoder) {
    flip_attention(layer.self_attn);
    flip_attention(layer.multihead_attn);
    flip_ff(layer.ff);
  }
  if (!config.tie_output) flip(w.generator_weight);
}

PackedWeight pack(const Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>& weight_t) {
  return weight_t.size() >= kPackWeights ? PackedWeight(weight_t) : PackedWeight();
}

}  // namespace

struct ModelPacks {
  struct Attention {
    PackedWeight qkv, q, k, v, out;
  };
  struct FeedForward {
    PackedWeight linear1, linear2;
  };
  struct Encoder {
    Attention self;
    FeedForward ff;
  };
  struct Decoder {
    Attention self, cross;
    FeedForward ff;
  };
  std::vector<Encoder> encoder;
  std::vector<Decoder> decoder;
  PackedWeight generator;
};

namespace {

ModelPacks::Attention pack_attention(const AttentionWeights& w, Eigen::Index d) {
  ModelPacks::Attention p;
  p.qkv = pack(w.in_proj_weight);
  p.q = pack(w.in_proj_weight.leftCols(d));
  p.k = pack(w.in_proj_weight.middleCols(d, d));
  p.v = pack(w.in_proj_weight.rightCols(d));
  p.out = pack(w.out_proj_weight);
  return p;
}

ModelPacks::FeedForward pack_feed_forward(const FeedForwardWeights& w) {
  return {pack(w.linear1_weight), pack(w.linear2_weight)};
}

Matrix feed_forward(const Matrix& x, const FeedForwardWeights& w, const ModelPacks::FeedForward& p,
                    Activation activation) {
  Matrix hidden, out;
  linear(x, w.linear1_weight, w.linear1_bias, hidden, &p.linear1);
  activate(hidden, activation);
  linear(hidden, w.linear2_weight, w.linear2_bias, out, &p.linear2);
  return out;
}

// Scaled dot-product attention for every head. q: (n, d), k and v: (m, d); query i sees keys
// [0, i + 1) when causal. Writes the per-head weights into `heads` (resized to (n, m) each) and
// the concatenated head outputs into `context` (n, d).
void attend(const ConstBlock& q, const ConstBlock& k, const ConstBlock& v, int nhead, bool causal,
            const char* key_mask, std::vector<Matrix>& heads, Matrix& context) {
  const Eigen::Index n = q.rows(), m = k.rows(), d = q.cols();
  const Eigen::Index dh = d / nhead;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  heads.resize(nhead);
  context.resize(n, d);
  const long work = static_cast<long>(n) * m * dh;
#pragma omp parallel for schedule(static) if (work >= kParallelHeadWork && nhead > 1)
  for (int h = 0; h < nhead; ++h) {
    Matrix& s = heads[h];
    s.resize(n, m);
    const Matrix qh = q.middleCols(h * dh, dh) * scale;
    s.noalias() = qh * k.middleCols(h * dh, dh).transpose();
    for (Eigen::Index i = 0; i < n; ++i) {
      const Eigen::Index limit = causal ? std::min<Eigen::Index>(m, i + 1) : m;
      masked_softmax(s.row(i), limit, key_mask);
    }
    context.middleCols(h * dh, dh).noalias() = s * v.middleCols(h * dh, dh);
  }
}

// Self-attention over x (n, d); returns the block's output (n, d).
Matrix self_attention(const AttentionWeights& w, const ModelPacks::Attention& p, const Matrix& x,
                      int nhead, bool causal, const char* key_mask, AttentionRecord* record) {
  const Eigen::Index d = x.cols();
  Matrix qkv, context, out;
  linear(x, w.in_proj_weight, w.in_proj_bias, qkv, &p.qkv);
  std::vector<Matrix> scratch;
  std::vector<Matrix>& heads = record ? record->heads : scratch;
  attend(qkv.leftCols(d), qkv.middleCols(d, d), qkv.rightCols(d), nhead, causal, key_mask, heads,
         context);
  if (record) {
    record->queries = qkv.leftCols(d);
    record->keys = qkv.middleCols(d, d);
  }
  linear(context, w.out_proj_weight, w.out_proj_bias, out, &p.out);
  return out;
}

// Cross-attention of x (n, d) over precomputed memory keys and values (m, d).
Matrix cross_attention(const AttentionWeights& w, const ModelPacks::Attention& p, const Matrix& x,
                       const Matrix& keys, const Matrix& values, int nhead, const char* key_mask,
                       AttentionRecord* record) {
  const Eigen::Index d = x.cols();
  Matrix q, context, out;
  linear(x, w.in_proj_weight.leftCols(d), w.in_proj_bias.head(d), q, &p.q);
  std::vector<Matrix> scratch;
  std::vector<Matrix>& heads = record ? record->heads : scratch;
  attend(q, keys, values, nhead, false, key_mask, heads, context);
  if (record) {
    record->queries = std::move(q);
    record->keys = keys;
  }
  linear(context, w.out_proj_weight, w.out_proj_bias, out, &p.out);
  return out;
}

std::vector<char> pad_mask(const std::vector<int>& ids, int pad_id) {
  std::vector<char> mask(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    mask[i] = ids[i] == pad_id;
  return mask;
}

int argmax(const Eigen::Ref<const RowVector>& row) {
  Eigen::Index best = 0;
  row.maxCoeff(&best);
  return static_cast<int>(best);
}

}  // namespace

void set_num_threads(int threads) {
  g_threads = std::max(1, threads);
}

int num_threads() {
  return g_threads.load();
}

Matrix sinusoidal_positions(int max_positions, int d_model) {
  Matrix table(max_positions, d_model);
  for (int p = 0; p < max_positions; ++p) {
    for (int i = 0; 2 * i < d_model; ++i) {
      const double angle = p / std::pow(10000.0, 2.0 * i / d_model);
      table(p, 2 * i) = static_cast<float>(std::sin(angle));
      if (2 * i + 1 < d_model) table(p, 2 * i + 1) = static_cast<float>(std::cos(angle));
    }
  }
  return table;
}

Model::Model(Config config, Weights weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  config_.validate();
  // The tables must have as many layers as the config before their fields can be visited.
  if (weights_.encoder.size() != static_cast<size_t>(config_.num_encoder_layers) ||
      weights_.decoder.size() != static_cast<size_t>(config_.num_decoder_layers)) {
    throw CheckpointError("weights have " + std::to_string(weights_.encoder.size()) + "+" +
                          std::to_string(weights_.decoder.size()) + " layers, config says " +
                          std::to_string(config_.num_encoder_layers) + "+" +
                          std::to_string(config_.num_decoder_layers));
  }
  for_each_parameter(weights_, config_, [&](const ParameterRef& p) {
    const std::vector<int64_t> want = expected_shape(p.name, config_);
    if (p.shape != want) {
      auto dims = [](const std::vector<int64_t>& shape) {
        std::string out = "[";
        for (size_t j = 0; j < shape.size(); ++j)
          out += (j ? "," : "") + std::to_string(shape[j]);
        return out + "]";
      };
      throw CheckpointError("tensor '" + p.name + "': shape " + dims(p.shape) + ", expected " +
                            dims(want));
    }
  });
  transpose_linear_weights(weights_, config_);
  auto packs = std::make_shared<ModelPacks>();
  const Eigen::Index d = config_.d_model;
  for (const EncoderLayerWeights& layer : weights_.encoder)
    packs->encoder.push_back({pack_attention(layer.self_attn, d), pack_feed_forward(layer.ff)});
  for (const DecoderLayerWeights& layer : weights_.decoder) {
    packs->decoder.push_back({pack_attention(layer.self_attn, d),
                              pack_attention(layer.multihead_attn, d),
                              pack_feed_forward(layer.ff)});
  }
  if (!config_.tie_output) packs->generator = pack(weights_.generator_weight);
  packs_ = std::move(packs);
  if (config_.positional == Positional::kLearned) {
    src_positions_ = weights_.src_pos;
    tgt_positions_ = weights_.tgt_pos;
  } else {
    src_positions_ = sinusoidal_positions(config_.max_positions, config_.d_model);
    tgt_positions_ = src_positions_;
  }
}

Weights Model::weights() const {
  Weights out = weights_;
  transpose_linear_weights(out, config_);
  return out;
}

void Model::check_ids(const std::vector<int>& ids, int vocab_size, const char* what) const {
  if (ids.empty()) throw InputError(std::string(what) + " is empty");
  if (static_cast<int>(ids.size()) > config_.max_positions) {
    throw InputError(std::string(what) + " has " + std::to_string(ids.size()) +
                     " tokens, the model's maximum is " + std::to_string(config_.max_positions));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= vocab_size) {
      throw InputError(std::string(what) + " id " + std::to_string(ids[i]) + " at position " +
                       std::to_string(i) + " is outside the vocabulary [0, " +
                       std::to_string(vocab_size) + ")");
    }
  }
}

Matrix Model::embed(const std::vector<int>& ids, bool target, int first_position) const {
  const Matrix& table = target ? weights_.tgt_embed : weights_.src_embed;
  const Matrix& positions = target ? tgt_positions_ : src_positions_;
  const float scale = std::sqrt(static_cast<float>(config_.d_model));
  Matrix x(ids.size(), config_.d_model);
  for (size_t i = 0; i < ids.size(); ++i) {
    x.row(i) = table.row(ids[i]) * scale + positions.row(first_position + i);
  }
  return x;
}

Encoded Model::encode(const std::vector<int>& src_ids, bool record) const {
  check_ids(src_ids, config_.src_vocab_size, "source");
  const ThreadBudget budget(static_cast<double>(src_ids.size()) * config_.d_model *
                                (config_.d_model + config_.dim_feedforward) *
                                config_.num_encoder_layers,
                            kParallelModelWork);
  const int nhead = config_.nhead;
  const float eps = static_cast<float>(config_.layer_norm_eps);
  Encoded out;
  out.src_ids = src_ids;
  out.key_mask = pad_mask(src_ids, config_.pad_id);
  const char* mask = out.key_mask.data();
  if (record) out.self.resize(config_.num_encoder_layers);
  Matrix x = embed(src_ids, false, 0), h;
  for (int l = 0; l < config_.num_encoder_layers; ++l) {
    const EncoderLayerWeights& w = weights_.encoder[l];
    const ModelPacks::Encoder& p = packs_->encoder[l];
    AttentionRecord* rec = record ? &out.self[l] : nullptr;
    if (config_.norm_first) {
      layer_norm(x, w.norm1, eps, h);
      x += self_attention(w.self_attn, p.self, h, nhead, false, mask, rec);
      layer_norm(x, w.norm2, eps, h);
      x += feed_forward(h, w.ff, p.ff, config_.activation);
    } else {
      x += self_attention(w.self_attn, p.self, x, nhead, false, mask, rec);
      layer_norm(x, w.norm1, eps, h);
      x = h + feed_forward(h, w.ff, p.ff, config_.activation);
      layer_norm(x, w.norm2, eps, h);
      x.swap(h);
    }
  }
  layer_norm(x, weights_.encoder_norm, eps, out.memory);
  const Eigen::Index d = config_.d_model;
  out.cross_keys.resize(config_.num_decoder_layers);
  out.cross_values.resize(config_.num_decoder_layers);
  for (int l = 0; l < config_.num_decoder_layers; ++l) {
    const AttentionWeights& w = weights_.decoder[l].multihead_attn;
    const ModelPacks::Attention& p = packs_->decoder[l].cross;
    linear(out.memory, w.in_proj_weight.middleCols(d, d), w.in_proj_bias.segment(d, d),
           out.cross_keys[l], &p.k);
    linear(out.memory, w.in_proj_weight.rightCols(d), w.in_proj_bias.tail(d), out.cross_values[l],
           &p.v);
  }
  return out;
}

Matrix Model::generate(const Matrix& hidden) const {
  Matrix logits(hidden.rows(), config_.tgt_vocab_size);
  if (config_.tie_output) {
    logits.noalias() = hidden * weights_.tgt_embed.transpose();
  } else {
    linear(hidden, weights_.generator_weight, weights_.generator_bias, logits, &packs_->generator);
  }
  return logits;
}

Matrix Model::softmax_rows(const Matrix& logits) {
  Matrix probs(logits.rows(), logits.cols());
  const auto row = [&](Eigen::Index i) {
    probs.row(i) = logits.row(i);
    masked_softmax(probs.row(i), probs.cols(), nullptr);
  };
  // Rows are independent: the result is the same on any number of threads. (An OpenMP
  // region costs microseconds even when it runs on one thread, so small ones stay out.)
  if (logits.size() >= kParallelRowsWork) {
#pragma omp parallel for schedule(static)
    for (Eigen::Index i = 0; i < probs.rows(); ++i)
      row(i);
  } else {
    for (Eigen::Index i = 0; i < probs.rows(); ++i)
      row(i);
  }
  return probs;
}

Matrix Model::decode_full(const Encoded& enc, const std::vector<int>& tgt_ids, Trace* trace) const {
  const int nhead = config_.nhead;
  const float eps = static_cast<float>(config_.layer_norm_eps);
  const std::vector<char> tgt_mask = pad_mask(tgt_ids, config_.pad_id);
  const char* self_mask = tgt_mask.data();
  const char* memory_mask = enc.key_mask.data();
  if (trace) {
    trace->decoder_self.resize(config_.num_decoder_layers);
    trace->cross.resize(config_.num_decoder_layers);
  }
  Matrix x = embed(tgt_ids, true, 0), h;
  for (int l = 0; l < config_.num_decoder_layers; ++l) {
    const DecoderLayerWeights& w = weights_.decoder[l];
    const ModelPacks::Decoder& p = packs_->decoder[l];
    AttentionRecord* self_rec = trace ? &trace->decoder_self[l] : nullptr;
    AttentionRecord* cross_rec = trace ? &trace->cross[l] : nullptr;
    const Matrix& keys = enc.cross_keys[l];
    const Matrix& values = enc.cross_values[l];
    if (config_.norm_first) {
      layer_norm(x, w.norm1, eps, h);
      x += self_attention(w.self_attn, p.self, h, nhead, true, self_mask, self_rec);
      layer_norm(x, w.norm2, eps, h);
      x += cross_attention(w.multihead_attn, p.cross, h, keys, values, nhead, memory_mask,
                           cross_rec);
      layer_norm(x, w.norm3, eps, h);
      x += feed_forward(h, w.ff, p.ff, config_.activation);
    } else {
      x += self_attention(w.self_attn, p.self, x, nhead, true, self_mask, self_rec);
      layer_norm(x, w.norm1, eps, h);
      x = h + cross_attention(w.multihead_attn, p.cross, h, keys, values, nhead, memory_mask,
                              cross_rec);
      layer_norm(x, w.norm2, eps, h);
      x = h + feed_forward(h, w.ff, p.ff, config_.activation);
      layer_norm(x, w.norm3, eps, h);
      x.swap(h);
    }
  }
  Matrix out;
  layer_norm(x, weights_.decoder_norm, eps, out);
  return out;
}

Trace Model::trace(const std::vector<int>& src_ids, const std::vector<int>& tgt_ids) const {
  check_ids(tgt_ids, config_.tgt_vocab_size, "target");
  const ThreadBudget budget(
      static_cast<double>(src_ids.size() + tgt_ids.size()) * config_.d_model *
          (config_.d_model + config_.dim_feedforward + config_.tgt_vocab_size) *
          (config_.num_encoder_layers + config_.num_decoder_layers),
      kParallelModelWork);
  Encoded enc = encode(src_ids, true);
  Trace trace;
  trace.src_ids = src_ids;
  trace.tgt_ids = tgt_ids;
  trace.src_tokens.resize(src_ids.size());
  trace.tgt_tokens.resize(tgt_ids.size());
  trace.decoder_output = decode_full(enc, tgt_ids, &trace);
  trace.encoder_self = std::move(enc.self);
  trace.encoder_output = std::move(enc.memory);
  trace.logits = generate(trace.decoder_output);
  trace.probs = softmax_rows(trace.logits);
  trace.output_ids.resize(tgt_ids.size());
  for (size_t t = 0; t < tgt_ids.size(); ++t)
    trace.output_ids[t] = argmax(trace.logits.row(t));
  return trace;
}

DecoderCache Model::new_cache(int capacity) const {
  DecoderCache cache;
  cache.keys.assign(config_.num_decoder_layers, Matrix(capacity, config_.d_model));
  cache.values.assign(config_.num_decoder_layers, Matrix(capacity, config_.d_model));
  cache.key_mask.assign(capacity, 0);
  return cache;
}

Matrix Model::decode_step(const Encoded& enc, const std::vector<int>& ids,
                          const std::vector<DecoderCache*>& caches,
                          std::vector<StepRecord>* records) const {
  const int batch = static_cast<int>(ids.size());
  const int nhead = config_.nhead;
  const Eigen::Index d = config_.d_model, dh = config_.head_dim(), src_len = enc.memory.rows();
  const float eps = static_cast<float>(config_.layer_norm_eps);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const int layers = config_.num_decoder_layers;
  if (static_cast<int>(caches.size()) != batch) {
    throw InputError("decode_step: " + std::to_string(ids.size()) + " ids for " +
                     std::to_string(caches.size()) + " caches");
  }
  check_ids(ids, config_.tgt_vocab_size, "target");
  // One position reads every decoder weight once: threads pay off once there are several
  // products large enough to split.
  const ThreadBudget budget(static_cast<double>(d) * (config_.tgt_vocab_size +
                                                      (4 * d + config_.dim_feedforward) * layers),
                            4.0 * kParallelGemvWeights);
  Matrix x(batch, d);
  for (int b = 0; b < batch; ++b) {
    DecoderCache& cache = *caches[b];
    if (cache.length >= cache.keys.front().rows() || cache.length >= config_.max_positions) {
      throw InputError("decoder reached its maximum length of " + std::to_string(cache.length) +
                       " positions");
    }
    x.row(b) = embed({ids[b]}, true, cache.length).row(0);
    cache.key_mask[cache.length] = ids[b] == config_.pad_id;
  }
  if (records) {
    records->resize(batch);
    for (StepRecord& r : *records) {
      r.self_rows.assign(layers, std::vector<RowVector>(nhead));
      r.cross_rows.assign(layers, std::vector<RowVector>(nhead));
      r.self_queries.resize(layers);
      r.self_keys.resize(layers);
      r.cross_queries.resize(layers);
    }
  }

  Matrix h, qkv, q, context(batch, d), attn_out;
  RowVector scores;
  // Attention of one query row over keys/values (rows [0, len)), for all heads.
  auto attend_row = [&](const auto& query, const auto& keys, const auto& values, Eigen::Index len,
                        const char* key_mask, int b, std::vector<RowVector>* rows_out) {
    for (int hd = 0; hd < nhead; ++hd) {
      const RowVector qh = query.segment(hd * dh, dh) * scale;
      scores.resize(len);
      scores.noalias() = qh * keys.topRows(len).middleCols(hd * dh, dh).transpose();
      masked_softmax(scores, len, key_mask);
      context.row(b).segment(hd * dh, dh).noalias() =
          scores * values.topRows(len).middleCols(hd * dh, dh);
      if (rows_out) (*rows_out)[hd] = scores;
    }
  };

  for (int l = 0; l < layers; ++l) {
    const DecoderLayerWeights& w = weights_.decoder[l];
    const ModelPacks::Decoder& p = packs_->decoder[l];
    // Masked self-attention: the new position sees every cached one and itself.
    const Matrix& self_in = config_.norm_first ? (layer_norm(x, w.norm1, eps, h), h) : x;
    linear(self_in, w.self_attn.in_proj_weight, w.self_attn.in_proj_bias, qkv, &p.self.qkv);
    for (int b = 0; b < batch; ++b) {
      DecoderCache& cache = *caches[b];
      const int pos = cache.length;
      cache.keys[l].row(pos) = qkv.row(b).segment(d, d);
      cache.values[l].row(pos) = qkv.row(b).segment(2 * d, d);
      StepRecord* rec = records ? &(*records)[b] : nullptr;
      attend_row(qkv.row(b).head(d), cache.keys[l], cache.values[l], pos + 1, cache.key_mask.data(),
                 b, rec ? &rec->self_rows[l] : nullptr);
      if (rec) {
        rec->self_queries[l] = qkv.row(b).head(d);
        rec->self_keys[l] = qkv.row(b).segment(d, d);
      }
    }
    linear(context, w.self_attn.out_proj_weight, w.self_attn.out_proj_bias, attn_out, &p.self.out);
    if (config_.norm_first) {
      x += attn_out;
      layer_norm(x, w.norm2, eps, h);
    } else {
      x += attn_out;
      layer_norm(x, w.norm1, eps, h);
      x = h;
    }
    // Cross-attention over the encoder memory.
    const Matrix& cross_in = config_.norm_first ? h : x;
    linear(cross_in, w.multihead_attn.in_proj_weight.leftCols(d),
           w.multihead_attn.in_proj_bias.head(d), q, &p.cross.q);
    for (int b = 0; b < batch; ++b) {
      StepRecord* rec = records ? &(*records)[b] : nullptr;
      attend_row(q.row(b), enc.cross_keys[l], enc.cross_values[l], src_len, enc.key_mask.data(), b,
                 rec ? &rec->cross_rows[l] : nullptr);
      if (rec) rec->cross_queries[l] = q.row(b);
    }
    linear(context, w.multihead_attn.out_proj_weight, w.multihead_attn.out_proj_bias, attn_out,
           &p.cross.out);
    if (config_.norm_first) {
      x += attn_out;
      layer_norm(x, w.norm3, eps, h);
      x += feed_forward(h, w.ff, p.ff, config_.activation);
    } else {
      x += attn_out;
      layer_norm(x, w.norm2, eps, h);
      x = h + feed_forward(h, w.ff, p.ff, config_.activation);
      layer_norm(x, w.norm3, eps, h);
      x.swap(h);
    }
  }
  for (int b = 0; b < batch; ++b)
    caches[b]->length += 1;
  Matrix out;
  layer_norm(x, weights_.decoder_norm, eps, out);
  if (records) {
    for (int b = 0; b < batch; ++b)
      (*records)[b].output = out.row(b);
  }
  return generate(out);
}

}  // namespace attnscope
