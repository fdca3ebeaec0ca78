// Cutting UTF-8 text short: never inside a character, never shorter than it must be.
#include <doctest/doctest.h>

#include <string>

#include "attnscope/tokenizer.h"
#include "attnscope/utf8.h"

using namespace attnscope;

TEST_CASE("utf8_cut keeps text that fits and cuts before a split character") {
  CHECK(utf8_cut("hello", 3) == 3);
  CHECK(utf8_cut("hello", 5) == 5);
  CHECK(utf8_cut("hello", 99) == 5);
  CHECK(utf8_cut("hello", 0) == 0);
  CHECK(utf8_cut("", 4) == 0);
  const std::string e_acute = "a\xC3\xA9z";  // a é z: é is two bytes
  CHECK(utf8_cut(e_acute, 1) == 1);
  CHECK(utf8_cut(e_acute, 2) == 1);  // would end between \xC3 and \xA9
  CHECK(utf8_cut(e_acute, 3) == 3);
  const std::string emoji = "x\xF0\x9F\x98\x80y";  // x 😀 y: the emoji is four bytes
  for (size_t limit = 1; limit <= 4; ++limit) {
    CAPTURE(limit);
    CHECK(utf8_cut(emoji, limit) == 1);
  }
  CHECK(utf8_cut(emoji, 5) == 5);
  CHECK(utf8_cut("\xF0\x9F\x98\x80", 3) == 0);  // no boundary before the limit but 0
  CHECK(utf8_cut("\x80\x80\x80\x80", 2) == 0);  // continuation bytes only
}

TEST_CASE("utf8_cut gives the longest valid prefix within the limit") {
  const std::string text =
      "le \xC2\xAB chat \xC2\xBB \xE7\x8C\xAB \xF0\x9F\x90\x88 \xD0\xBA\xD0\xBE\xD1\x82";
  REQUIRE(is_valid_utf8(text));
  for (size_t limit = 0; limit <= text.size() + 1; ++limit) {
    CAPTURE(limit);
    const size_t cut = utf8_cut(text, limit);
    CHECK(cut <= limit);
    CHECK(is_valid_utf8(text.substr(0, cut)));
    // Every longer prefix within the limit ends inside a character.
    for (size_t longer = cut + 1; longer <= limit && longer <= text.size(); ++longer)
      CHECK_FALSE(is_valid_utf8(text.substr(0, longer)));
  }
}
