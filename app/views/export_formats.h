// Text exports of a Trace, shared by the command-line tool and the desktop app: the whole
// Trace as JSON, one attention matrix as CSV.
#pragma once

#include <string>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/explain.h"
#include "attnscope/head_mask.h"
#include "attnscope/trace.h"

namespace attnscope {

// The Trace as one JSON object: model, layer and head counts, tokens and ids (source,
// decoder input, outputs), the translation when `generated`, and every attention matrix
// under "attention" named encoder.{l}.self, decoder.{l}.self, decoder.{l}.cross with
// [head][query][key] nesting; "mask_heads" ("encoder:0:1,cross:1:0") when heads were
// switched off. Floats are written so that they read back exactly.
std::string trace_json(const Trace& trace, const ModelBundle& bundle, bool generated,
                       const HeadMask& mask = {});

// One matrix as CSV: a header "query\key",<key tokens>, then one line per query token and
// its weights (%.9g, exact for float). Tokens are quoted, quotes doubled.
std::string matrix_csv(const Matrix& matrix, const std::vector<std::string>& query_tokens,
                       const std::vector<std::string>& key_tokens);

// An explanation (explain.h) as one JSON object: kind, layer, head, query, head_dim,
// query_token, key_tokens, q, k, v, scores, scale, scaled, masked, weights, output and
// block_output, floats written so that they read back exactly.
std::string explanation_json(const Explanation& e);

// The same as a worked example, the way it is written on a board: the formula on top, then
// q, then one line per key (its score q·k, scaled, and its weight with a bar), then the
// head's output and the block's output; numbers rounded to `digits` decimals.
std::string explanation_text(const Explanation& e, int digits = 3);

}  // namespace attnscope
