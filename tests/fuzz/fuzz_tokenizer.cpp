// Fuzzes the tokenizer and the UTF-8 helpers on arbitrary bytes, checking the promises of
// tokenizer.h: sanitize_utf8 always gives valid UTF-8 and leaves valid text alone;
// split's tokens are non-empty, valid and split back into themselves; lowercasing maps
// character to character, so the lowercased tokens are the others lowercased; encode
// agrees with split and the vocabulary; detokenize and decode accept what split and encode
// give, and detokenize any tokens at all.
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/tokenizer.h"
#include "fuzz_check.h"

using namespace attnscope;

namespace {

const Vocab& small_vocab() {
  static const Vocab vocab({"<pad>", "<unk>", "<bos>", "<eos>", "the", "cat", ".", ",", "l'homme",
                            "école", "東", "😀", "3.5", "well-known", "\xEF\xBF\xBD"});
  return vocab;
}

void check_tokens(const std::vector<std::string>& tokens) {
  for (const std::string& token : tokens) {
    FUZZ_CHECK(!token.empty());
    FUZZ_CHECK(is_valid_utf8(token));
  }
}

std::string spaced(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& token : tokens)
    out += token + ' ';
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = attnscope_fuzz::bytes(data, size);
  try {
    const bool valid = is_valid_utf8(text);
    int invalid_bytes = -1;
    const std::string clean = sanitize_utf8(text, &invalid_bytes);
    FUZZ_CHECK(is_valid_utf8(clean));
    FUZZ_CHECK(valid == (invalid_bytes == 0));
    FUZZ_CHECK(!valid || clean == text);
    FUZZ_CHECK(invalid_bytes >= 0 && static_cast<size_t>(invalid_bytes) <= size);
    FUZZ_CHECK(sanitize_utf8(clean) == clean);

    const std::vector<std::string> cased = Tokenizer::split(text, false);
    const std::vector<std::string> lower = Tokenizer::split(text, true);
    check_tokens(cased);
    check_tokens(lower);
    // Tokens split back into themselves (one call for all of them: a space cannot join two
    // tokens or change how either splits), and lowercasing the original tokens gives the
    // lowercased ones.
    FUZZ_CHECK(Tokenizer::split(spaced(cased), false) == cased);
    FUZZ_CHECK(Tokenizer::split(spaced(lower), true) == lower);
    FUZZ_CHECK(Tokenizer::split(spaced(cased), true) == lower);
    // Invalid bytes become U+FFFD before splitting, so the clean text splits the same.
    FUZZ_CHECK(Tokenizer::split(clean, false) == cased);

    for (const bool lowercase : {false, true}) {
      const Tokenizer tokenizer(small_vocab(), 1, lowercase);
      const Tokenized encoded = tokenizer.encode(text);
      FUZZ_CHECK(encoded.tokens == (lowercase ? lower : cased));
      FUZZ_CHECK(encoded.ids.size() == encoded.tokens.size());
      FUZZ_CHECK(encoded.invalid_bytes == invalid_bytes);
      size_t next_unknown = 0;
      for (size_t i = 0; i < encoded.ids.size(); ++i) {
        const int id = small_vocab().id(encoded.tokens[i]);
        const bool unknown = id < 0;
        FUZZ_CHECK(encoded.ids[i] == (unknown ? 1 : id));
        if (unknown) {
          FUZZ_CHECK(next_unknown < encoded.unknown.size());
          FUZZ_CHECK(encoded.unknown[next_unknown++] == static_cast<int>(i));
        }
      }
      FUZZ_CHECK(next_unknown == encoded.unknown.size());
      const std::string decoded = tokenizer.decode(encoded.ids);
      FUZZ_CHECK(is_valid_utf8(decoded));
    }

    const std::string joined = Tokenizer::detokenize(cased);
    FUZZ_CHECK(is_valid_utf8(joined));
    FUZZ_CHECK(joined.empty() || (joined.front() != ' ' && joined.back() != ' '));

    // detokenize on tokens it never made: the input's lines, bytes as they are.
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t i = 0; i <= size; ++i) {
      if (i == size || text[i] == '\n') {
        lines.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    Tokenizer::detokenize(lines);
  } catch (const Error&) {
    // Nothing above documents an Error for any input; reaching here is a bug too.
    FUZZ_CHECK(!"the tokenizer threw on input it must accept");
  }
  return 0;
}
