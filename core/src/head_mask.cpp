// Heads switched off (see head_mask.h).
#include "attnscope/head_mask.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <tuple>

#include "attnscope/error.h"

namespace attnscope {

bool operator==(const HeadRef& a, const HeadRef& b) {
  return a.kind == b.kind && a.layer == b.layer && a.head == b.head;
}

bool operator<(const HeadRef& a, const HeadRef& b) {
  return std::make_tuple(static_cast<int>(a.kind), a.layer, a.head) <
         std::make_tuple(static_cast<int>(b.kind), b.layer, b.head);
}

bool HeadMask::masked(AttentionKind kind, int layer, int head) const {
  return std::binary_search(heads_.begin(), heads_.end(), HeadRef{kind, layer, head});
}

void HeadMask::set(const HeadRef& head, bool masked) {
  const auto at = std::lower_bound(heads_.begin(), heads_.end(), head);
  const bool present = at != heads_.end() && *at == head;
  if (masked && !present) heads_.insert(at, head);
  if (!masked && present) heads_.erase(at);
}

void HeadMask::check(const Config& config) const {
  for (const HeadRef& h : heads_) {
    const int layers = h.kind == AttentionKind::kEncoderSelf ? config.num_encoder_layers
                                                             : config.num_decoder_layers;
    const std::string name = names_of(h.kind).name;
    if (h.layer < 0 || h.layer >= layers) {
      throw InputError("head mask " + name + ":" + std::to_string(h.layer) + ":" +
                       std::to_string(h.head) + ": layer out of range [0, " +
                       std::to_string(layers) + ")");
    }
    if (h.head < 0 || h.head >= config.nhead) {
      throw InputError("head mask " + name + ":" + std::to_string(h.layer) + ":" +
                       std::to_string(h.head) + ": head out of range [0, " +
                       std::to_string(config.nhead) + ")");
    }
  }
}

HeadMask parse_head_mask(const std::string& text) {
  HeadMask mask;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    const size_t first = item.find(':');
    const size_t second = first == std::string::npos ? first : item.find(':', first + 1);
    HeadRef head;
    const auto number = [](const std::string& s, int* out) {
      char* end = nullptr;
      const long value = std::strtol(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || value < 0 || value > 1 << 20) return false;
      *out = static_cast<int>(value);
      return true;
    };
    if (second == std::string::npos || !parse_attention_kind(item.substr(0, first), &head.kind) ||
        !number(item.substr(first + 1, second - first - 1), &head.layer) ||
        !number(item.substr(second + 1), &head.head)) {
      throw InputError("head mask item '" + item + "': expected kind:layer:head with kind " +
                       attention_kind_choices() + " (e.g. encoder:0:1,cross:1:0)");
    }
    mask.set(head, true);
  }
  return mask;
}

std::string to_string(const HeadMask& mask) {
  std::string out;
  for (const HeadRef& h : mask.heads()) {
    out += (out.empty() ? "" : ",") + std::string(names_of(h.kind).name) + ":" +
           std::to_string(h.layer) + ":" + std::to_string(h.head);
  }
  return out;
}

}  // namespace attnscope
