// Greedy and beam search over Model::decode_step.
#include "attnscope/decode.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attnscope/error.h"
#include "attnscope/ops.h"

namespace attnscope {

namespace {

float log_softmax_at(const Eigen::Ref<const RowVector>& logits, int index) {
  const float max = logits.maxCoeff();
  const float log_sum = std::log((logits.array() - max).exp().sum());
  return logits[index] - max - log_sum;
}

// Builds the decoder half of a Trace from the rows recorded at each step.
void assemble_decoder_trace(const Model& model, const Encoded& enc,
                            const std::vector<StepRecord>& steps,
                            const std::vector<RowVector>& logits, Trace& trace) {
  const Config& c = model.config();
  const Eigen::Index t_len = static_cast<Eigen::Index>(steps.size());
  const Eigen::Index s_len = static_cast<Eigen::Index>(trace.src_ids.size());
  trace.decoder_self.assign(c.num_decoder_layers, {});
  trace.cross.assign(c.num_decoder_layers, {});
  for (int l = 0; l < c.num_decoder_layers; ++l) {
    AttentionRecord& self = trace.decoder_self[l];
    AttentionRecord& cross = trace.cross[l];
    self.heads.assign(c.nhead, Matrix::Zero(t_len, t_len));
    cross.heads.assign(c.nhead, Matrix(t_len, s_len));
    for (Matrix* m : {&self.queries, &self.keys, &self.values, &self.head_outputs, &self.output,
                      &cross.queries, &cross.head_outputs, &cross.output}) {
      m->resize(t_len, c.d_model);
    }
    // Every step attends over the same memory: its keys and values are the encoder's.
    cross.keys = enc.cross_keys[l];
    cross.values = enc.cross_values[l];
    for (Eigen::Index t = 0; t < t_len; ++t) {
      const StepRecord& step = steps[t];
      for (int h = 0; h < c.nhead; ++h) {
        self.heads[h].row(t).head(t + 1) = step.self_rows[l][h];
        cross.heads[h].row(t) = step.cross_rows[l][h];
      }
      self.queries.row(t) = step.self_queries[l];
      self.keys.row(t) = step.self_keys[l];
      self.values.row(t) = step.self_values[l];
      self.head_outputs.row(t) = step.self_head_outputs[l];
      self.output.row(t) = step.self_outputs[l];
      cross.queries.row(t) = step.cross_queries[l];
      cross.head_outputs.row(t) = step.cross_head_outputs[l];
      cross.output.row(t) = step.cross_outputs[l];
    }
  }
  trace.decoder_output.resize(t_len, c.d_model);
  trace.logits.resize(t_len, c.tgt_vocab_size);
  for (Eigen::Index t = 0; t < t_len; ++t) {
    trace.decoder_output.row(t) = steps[t].output;
    trace.logits.row(t) = logits[t];
  }
  trace.probs = Model::softmax_rows(trace.logits);
}

}  // namespace

int effective_max_length(const Config& config, int src_len, const DecodeOptions& options) {
  const int wanted = options.max_length > 0 ? options.max_length : 2 * src_len + 10;
  return std::max(1, std::min(wanted, config.max_positions));
}

Translation greedy_decode(const Model& model, const std::vector<int>& src_ids,
                          const DecodeOptions& options) {
  const Config& c = model.config();
  Encoded enc = model.encode(src_ids, true, options.mask);
  const int max_len = effective_max_length(c, static_cast<int>(src_ids.size()), options);
  DecoderCache cache = model.new_cache(max_len);
  std::vector<DecoderCache*> caches{&cache};

  Translation out;
  out.trace.src_ids = src_ids;
  out.trace.tgt_ids = {c.bos_id};
  std::vector<StepRecord> steps;
  std::vector<RowVector> logits_rows;
  std::vector<StepRecord> record;
  for (int t = 0; t < max_len; ++t) {
    const Matrix logits =
        model.decode_step(enc, {out.trace.tgt_ids.back()}, caches, &record, options.mask);
    steps.push_back(std::move(record[0]));
    logits_rows.push_back(logits.row(0));
    const int next = argmax(logits.row(0));
    out.log_prob += log_softmax_at(logits.row(0), next);
    out.trace.output_ids.push_back(next);
    if (options.stop_at_eos && next == c.eos_id) {
      out.finished = true;
      break;
    }
    out.ids.push_back(next);
    if (t + 1 < max_len) out.trace.tgt_ids.push_back(next);
  }
  out.trace.encoder_self = std::move(enc.self);
  out.trace.encoder_output = enc.memory;
  out.trace.src_tokens.resize(src_ids.size());
  out.trace.tgt_tokens.resize(out.trace.tgt_ids.size());
  assemble_decoder_trace(model, enc, steps, logits_rows, out.trace);
  return out;
}

Translation beam_decode(const Model& model, const std::vector<int>& src_ids,
                        const DecodeOptions& options) {
  const Config& c = model.config();
  const int width = std::max(1, options.beam);
  const Encoded enc = model.encode(src_ids, false, options.mask);
  const int max_len = effective_max_length(c, static_cast<int>(src_ids.size()), options);

  struct Hypothesis {
    std::vector<int> ids;  // generated so far, <eos> excluded
    float log_prob = 0;
    DecoderCache cache;
  };
  struct Finished {
    std::vector<int> ids;
    float log_prob;
    float score;
    bool finished;
  };
  auto normalised = [&](float log_prob, size_t length) {
    return log_prob /
           std::pow(static_cast<float>(std::max<size_t>(length, 1)), options.length_penalty);
  };

  std::vector<Hypothesis> live(1);
  live[0].cache = model.new_cache(max_len);
  std::vector<Finished> finished;
  for (int t = 0; t < max_len && !live.empty(); ++t) {
    std::vector<int> inputs;
    std::vector<DecoderCache*> caches;
    for (Hypothesis& h : live) {
      inputs.push_back(h.ids.empty() ? c.bos_id : h.ids.back());
      caches.push_back(&h.cache);
    }
    const Matrix logits = model.decode_step(enc, inputs, caches, nullptr, options.mask);

    // Each hypothesis proposes its `width` best tokens, in the order greedy would rank them.
    struct Candidate {
      float log_prob;
      int parent;
      int token;
    };
    std::vector<Candidate> candidates;
    std::vector<int> order(logits.cols());
    for (int b = 0; b < static_cast<int>(live.size()); ++b) {
      const auto row = logits.row(b);
      const float max = row.maxCoeff();
      const float log_sum = std::log((row.array() - max).exp().sum());
      std::iota(order.begin(), order.end(), 0);
      const int k = std::min<int>(width, static_cast<int>(order.size()));
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int z) {
        return row[a] > row[z] || (row[a] == row[z] && a < z);
      });
      for (int i = 0; i < k; ++i) {
        const int token = order[i];
        candidates.push_back({live[b].log_prob + (row[token] - max - log_sum), b, token});
      }
    }
    std::stable_sort(
        candidates.begin(), candidates.end(),
        [](const Candidate& a, const Candidate& z) { return a.log_prob > z.log_prob; });

