// One attention row, explained (see explain.h).
#include "attnscope/explain.h"

#include <cmath>

#include "attnscope/error.h"

namespace attnscope {

Explanation explain(const Trace& trace, AttentionKind kind, int layer, int head, int query,
                    int pad_id) {
  const Matrix& weights = trace.attention(kind, layer, head);  // checks layer and head
  const AttentionRecord& record = trace.record(kind, layer);
  const int queries = static_cast<int>(weights.rows());
  if (query < 0 || query >= queries) {
    throw InputError("query " + std::to_string(query) + " is out of range: " + to_string(kind) +
                     " has queries 0 to " + std::to_string(queries - 1));
  }
  const int heads = static_cast<int>(record.heads.size());
  const Eigen::Index d_model = record.queries.cols();
  if (d_model == 0 || d_model % heads != 0 || record.values.rows() != weights.cols() ||
      record.head_outputs.rows() != queries || record.output.rows() != queries) {
    throw InputError("this Trace does not record the q, k, v and outputs of " +
                     std::string(to_string(kind)) + " layer " + std::to_string(layer));
  }
  const int dh = static_cast<int>(d_model / heads);
  const bool decoder_keys = kind == AttentionKind::kDecoderSelf;
  const std::vector<int>& key_ids = decoder_keys ? trace.tgt_ids : trace.src_ids;

  Explanation e;
  e.kind = kind;
  e.layer = layer;
  e.head = head;
  e.query = query;
  e.head_dim = dh;
  e.query_token = trace.query_tokens(kind).at(query);
  e.key_tokens = trace.key_tokens(kind);
  e.q = record.queries.row(query).segment(head * dh, dh);
  e.k = record.keys.middleCols(head * dh, dh);
  e.v = record.values.middleCols(head * dh, dh);
  e.scale = 1.0f / std::sqrt(static_cast<float>(dh));
  e.scores = e.q * e.k.transpose();
  e.scaled = e.scores * e.scale;
  const Eigen::Index keys = weights.cols();
  e.masked.resize(keys);
  for (Eigen::Index j = 0; j < keys; ++j) {
    const bool future = decoder_keys && j > query;
    const bool pad = j < static_cast<Eigen::Index>(key_ids.size()) && key_ids[j] == pad_id;
    e.masked[j] = future || pad;
  }
  e.weights = weights.row(query);
  e.output = record.head_outputs.row(query).segment(head * dh, dh);
  e.block_output = record.output.row(query);
  return e;
}

}  // namespace attnscope
