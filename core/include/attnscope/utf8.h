// Cutting UTF-8 text short without splitting a character.
#pragma once

#include <cstddef>
#include <string_view>

namespace attnscope {

// Where to cut `text` to keep at most `limit` bytes of it: the largest position not beyond
// min(limit, text.size()) that does not fall on a continuation byte (10xxxxxx), so the part
// before it never ends inside a character. text.size() when the text is no longer than
// `limit`; 0 when nothing before `limit` is a character boundary.
size_t utf8_cut(std::string_view text, size_t limit);

}  // namespace attnscope
