// Word-level tokenizer, vocabulary files and the UTF-8 helpers they rest on. The splitting
// rules are documented in tokenizer.h; the character classes below implement them.
#include "attnscope/tokenizer.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>
#include <system_error>
#include <utility>

#include "attnscope/error.h"
#include "attnscope/io.h"

namespace attnscope {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at s[i]. On invalid input consumes the maximal subpart (the
// longest prefix of a well-formed sequence, at least one byte) and yields U+FFFD, which is
// the replacement policy Unicode recommends (chapter 3, "U+FFFD Substitution of Maximal
// Subparts") and what browsers do. Returns the number of bytes consumed, never 0.
size_t decode_one(const unsigned char* s, size_t n, size_t i, char32_t* cp, bool* valid) {
  const unsigned b0 = s[i];
  if (b0 < 0x80) {
    *cp = b0;
    *valid = true;
    return 1;
  }
  int need = 0;
  char32_t value = 0;
  // Range of the second byte; narrower than 80..BF for the leads that could otherwise
  // encode overlongs (E0, F0), surrogates (ED) or code points above U+10FFFF (F4).
  unsigned lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    *cp = kReplacement;
    *valid = false;
    return 1;
  }
  size_t len = 1;
  for (int k = 0; k < need; ++k) {
    if (i + len >= n || s[i + len] < lo || s[i + len] > hi) {
      *cp = kReplacement;
      *valid = false;
      return len;
    }
    value = (value << 6) | (s[i + len] & 0x3F);
    ++len;
    lo = 0x80;
    hi = 0xBF;
  }
  *cp = value;
  *valid = true;
  return len;
}

// Decodes the whole text, replacing invalid sequences; counts the replaced bytes.
std::vector<char32_t> decode_all(const std::string& bytes, size_t* invalid_bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  std::vector<char32_t> out;
  out.reserve(n);
  size_t invalid = 0;
  for (size_t i = 0; i < n;) {
    char32_t cp;
    bool valid;
    const size_t len = decode_one(s, n, i, &cp, &valid);
    if (!valid) invalid += len;
    out.push_back(cp);
    i += len;
  }
  if (invalid_bytes) *invalid_bytes = invalid;
  return out;
}

void append_utf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int clamp_to_int(size_t n) {
  return n > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
}

bool in_range(char32_t c, char32_t lo, char32_t hi) {
  return c >= lo && c <= hi;
}

enum class CharClass {
  kSpace,   // separates words, dropped
  kIgnore,  // invisible formatting, removed without splitting
  kJoiner,  // kept inside a word, dropped outside one
  kPunct,   // punctuation or symbol: a token of its own
  kCjk,     // ideograph or kana: a token of its own
  kWord,    // letters, digits, marks and everything else: part of a word
};

CharClass classify(char32_t c) {
  if (c < 0x80) {
    if (c <= 0x20 || c == 0x7F) return CharClass::kSpace;  // whitespace and controls
    if (in_range(c, '0', '9') || in_range(c, 'A', 'Z') || in_range(c, 'a', 'z'))
      return CharClass::kWord;
    return CharClass::kPunct;
  }
  if (c < 0x100) {
    if (c <= 0xA0) return CharClass::kSpace;  // C1 controls, U+0085, U+00A0
    if (c == 0xAD) return CharClass::kIgnore;
    // ª µ º are letters; ² ³ ¹ ¼ ½ ¾ are number forms that may end a word ("m²").
    if (in_range(c, 0xA1, 0xBF)) {
      const bool word = c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 || c == 0xB3 ||
                        c == 0xB9 || in_range(c, 0xBC, 0xBE);
      return word ? CharClass::kWord : CharClass::kPunct;
    }
    if (c == 0xD7 || c == 0xF7) return CharClass::kPunct;
    return CharClass::kWord;
  }
  if (c < 0x2000) {
    if (c == 0x1680) return CharClass::kSpace;
    // Sentence punctuation of Greek, Armenian, Arabic and Devanagari.
    if (c == 0x37E || c == 0x387 || c == 0x589 || c == 0x60C || c == 0x61B || c == 0x61F ||
        c == 0x66A || c == 0x6D4 || c == 0x964 || c == 0x965) {
      return CharClass::kPunct;
    }
    return CharClass::kWord;
  }
  if (c < 0x2070) {  // General Punctuation
    if (c <= 0x200B || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F) {
      return CharClass::kSpace;
    }
    if (c == 0x200C || c == 0x200D) return CharClass::kJoiner;
    if (in_range(c, 0x200E, 0x200F) || in_range(c, 0x202A, 0x202E) || in_range(c, 0x2060, 0x206F)) {
      return CharClass::kIgnore;
    }
    return CharClass::kPunct;
  }
  if (c < 0x3000) {
    if (in_range(c, 0x20A0, 0x20CF)) return CharClass::kPunct;  // currency
    if (c == 0x2122 || c == 0x2139) return CharClass::kPunct;   // ™ ℹ, common as emoji
    // Arrows, mathematical operators, technical, box drawing, shapes, miscellaneous
    // symbols and dingbats (emoji), supplemental arrows and operators.
    if (in_range(c, 0x2190, 0x23FF) || in_range(c, 0x2500, 0x2BFF)) return CharClass::kPunct;
    if (in_range(c, 0x2E00, 0x2E7F)) return CharClass::kPunct;  // supplemental punctuation
    return CharClass::kWord;
  }
  if (c < 0xA000) {
    if (c == 0x3000) return CharClass::kSpace;
    if (c < 0x3040) return CharClass::kPunct;  // CJK symbols and punctuation
    if (c < 0x3100 || in_range(c, 0x31F0, 0x31FF)) return CharClass::kCjk;  // kana
    if (in_range(c, 0x3400, 0x4DBF) || c >= 0x4E00) return CharClass::kCjk;
    return CharClass::kWord;
  }
  if (c < 0x10000) {
    if (in_range(c, 0xF900, 0xFAFF)) return CharClass::kCjk;
    if (in_range(c, 0xFE00, 0xFE0F)) return CharClass::kJoiner;  // variation selectors
    if (in_range(c, 0xFE10, 0xFE1F) || in_range(c, 0xFE30, 0xFE6F)) return CharClass::kPunct;
    if (c == 0xFEFF) return CharClass::kIgnore;
    if (in_range(c, 0xFF01, 0xFF0F) || in_range(c, 0xFF1A, 0xFF20) || in_range(c, 0xFF3B, 0xFF40) ||
        in_range(c, 0xFF5B, 0xFF65) || in_range(c, 0xFFE0, 0xFFEE)) {
      return CharClass::kPunct;  // fullwidth and halfwidth punctuation and signs
    }
    if (in_range(c, 0xFF66, 0xFF9F)) return CharClass::kCjk;  // halfwidth katakana
    if (c == kReplacement) return CharClass::kPunct;
    return CharClass::kWord;
  }
  if (in_range(c, 0x1F000, 0x1FAFF)) return CharClass::kPunct;  // emoji and pictographs
  if (in_range(c, 0x20000, 0x3FFFF)) return CharClass::kCjk;
  return CharClass::kWord;
}

bool is_digit(char32_t c) {
  return in_range(c, '0', '9') || in_range(c, 0x0660, 0x0669) || in_range(c, 0x06F0, 0x06F9) ||
         in_range(c, 0x0966, 0x096F) || in_range(c, 0xFF10, 0xFF19);
}

bool is_letter(char32_t c) {
  return classify(c) == CharClass::kWord && !is_digit(c);
}

bool is_apostrophe_or_hyphen(char32_t c) {
  return c == '\'' || c == 0x2019 || c == '-' || c == 0x2010 || c == 0x2011;
}

// Simple (one to one) lowercase mapping of the scripts the header lists.
char32_t to_lower(char32_t c) {
  if (c < 0x80) return in_range(c, 'A', 'Z') ? c + 32 : c;
  if (c < 0x100) return in_range(c, 0xC0, 0xDE) && c != 0xD7 ? c + 32 : c;
  if (c < 0x180) {
    // Latin Extended-A pairs capital and small letters, but the pairing flips parity
    // after the letters that have no partner (ı ĸ ŉ) and Ÿ belongs to Latin-1's ÿ.
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    if (in_range(c, 0x100, 0x12F) || in_range(c, 0x132, 0x137) || in_range(c, 0x14A, 0x177)) {
      return c % 2 == 0 ? c + 1 : c;
    }
    if (in_range(c, 0x139, 0x148) || in_range(c, 0x179, 0x17E)) return c % 2 == 1 ? c + 1 : c;
    return c;
  }
  if (c < 0x370) return c;
  if (c < 0x400) {
    if (in_range(c, 0x391, 0x3AB) && c != 0x3A2) return c + 32;  // Α-Ϋ
    if (c == 0x386) return 0x3AC;                                // Ά
    if (in_range(c, 0x388, 0x38A)) return c + 37;                // Έ Ή Ί
    if (c == 0x38C) return 0x3CC;                                // Ό
    if (c == 0x38E || c == 0x38F) return c + 63;                 // Ύ Ώ
    return c;
  }
  if (in_range(c, 0x400, 0x40F)) return c + 80;  // Ѐ-Џ
  if (in_range(c, 0x410, 0x42F)) return c + 32;  // А-Я
  return c;
}

std::vector<std::string> split_text(const std::string& text, bool lowercase,
                                    size_t* invalid_bytes) {
  const std::vector<char32_t> cps = decode_all(text, invalid_bytes);
  const size_t n = cps.size();
  std::vector<std::string> tokens;
  std::string word;
  char32_t last = 0;  // last character appended to word, valid when word is not empty
  auto flush = [&] {
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
  };
  auto append = [&](char32_t c) {
    append_utf8(lowercase ? to_lower(c) : c, &word);
    last = c;
  };
  for (size_t i = 0; i < n; ++i) {
    const char32_t c = cps[i];
    switch (classify(c)) {
      case CharClass::kSpace:
        flush();
        break;
      case CharClass::kIgnore:
        break;
      case CharClass::kJoiner:
        if (!word.empty()) append(c);
        break;
      case CharClass::kWord:
        append(c);
        break;
      case CharClass::kPunct: {
        const char32_t next = i + 1 < n ? cps[i + 1] : 0;
        const bool inside_word =
            !word.empty() && ((is_apostrophe_or_hyphen(c) && is_letter(last) && is_letter(next)) ||
                              ((c == '.' || c == ',') && is_digit(last) && is_digit(next)));
        if (inside_word) {
          append(c);
          break;
        }
        flush();
        append(c);
        flush();
        break;
      }
      case CharClass::kCjk:
        flush();
        append(c);
        flush();
        break;
    }
  }
  flush();
  return tokens;
}

// First and last code point of a token, for the joining rules of detokenize.
char32_t first_code_point(const std::string& s) {
  if (s.empty()) return 0;
  char32_t cp;
  bool valid;
  decode_one(reinterpret_cast<const unsigned char*>(s.data()), s.size(), 0, &cp, &valid);
  return cp;
}

char32_t last_code_point(const std::string& s) {
  size_t i = s.size();
  // Step back over at most three continuation bytes to the start of the last character.
  auto continuation = [&s](size_t k) { return (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80; };
  while (i > 0 && s.size() - i < 3 && continuation(i - 1)) {
    --i;
  }
  if (i > 0) --i;
  return first_code_point(s.substr(i));
}

bool is_cjk_char(char32_t c) {
  return classify(c) == CharClass::kCjk || in_range(c, 0x3000, 0x303F) ||
         in_range(c, 0xFE10, 0xFE1F) || in_range(c, 0xFE30, 0xFE4F) || in_range(c, 0xFF01, 0xFF65);
}

bool is_one_of(const std::string& token, std::initializer_list<const char*> set) {
  for (const char* s : set) {
    if (token == s) return true;
  }
  return false;
}

bool is_closing(const std::string& t) {
  return is_one_of(t, {",",  ".",  "!",  "?",  ";",  ":",  ")",  "]",  "}",  "…",  "%",
                       "»",  "›",  "”",  "’",  "。", "、", "，", "．", "！", "？", "；",
                       "：", "）", "］", "｝", "」", "』", "】", "〕", "〉", "》", "％"});
}

bool is_opening(const std::string& t) {
  return is_one_of(t, {"(", "[",  "{",  "¿",  "¡",  "«",  "‹",  "“",  "‘",  "„",
                       "‚", "（", "［", "｛", "「", "『", "【", "〔", "〈", "《"});
}

}  // namespace

std::string sanitize_utf8(const std::string& bytes, int* invalid_bytes) {
  if (is_valid_utf8(bytes)) {
    if (invalid_bytes) *invalid_bytes = 0;
    return bytes;
  }
  size_t invalid = 0;
  std::string out;
  out.reserve(bytes.size() + 16);
  for (char32_t cp : decode_all(bytes, &invalid))
    append_utf8(cp, &out);
  if (invalid_bytes) *invalid_bytes = clamp_to_int(invalid);
  return out;
}

bool is_valid_utf8(const std::string& bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {  // ASCII fast path
      ++i;
      continue;
    }
    char32_t cp;
    bool valid;
    i += decode_one(s, n, i, &cp, &valid);
    if (!valid) return false;
  }
  return true;
}

