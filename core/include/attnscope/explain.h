// How one attention weight row is computed, step by step, with the model's own numbers:
//   weights = softmax(q · Kᵀ / √d_k) over the keys the query may see,
//   output  = Σ_j w_j v_j  (this head's output),
//   block   = [all heads' outputs] W_oᵀ + b_o  (the attention block's output).
// Everything is read from a Trace: q, k and v as the model projected them, the weights and
// outputs as the model computed them. The intermediate scores are q · k_j and its scaling,
// for showing; the softmax of the scaled scores gives the weights up to float rounding.
#pragma once

#include <string>
#include <vector>

#include "attnscope/trace.h"

namespace attnscope {

struct Explanation {
  AttentionKind kind = AttentionKind::kCross;
  int layer = 0, head = 0, query = 0;
  int head_dim = 0;
  std::string query_token;              // the token of row `query`
  std::vector<std::string> key_tokens;  // (keys)
  RowVector q;                          // (head_dim) the query, before scaling
  Matrix k;                             // (keys, head_dim)
  Matrix v;                             // (keys, head_dim)
  RowVector scores;                     // (keys) q · k_j
  float scale = 0;                      // 1 / sqrt(head_dim)
  RowVector scaled;                     // (keys) scores * scale
  std::vector<bool> masked;  // (keys) true where the key is not seen: the causal future (decoder
                             // self-attention) or a <pad> token
  RowVector weights;         // (keys) the Trace's row: the softmax of the scaled scores over the
                             // keys not masked, masked ones exactly 0
  RowVector output;          // (head_dim) this head's output at the query, Σ_j w_j v_j
  RowVector block_output;    // (d_model) the block's output at the query: every head's output
                             // side by side, times W_oᵀ, plus b_o
};

// The computation of row `query` of head `head` of `kind`'s layer `layer`. Keys whose id is
// `pad_id` count as masked. Throws InputError naming the valid range when the layer, head or
// query is out of range.
Explanation explain(const Trace& trace, AttentionKind kind, int layer, int head, int query,
                    int pad_id);

}  // namespace attnscope
