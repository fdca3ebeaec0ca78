// Tests of the word-level tokenizer, the vocabulary files and the UTF-8 helpers: the
// splitting rules of tokenizer.h one by one, invalid input, and invariants on random bytes.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/tokenizer.h"

using attnscope::CheckpointError;
using attnscope::InputError;
using attnscope::Tokenized;
using attnscope::Tokenizer;
using attnscope::Vocab;

namespace {

// Tokens joined by '|', so a failing CHECK prints both sides readably.
std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i)
    out += (i ? "|" : "") + tokens[i];
  return out;
}

std::string split(const std::string& text, bool lowercase = true) {
  return joined(Tokenizer::split(text, lowercase));
}

const std::string kFffd = "\xEF\xBF\xBD";

std::string scratch_dir() {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/tokenizer";
  std::filesystem::create_directories(dir);
  return dir;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The message of the CheckpointError that loading `bytes` as a vocabulary throws.
std::string load_error(const std::string& name, const std::string& bytes) {
  const std::string path = scratch_dir() + "/" + name;
  write_file(path, bytes);
  try {
    Vocab::load(path);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

Vocab small_vocab() {
  return Vocab({"<pad>", "<unk>", "<bos>", "<eos>", "le", "chat", "noir", ".", "mange"});
}

}  // namespace

TEST_CASE("punctuation is split off words") {
  CHECK(split("hello, how are you?") == "hello|,|how|are|you|?");
  CHECK(split("(a) [b] {c}") == "(|a|)|[|b|]|{|c|}");
  CHECK(split("«Bonjour», dit-il… ¿Qué? ¡Sí!") == "«|bonjour|»|,|dit-il|…|¿|qué|?|¡|sí|!");
  CHECK(split("“quoted” — dash – en") == "“|quoted|”|—|dash|–|en");
  CHECK(split("50% of $5 = 2.5€") == "50|%|of|$|5|=|2.5|€");
  CHECK(split("wait...") == "wait|.|.|.");
  CHECK(split("a/b") == "a|/|b");
}

TEST_CASE("lowercasing") {
  CHECK(split("ÉCOLE") == "école");
  CHECK(split("ÉCOLE", false) == "ÉCOLE");
  CHECK(split("Hello WORLD", false) == "Hello|WORLD");
  CHECK(split("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ") == "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ");
  CHECK(split("ß×÷") == "ß|×|÷");  // × and ÷ are symbols, ß has no one-letter capital
  // Latin Extended-A: every capital, in order, including Ÿ whose small letter is Latin-1.
  CHECK(split("ĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ") ==
        "āăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżž");
  CHECK(split("İSTANBUL") == "istanbul");
  CHECK(split("ıĸŉſ") == "ıĸŉſ");  // already small letters, left alone
  // Small letters map to themselves, so lowercasing twice changes nothing.
  CHECK(split("āăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżž") ==
        "āăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżž");
  CHECK(split("ΑΘΉΝΑ ΆΈΊΌΎΏ ΣΟΦΟΣ") == "αθήνα|άέίόύώ|σοφοσ");
  CHECK(split("МОСКВА ЁЖ ЇЖАК") == "москва|ёж|їжак");
  CHECK(split("ԱՐԱՐԱՏ") == "ԱՐԱՐԱՏ");  // Armenian is outside the mapped scripts
}

TEST_CASE("apostrophes, hyphens and numbers inside words") {
  CHECK(split("l'homme") == "l'homme");
  CHECK(split("l’homme") == "l’homme");
  CHECK(split("don't aujourd'hui rock'n'roll") == "don't|aujourd'hui|rock'n'roll");
  CHECK(split("well-known") == "well-known");
  CHECK(split("3.5 1,000 1,000,000.25") == "3.5|1,000|1,000,000.25");
  // Not between two letters (or two digits): split.
  CHECK(split("'hello'") == "'|hello|'");
  CHECK(split("rock' n") == "rock|'|n");
  CHECK(split("a - b") == "a|-|b");
  CHECK(split("-well") == "-|well");
  CHECK(split("well-") == "well|-");
  CHECK(split("a--b") == "a|-|-|b");
  CHECK(split("x-1 1990's") == "x|-|1|1990|'|s");
  CHECK(split("3.") == "3|.");
  CHECK(split("1.a U.S.") == "1|.|a|u|.|s|.");
  CHECK(split("3 .5") == "3|.|5");
  CHECK(split("end.Next") == "end|.|next");
}

TEST_CASE("CJK ideographs and kana are one token each") {
  CHECK(split("我爱你") == "我|爱|你");
  CHECK(split("I love 東京!") == "i|love|東|京|!");
  CHECK(split("I love 東京!", false) == "I|love|東|京|!");
  CHECK(split("こんにちは。") == "こ|ん|に|ち|は|。");
  CHECK(split("カタカナ、ok") == "カ|タ|カ|ナ|、|ok");
  CHECK(split("你好！吗？") == "你|好|！|吗|？");
  CHECK(split("𠀀𠀁") == "𠀀|𠀁");                       // CJK Extension B, four bytes each
  CHECK(split("안녕하세요 세계") == "안녕하세요|세계");  // Hangul forms words
  CHECK(split("a\u3000b") == "a|b");                     // ideographic space separates
}

TEST_CASE("emoji and symbols are one token each") {
  CHECK(split("ok👍") == "ok|👍");
  CHECK(split("😀😀 fun") == "😀|😀|fun");
  CHECK(split("I ❤️ you") == "i|❤|you");  // the variation selector after ❤ is dropped
  CHECK(split("☀x") == "☀|x");
  CHECK(split("→ ∑ ©") == "→|∑|©");
}

TEST_CASE("invisible formatting characters") {
  CHECK(split("hyphen\u00ADation") == "hyphenation");  // soft hyphen removed
  CHECK(split("\uFEFFhello") == "hello");              // byte order mark removed
  CHECK(split("a\u200Bb") == "a|b");                   // zero width space separates
  CHECK(split("\u200Da") == "a");                      // joiner outside a word dropped
  CHECK(split("a\u200Db") == "a\u200Db");              // and kept inside one
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per maximal invalid subpart") {
  const Vocab vocab = small_vocab();
  const Tokenizer tokenizer(vocab, 1, true);
  struct Case {
    std::string input, tokens;
    int invalid_bytes;
  };
  const Case cases[] = {
      {"a\x80"
       "b",
       "a|" + kFffd + "|b", 1},          // lone continuation byte
      {"ab\xE2\x82", "ab|" + kFffd, 2},  // truncated 3-byte at the end
      {"\xE2\x82"
       "ab",
       kFffd + "|ab", 2},                                      // truncated before ASCII
      {"\xC0\xAF", kFffd + "|" + kFffd, 2},                    // overlong '/'
      {"\xE0\x80\xAF", kFffd + "|" + kFffd + "|" + kFffd, 3},  // overlong, 3 bytes
      {"\xED\xA0\x80", kFffd + "|" + kFffd + "|" + kFffd, 3},  // surrogate U+D800
      {"x\xFFy", "x|" + kFffd + "|y", 1},
      {"\xF4\x90\x80\x80", kFffd + "|" + kFffd + "|" + kFffd + "|" + kFffd, 4},  // > U+10FFFF
      {"\xF0\x9F\x98", kFffd, 3},                                                // truncated emoji
  };
  for (const Case& c : cases) {
    CAPTURE(c.tokens);
    const Tokenized t = tokenizer.encode(c.input);
    CHECK(joined(t.tokens) == c.tokens);
    CHECK(t.invalid_bytes == c.invalid_bytes);
  }
  CHECK(tokenizer.encode("le chat").invalid_bytes == 0);
}

TEST_CASE("sanitize_utf8 and is_valid_utf8") {
  using attnscope::is_valid_utf8;
  using attnscope::sanitize_utf8;
  // The example of the Unicode Standard, chapter 3, "U+FFFD Substitution of Maximal
  // Subparts": 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
  int invalid = -1;
  CHECK(sanitize_utf8("a\xF1\x80\x80\xE1\x80\xC2"
                      "b\x80"
                      "c\x80\xBF"
                      "d",
                      &invalid) ==
        "a" + kFffd + kFffd + kFffd + "b" + kFffd + "c" + kFffd + kFffd + "d");
  CHECK(invalid == 9);
  CHECK(sanitize_utf8("déjà vu", &invalid) == "déjà vu");
  CHECK(invalid == 0);
  CHECK(sanitize_utf8("") == "");

  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8(std::string("a\0b", 3)));
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  CHECK(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("é東😀"));
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("abc\xE2\x82"));
  CHECK_FALSE(is_valid_utf8("\xFF"));
}

