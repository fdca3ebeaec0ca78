// The training step: a forward pass over a batch that keeps what the reverse pass needs, the
// loss with its gradient at the logits, and the reverse pass through every operation of the
// forward (model.cpp), in reverse order. Then gradient clipping and AdamW.
//
// Batch rows are stacked one after the other into matrices of (tokens, d_model), each row
// trimmed of its trailing padding, so that every Linear layer is one large matrix product;
// only attention works sentence by sentence and head by head.
#include "attnscope/train.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <unsupported/Eigen/SpecialFunctions>

#include "attnscope/error.h"
#include "attnscope/layers.h"
#include "attnscope/model.h"
#include "attnscope/ops.h"

namespace attnscope {

namespace {

using ConstRef = Eigen::Ref<const Matrix>;
using RowArray = Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ---------------------------------------------------------------------------------------------
// Layout of a group of batch rows

// Sentences stacked in a matrix: sentence s occupies rows [begin[s], begin[s] + length[s]).
struct Segments {
  std::vector<int> begin;
  std::vector<int> length;
  int rows = 0;

  void add(int n) {
    begin.push_back(rows);
    length.push_back(n);
    rows += n;
  }
  int count() const { return static_cast<int>(begin.size()); }
};

// The batch rows one thread computes, stacked.
struct Group {
  Segments src, tgt;
  std::vector<int> src_ids;   // (src.rows)
  std::vector<int> tgt_ids;   // (tgt.rows) decoder input
  std::vector<int> targets;   // (tgt.rows) next token, pad_id where not counted
  std::vector<int> src_pos;   // (src.rows) position of each token in its sentence
  std::vector<int> tgt_pos;   // (tgt.rows)
  std::vector<char> src_pad;  // (src.rows) 1 where the token is pad_id: never attended
  std::vector<char> tgt_pad;  // (tgt.rows)
};

// What every group shares: the model and the position tables.
struct Context {
  const Config& config;
  const Weights& weights;
  Matrix src_positions;  // (longest row, d_model) learned rows or the sinusoid
  Matrix tgt_positions;
  float eps;  // LayerNorm epsilon as the model uses it
};

// ---------------------------------------------------------------------------------------------
// Linear layers: y = x W^T + b with the weight held as W^T (in, out), as everywhere
// (weights.h); the forward product is ops.h's `linear`.

// Accumulates d(W^T) += x^T dy and db += the column sums of dy; returns dx = dy W.
Matrix linear_backward(const ConstRef& x, const ConstRef& weight_t, const ConstRef& dy,
                       Eigen::Ref<Matrix> d_weight_t, Eigen::Ref<Vector> db) {
  d_weight_t.noalias() += x.transpose() * dy;
  db += dy.colwise().sum().transpose();
  Matrix dx(dy.rows(), weight_t.rows());
  dx.noalias() = dy * weight_t.transpose();
  return dx;
}

// ---------------------------------------------------------------------------------------------
// LayerNorm: y = x_hat * gain + bias, x_hat = (x - mean) * rstd

Matrix layer_norm_backward(const Matrix& dy, const LayerNormWeights& w, const LayerNormStats& s,
                           LayerNormWeights& g) {
  g.weight += dy.cwiseProduct(s.normalized).colwise().sum().transpose();
  g.bias += dy.colwise().sum().transpose();
  // With dx_hat = dy * gain, dx = rstd * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)):
  // the two means are the paths through the row's mean and variance.
  const RowArray dx_hat = dy.array().rowwise() * w.weight.transpose().array();
  const Eigen::ArrayXf mean_dx_hat = dx_hat.rowwise().mean();
  const Eigen::ArrayXf mean_dx_hat_x_hat = (dx_hat * s.normalized.array()).rowwise().mean();
  Matrix dx(dy.rows(), dy.cols());
  dx.array() =
      ((dx_hat.colwise() - mean_dx_hat) - s.normalized.array().colwise() * mean_dx_hat_x_hat)
          .colwise() *
      s.rstd.array();
  return dx;
}

// ---------------------------------------------------------------------------------------------
// Feed-forward block: linear2(activation(linear1(x)))

struct FeedForwardCache {
  Matrix input;   // (n, d)
  Matrix pre;     // (n, ff) before the activation
  Matrix hidden;  // (n, ff) after it
};

void feed_forward_forward(const FeedForwardWeights& w, Activation activation, const Matrix& x,
                          FeedForwardCache& c, Matrix& out) {
  c.input = x;
  linear(x, w.linear1_weight, w.linear1_bias, c.pre);
  c.hidden = c.pre;
  activate(c.hidden, activation);
  linear(c.hidden, w.linear2_weight, w.linear2_bias, out);
}

Matrix feed_forward_backward(const FeedForwardWeights& w, Activation activation,
                             const FeedForwardCache& c, const Matrix& dout, FeedForwardWeights& g) {
  Matrix d_hidden =
      linear_backward(c.hidden, w.linear2_weight, dout, g.linear2_weight, g.linear2_bias);
  if (activation == Activation::kRelu) {
    // PyTorch's threshold_backward: the gradient passes where the input was > 0.
    d_hidden.array() = (c.pre.array() > 0.0f).select(d_hidden.array(), 0.0f);
  } else {
    // d/dx [x Phi(x)] = Phi(x) + x phi(x) with the exact normal cdf Phi and density phi.
    const float inv_sqrt2 = static_cast<float>(M_SQRT1_2);
    const float inv_sqrt_2pi = static_cast<float>(0.5 * M_2_SQRTPI * M_SQRT1_2);
    const auto x = c.pre.array();
    d_hidden.array() *=
        0.5f * (1.0f + (x * inv_sqrt2).erf()) + x * inv_sqrt_2pi * (-0.5f * x.square()).exp();
  }
  return linear_backward(c.input, w.linear1_weight, d_hidden, g.linear1_weight, g.linear1_bias);
}

// ---------------------------------------------------------------------------------------------
// Multi-head attention: softmax((x W_q^T + b_q) / sqrt(dh) (y W_k^T + b_k)^T) (y W_v^T + b_v),
// heads concatenated, then out_proj. y is x itself (self-attention) or the encoder memory.

struct AttentionCache {
  Matrix input;               // (n, d) what the queries are computed from
  Matrix q;                   // (n, d) before the 1/sqrt(head_dim) scale
  Matrix kv;                  // (m, 2d) keys, then values
  std::vector<Matrix> probs;  // [sentence * nhead + head] (n_s, m_s) softmax, masked entries 0
  Matrix context;             // (n, d) heads' outputs, concatenated
};

// Which rows attend to which: the sentences of the queries and of the keys, and the keys
// never attended (per key row).
struct AttentionRows {
  const Segments& queries;
  const Segments& keys;
  const std::vector<char>& key_pad;
  bool causal;
};

// Keys come from `memory` when given, else from x.
void attention_forward(const AttentionWeights& w, const Matrix& x, const Matrix* memory,
                       const AttentionRows& rows, int nhead, AttentionCache& c, Matrix& out) {
  const Eigen::Index d = x.cols(), dh = d / nhead;
  c.input = x;
  linear(x, w.in_proj_weight.leftCols(d), w.in_proj_bias.head(d), c.q);
  linear(memory ? *memory : x, w.in_proj_weight.rightCols(2 * d), w.in_proj_bias.tail(2 * d),
         c.kv);
  c.context.resize(x.rows(), d);
  c.probs.resize(static_cast<size_t>(rows.queries.count()) * nhead);
  for (int s = 0; s < rows.queries.count(); ++s) {
    const int qb = rows.queries.begin[s], n = rows.queries.length[s];
    const int kb = rows.keys.begin[s], m = rows.keys.length[s];
    for (int h = 0; h < nhead; ++h) {
      attend_head(c.q.block(qb, h * dh, n, dh), c.kv.block(kb, h * dh, m, dh),
                  c.kv.block(kb, d + h * dh, m, dh), rows.causal, rows.key_pad.data() + kb,
                  c.probs[s * nhead + h], c.context.block(qb, h * dh, n, dh));
    }
  }
  linear(c.context, w.out_proj_weight, w.out_proj_bias, out);
}

// Returns the gradient of the queries' input; for cross-attention (memory given) the keys'
// and values' share goes to *d_memory, for self-attention it is part of the result.
Matrix attention_backward(const AttentionWeights& w, const AttentionCache& c, const Matrix* memory,
                          const AttentionRows& rows, int nhead, const Matrix& dout,
                          AttentionWeights& g, Matrix* d_memory) {
  const Eigen::Index d = c.input.cols(), dh = d / nhead;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const Matrix d_context =
      linear_backward(c.context, w.out_proj_weight, dout, g.out_proj_weight, g.out_proj_bias);
  Matrix dq(c.q.rows(), d), dkv(c.kv.rows(), 2 * d);
  for (int s = 0; s < rows.queries.count(); ++s) {
    const int qb = rows.queries.begin[s], n = rows.queries.length[s];
    const int kb = rows.keys.begin[s], m = rows.keys.length[s];
    for (int h = 0; h < nhead; ++h) {
      const Matrix& p = c.probs[s * nhead + h];
      const auto k = c.kv.block(kb, h * dh, m, dh);
      const auto v = c.kv.block(kb, d + h * dh, m, dh);
      const auto dc = d_context.block(qb, h * dh, n, dh);
      Matrix dp(n, m);
      dp.noalias() = dc * v.transpose();
      dkv.block(kb, d + h * dh, m, dh).noalias() = p.transpose() * dc;
      // Softmax backward, ds_ij = p_ij (dp_ij - sum_k p_ik dp_ik): masked keys (p = 0) get
      // exactly zero gradient.
      const Eigen::ArrayXf row_dot = p.cwiseProduct(dp).rowwise().sum();
      Matrix ds(n, m);
      ds.array() = p.array() * (dp.array().colwise() - row_dot);
      const Matrix qh = c.q.block(qb, h * dh, n, dh) * scale;
      dq.block(qb, h * dh, n, dh).noalias() = ds * k;
      dq.block(qb, h * dh, n, dh) *= scale;
      dkv.block(kb, h * dh, m, dh).noalias() = ds.transpose() * qh;
    }
  }
  Matrix dx = linear_backward(c.input, w.in_proj_weight.leftCols(d), dq,
                              g.in_proj_weight.leftCols(d), g.in_proj_bias.head(d));
  const Matrix d_keys_input =
      linear_backward(memory ? *memory : c.input, w.in_proj_weight.rightCols(2 * d), dkv,
                      g.in_proj_weight.rightCols(2 * d), g.in_proj_bias.tail(2 * d));
  if (memory) {
    *d_memory += d_keys_input;
  } else {
    dx += d_keys_input;
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------
// The layers, wired by layers.h; this pass keeps what the reverse pass reads and computes it.

// What one sublayer's forward keeps: its norm's statistics and the sublayer's own cache.
struct SublayerCache {
  LayerNormStats norm;
  AttentionCache attention;
  FeedForwardCache ff;
};
using LayerCache = std::array<SublayerCache, 3>;  // by Sublayer::index

// Everything the reverse pass reads.
struct Activations {
  std::vector<LayerCache> encoder;
  LayerNormStats encoder_norm;
  Matrix memory;  // (src rows, d) after the final encoder norm
  std::vector<LayerCache> decoder;
  LayerNormStats decoder_norm;
  Matrix output;  // (tgt rows, d) after the final decoder norm
  Matrix logits;  // (tgt rows, tgt_vocab_size)
};

// One stack (encoder or decoder) of one group, forward and backward.
template <typename LayerWeights>
class TrainPass {
 public:
  TrainPass(const Context& ctx, const Group& g, std::vector<LayerCache>& caches,
            const Matrix* memory)
      : ctx_(ctx), g_(g), caches_(caches), memory_(memory) {}

  bool norm_first() const { return ctx_.config.norm_first; }

  void norm(const Sublayer& s, const Matrix& x, Matrix& out) {
    layer_norm(x, *s.norm, ctx_.eps, out, &cache(s).norm);
  }

  void apply(const Sublayer& s, const Matrix& x, Matrix& out) {
    if (s.kind == SublayerKind::kFeedForward) {
      feed_forward_forward(*s.feed_forward, ctx_.config.activation, x, cache(s).ff, out);
    } else {
      attention_forward(*s.attention, x, cross(s) ? memory_ : nullptr, rows(s), ctx_.config.nhead,
                        cache(s).attention, out);
    }
  }

  // Gradients go to the layers of `grads` (the same stack as the weights); the memory's
  // gradient from cross-attention to `d_memory`.
  void set_gradients(std::vector<LayerWeights>* grads, Matrix* d_memory) {
    grads_ = grads;
    d_memory_ = d_memory;
  }

  Matrix norm_backward(const Sublayer& s, const Matrix& dy) {
    return layer_norm_backward(dy, *s.norm, cache(s).norm, *mutable_of(s).norm);
  }

  Matrix apply_backward(const Sublayer& s, const Matrix& dy) {
    const GradientSublayer g = mutable_of(s);
    if (s.kind == SublayerKind::kFeedForward) {
      return feed_forward_backward(*s.feed_forward, ctx_.config.activation, cache(s).ff, dy,
                                   *const_cast<FeedForwardWeights*>(g.feed_forward));
    }
    return attention_backward(*s.attention, cache(s).attention, cross(s) ? memory_ : nullptr,
                              rows(s), ctx_.config.nhead, dy,
                              *const_cast<AttentionWeights*>(g.attention), d_memory_);
  }

 private:
  struct GradientSublayer {
    LayerNormWeights* norm;
    const AttentionWeights* attention;
    const FeedForwardWeights* feed_forward;
  };

  static bool cross(const Sublayer& s) { return s.kind == SublayerKind::kCrossAttention; }

  SublayerCache& cache(const Sublayer& s) { return caches_[s.layer][s.index]; }

  AttentionRows rows(const Sublayer& s) const {
    switch (s.kind) {
      case SublayerKind::kSelfAttention:
        return {g_.src, g_.src, g_.src_pad, false};
      case SublayerKind::kMaskedSelfAttention:
        return {g_.tgt, g_.tgt, g_.tgt_pad, true};
      default:
        return {g_.tgt, g_.src, g_.src_pad, false};
    }
  }

  // The gradients' counterpart of a sublayer: the same entry of the same layer table.
  GradientSublayer mutable_of(const Sublayer& s) {
    const Sublayer g = sublayers((*grads_)[s.layer], s.layer)[s.index];
    return {const_cast<LayerNormWeights*>(g.norm), g.attention, g.feed_forward};
  }

  const Context& ctx_;
  const Group& g_;
  std::vector<LayerCache>& caches_;
  const Matrix* memory_;
  std::vector<LayerWeights>* grads_ = nullptr;
  Matrix* d_memory_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Embeddings: table[id] * sqrt(d_model) + position

Matrix embed(const Context& ctx, const std::vector<int>& ids, const std::vector<int>& positions,
             bool target) {
  const Matrix& table = target ? ctx.weights.tgt_embed : ctx.weights.src_embed;
  const Matrix& pos = target ? ctx.tgt_positions : ctx.src_positions;
  const float scale = std::sqrt(static_cast<float>(ctx.config.d_model));
  Matrix x(ids.size(), ctx.config.d_model);
  for (size_t r = 0; r < ids.size(); ++r)
    x.row(r) = table.row(ids[r]) * scale + pos.row(positions[r]);
  return x;
}

void embed_backward(const Context& ctx, const std::vector<int>& ids,
                    const std::vector<int>& positions, const Matrix& dx, Matrix& d_table,
                    Matrix& d_pos) {
  const float scale = std::sqrt(static_cast<float>(ctx.config.d_model));
  const bool learned = ctx.config.positional == Positional::kLearned;
  for (size_t r = 0; r < ids.size(); ++r) {
    d_table.row(ids[r]) += scale * dx.row(r);
    if (learned) d_pos.row(positions[r]) += dx.row(r);
  }
}

// ---------------------------------------------------------------------------------------------
// The whole pass over one group

void forward(const Context& ctx, const Group& g, Activations& a) {
  const Config& cfg = ctx.config;
  const Weights& w = ctx.weights;
  a.encoder.resize(cfg.num_encoder_layers);
  TrainPass<EncoderLayerWeights> encoder(ctx, g, a.encoder, nullptr);
  Matrix x = embed(ctx, g.src_ids, g.src_pos, false);
  layers_forward(encoder, w.encoder, x);
  layer_norm(x, w.encoder_norm, ctx.eps, a.memory, &a.encoder_norm);

  a.decoder.resize(cfg.num_decoder_layers);
  TrainPass<DecoderLayerWeights> decoder(ctx, g, a.decoder, &a.memory);
  x = embed(ctx, g.tgt_ids, g.tgt_pos, true);
  layers_forward(decoder, w.decoder, x);
  layer_norm(x, w.decoder_norm, ctx.eps, a.output, &a.decoder_norm);

  if (cfg.tie_output) {
    a.logits.resize(a.output.rows(), cfg.tgt_vocab_size);
    a.logits.noalias() = a.output * w.tgt_embed.transpose();
  } else {
    linear(a.output, w.generator_weight, w.generator_bias, a.logits);
  }
}

// Label-smoothed cross-entropy of each counted row, turning `logits` into d loss / d logits in
// place (loss = sum / total_tokens). Returns the group's sum of per-token losses.
//   loss_t = (1 - eps) (-log p_y) + eps / V sum_c (-log p_c) = lse - (1 - eps) z_y - eps mean(z)
//   d loss_t / d z = softmax(z) - (1 - eps) onehot(y) - eps / V
double cross_entropy_backward(Matrix& logits, const std::vector<int>& targets, int pad_id,
                              float eps, int total_tokens) {
  const Eigen::Index vocab = logits.cols();
  const float inv_tokens = 1.0f / static_cast<float>(total_tokens);
  const float uniform = eps / static_cast<float>(vocab);
  double sum = 0;
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    auto z = logits.row(r);
    const int y = targets[r];
    if (y == pad_id) {
      z.setZero();
      continue;
    }
    const float max = z.maxCoeff();
    const float lse = max + std::log((z.array() - max).exp().sum());
    sum += static_cast<double>(lse) - (1.0 - eps) * z[y] - static_cast<double>(eps) * z.mean();
    z = (z.array() - lse).exp();
    z[y] -= 1.0f - eps;
    z.array() -= uniform;
    z *= inv_tokens;
  }
  return sum;
}

void backward(const Context& ctx, const Group& g, Activations& a, const Matrix& d_logits,
              Weights& grads) {
  const Config& cfg = ctx.config;
  const Weights& w = ctx.weights;
  Matrix dx(a.output.rows(), cfg.d_model);
  if (cfg.tie_output) {
    dx.noalias() = d_logits * w.tgt_embed;
    grads.tgt_embed.noalias() += d_logits.transpose() * a.output;
  } else {
    dx = linear_backward(a.output, w.generator_weight, d_logits, grads.generator_weight,
                         grads.generator_bias);
  }
  dx = layer_norm_backward(dx, w.decoder_norm, a.decoder_norm, grads.decoder_norm);
  Matrix d_memory = Matrix::Zero(a.memory.rows(), cfg.d_model);
  TrainPass<DecoderLayerWeights> decoder(ctx, g, a.decoder, &a.memory);
  decoder.set_gradients(&grads.decoder, &d_memory);
  layers_backward(decoder, w.decoder, dx);
  embed_backward(ctx, g.tgt_ids, g.tgt_pos, dx, grads.tgt_embed, grads.tgt_pos);

  dx = layer_norm_backward(d_memory, w.encoder_norm, a.encoder_norm, grads.encoder_norm);
  TrainPass<EncoderLayerWeights> encoder(ctx, g, a.encoder, nullptr);
  encoder.set_gradients(&grads.encoder, nullptr);
  layers_backward(encoder, w.encoder, dx);
  embed_backward(ctx, g.src_ids, g.src_pos, dx, grads.src_embed, grads.src_pos);
}

// ---------------------------------------------------------------------------------------------
// Checks and plumbing

Eigen::Map<Eigen::ArrayXf> as_array(const ParameterRef& p) {
  return Eigen::Map<Eigen::ArrayXf>(p.data, p.count());
}

// Zero-filled weights for `config` (allocate_weights starts LayerNorm gains at 1).
Weights zero_weights(const Config& config) {
  Weights w = allocate_weights(config);
  for (const ParameterRef& p : parameters(w, config))
    as_array(p).setZero();
  return w;
}

std::string row_name(int b) {
  return "batch row " + std::to_string(b);
}

void check_batch(const Batch& batch, const Config& config) {
  const auto check_size = [&](const std::vector<int>& ids, int len, const char* what) {
    if (batch.size < 0 || len < 0 ||
        ids.size() != static_cast<size_t>(batch.size) * static_cast<size_t>(len)) {
      throw InputError(std::string("batch ") + what + " has " + std::to_string(ids.size()) +
                       " ids, expected " + std::to_string(batch.size) + " x " +
                       std::to_string(len));
    }
  };
  check_size(batch.src, batch.src_len, "src");
  check_size(batch.tgt_in, batch.tgt_len, "tgt_in");
  check_size(batch.tgt_out, batch.tgt_len, "tgt_out");
  if (batch.src_len > config.max_positions || batch.tgt_len > config.max_positions) {
    throw InputError("batch rows of " + std::to_string(batch.src_len) + " source and " +
                     std::to_string(batch.tgt_len) + " target tokens, the model's maximum is " +
                     std::to_string(config.max_positions));
  }
  const auto check_ids = [](const std::vector<int>& ids, int vocab, const char* what) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw InputError(std::string("batch ") + what + " id " + std::to_string(ids[i]) +
                         " at index " + std::to_string(i) + " is outside the vocabulary [0, " +
                         std::to_string(vocab) + ")");
      }
    }
  };
  check_ids(batch.src, config.src_vocab_size, "src");
  check_ids(batch.tgt_in, config.tgt_vocab_size, "tgt_in");
  check_ids(batch.tgt_out, config.tgt_vocab_size, "tgt_out");
}

// Length of a row without its trailing padding.
int trimmed_length(const int* ids, int len, int pad_id) {
  while (len > 0 && ids[len - 1] == pad_id)
    --len;
  return len;
}

// One batch row as it will be computed: its trimmed lengths and its number of target tokens.
struct RowShape {
  int src = 0, tgt = 0, tokens = 0;
};

std::vector<RowShape> row_shapes(const Batch& batch, const Config& config) {
  std::vector<RowShape> rows(batch.size);
  const int pad = config.pad_id;
  for (int b = 0; b < batch.size; ++b) {
    const int* src = batch.src.data() + static_cast<size_t>(b) * batch.src_len;
    const int* in = batch.tgt_in.data() + static_cast<size_t>(b) * batch.tgt_len;
    const int* out = batch.tgt_out.data() + static_cast<size_t>(b) * batch.tgt_len;
    RowShape& r = rows[b];
    r.tokens = static_cast<int>(
        std::count_if(out, out + batch.tgt_len, [&](int id) { return id != pad; }));
    if (r.tokens == 0) continue;  // nothing depends on this row
    r.src = trimmed_length(src, batch.src_len, pad);
    r.tgt =
        std::max(trimmed_length(in, batch.tgt_len, pad), trimmed_length(out, batch.tgt_len, pad));
    // PyTorch gives NaN where a query sees only padding; refuse such rows instead.
    if (r.src == 0) throw InputError(row_name(b) + ": the source is all padding");
    const int first_input = static_cast<int>(
        std::find_if(in, in + batch.tgt_len, [&](int id) { return id != pad; }) - in);
    for (int t = 0; t < std::min(first_input, batch.tgt_len); ++t) {
      if (out[t] != pad) {
        throw InputError(row_name(b) + ": target token at position " + std::to_string(t) +
                         " follows only padding");
      }
    }
  }
  return rows;
}

// Splits the rows that have target tokens into at most `parts` non-empty runs of consecutive
// rows with about equal work. Depends only on the batch and `parts`.
std::vector<std::vector<int>> split_rows(const std::vector<RowShape>& rows, int parts) {
  std::vector<int> live;
  double total = 0;
  for (int b = 0; b < static_cast<int>(rows.size()); ++b) {
    if (rows[b].tokens == 0) continue;
    live.push_back(b);
    total += rows[b].src + rows[b].tgt;
  }
  std::vector<std::vector<int>> groups(1);
  double done = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    groups.back().push_back(live[i]);
    done += rows[live[i]].src + rows[live[i]].tgt;
    const bool rows_left = i + 1 < live.size();
    if (rows_left && static_cast<int>(groups.size()) < parts &&
        done >= total * static_cast<double>(groups.size()) / parts) {
      groups.emplace_back();
    }
  }
  return groups;
}

