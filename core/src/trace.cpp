// The names of attention kinds, the accessors of the Trace (with range checks whose messages
// a user can act on) and the heads of a layer combined.
#include "attnscope/trace.h"

#include <algorithm>
#include <iterator>

#include "attnscope/error.h"

namespace attnscope {

const AttentionKindNames& names_of(AttentionKind kind) {
  static const AttentionKindNames kNames[] = {
      {"encoder.self",
       "encoder",
       "encoder self-attention",
       "Encoder self",
       {"enc", "encoder-self"}},
      {"decoder.self",
       "decoder",
       "decoder self-attention",
       "Decoder self (masked)",
       {"dec", "decoder-self"}},
      {"decoder.cross",
       "cross",
       "cross-attention",
       "Cross (decoder \xe2\x86\x92 encoder)",
       {"encoder-decoder", nullptr}},
  };
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return kNames[0];
    case AttentionKind::kDecoderSelf:
      return kNames[1];
    case AttentionKind::kCross:
      break;
  }
  return kNames[2];
}

const char* to_string(AttentionKind kind) {
  return names_of(kind).id;
}

bool parse_attention_kind(const std::string& text, AttentionKind* kind) {
  for (AttentionKind k : kAttentionKinds) {
    const AttentionKindNames& n = names_of(k);
    bool match = text == n.id || text == n.name;
    for (const char* alias : n.aliases)
      match = match || (alias != nullptr && text == alias);
    if (match) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::string attention_kind_choices() {
  const AttentionKind last = kAttentionKinds[std::size(kAttentionKinds) - 1];
  std::string out;
  for (AttentionKind kind : kAttentionKinds) {
    if (!out.empty()) out += kind == last ? " or " : ", ";
    out += names_of(kind).name;
  }
  return out;
}

int Trace::num_heads() const {
  return encoder_self.empty() ? 0 : static_cast<int>(encoder_self.front().heads.size());
}

const std::vector<AttentionRecord>& Trace::records(AttentionKind kind) const {
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return encoder_self;
    case AttentionKind::kDecoderSelf:
      return decoder_self;
    case AttentionKind::kCross:
      break;
  }
  return cross;
}

const AttentionRecord& Trace::record(AttentionKind kind, int layer) const {
  const std::vector<AttentionRecord>& all = records(kind);
  if (layer < 0 || layer >= static_cast<int>(all.size())) {
    throw InputError(std::string(to_string(kind)) + ": layer " + std::to_string(layer) +
                     " out of range [0, " + std::to_string(all.size()) + ")");
  }
  return all[layer];
}

const Matrix& Trace::attention(AttentionKind kind, int layer, int head) const {
  const AttentionRecord& r = record(kind, layer);
  if (head < 0 || head >= static_cast<int>(r.heads.size())) {
    throw InputError(std::string(to_string(kind)) + ": head " + std::to_string(head) +
                     " out of range [0, " + std::to_string(r.heads.size()) + ")");
  }
  return r.heads[head];
}

const std::vector<std::string>& Trace::query_tokens(AttentionKind kind) const {
  return kind == AttentionKind::kEncoderSelf ? src_tokens : tgt_tokens;
}

const std::vector<std::string>& Trace::key_tokens(AttentionKind kind) const {
  return kind == AttentionKind::kCross || kind == AttentionKind::kEncoderSelf ? src_tokens
                                                                              : tgt_tokens;
}

namespace {

// The heads to combine, at least one.
const std::vector<Matrix>& heads_of(const Trace& trace, AttentionKind kind, int layer) {
  const AttentionRecord& record = trace.record(kind, layer);
  if (record.heads.empty()) {
    throw InputError(std::string(to_string(kind)) + ": layer " + std::to_string(layer) +
                     " has no heads");
  }
  return record.heads;
}

}  // namespace

// The three functions below combine the heads in the same order with the same operations, so
// that a cell, a row and the whole matrix agree bit for bit.
Matrix aggregate_heads(const Trace& trace, AttentionKind kind, int layer, HeadMode mode, int head) {
  if (mode == HeadMode::kSingle) return trace.attention(kind, layer, head);
  const std::vector<Matrix>& heads = heads_of(trace, kind, layer);
  Matrix combined = heads[0];
  for (size_t h = 1; h < heads.size(); ++h) {
    if (mode == HeadMode::kMax) {
      combined = combined.cwiseMax(heads[h]);
    } else {
      combined += heads[h];
    }
  }
  if (mode == HeadMode::kMean) combined /= static_cast<float>(heads.size());
  return combined;
}

RowVector aggregate_heads_row(const Trace& trace, AttentionKind kind, int layer, HeadMode mode,
                              int head, int row) {
  if (mode == HeadMode::kSingle) return trace.attention(kind, layer, head).row(row);
  const std::vector<Matrix>& heads = heads_of(trace, kind, layer);
  RowVector combined = heads[0].row(row);
  for (size_t h = 1; h < heads.size(); ++h) {
    if (mode == HeadMode::kMax) {
      combined = combined.cwiseMax(heads[h].row(row));
    } else {
      combined += heads[h].row(row);
    }
  }
  if (mode == HeadMode::kMean) combined /= static_cast<float>(heads.size());
  return combined;
}

float aggregate_heads_at(const Trace& trace, AttentionKind kind, int layer, HeadMode mode, int head,
                         int row, int col) {
  if (mode == HeadMode::kSingle) return trace.attention(kind, layer, head)(row, col);
  const std::vector<Matrix>& heads = heads_of(trace, kind, layer);
  float combined = heads[0](row, col);
  for (size_t h = 1; h < heads.size(); ++h) {
    if (mode == HeadMode::kMax) {
      combined = std::max(combined, heads[h](row, col));
    } else {
      combined += heads[h](row, col);
    }
  }
  if (mode == HeadMode::kMean) combined /= static_cast<float>(heads.size());
  return combined;
}

}  // namespace attnscope
