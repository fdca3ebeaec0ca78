// Text exports of a Trace, shared by the command-line tool and the desktop app: the whole
// Trace as JSON, one attention matrix as CSV.
#pragma once

#include <string>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/trace.h"

namespace attnscope {

// The Trace as one JSON object: model, layer and head counts, tokens and ids (source,
// decoder input, outputs), the translation when `generated`, and every attention matrix
// under "attention" named encoder.{l}.self, decoder.{l}.self, decoder.{l}.cross with
// [head][query][key] nesting. Floats are written so that they read back exactly.
std::string trace_json(const Trace& trace, const ModelBundle& bundle, bool generated);

// One matrix as CSV: a header "query\key",<key tokens>, then one line per query token and
// its weights (%.9g, exact for float). Tokens are quoted, quotes doubled.
std::string matrix_csv(const Matrix& matrix, const std::vector<std::string>& query_tokens,
                       const std::vector<std::string>& key_tokens);

}  // namespace attnscope