// ---- Vocab ----

Vocab::Vocab(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  if (tokens_.size() > static_cast<size_t>(INT_MAX)) {
    throw InputError("vocabulary of " + std::to_string(tokens_.size()) +
                     " tokens, expected at most " + std::to_string(INT_MAX));
  }
  ids_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& t = tokens_[i];
    const std::string at = " at id " + std::to_string(i);
    if (t.empty()) throw InputError("empty token" + at);
    if (t.find_first_of("\r\n") != std::string::npos) {
      throw InputError("token '" + t + "'" + at + " contains a line break");
    }
    if (!is_valid_utf8(t)) {
      throw InputError("token '" + sanitize_utf8(t) + "'" + at + " is not valid UTF-8");
    }
    auto [it, inserted] = ids_.emplace(t, static_cast<int>(i));
    if (!inserted) {
      throw InputError("duplicate token '" + t + "' at ids " + std::to_string(it->second) +
                       " and " + std::to_string(i));
    }
  }
}

Vocab Vocab::load(const std::string& path) {
  std::string data;
  try {
    data = read_file(path);
  } catch (const Error& e) {
    throw CheckpointError(e.what());
  }
  return parse(data, path);
}

Vocab Vocab::parse(const std::string& contents, const std::string& path) {
  std::vector<std::string> lines = split_lines(contents);
  if (lines.empty()) throw CheckpointError(path + ": empty file, expected one token a line");

  Vocab vocab;
  std::unordered_map<std::string, int>& ids = vocab.ids_;
  int line = 0;
  for (std::string& token : lines) {
    ++line;
    const std::string where = path + ": line " + std::to_string(line) + ": ";
    if (token.empty()) throw CheckpointError(where + "empty token");
    if (token.find('\r') != std::string::npos) {
      throw CheckpointError(where + "carriage return inside the token");
    }
    if (!is_valid_utf8(token)) {
      throw CheckpointError(where + "invalid UTF-8 in '" + sanitize_utf8(token) + "'");
    }
    if (line == INT_MAX) throw CheckpointError(where + "too many tokens");
    auto [it, inserted] = ids.emplace(token, line - 1);
    if (!inserted) {
      throw CheckpointError(where + "duplicate token '" + token + "' (also line " +
                            std::to_string(it->second + 1) + ")");
    }
    vocab.tokens_.push_back(std::move(token));
  }
  return vocab;
}