    std::vector<Hypothesis> next;
    for (const Candidate& cand : candidates) {
      if (static_cast<int>(next.size()) == width) break;
      std::vector<int> ids = live[cand.parent].ids;
      if (options.stop_at_eos && cand.token == c.eos_id) {
        finished.push_back({ids, cand.log_prob, normalised(cand.log_prob, ids.size() + 1), true});
        if (static_cast<int>(finished.size()) >= width) break;
        continue;
      }
      ids.push_back(cand.token);
      next.push_back({std::move(ids), cand.log_prob, live[cand.parent].cache});
    }
    if (static_cast<int>(finished.size()) >= width) {
      next.clear();
    }
    live = std::move(next);
  }
  for (const Hypothesis& h : live) {
    finished.push_back({h.ids, h.log_prob, normalised(h.log_prob, h.ids.size()), false});
  }
  const Finished& best =
      *std::max_element(finished.begin(), finished.end(),
                        [](const Finished& a, const Finished& z) { return a.score < z.score; });

  Translation out;
  out.ids = best.ids;
  out.finished = best.finished;
  out.log_prob = best.log_prob;
  std::vector<int> tgt{c.bos_id};
  tgt.insert(tgt.end(), best.ids.begin(), best.ids.end());
  if (!best.finished) tgt.pop_back();  // the last generated token was never fed back
  out.trace = model.trace(src_ids, tgt, options.mask);
  out.trace.output_ids = best.ids;
  if (best.finished) out.trace.output_ids.push_back(c.eos_id);
  return out;
}

Translation translate_ids(const Model& model, const std::vector<int>& src_ids,
                          const DecodeOptions& options) {
  return options.beam <= 1 ? greedy_decode(model, src_ids, options)
                           : beam_decode(model, src_ids, options);
}

}  // namespace attnscope
