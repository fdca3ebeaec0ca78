// A Trace: everything one pass of the model computed that a view may show. It is produced
// whole by the model or a decoder and then only read; nothing downstream recomputes it.
#pragma once

#include <string>
#include <vector>

#include "attnscope/tensor.h"

namespace attnscope {

enum class AttentionKind { kEncoderSelf, kDecoderSelf, kCross };

// "encoder.self" / "decoder.self" / "decoder.cross"-style names used by the CLI and exports.
const char* to_string(AttentionKind kind);
// Accepts "encoder", "enc", "encoder-self", "decoder", "dec", "decoder-self", "cross".
bool parse_attention_kind(const std::string& text, AttentionKind* kind);

// One attention block of one layer: every head's weights and the q/k that produced them.
struct AttentionRecord {
  std::vector<Matrix> heads;  // [head] (queries, keys): softmax(q_h k_h^T / sqrt(head_dim)),
                              // masked entries exactly 0, each row sums to 1
  Matrix queries;  // (queries, d_model): input W_q^T + b_q, before the 1/sqrt(head_dim) scale;
                   // head h is columns [h * head_dim, (h + 1) * head_dim)
  Matrix keys;     // (keys, d_model): memory or input W_k^T + b_k, same column blocks
};

struct Trace {
  std::vector<int> src_ids;             // (S) encoder input, used verbatim
  std::vector<int> tgt_ids;             // (T) decoder input, usually <bos> y_1 .. y_{T-1}
  std::vector<std::string> src_tokens;  // (S) display strings of src_ids
  std::vector<std::string> tgt_tokens;  // (T) display strings of tgt_ids

  std::vector<AttentionRecord> encoder_self;  // [encoder layer] heads (S, S)
  std::vector<AttentionRecord> decoder_self;  // [decoder layer] heads (T, T), causal
  std::vector<AttentionRecord> cross;         // [decoder layer] heads (T, S)

  Matrix encoder_output;  // (S, d_model) the memory, after the final encoder norm
  Matrix decoder_output;  // (T, d_model) after the final decoder norm
  Matrix logits;          // (T, tgt_vocab_size) generator output at each decoder position
  Matrix probs;           // (T, tgt_vocab_size) softmax of logits: the next-token distribution
  std::vector<int> output_ids;  // (T) token chosen at each position: the generated one when
                                // decoded, the argmax when teacher-forced

  int num_heads() const;
  const std::vector<AttentionRecord>& records(AttentionKind kind) const;
  // Throws InputError naming the valid range when layer or head is out of range.
  const AttentionRecord& record(AttentionKind kind, int layer) const;
  const Matrix& attention(AttentionKind kind, int layer, int head) const;
  // Tokens along the rows (queries) and columns (keys) of a kind's matrices.
  const std::vector<std::string>& query_tokens(AttentionKind kind) const;
  const std::vector<std::string>& key_tokens(AttentionKind kind) const;
};

}  // namespace attnscope
