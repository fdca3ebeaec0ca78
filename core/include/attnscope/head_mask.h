// Heads switched off. A masked head's weights are still computed (and recorded), but its
// output is zeroed before the block's output projection W_o, as if the head were not there
// (Michel et al. 2019, "Are Sixteen Heads Really Better than One?"). A mask is a plain value
// handed to the forward pass; an empty one changes nothing, bit for bit.
#pragma once

#include <string>
#include <vector>

#include "attnscope/config.h"
#include "attnscope/trace.h"

namespace attnscope {

struct HeadRef {
  AttentionKind kind = AttentionKind::kCross;
  int layer = 0;
  int head = 0;
};
bool operator==(const HeadRef& a, const HeadRef& b);
bool operator<(const HeadRef& a, const HeadRef& b);

class HeadMask {
 public:
  bool empty() const { return heads_.empty(); }
  bool masked(AttentionKind kind, int layer, int head) const;
  // Masks (or unmasks) one head.
  void set(const HeadRef& head, bool masked);
  void clear() { heads_.clear(); }
  // The masked heads, sorted by kind, layer and head.
  const std::vector<HeadRef>& heads() const { return heads_; }

  // Throws InputError naming the valid range when a head is not one of `config`'s.
  void check(const Config& config) const;

  friend bool operator==(const HeadMask& a, const HeadMask& b) { return a.heads_ == b.heads_; }

 private:
  std::vector<HeadRef> heads_;
};

// "encoder:0:1,cross:1:0": kind:layer:head, comma-separated (kinds as parse_attention_kind
// reads them, also "decoder"); "" is the empty mask. Throws InputError naming the bad item.
HeadMask parse_head_mask(const std::string& text);
// The same form back ("encoder:0:1,cross:1:0", kinds by their command-line name).
std::string to_string(const HeadMask& mask);

}  // namespace attnscope
