// Word-level tokenizer and vocabulary: turns what a user types into the ids a model reads,
// and the ids a model writes back into text to read. Any byte sequence is accepted
// (invalid UTF-8 becomes U+FFFD), and the work is linear in the input.
//
// How text is split into tokens (Tokenizer::split):
// - The text is first sanitized: invalid UTF-8 becomes U+FFFD (see sanitize_utf8).
// - Unicode whitespace separates words and is dropped: ASCII space, tab and line breaks,
//   U+0085, U+00A0, U+1680, U+2000-U+200B, U+2028, U+2029, U+202F, U+205F, U+3000.
//   Control characters (U+0000-U+001F, U+007F-U+009F, including NUL) separate words too.
// - Each punctuation or symbol character is a token of its own: ASCII punctuation, Latin-1
//   punctuation and signs (« » ¿ ¡ · © ° × ÷ ...), General Punctuation U+2010-U+205E
//   apart from the spaces and marks listed here (“ ” ‘ ’ … – —), currency signs, arrows,
//   mathematical and technical symbols, box drawing and geometric shapes, CJK punctuation
//   U+3001-U+303F, CJK compatibility and fullwidth punctuation (！ ？ ，), emoji and
//   pictographs (U+2600-U+27BF, U+1F000-U+1FAFF), the sentence punctuation of Greek,
//   Armenian, Arabic and Devanagari (; · ։ ، ؛ ؟ ٪ ۔ । ॥), and U+FFFD.
// - Exceptions that stay inside a word: an apostrophe (' or ’) or a hyphen (- ‐ ‑) between
//   two letters ("l'homme", "don't", "well-known"), and '.' or ',' between two digits
//   ("3.5", "1,000"). A letter here is any character that is not whitespace, control,
//   punctuation, symbol, CJK or a digit.
// - Each CJK ideograph (U+3400-U+4DBF, U+4E00-U+9FFF, U+F900-U+FAFF, U+20000-U+3FFFF),
//   Hiragana or Katakana character (U+3040-U+30FF, U+31F0-U+31FF, halfwidth U+FF66-U+FF9F)
//   is a token of its own. Hangul and all other scripts form words like Latin.
// - Invisible formatting that would only make a word unknown is removed without splitting:
//   soft hyphen U+00AD, U+200E/U+200F, bidi controls U+202A-U+202E and U+2066-U+2069,
//   word joiner U+2060, U+FEFF. Joiners and variation selectors (U+200C, U+200D,
//   U+FE00-U+FE0F) stay inside a word and are dropped elsewhere (e.g. after an emoji).
// - Lowercasing, when enabled, maps one character to one character (simple case mapping):
//   ASCII, Latin-1 (À-Þ except ×), Latin Extended-A (İ -> i, Ÿ -> ÿ; ı ĸ ŉ ſ are already
//   lowercase), Greek capitals with and without tonos (Σ -> σ, never final ς) and Cyrillic
//   U+0400-U+042F. Other characters are left as they are.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

// The list of tokens a model knows; a token's id is its position in the list.
//
// Vocabulary file: UTF-8, one token a line, line N (counted from 1, as an editor shows
// it) holds the token of id N-1. "\n" or "\r\n" line ends; a final newline is optional;
// a UTF-8 byte order mark at the start of the file is ignored. Every line must hold a
// non-empty token, unique in the file, without a carriage return inside.
class Vocab {
 public:
  Vocab() = default;
  // Throws InputError on an empty token, a duplicate (naming it and both ids), a token
  // with a line break (it could not be saved) or a token that is not valid UTF-8.
  explicit Vocab(std::vector<std::string> tokens);

  // Throws CheckpointError naming the file, and the line when one is at fault.
  static Vocab load(const std::string& path);
  // As load, from a vocabulary file's contents already in memory; `path` only names them
  // in error messages.
  static Vocab parse(const std::string& contents, const std::string& path);
  // Writes through write_file_atomic (io.h), so path is either the old file or the whole
  // new one. Throws Error naming the path on failure.
  void save(const std::string& path) const;
  // The contents save writes; parse gives the same tokens back.
  std::string serialize() const;

  int size() const { return static_cast<int>(tokens_.size()); }
  // The id of a token, or -1 when the vocabulary does not hold it.
  int id(const std::string& token) const;
  // Throws InputError when id is not in [0, size()).
  const std::string& token(int id) const;
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int> ids_;
};

// What encode() makes of a text.
struct Tokenized {
  std::vector<std::string> tokens;  // the pieces of the text, lowercased when enabled
  std::vector<int> ids;             // one per token; words not in the vocabulary get unk_id
  std::vector<int> unknown;         // indices into tokens of the words not in the vocabulary
  int invalid_bytes = 0;            // bytes of invalid UTF-8 replaced by U+FFFD
};

class Tokenizer {
 public:
  // Keeps a pointer to vocab, which must outlive the Tokenizer (binding a temporary is a
  // compile error). Throws InputError when unk_id is not an id of vocab.
  Tokenizer(const Vocab& vocab, int unk_id, bool lowercase);
  Tokenizer(Vocab&& vocab, int unk_id, bool lowercase) = delete;

  // The tokens of a text by the rules at the top of this file; needs no vocabulary.
  static std::vector<std::string> split(const std::string& text, bool lowercase);
  Tokenized encode(const std::string& text) const;

  // Text to read: skips "<pad>", "<bos>" and "<eos>" and joins the rest with single
  // spaces, except none before closing punctuation (, . ! ? ; : ) ] } … % » › ” ’ and
  // their CJK forms), none after opening punctuation (( [ { ¿ ¡ « ‹ “ ‘ „ ‚ and CJK
  // brackets), none between two CJK tokens. Straight quotes " and ' alternate: the
  // first opens, the next closes.
  static std::string detokenize(const std::vector<std::string>& tokens);
  // detokenize() of the ids' tokens; throws InputError on an id out of range.
  std::string decode(const std::vector<int>& ids) const;

  const Vocab& vocab() const { return *vocab_; }
  int unk_id() const { return unk_id_; }
  bool lowercase() const { return lowercase_; }

 private:
  const Vocab* vocab_;
  int unk_id_;
  bool lowercase_;
};

// Replaces each invalid UTF-8 sequence (bad lead or continuation byte, overlong form,
// surrogate, code point above U+10FFFF, truncated sequence) with U+FFFD, one per maximal
// invalid subpart as Unicode recommends (so "\xC0\xAF" gives two, "\xE2\x82" at the end
// one). Sets *invalid_bytes, when given, to the number of bytes replaced.
std::string sanitize_utf8(const std::string& bytes, int* invalid_bytes = nullptr);
bool is_valid_utf8(const std::string& bytes);

}  // namespace attnscope