TEST_CASE("NUL bytes and control characters separate words") {
  CHECK(split(std::string("a\0b", 3)) == "a|b");
  CHECK(split(std::string("\0\0\0", 3)) == "");
  CHECK(split("a\x01\x1B[0mb") == "a|[|0mb");
}

TEST_CASE("whitespace only gives no tokens") {
  CHECK(Tokenizer::split("", true).empty());
  CHECK(Tokenizer::split(" \t\r\n\v\f", true).empty());
  CHECK(Tokenizer::split("\u00A0\u2003\u3000\u2028\u202F\xC2\x85", true).empty());
  CHECK(split("  a \t\n b\u00A0c  ") == "a|b|c");
}

TEST_CASE("encode looks words up and reports the unknown ones") {
  const Vocab vocab = small_vocab();
  const Tokenizer tokenizer(vocab, 1, true);
  const Tokenized t = tokenizer.encode("Le chien noir mange des croquettes.");
  CHECK(joined(t.tokens) == "le|chien|noir|mange|des|croquettes|.");
  CHECK(t.ids == std::vector<int>{4, 1, 6, 8, 1, 1, 7});
  CHECK(t.unknown == std::vector<int>{1, 4, 5});
  CHECK(t.invalid_bytes == 0);

  const Tokenized empty = tokenizer.encode("   ");
  CHECK(empty.tokens.empty());
  CHECK(empty.ids.empty());
  CHECK(empty.unknown.empty());

  // Without lowercasing "Le" is not in the vocabulary.
  const Tokenizer cased(vocab, 1, false);
  CHECK(cased.encode("Le chat").unknown == std::vector<int>{0});

  CHECK_THROWS_AS(Tokenizer(vocab, 9, true), InputError);
  CHECK_THROWS_AS(Tokenizer(vocab, -1, true), InputError);
}

