// Forward pass of the encoder-decoder. Every operation follows torch.nn.Transformer's order
// of computation (scale q before q k^T, biased variance in LayerNorm, exact erf GELU) so that
// the recorded weights agree with PyTorch to float rounding. The layers' wiring is layers.h;
// this file says how the model's two passes attend: over whole sequences (the encoder, and
// the decoder teacher-forced), and one new position at a time against a key/value cache.
#include "attnscope/model.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

#include "attnscope/error.h"
#include "attnscope/layers.h"
#include "attnscope/ops.h"

namespace attnscope {

namespace {

// Below this many multiply-adds a head's work is too small to hand to another thread.
constexpr long kParallelHeadWork = 32 * 1024;

// Threads a caller of the model may use (set_num_threads). Matrix products use them through
// OpenMP; each call into the model sets the calling thread's OpenMP budget from it, so two
// threads may run models concurrently without touching each other's setting.
std::atomic<int> g_threads{1};

// Below this much work (multiply-adds of one pass) extra threads cost more than they save.
constexpr double kParallelModelWork = 1 << 24;

// The model's threads for a call of `work`, or one thread when it is below `worth_it`.
int threads_for(double work, double worth_it) {
  return work >= worth_it ? g_threads.load() : 1;
}

PackedWeight pack(const ConstBlock& weight_t) {
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

// Every head of one attention block over whole sequences. q: (n, d), k and v: (m, d).
// Writes the per-head weights into `heads` and the concatenated head outputs into `context`.
void attend(const ConstBlock& q, const ConstBlock& k, const ConstBlock& v, int nhead, bool causal,
            const char* key_mask, std::vector<Matrix>& heads, Matrix& context) {
  const Eigen::Index n = q.rows(), m = k.rows(), d = q.cols();
  const Eigen::Index dh = d / nhead;
  heads.resize(nhead);
  context.resize(n, d);
  const long work = static_cast<long>(n) * m * dh;
#pragma omp parallel for schedule(static) if (work >= kParallelHeadWork && nhead > 1)
  for (int h = 0; h < nhead; ++h) {
    attend_head(q.middleCols(h * dh, dh), k.middleCols(h * dh, dh), v.middleCols(h * dh, dh),
                causal, key_mask, heads[h], context.middleCols(h * dh, dh));
  }
}

std::vector<char> pad_mask(const std::vector<int>& ids, int pad_id) {
  std::vector<char> mask(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    mask[i] = ids[i] == pad_id;
  return mask;
}

// What both of the model's passes share: the norms and the feed-forward sublayers.
class ModelPass {
 public:
  ModelPass(const Config& config, const ModelPacks& packs, const HeadMask& mask)
      : config_(config),
        packs_(packs),
        mask_(mask),
        eps_(static_cast<float>(config.layer_norm_eps)) {}

  bool norm_first() const { return config_.norm_first; }

  void norm(const Sublayer& s, const Matrix& x, Matrix& out) const {
    layer_norm(x, *s.norm, eps_, out);
  }

 protected:
  // The feed-forward sublayer of layer `s.layer` of the encoder or the decoder.
  void feed_forward(const Sublayer& s, bool decoder, const Matrix& x, Matrix& out) const {
    const FeedForwardWeights& w = *s.feed_forward;
    const ModelPacks::FeedForward& p =
        decoder ? packs_.decoder[s.layer].ff : packs_.encoder[s.layer].ff;
    linear(x, w.linear1_weight, w.linear1_bias, hidden_, &p.linear1);
    activate(hidden_, config_.activation);
    linear(hidden_, w.linear2_weight, w.linear2_bias, out, &p.linear2);
  }

  const ModelPacks::Attention& packs_of(const Sublayer& s) const {
    switch (s.kind) {
      case SublayerKind::kSelfAttention:
        return packs_.encoder[s.layer].self;
      case SublayerKind::kMaskedSelfAttention:
        return packs_.decoder[s.layer].self;
      default:
        return packs_.decoder[s.layer].cross;
    }
  }

  // Zeroes the outputs of the masked heads of `s`'s block in context_, (rows, d_model), before
  // the output projection reads them.
  void silence_masked_heads(const Sublayer& s) {
    if (mask_.empty()) return;
    const AttentionKind kind = s.kind == SublayerKind::kSelfAttention ? AttentionKind::kEncoderSelf
                               : s.kind == SublayerKind::kMaskedSelfAttention
                                   ? AttentionKind::kDecoderSelf
                                   : AttentionKind::kCross;
    const Eigen::Index dh = context_.cols() / config_.nhead;
    for (int h = 0; h < config_.nhead; ++h) {
      if (mask_.masked(kind, s.layer, h)) context_.middleCols(h * dh, dh).setZero();
    }
  }

  const Config& config_;
  const ModelPacks& packs_;
  const HeadMask& mask_;
  const float eps_;
  mutable Matrix hidden_, context_;
};

// Whole sequences: the encoder over the source, or the decoder over a whole target.
class SequencePass : public ModelPass {
 public:
  // `records` (may be null) receives each layer's self-attention (and cross-attention, for
  // the decoder); `cross_keys`/`cross_values` are the encoder's, for the decoder.
  SequencePass(const Config& config, const ModelPacks& packs, const HeadMask& mask, bool decoder,
               const char* key_mask, const Encoded* encoded,
               std::vector<AttentionRecord>* self_records,
               std::vector<AttentionRecord>* cross_records)
      : ModelPass(config, packs, mask),
        decoder_(decoder),
        key_mask_(key_mask),
        encoded_(encoded),
        self_records_(self_records),
        cross_records_(cross_records) {}

  void apply(const Sublayer& s, const Matrix& x, Matrix& out) {
    if (s.kind == SublayerKind::kFeedForward) {
      feed_forward(s, decoder_, x, out);
      return;
    }
    const AttentionWeights& w = *s.attention;
    const ModelPacks::Attention& p = packs_of(s);
    const Eigen::Index d = x.cols();
    const int nhead = config_.nhead;
    std::vector<Matrix> scratch;
    if (s.kind == SublayerKind::kCrossAttention) {
      AttentionRecord* record = cross_records_ ? &(*cross_records_)[s.layer] : nullptr;
      Matrix q;
      linear(x, w.in_proj_weight.leftCols(d), w.in_proj_bias.head(d), q, &p.q);
      const Matrix& keys = encoded_->cross_keys[s.layer];
      attend(q, keys, encoded_->cross_values[s.layer], nhead, false, encoded_->key_mask.data(),
             record ? record->heads : scratch, context_);
      if (record) {
        record->queries = std::move(q);
        record->keys = keys;
        record->values = encoded_->cross_values[s.layer];
      }
    } else {
      AttentionRecord* record = self_records_ ? &(*self_records_)[s.layer] : nullptr;
      Matrix qkv;
      linear(x, w.in_proj_weight, w.in_proj_bias, qkv, &p.qkv);
      attend(qkv.leftCols(d), qkv.middleCols(d, d), qkv.rightCols(d), nhead,
             s.kind == SublayerKind::kMaskedSelfAttention, key_mask_,
             record ? record->heads : scratch, context_);
      if (record) {
        record->queries = qkv.leftCols(d);
        record->keys = qkv.middleCols(d, d);
        record->values = qkv.rightCols(d);
      }
    }
    silence_masked_heads(s);
    linear(context_, w.out_proj_weight, w.out_proj_bias, out, &p.out);
    std::vector<AttentionRecord>* records =
        s.kind == SublayerKind::kCrossAttention ? cross_records_ : self_records_;
    if (records) {
      (*records)[s.layer].head_outputs = context_;
      (*records)[s.layer].output = out;
    }
  }

 private:
  bool decoder_;
  const char* key_mask_;  // (tokens) of the sequence itself, for self-attention
  const Encoded* encoded_;
  std::vector<AttentionRecord>* self_records_;
  std::vector<AttentionRecord>* cross_records_;
};

// One new decoder position for each of B hypotheses (row b of x), each with its own cache.
class StepPass : public ModelPass {
 public:
  StepPass(const Config& config, const ModelPacks& packs, const HeadMask& mask,
           const Encoded& encoded, const std::vector<DecoderCache*>& caches,
           std::vector<StepRecord>* records)
      : ModelPass(config, packs, mask), encoded_(encoded), caches_(caches), records_(records) {}

  void apply(const Sublayer& s, const Matrix& x, Matrix& out) {
    if (s.kind == SublayerKind::kFeedForward) {
      feed_forward(s, true, x, out);
      return;
    }
    const AttentionWeights& w = *s.attention;
    const ModelPacks::Attention& p = packs_of(s);
    const Eigen::Index d = x.cols();
    const int l = s.layer;
    const int batch = static_cast<int>(x.rows());
    context_.resize(batch, d);
    Matrix q;
    if (s.kind == SublayerKind::kMaskedSelfAttention) {
      // The new position sees every cached one and itself.
      linear(x, w.in_proj_weight, w.in_proj_bias, q, &p.qkv);
      for (int b = 0; b < batch; ++b) {
        DecoderCache& cache = *caches_[b];
        const int pos = cache.length;
        cache.keys[l].row(pos) = q.row(b).segment(d, d);
        cache.values[l].row(pos) = q.row(b).segment(2 * d, d);
        StepRecord* rec = records_ ? &(*records_)[b] : nullptr;
        attend_row(q.row(b).head(d), cache.keys[l].topRows(pos + 1),
                   cache.values[l].topRows(pos + 1), cache.key_mask.data(), b,
                   rec ? &rec->self_rows[l] : nullptr);
        if (rec) {
          rec->self_queries[l] = q.row(b).head(d);
          rec->self_keys[l] = q.row(b).segment(d, d);
          rec->self_values[l] = q.row(b).segment(2 * d, d);
        }
      }
    } else {
      linear(x, w.in_proj_weight.leftCols(d), w.in_proj_bias.head(d), q, &p.q);
      for (int b = 0; b < batch; ++b) {
        StepRecord* rec = records_ ? &(*records_)[b] : nullptr;
        attend_row(q.row(b), encoded_.cross_keys[l], encoded_.cross_values[l],
                   encoded_.key_mask.data(), b, rec ? &rec->cross_rows[l] : nullptr);
        if (rec) rec->cross_queries[l] = q.row(b);
      }
    }
    silence_masked_heads(s);
    linear(context_, w.out_proj_weight, w.out_proj_bias, out, &p.out);
    if (records_) {
      const bool self = s.kind == SublayerKind::kMaskedSelfAttention;
      for (int b = 0; b < batch; ++b) {
        StepRecord& rec = (*records_)[b];
        (self ? rec.self_head_outputs : rec.cross_head_outputs)[l] = context_.row(b);
        (self ? rec.self_outputs : rec.cross_outputs)[l] = out.row(b);
      }
    }
  }

 private:
  // Every head of one query row over keys and values (len, d), into row b of the context.
  void attend_row(const ConstBlock& query, const ConstBlock& keys, const ConstBlock& values,
                  const char* key_mask, int b, std::vector<RowVector>* rows_out) {
    const int nhead = config_.nhead;
    const Eigen::Index dh = query.cols() / nhead;
    for (int h = 0; h < nhead; ++h) {
      attend_head(query.middleCols(h * dh, dh), keys.middleCols(h * dh, dh),
                  values.middleCols(h * dh, dh), false, key_mask, scores_,
                  context_.row(b).segment(h * dh, dh));
      if (rows_out) (*rows_out)[h] = scores_;
    }
  }

  const Encoded& encoded_;
  const std::vector<DecoderCache*>& caches_;
  std::vector<StepRecord>* records_;
  RowVector scores_;
};

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
  const std::string mismatch = shape_mismatch(weights_, config_);
  if (!mismatch.empty()) throw CheckpointError(mismatch);
  auto packs = std::make_shared<ModelPacks>();
  const Eigen::Index d = config_.d_model;
  for (const EncoderLayerWeights& layer : weights_.encoder) {
    packs->encoder.push_back({pack_attention(layer.self_attn, d),
                              {pack(layer.ff.linear1_weight), pack(layer.ff.linear2_weight)}});
  }
  for (const DecoderLayerWeights& layer : weights_.decoder) {
    packs->decoder.push_back({pack_attention(layer.self_attn, d),
                              pack_attention(layer.multihead_attn, d),
                              {pack(layer.ff.linear1_weight), pack(layer.ff.linear2_weight)}});
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

Encoded Model::encode(const std::vector<int>& src_ids, bool record, const HeadMask& mask) const {
  check_ids(src_ids, config_.src_vocab_size, "source");
  mask.check(config_);
  const ThreadBudget budget(threads_for(static_cast<double>(src_ids.size()) * config_.d_model *
                                            (config_.d_model + config_.dim_feedforward) *
                                            config_.num_encoder_layers,
                                        kParallelModelWork));
  const float eps = static_cast<float>(config_.layer_norm_eps);
  Encoded out;
  out.src_ids = src_ids;
  out.key_mask = pad_mask(src_ids, config_.pad_id);
  if (record) out.self.resize(config_.num_encoder_layers);
  SequencePass pass(config_, *packs_, mask, false, out.key_mask.data(), nullptr,
                    record ? &out.self : nullptr, nullptr);
  Matrix x = embed(src_ids, false, 0);
  layers_forward(pass, weights_.encoder, x);
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

Matrix Model::decode_full(const Encoded& enc, const std::vector<int>& tgt_ids, Trace* trace,
                          const HeadMask& mask) const {
  const std::vector<char> tgt_mask = pad_mask(tgt_ids, config_.pad_id);
  if (trace) {
    trace->decoder_self.resize(config_.num_decoder_layers);
    trace->cross.resize(config_.num_decoder_layers);
  }
  SequencePass pass(config_, *packs_, mask, true, tgt_mask.data(), &enc,
                    trace ? &trace->decoder_self : nullptr, trace ? &trace->cross : nullptr);
  Matrix x = embed(tgt_ids, true, 0), out;
  layers_forward(pass, weights_.decoder, x);
  layer_norm(x, weights_.decoder_norm, static_cast<float>(config_.layer_norm_eps), out);
  return out;
}

Trace Model::trace(const std::vector<int>& src_ids, const std::vector<int>& tgt_ids,
                   const HeadMask& mask) const {
  check_ids(tgt_ids, config_.tgt_vocab_size, "target");
  const ThreadBudget budget(threads_for(
      static_cast<double>(src_ids.size() + tgt_ids.size()) * config_.d_model *
          (config_.d_model + config_.dim_feedforward + config_.tgt_vocab_size) *
          (config_.num_encoder_layers + config_.num_decoder_layers),
      kParallelModelWork));
  Encoded enc = encode(src_ids, true, mask);
  Trace trace;
  trace.src_ids = src_ids;
  trace.tgt_ids = tgt_ids;
  trace.src_tokens.resize(src_ids.size());
  trace.tgt_tokens.resize(tgt_ids.size());
  trace.decoder_output = decode_full(enc, tgt_ids, &trace, mask);
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
                          std::vector<StepRecord>* records, const HeadMask& mask) const {
  const int batch = static_cast<int>(ids.size());
  const int nhead = config_.nhead;
  const Eigen::Index d = config_.d_model;
  const int layers = config_.num_decoder_layers;
  if (static_cast<int>(caches.size()) != batch) {
    throw InputError("decode_step: " + std::to_string(ids.size()) + " ids for " +
                     std::to_string(caches.size()) + " caches");
  }
  check_ids(ids, config_.tgt_vocab_size, "target");
  mask.check(config_);
  // One position reads every decoder weight once: threads pay off once there are several
  // products large enough to split.
  const ThreadBudget budget(threads_for(
      static_cast<double>(d) * (config_.tgt_vocab_size + (4 * d + config_.dim_feedforward) * layers),
      4.0 * kParallelGemvWeights));
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
      for (auto* rows : {&r.self_queries, &r.self_keys, &r.self_values, &r.self_head_outputs,
                         &r.self_outputs, &r.cross_queries, &r.cross_head_outputs,
                         &r.cross_outputs}) {
        rows->resize(layers);
      }
    }
  }
  StepPass pass(config_, *packs_, mask, enc, caches, records);
  layers_forward(pass, weights_.decoder, x);
  for (int b = 0; b < batch; ++b)
    caches[b]->length += 1;
  Matrix out;
  layer_norm(x, weights_.decoder_norm, static_cast<float>(config_.layer_norm_eps), out);
  if (records) {
    for (int b = 0; b < batch; ++b)
      (*records)[b].output = out.row(b);
  }
  return generate(out);
}

}  // namespace attnscope