Group make_group(const Batch& batch, const std::vector<RowShape>& rows,
                 const std::vector<int>& members, int pad_id) {
  Group g;
  for (int b : members) {
    const RowShape& r = rows[b];
    g.src.add(r.src);
    g.tgt.add(r.tgt);
    for (int i = 0; i < r.src; ++i) {
      const int id = batch.src[static_cast<size_t>(b) * batch.src_len + i];
      g.src_ids.push_back(id);
      g.src_pos.push_back(i);
      g.src_pad.push_back(id == pad_id);
    }
    for (int t = 0; t < r.tgt; ++t) {
      const size_t at = static_cast<size_t>(b) * batch.tgt_len + t;
      g.tgt_ids.push_back(batch.tgt_in[at]);
      g.targets.push_back(batch.tgt_out[at]);
      g.tgt_pos.push_back(t);
      g.tgt_pad.push_back(batch.tgt_in[at] == pad_id);
    }
  }
  return g;
}

}  // namespace

Batch make_batch(const std::vector<std::vector<int>>& src, const std::vector<std::vector<int>>& tgt,
                 const Config& config) {
  if (src.size() != tgt.size()) {
    throw InputError("make_batch: " + std::to_string(src.size()) + " sources for " +
                     std::to_string(tgt.size()) + " targets");
  }
  Batch batch;
  batch.size = static_cast<int>(src.size());
  for (size_t b = 0; b < src.size(); ++b) {
    if (src[b].empty()) throw InputError("make_batch: " + row_name(b) + " has an empty source");
    batch.src_len = std::max(batch.src_len, static_cast<int>(src[b].size()));
    batch.tgt_len = std::max(batch.tgt_len, static_cast<int>(tgt[b].size()) + 1);
  }
  const int pad = config.pad_id;
  batch.src.assign(static_cast<size_t>(batch.size) * batch.src_len, pad);
  batch.tgt_in.assign(static_cast<size_t>(batch.size) * batch.tgt_len, pad);
  batch.tgt_out.assign(static_cast<size_t>(batch.size) * batch.tgt_len, pad);
  for (size_t b = 0; b < src.size(); ++b) {
    std::copy(src[b].begin(), src[b].end(), batch.src.begin() + b * batch.src_len);
    int* in = batch.tgt_in.data() + b * batch.tgt_len;
    int* out = batch.tgt_out.data() + b * batch.tgt_len;
    in[0] = config.bos_id;
    for (size_t t = 0; t < tgt[b].size(); ++t) {
      in[t + 1] = tgt[b][t];
      out[t] = tgt[b][t];
    }
    out[tgt[b].size()] = config.eos_id;
  }
  check_batch(batch, config);
  return batch;
}