TEST_CASE("detokenize joins words for display") {
  auto detok = [](std::vector<std::string> tokens) { return Tokenizer::detokenize(tokens); };
  CHECK(detok({"le", "chat", "noir", "ne", "mange", "pas", "."}) == "le chat noir ne mange pas.");
  CHECK(detok({"(", "a", ")", "b"}) == "(a) b");
  CHECK(detok({"<bos>", "bonjour", "<pad>", "!", "<eos>", "<pad>"}) == "bonjour!");
  CHECK(detok({"<unk>", "chat"}) == "<unk> chat");
  CHECK(detok({"¿", "qué", "?", "¡", "sí", "!"}) == "¿qué? ¡sí!");
  CHECK(detok({"«", "oui", "»", ",", "dit", "-", "il"}) == "«oui», dit - il");
  CHECK(detok({"he", "said", "\"", "hi", "\"", "and", "\"", "bye", "\""}) ==
        "he said \"hi\" and \"bye\"");
  CHECK(detok({"“", "a", "”", "b", "50", "%", "wait", "…"}) == "“a” b 50% wait…");
  CHECK(detok({"我", "爱", "你", "。"}) == "我爱你。");
  CHECK(detok({"i", "love", "東", "京", "!"}) == "i love 東京!");
  CHECK(detok({"東", "京", "is", "big"}) == "東京 is big");
  CHECK(detok({}) == "");
  CHECK(detok({"<eos>"}) == "");
  CHECK(detok({"a", "", "b"}) == "a b");

  // Round trip: split, then detokenize, gives back text written the usual way.
  for (const char* text : {"le chat noir ne mange pas.", "(a) b", "hello, how are you?",
                           "l'homme est là: «bonjour»!", "我爱你。", "3.5% de 1,000"}) {
    CHECK(Tokenizer::detokenize(Tokenizer::split(text, false)) == text);
  }
}

