// Fuzzes vocabulary files (Vocab::parse, the reader behind Vocab::load): any contents
// either throw attnscope::Error or give a vocabulary whose ids and tokens agree, that the
// Vocab constructor accepts as well, and that serialize -> parse gives back unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/tokenizer.h"
#include "fuzz_check.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Vocab vocab;
  try {
    vocab = Vocab::parse(attnscope_fuzz::bytes(data, size), "fuzz/vocab.txt");
  } catch (const Error&) {
    return 0;
  }
  FUZZ_CHECK(vocab.size() > 0);
  FUZZ_CHECK(static_cast<size_t>(vocab.size()) == vocab.tokens().size());
  for (int i = 0; i < vocab.size(); ++i) {
    FUZZ_CHECK(vocab.id(vocab.token(i)) == i);
    FUZZ_CHECK(!vocab.token(i).empty());
    FUZZ_CHECK(is_valid_utf8(vocab.token(i)));
  }
  try {
    vocab.token(vocab.size());
    FUZZ_CHECK(!"token() accepted an id out of range");
  } catch (const InputError&) {
  }

  try {
    const Vocab built(vocab.tokens());
    FUZZ_CHECK(built.size() == vocab.size());
  } catch (const Error&) {
    FUZZ_CHECK(!"the Vocab constructor refuses tokens a file gave");
  }
  try {
    const Vocab again = Vocab::parse(vocab.serialize(), "fuzz/saved.txt");
    FUZZ_CHECK(again.tokens() == vocab.tokens());
  } catch (const Error&) {
    FUZZ_CHECK(!"a serialized vocabulary does not parse");
  }
  return 0;
}
