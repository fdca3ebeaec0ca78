// Fuzzes config.json parsing: any text either throws attnscope::Error or gives a Config
// that validates and survives config_to_json -> config_from_json unchanged.
#include <cstdint>
#include <string>

#include "attnscope/config.h"
#include "attnscope/error.h"
#include "fuzz_check.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Config config;
  try {
    config = config_from_json(attnscope_fuzz::bytes(data, size), "fuzz/config.json");
  } catch (const Error&) {
    return 0;
  }
  try {
    config.validate();
  } catch (const Error&) {
    FUZZ_CHECK(!"config_from_json returned a config that does not validate");
  }
  const std::string json = config_to_json(config);
  Config again;
  try {
    again = config_from_json(json, "fuzz/config.json");
  } catch (const Error&) {
    FUZZ_CHECK(!"config_to_json wrote a config that config_from_json refuses");
  }
  FUZZ_CHECK(config_to_json(again) == json);
  FUZZ_CHECK(again.layer_norm_eps == config.layer_norm_eps);
  return 0;
}