TEST_CASE("decode maps ids back to text") {
  const Vocab vocab = small_vocab();
  const Tokenizer tokenizer(vocab, 1, true);
  CHECK(tokenizer.decode({2, 4, 5, 6, 7, 3, 0, 0}) == "le chat noir.");
  CHECK(tokenizer.decode({}) == "");
  CHECK_THROWS_AS(tokenizer.decode({4, 57}), InputError);
  CHECK_THROWS_AS(tokenizer.decode({-1}), InputError);
}

TEST_CASE("Vocab lookups") {
  const Vocab vocab = small_vocab();
  CHECK(vocab.size() == 9);
  CHECK(vocab.id("chat") == 5);
  CHECK(vocab.id("<pad>") == 0);
  CHECK(vocab.id("chien") == -1);
  CHECK(vocab.id("") == -1);
  CHECK(vocab.token(7) == ".");
  CHECK(Vocab().size() == 0);

  std::vector<std::string> forty;
  for (int i = 0; i < 40; ++i)
    forty.push_back("w" + std::to_string(i));
  const Vocab v40(forty);
  try {
    v40.token(57);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "token id 57 out of range [0, 40)");
  }
  CHECK_THROWS_AS(v40.token(40), InputError);
  CHECK_THROWS_AS(v40.token(-1), InputError);
}

TEST_CASE("Vocab constructor rejects tokens a file could not hold") {
  try {
    Vocab({"a", "chat", "b", "chat"});
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("'chat'") != std::string::npos);
    CHECK(what.find("1 and 3") != std::string::npos);
  }
  CHECK_THROWS_AS(Vocab({"a", ""}), InputError);
  CHECK_THROWS_AS(Vocab({"a\nb"}), InputError);
  CHECK_THROWS_AS(Vocab({"a\r"}), InputError);
  CHECK_THROWS_AS(Vocab({"\xFF"}), InputError);
}

