// A Trace: everything one pass of the model computed that may be looked at. It is produced
// whole by the model or a decoder and then only read; nothing downstream recomputes it.
#pragma once

#include <string>
#include <vector>

#include "attnscope/tensor.h"

namespace attnscope {

enum class AttentionKind { kEncoderSelf, kDecoderSelf, kCross };
constexpr AttentionKind kAttentionKinds[] = {AttentionKind::kEncoderSelf,
                                             AttentionKind::kDecoderSelf, AttentionKind::kCross};

// Every spelling of an attention kind, for every place that names one.
struct AttentionKindNames {
  const char* id;     // "encoder.self", "decoder.self", "decoder.cross": settings files
                      // and error messages (Trace JSON puts the layer inside: encoder.0.self)
  const char* name;   // "encoder", "decoder", "cross": command-line values, file names
  const char* title;  // "encoder self-attention", "decoder self-attention",
                      // "cross-attention": the full name, as a title
  const char* label;  // "Encoder self", "Decoder self (masked)", "Cross (decoder → encoder)":
                      // a short name that says which side looks at which
  const char* aliases[2];  // more spellings parse_attention_kind accepts ("enc",
                           // "encoder-self"; "dec", "decoder-self"; "encoder-decoder"), or null
};
const AttentionKindNames& names_of(AttentionKind kind);
// names_of(kind).id.
const char* to_string(AttentionKind kind);
// Accepts any spelling but the title and the label: "encoder", "encoder.self", "enc",
// "encoder-self", and the same for the decoder and cross-attention.
bool parse_attention_kind(const std::string& text, AttentionKind* kind);
// "encoder, decoder or cross": the names, for messages that list the choices.
std::string attention_kind_choices();

// One attention block of one layer: every head's weights, the q, k and v that produced them,
// and what the block made of them.
struct AttentionRecord {
  std::vector<Matrix> heads;  // [head] (queries, keys): softmax(q_h k_h^T / sqrt(head_dim)),
                              // masked entries exactly 0, each row sums to 1
  Matrix queries;  // (queries, d_model): input W_q^T + b_q, before the 1/sqrt(head_dim) scale;
                   // head h is columns [h * head_dim, (h + 1) * head_dim)
  Matrix keys;     // (keys, d_model): memory or input W_k^T + b_k, same column blocks
  Matrix values;   // (keys, d_model): memory or input W_v^T + b_v, same column blocks
  Matrix head_outputs;  // (queries, d_model): head h's output sum_j w_ij v_j in its column
                        // block; all heads side by side are the concatenation W_o reads
  Matrix output;  // (queries, d_model): the block's output, head_outputs W_o^T + b_o, before
                  // the residual connection adds it
};

struct Trace {
  std::vector<int> src_ids;             // (S) encoder input, used verbatim
  std::vector<int> tgt_ids;             // (T) decoder input, usually <bos> y_1 .. y_{T-1}
  std::vector<std::string> src_tokens;  // (S) token strings of src_ids
  std::vector<std::string> tgt_tokens;  // (T) token strings of tgt_ids

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

// Which heads of a layer a matrix shows: one head, or all of them combined cell by cell.
enum class HeadMode { kSingle, kMean, kMax };

// The attention of one layer with its heads combined by `mode`, (queries, keys): kSingle is
// head `head` (a copy; Trace::attention gives it without one); kMean the sum of the heads,
// added in order 0, 1, 2, ..., divided by their number; kMax the largest weight any head
// gives. kMean and kMax ignore `head`. Throws InputError naming the valid range when the
// layer or (for kSingle) the head is out of range, and when the layer has no heads.
Matrix aggregate_heads(const Trace& trace, AttentionKind kind, int layer, HeadMode mode,
                       int head = 0);
// Row `row` (a query) of aggregate_heads, equal to it bit for bit, computing that row only.
RowVector aggregate_heads_row(const Trace& trace, AttentionKind kind, int layer, HeadMode mode,
                              int head, int row);
// One cell of aggregate_heads, equal to it bit for bit, computing that cell only. Row and
// column are not checked.
float aggregate_heads_at(const Trace& trace, AttentionKind kind, int layer, HeadMode mode, int head,
                         int row, int col);

}  // namespace attnscope
