// The Transformer encoder-decoder of "Attention Is All You Need", computed exactly as
// torch.nn.Transformer computes it (post-norm or pre-norm, final encoder/decoder norms),
// recording every attention weight on the way. Two ways in:
//   - `trace`: the whole encoder and a teacher-forced decoder pass in one call;
//   - `encode` + `decode_step`: the incremental decoder with a key/value cache that
//     greedy and beam search (decode.h) are built on.
#pragma once

#include <memory>
#include <vector>

#include "attnscope/config.h"
#include "attnscope/head_mask.h"
#include "attnscope/trace.h"
#include "attnscope/weights.h"

namespace attnscope {

// Threads used by matrix products and per-head work (OpenMP). 1 = single-threaded.
void set_num_threads(int threads);
int num_threads();

// The encoder's result, kept for the decoder: the memory and its per-layer keys/values.
struct Encoded {
  std::vector<int> src_ids;           // (S)
  Matrix memory;                      // (S, d_model) after the final encoder norm
  std::vector<char> key_mask;         // (S) 1 where the source token is <pad>: never attended
  std::vector<AttentionRecord> self;  // [encoder layer] self-attention, when recorded
  std::vector<Matrix> cross_keys;     // [decoder layer] (S, d_model) memory W_k^T + b_k
  std::vector<Matrix> cross_values;   // [decoder layer] (S, d_model) memory W_v^T + b_v
};

// Keys and values of the decoder's past positions for one hypothesis.
struct DecoderCache {
  std::vector<Matrix> keys;    // [decoder layer] (capacity, d_model); rows [0, length) in use
  std::vector<Matrix> values;  // [decoder layer] (capacity, d_model)
  std::vector<char> key_mask;  // (capacity) 1 where the input token was <pad>
  int length = 0;              // positions already decoded
};

// What one decoder position computed, for assembling a Trace from incremental steps: the
// rows of this position in each AttentionRecord of the decoder (see trace.h).
struct StepRecord {
  std::vector<std::vector<RowVector>> self_rows;   // [layer][head] (position + 1)
  std::vector<std::vector<RowVector>> cross_rows;  // [layer][head] (S)
  std::vector<RowVector> self_queries;             // [layer] (d_model)
  std::vector<RowVector> self_keys;                // [layer] (d_model)
  std::vector<RowVector> self_values;              // [layer] (d_model)
  std::vector<RowVector> self_head_outputs;        // [layer] (d_model)
  std::vector<RowVector> self_outputs;             // [layer] (d_model)
  std::vector<RowVector> cross_queries;            // [layer] (d_model)
  std::vector<RowVector> cross_head_outputs;       // [layer] (d_model)
  std::vector<RowVector> cross_outputs;            // [layer] (d_model)
  RowVector output;                                // (d_model) after the final decoder norm
};

class Model {
 public:
  // Checks every weight's shape against the config; throws CheckpointError naming the
  // first tensor that does not fit.
  Model(Config config, Weights weights);

  const Config& config() const { return config_; }
  // The weights as given to the constructor (layout: weights.h).
  const Weights& weights() const { return weights_; }

  // Encoder over `src_ids` and decoder over `tgt_ids`, both used verbatim (nothing added),
  // with the heads of `mask` switched off (head_mask.h). Throws InputError on an empty
  // sequence, an id outside the vocabulary, a sequence longer than max_positions or a masked
  // head the model does not have. Token strings are left empty (see label_trace).
  Trace trace(const std::vector<int>& src_ids, const std::vector<int>& tgt_ids,
              const HeadMask& mask = {}) const;

  // Runs the encoder; with `record`, keeps every self-attention matrix and q/k/v.
  Encoded encode(const std::vector<int>& src_ids, bool record, const HeadMask& mask = {}) const;
  // An empty cache able to hold `capacity` positions.
  DecoderCache new_cache(int capacity) const;
  // Decodes one position for each hypothesis b: input token ids[b] at position
  // caches[b]->length, appending to that cache. Returns the logits (B, tgt_vocab_size).
  // With `records`, fills records[b] for each hypothesis.
  Matrix decode_step(const Encoded& encoded, const std::vector<int>& ids,
                     const std::vector<DecoderCache*>& caches, std::vector<StepRecord>* records,
                     const HeadMask& mask = {}) const;

  // Rows of softmax(logits) with the same rounding everywhere it is used.
  static Matrix softmax_rows(const Matrix& logits);

 private:
  void check_ids(const std::vector<int>& ids, int vocab_size, const char* what) const;
  Matrix embed(const std::vector<int>& ids, bool target, int first_position) const;
  Matrix decode_full(const Encoded& encoded, const std::vector<int>& tgt_ids, Trace* trace,
                     const HeadMask& mask) const;
  Matrix generate(const Matrix& hidden) const;

  Config config_;
  Weights weights_;
  // The larger Linear weights again, packed for the product kernel; shared by copies.
  std::shared_ptr<const struct ModelPacks> packs_;

  Matrix src_positions_;  // (max_positions, d_model) learned or sinusoidal table
  Matrix tgt_positions_;  // (max_positions, d_model)
};

// The paper's table: PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(...), p from 0.
Matrix sinusoidal_positions(int max_positions, int d_model);

}  // namespace attnscope
