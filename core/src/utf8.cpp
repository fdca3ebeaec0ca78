// Cutting UTF-8 text short (see utf8.h).
#include "attnscope/utf8.h"

namespace attnscope {

size_t utf8_cut(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return end;
}

}  // namespace attnscope