void Vocab::save(const std::string& path) const {
  write_file_atomic(path, serialize());
}

std::string Vocab::serialize() const {
  std::string text;
  // A reader drops a byte order mark at the start of the file, so a first token that begins
  // with U+FEFF would lose it: a byte order mark in front keeps it.
  if (!tokens_.empty() && tokens_[0].compare(0, 3, "\xEF\xBB\xBF") == 0) text = "\xEF\xBB\xBF";
  for (const std::string& t : tokens_)
    text += t + '\n';
  return text;
}

int Vocab::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? -1 : it->second;
}

const std::string& Vocab::token(int id) const {
  if (id < 0 || id >= size()) {
    throw InputError("token id " + std::to_string(id) + " out of range [0, " +
                     std::to_string(size()) + ")");
  }
  return tokens_[static_cast<size_t>(id)];
}

// ---- Tokenizer ----

Tokenizer::Tokenizer(const Vocab& vocab, int unk_id, bool lowercase)
    : vocab_(&vocab), unk_id_(unk_id), lowercase_(lowercase) {
  if (unk_id < 0 || unk_id >= vocab.size()) {
    throw InputError("unknown-word id " + std::to_string(unk_id) + " out of range [0, " +
                     std::to_string(vocab.size()) + ") of the vocabulary");
  }
}

