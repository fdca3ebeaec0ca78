// Generating a translation step by step with the key/value cache: greedy and beam search.
// Each result carries the Trace of what was generated, equal (to float rounding) to a
// teacher-forced Model::trace over the same decoder input.
#pragma once

#include <vector>

#include "attnscope/model.h"
#include "attnscope/trace.h"

namespace attnscope {

struct DecodeOptions {
  int beam = 1;                 // hypotheses kept per step; 1 is greedy
  int max_length = 0;           // most tokens generated, <eos> included; 0: 2 * S + 10,
                                // always capped by the model's max_positions
  float length_penalty = 1.0f;  // beam: a finished hypothesis scores log P / length^penalty
  bool stop_at_eos = true;      // false: always generate max_length tokens (benchmarks)
  HeadMask mask;                // heads switched off (head_mask.h)
};

struct Translation {
  std::vector<int> ids;   // generated target ids, without <bos> and <eos>
  bool finished = false;  // true when the model produced <eos> within max_length
  float log_prob = 0;     // sum of the log-probabilities of the generated tokens (with <eos>)
  Trace trace;            // decoder input <bos> + ids; output_ids = ids (+ <eos>)
};

// The number of tokens a decode of a source of `src_len` tokens may produce.
int effective_max_length(const Config& config, int src_len, const DecodeOptions& options);

Translation greedy_decode(const Model& model, const std::vector<int>& src_ids,
                          const DecodeOptions& options = {});
Translation beam_decode(const Model& model, const std::vector<int>& src_ids,
                        const DecodeOptions& options);
// greedy_decode when options.beam <= 1, beam_decode otherwise.
Translation translate_ids(const Model& model, const std::vector<int>& src_ids,
                          const DecodeOptions& options = {});

}  // namespace attnscope
