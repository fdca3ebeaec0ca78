// Accessors of the Trace, with range checks whose messages a user can act on.
#include "attnscope/trace.h"

#include "attnscope/error.h"

namespace attnscope {

const char* to_string(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return "encoder.self";
    case AttentionKind::kDecoderSelf:
      return "decoder.self";
    case AttentionKind::kCross:
      return "decoder.cross";
  }
  return "?";
}

bool parse_attention_kind(const std::string& text, AttentionKind* kind) {
  if (text == "encoder" || text == "enc" || text == "encoder-self" || text == "encoder.self") {
    *kind = AttentionKind::kEncoderSelf;
  } else if (text == "decoder" || text == "dec" || text == "decoder-self" ||
             text == "decoder.self") {
    *kind = AttentionKind::kDecoderSelf;
  } else if (text == "cross" || text == "decoder.cross" || text == "encoder-decoder") {
    *kind = AttentionKind::kCross;
  } else {
    return false;
  }
  return true;
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

}  // namespace attnscope