TEST_CASE("Vocab save and load round trip") {
  const std::string path = scratch_dir() + "/round_trip.txt";
  std::filesystem::remove(path);
  const Vocab vocab({"<pad>", "<unk>", "école", "東", "😀", "l'homme", "a b", "\"", "#"});
  vocab.save(path);
  CHECK(attnscope::read_file(path) == "<pad>\n<unk>\nécole\n東\n😀\nl'homme\na b\n\"\n#\n");
  // No temporary file of the save is left beside it.
  const auto temporaries_of = [](const std::string& file) {
    int count = 0;
    const std::filesystem::path p(file);
    for (const auto& entry : std::filesystem::directory_iterator(p.parent_path())) {
      if (entry.path().filename().string().rfind(p.filename().string() + ".tmp", 0) == 0) ++count;
    }
    return count;
  };
  CHECK(temporaries_of(path) == 0);
  const Vocab loaded = Vocab::load(path);
  CHECK(loaded.tokens() == vocab.tokens());
  CHECK(loaded.id("école") == 2);

  // Saving again replaces the file whole.
  Vocab({"x"}).save(path);
  CHECK(attnscope::read_file(path) == "x\n");

  // A path that cannot be written names the path and leaves nothing behind.
  const std::string bad = scratch_dir() + "/no_such_dir/vocab.txt";
  try {
    vocab.save(bad);
    FAIL("expected an Error");
  } catch (const attnscope::Error& e) {
    CHECK(std::string(e.what()).find(bad) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(scratch_dir() + "/no_such_dir"));
}

TEST_CASE("Vocab files: line ends, byte order mark, final newline") {
  const std::string dir = scratch_dir();
  write_file(dir + "/crlf.txt", "<pad>\r\n<unk>\r\nchat\r\n");
  const Vocab crlf = Vocab::load(dir + "/crlf.txt");
  CHECK(crlf.tokens() == std::vector<std::string>{"<pad>", "<unk>", "chat"});

  write_file(dir + "/no_final_newline.txt", "a\nb");
  CHECK(Vocab::load(dir + "/no_final_newline.txt").tokens() == std::vector<std::string>{"a", "b"});

  write_file(dir + "/bom.txt", "\xEF\xBB\xBF<pad>\nchat\n");
  CHECK(Vocab::load(dir + "/bom.txt").id("<pad>") == 0);

  write_file(dir + "/one.txt", "seul");
  CHECK(Vocab::load(dir + "/one.txt").size() == 1);
}

TEST_CASE("Vocab::parse reads a file's contents as load does") {
  const std::string contents = "\xEF\xBB\xBF<pad>\r\n<unk>\r\nchat\nl'homme";
  const std::string path = scratch_dir() + "/parse.txt";
  write_file(path, contents);
  const Vocab parsed = Vocab::parse(contents, "in/memory.txt");
  CHECK(parsed.tokens() == Vocab::load(path).tokens());
  CHECK(parsed.tokens() == std::vector<std::string>{"<pad>", "<unk>", "chat", "l'homme"});
  CHECK(parsed.serialize() == "<pad>\n<unk>\nchat\nl'homme\n");
  try {
    Vocab::parse("a\n\nb\n", "in/memory.txt");
    FAIL("expected a CheckpointError");
  } catch (const CheckpointError& e) {
    CHECK(std::string(e.what()).find("in/memory.txt: line 2: empty token") != std::string::npos);
  }
}

// Found by tests/fuzz/fuzz_vocab: a file's leading byte order mark is dropped on reading, so
// a first token beginning with U+FEFF (here after the file's own mark) came back without it
// once saved.
TEST_CASE("a first token that begins with a byte order mark survives save and load") {
  const std::string input = attnscope::read_file(
      std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/fuzz/regressions/vocab/bom_first_token.txt");
  const Vocab vocab = Vocab::parse(input, "bom_first_token.txt");
  REQUIRE(vocab.size() == 2);
  CHECK(vocab.token(0) == "\xEF\xBB\xBF<pad>");
  CHECK(Vocab::parse(vocab.serialize(), "again.txt").tokens() == vocab.tokens());

  const std::string path = scratch_dir() + "/bom_first_token.txt";
  vocab.save(path);
  CHECK(Vocab::load(path).tokens() == vocab.tokens());
  // Only a first token needs the extra mark.
  CHECK(Vocab({"a", "\xEF\xBB\xBF"}).serialize() == "a\n\xEF\xBB\xBF\n");
}

TEST_CASE("Vocab file errors name the file and the line") {
  std::string lines;
  for (int i = 1; i <= 16; ++i)
    lines += i == 9 ? "chat\n" : "w" + std::to_string(i) + "\n";
  const std::string dup = load_error("src_vocab.txt", lines + "chat\nw18\n");
  CHECK(dup.find("src_vocab.txt") != std::string::npos);
  CHECK(dup.find("line 17: duplicate token 'chat' (also line 9)") != std::string::npos);

  const std::string empty_line = load_error("empty_line.txt", "a\nb\n\nc\n");
  CHECK(empty_line.find("empty_line.txt: line 3: empty token") != std::string::npos);
  const std::string empty_crlf = load_error("empty_crlf.txt", "a\r\n\r\nc\r\n");
  CHECK(empty_crlf.find("line 2: empty token") != std::string::npos);
  CHECK(load_error("trailing_blank.txt", "a\nb\n\n").find("line 3") != std::string::npos);

  const std::string empty = load_error("empty.txt", "");
  CHECK(empty.find("empty.txt") != std::string::npos);
  CHECK(empty.find("empty file") != std::string::npos);

  const std::string utf8 = load_error("bad_utf8.txt", "a\nb\nc\xFF\n");
  CHECK(utf8.find("bad_utf8.txt: line 3: invalid UTF-8") != std::string::npos);

  const std::string cr = load_error("cr.txt", "a\nb\rc\n");
  CHECK(cr.find("line 2") != std::string::npos);

  const std::string missing = scratch_dir() + "/does_not_exist.txt";
  try {
    Vocab::load(missing);
    FAIL("expected a CheckpointError");
  } catch (const CheckpointError& e) {
    CHECK(std::string(e.what()).find("cannot open '" + missing + "'") != std::string::npos);
  }
}

TEST_CASE("a megabyte of mixed text tokenizes") {
  // 15 tokens a piece: words, punctuation, numbers, CJK, emoji, invalid bytes.
  const std::string piece = "L'école, «très» well-known: 3.5 東京 😀 ok\xFF\tfin!\n";
  const std::vector<std::string> piece_tokens = Tokenizer::split(piece, true);
  REQUIRE(piece_tokens.size() == 15);
  std::string text;
  size_t copies = 0;
  while (text.size() < (1u << 20)) {
    text += piece;
    ++copies;
  }
  const Vocab vocab = small_vocab();
  const Tokenized t = Tokenizer(vocab, 1, true).encode(text);
  CHECK(t.tokens.size() == copies * piece_tokens.size());
  CHECK(t.ids.size() == t.tokens.size());
  CHECK(t.invalid_bytes == static_cast<int>(copies));
  CHECK(t.tokens[t.tokens.size() - 1] == "!");

  // One word of a megabyte, and a megabyte of punctuation, are linear too.
  CHECK(Tokenizer::split(std::string(1u << 20, 'a'), true).size() == 1);
  CHECK(Tokenizer::split(std::string(1u << 20, '.'), true).size() == (1u << 20));
}

TEST_CASE("invariants on random bytes") {
  std::mt19937 rng(12345);
  // Bytes drawn mostly from characters the rules treat specially, plus random ones.
  const std::vector<std::string> alphabet = {"a",
                                             "Z",
                                             "1",
                                             " ",
                                             "'",
                                             "’",
                                             "-",
                                             ".",
                                             ",",
                                             "!",
                                             "(",
                                             "\xC3\x89",
                                             "東",
                                             "😀",
                                             "\xE2\x80\x8D",
                                             "\xEF\xB8\x8F",
                                             "\xC2\xAD",
                                             std::string(1, '\0'),
                                             "\xFF",
                                             "\x80",
                                             "\xE2\x82",
                                             "\xF0"};
  for (int round = 0; round < 200; ++round) {
    std::string text;
    const int pieces = static_cast<int>(rng() % 200);
    for (int i = 0; i < pieces; ++i) {
      if (rng() % 3 == 0) {
        text.push_back(static_cast<char>(rng() & 0xFF));
      } else {
        text += alphabet[rng() % alphabet.size()];
      }
    }
    CAPTURE(round);
    const std::vector<std::string> tokens = Tokenizer::split(text, true);
    std::string spaced;
    for (const std::string& token : tokens) {
      CHECK_FALSE(token.empty());
      CHECK(attnscope::is_valid_utf8(token));
      spaced += token + " ";
    }
    // Tokens are stable: splitting them again, space-separated, gives them back.
    CHECK(Tokenizer::split(spaced, true) == tokens);
    CHECK(attnscope::is_valid_utf8(attnscope::sanitize_utf8(text)));
  }
}
