// Fuzzes the settings file reader (parse_settings, behind load_settings): it never throws;
// text it refuses leaves the settings untouched with a warning, and text it accepts gives
// settings in range that settings_json writes and parse_settings reads back unchanged.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "gui/settings.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Settings settings;
  settings.state.sentence = "kept";
  const std::string before = settings_json(settings);
  std::string warning;
  if (!parse_settings(attnscope_fuzz::bytes(data, size), &settings, &warning)) {
    FUZZ_CHECK(!warning.empty());
    FUZZ_CHECK(settings_json(settings) == before);
    return 0;
  }
  const AppState& s = settings.state;
  FUZZ_CHECK(s.beam >= 1 && s.beam <= 16);
  FUZZ_CHECK(s.layer >= 0 && s.head >= 0 && s.step >= -1);
  FUZZ_CHECK(s.threshold >= 0.0f && s.threshold <= 1.0f);
  FUZZ_CHECK(s.ui_scale >= 0.5f && s.ui_scale <= 4.0f);
  FUZZ_CHECK(settings.export_scale == 1 || settings.export_scale == 2 ||
             settings.export_scale == 4);
  FUZZ_CHECK(settings.window_width >= 320 && settings.window_width <= 16384);
  FUZZ_CHECK(settings.window_height >= 240 && settings.window_height <= 16384);

  const std::string json = settings_json(settings);
  Settings again;
  std::string again_warning;
  FUZZ_CHECK(parse_settings(json, &again, &again_warning));
  FUZZ_CHECK(settings_json(again) == json);
  return 0;
}