LossResult loss_and_gradients(const Config& config, const Weights& weights, const Batch& batch,
                              float label_smoothing, Weights& grads, int threads) {
  config.validate();
  const std::string mismatch = shape_mismatch(weights, config);
  if (!mismatch.empty()) throw InputError("loss_and_gradients: weights: " + mismatch);
  check_batch(batch, config);
  const std::vector<RowShape> rows = row_shapes(batch, config);

  if (shape_mismatch(grads, config).empty()) {
    for (const ParameterRef& p : parameters(grads, config))
      as_array(p).setZero();
  } else {
    grads = zero_weights(config);
  }
  LossResult result;
  for (const RowShape& r : rows)
    result.tokens += r.tokens;
  if (result.tokens == 0) return result;

  Context ctx{config, weights, {}, {}, static_cast<float>(config.layer_norm_eps)};
  if (config.positional == Positional::kLearned) {
    ctx.src_positions = weights.src_pos.topRows(batch.src_len);
    ctx.tgt_positions = weights.tgt_pos.topRows(batch.tgt_len);
  } else {
    // Each row of the table depends on its position only, so a short table equals the head
    // of the model's.
    ctx.src_positions = sinusoidal_positions(std::max(batch.src_len, 1), config.d_model);
    ctx.tgt_positions = sinusoidal_positions(std::max(batch.tgt_len, 1), config.d_model);
  }

  const std::vector<std::vector<int>> members = split_rows(rows, std::max(1, threads));
  const int groups = static_cast<int>(members.size());
  std::vector<Weights> group_grads(groups > 1 ? groups - 1 : 0);
  std::vector<double> group_loss(groups, 0.0);
  const auto run_group = [&](int i) {
    Weights& g = i == 0 ? grads : group_grads[i - 1];
    if (i > 0) g = zero_weights(config);
    const Group group = make_group(batch, rows, members[i], config.pad_id);
    Activations a;
    forward(ctx, group, a);
    group_loss[i] = cross_entropy_backward(a.logits, group.targets, config.pad_id, label_smoothing,
                                           result.tokens);
    backward(ctx, group, a, a.logits, g);
  };
  {
    // The groups run in their own threads, and the products inside them stay on one each.
    const ThreadBudget single(1);
    if (groups == 1) {
      run_group(0);
    } else {
#pragma omp parallel for num_threads(groups) schedule(static, 1)
      for (int i = 0; i < groups; ++i)
        run_group(i);
    }
  }

  // A fixed order of summation keeps the result independent of thread timing.
  double loss_sum = group_loss[0];
  for (int i = 1; i < groups; ++i) {
    loss_sum += group_loss[i];
    const std::vector<ParameterRef> into = parameters(grads, config);
    const std::vector<ParameterRef> from = parameters(group_grads[i - 1], config);
    for (size_t p = 0; p < into.size(); ++p)
      as_array(into[p]) += as_array(from[p]);
  }
  result.loss = loss_sum / result.tokens;
  return result;
}

