// The text -> Trace pipeline: what a sentence becomes, in one call. The source is tokenized
// with the model's vocabulary (or given as ids), the translation decoded greedily or with a
// beam (or a target teacher-forced), and the Trace labelled with the tokens. Every program
// computes its Traces through it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/tokenizer.h"
#include "attnscope/trace.h"

namespace attnscope {

// How much input is read at most, for a caller that must show something for any input
// rather than refuse it.
struct InputLimits {
  size_t max_bytes;  // of a text; the rest is dropped before splitting
  int max_tokens;    // of the source, of a forced target, and generated
};

struct PipelineRequest {
  // The source: source_text's tokens followed by <eos>, or source_ids used verbatim.
  std::string source_text;
  std::optional<std::vector<int>> source_ids;
  // Teacher forcing when true: the decoder input is <bos> followed by target_text's tokens,
  // or target_ids used verbatim. Otherwise the translation is decoded with `decode`. Either
  // way the heads of decode.mask are switched off.
  bool forced = false;
  std::string target_text;
  std::optional<std::vector<int>> target_ids;
  DecodeOptions decode;
  // With limits, input too long is cut, with a warning, instead of failing: a text past
  // max_bytes (at a character boundary), a source past what the model takes or max_tokens
  // words (its <eos> kept), a forced target likewise (its <bos> kept); and decoding stops
  // after max_tokens tokens. Verbatim ids are never cut. Without limits, texts are read
  // whole and input the model cannot take is an error.
  std::optional<InputLimits> limits;
};

struct PipelineResult {
  std::shared_ptr<const Trace> trace;  // labelled; null when `error` is set
  bool generated = false;              // decoded rather than teacher-forced
  std::string translation;        // the generated target as text; when forced, the tokens chosen
                                  // at each position (Trace::output_ids)
  bool finished = true;           // decoding reached <eos> before the length limit
  Tokenized source;               // source_text as tokenized, before any cut; empty with source_ids
  Tokenized target;               // target_text likewise, when forced from text
  int max_source_tokens = 0;      // with limits: the most source words taken
  int dropped_source_tokens = 0;  // with limits: source words cut
  std::vector<std::string> warnings;  // for a status line, most important first: what was
                                      // cut, unknown or replaced
  std::string error;  // why there is no Trace: the message of the exception that stopped it
};

// Never throws: a problem with the input or the model sets `error`, and what was found
// before it (tokens, warnings) is kept.
PipelineResult run_pipeline(const ModelBundle& bundle, const PipelineRequest& request);

}  // namespace attnscope
