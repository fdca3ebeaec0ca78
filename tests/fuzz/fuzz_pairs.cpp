// Fuzzes the corpus reader (parse_pairs, behind read_pairs_file): any contents either throw
// attnscope::Error or give pairs with two valid, trimmed, non-empty sides, from which
// build_vocabulary makes vocabularies the Vocab constructor accepts.
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/tasks.h"
#include "attnscope/tokenizer.h"
#include "fuzz_check.h"

using namespace attnscope;

namespace {

void check_side(const std::string& side) {
  FUZZ_CHECK(!side.empty());
  FUZZ_CHECK(is_valid_utf8(side));
  FUZZ_CHECK(side.find_first_of("\t\n") == std::string::npos);
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  FUZZ_CHECK(!blank(side.front()) && !blank(side.back()));
  FUZZ_CHECK(!Tokenizer::split(side, false).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<SentencePair> pairs;
  try {
    pairs = parse_pairs(attnscope_fuzz::bytes(data, size), "fuzz/pairs.tsv");
  } catch (const Error&) {
    return 0;
  }
  FUZZ_CHECK(!pairs.empty());
  for (const SentencePair& pair : pairs) {
    check_side(pair.source);
    check_side(pair.target);
    FUZZ_CHECK(pair.alignment.empty());
  }
  for (const bool target_side : {false, true}) {
    const std::vector<std::string> tokens = build_vocabulary(pairs, target_side);
    FUZZ_CHECK(tokens.size() > 4);
    try {
      const Vocab vocab(tokens);
      FUZZ_CHECK(Vocab::parse(vocab.serialize(), "fuzz/vocab.txt").tokens() == tokens);
    } catch (const Error&) {
      FUZZ_CHECK(!"build_vocabulary made a vocabulary that cannot be used");
    }
  }
  return 0;
}