float clip_gradients(Weights& grads, const Config& config, float max_norm) {
  const std::vector<ParameterRef> params = parameters(grads, config);
  double sum_squares = 0;
  for (const ParameterRef& p : params)
    sum_squares += as_array(p).cast<double>().square().sum();
  const float norm = static_cast<float>(std::sqrt(sum_squares));
  const float coefficient = max_norm / (norm + 1e-6f);
  if (coefficient < 1.0f) {
    for (const ParameterRef& p : params)
      as_array(p) *= coefficient;
  }
  return norm;
}

AdamW::AdamW(const Config& config, const Weights& shapes_like, AdamWOptions options)
    : config_(config), options_(options) {
  const std::string mismatch = shape_mismatch(shapes_like, config);
  if (!mismatch.empty()) throw InputError("AdamW: weights: " + mismatch);
  m_ = zero_weights(config);
  v_ = zero_weights(config);
}

Weights initial_weights(const Config& config, uint64_t seed) {
  Weights weights = random_weights(config, seed);
  for_each_parameter(weights, config, [](const ParameterRef& p) {
    if (p.init == Init::kNormGain || p.init == Init::kBias)
      std::fill(p.data, p.data + p.count(), p.init == Init::kNormGain ? 1.0f : 0.0f);
  });
  return weights;
}