std::vector<std::string> Tokenizer::split(const std::string& text, bool lowercase) {
  return split_text(text, lowercase, nullptr);
}

Tokenized Tokenizer::encode(const std::string& text) const {
  Tokenized out;
  size_t invalid = 0;
  out.tokens = split_text(text, lowercase_, &invalid);
  out.invalid_bytes = clamp_to_int(invalid);
  out.ids.reserve(out.tokens.size());
  for (size_t i = 0; i < out.tokens.size(); ++i) {
    const int id = vocab_->id(out.tokens[i]);
    if (id < 0) out.unknown.push_back(static_cast<int>(i));
    out.ids.push_back(id < 0 ? unk_id_ : id);
  }
  return out;
}

std::string Tokenizer::detokenize(const std::vector<std::string>& tokens) {
  std::string out;
  const std::string* prev = nullptr;              // the last token written
  bool prev_opens = false;                        // no space after prev
  bool double_open = false, single_open = false;  // an unmatched straight quote is open
  for (const std::string& t : tokens) {
    if (t.empty() || t == "<pad>" || t == "<bos>" || t == "<eos>") continue;
    bool closes = is_closing(t);
    bool opens = is_opening(t);
    // Straight quotes look the same on both sides: alternate opening and closing.
    bool* quote_open = t == "\"" ? &double_open : t == "'" ? &single_open : nullptr;
    if (quote_open) {
      opens = !*quote_open;
      closes = *quote_open;
      *quote_open = !*quote_open;
    }
    if (prev) {
      const bool both_cjk = is_cjk_char(last_code_point(*prev)) && is_cjk_char(first_code_point(t));
      if (!prev_opens && !closes && !both_cjk) out.push_back(' ');
    }
    out += t;
    prev = &t;
    prev_opens = opens;
  }
  return out;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int id : ids)
    tokens.push_back(vocab_->token(id));
  return detokenize(tokens);
}

}  // namespace attnscope