void AdamW::restore(Weights first_moment, Weights second_moment, int steps_taken) {
  std::string mismatch = shape_mismatch(first_moment, config_);
  if (mismatch.empty()) mismatch = shape_mismatch(second_moment, config_);
  if (!mismatch.empty()) throw InputError("AdamW::restore: " + mismatch);
  if (steps_taken < 0) {
    throw InputError("AdamW::restore: " + std::to_string(steps_taken) + " steps taken");
  }
  m_ = std::move(first_moment);
  v_ = std::move(second_moment);
  steps_ = steps_taken;
}

float AdamW::learning_rate(int step) const {
  const double lr = options_.lr;
  const int warmup = options_.warmup_steps;
  if (warmup > 0 && step < warmup) return static_cast<float>(lr * std::max(step, 0) / warmup);
  const int decay_steps = options_.total_steps - std::max(warmup, 0);
  if (decay_steps <= 0) return static_cast<float>(lr);
  const double progress =
      std::min(1.0, static_cast<double>(step - std::max(warmup, 0)) / decay_steps);
  constexpr double kFinalFraction = 0.1;
  return static_cast<float>(
      lr * (kFinalFraction + (1.0 - kFinalFraction) * 0.5 * (1.0 + std::cos(M_PI * progress))));
}

void AdamW::step(Weights& weights, const Weights& grads) {
  std::string mismatch = shape_mismatch(weights, config_);
  if (mismatch.empty()) mismatch = shape_mismatch(grads, config_);
  if (!mismatch.empty()) throw InputError("AdamW::step: " + mismatch);
  ++steps_;
  const float lr = learning_rate(steps_);
  const float beta1 = options_.beta1, beta2 = options_.beta2;
  // torch.optim.AdamW's update, operation for operation.
  const float bias_correction1 = 1.0f - std::pow(beta1, static_cast<float>(steps_));
  const float bias_correction2 = 1.0f - std::pow(beta2, static_cast<float>(steps_));
  const float step_size = lr / bias_correction1;
  const float bias_correction2_sqrt = std::sqrt(bias_correction2);
  const std::vector<ParameterRef> p = parameters(weights, config_);
  const std::vector<ParameterRef> g = parameters(grads, config_);
  const std::vector<ParameterRef> m = parameters(m_, config_);
  const std::vector<ParameterRef> v = parameters(v_, config_);
  for (size_t i = 0; i < p.size(); ++i) {
    auto param = as_array(p[i]);
    const auto grad = as_array(g[i]);
    auto exp_avg = as_array(m[i]);
    auto exp_avg_sq = as_array(v[i]);
    if (p[i].shape.size() >= 2) param *= 1.0f - lr * options_.weight_decay;
    exp_avg = beta1 * exp_avg + (1.0f - beta1) * grad;
    exp_avg_sq = beta2 * exp_avg_sq + (1.0f - beta2) * grad.square();
    param -= step_size * exp_avg / (exp_avg_sq.sqrt() / bias_correction2_sqrt + options_.eps);
  }
}

}  // namespace attnscope
