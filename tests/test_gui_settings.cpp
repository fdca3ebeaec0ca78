// How decoder rows are named (RowLabels): the setting is saved and read back with the others,
// a damaged value keeps the default, and the R key switches it.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <filesystem>

#include "gui/input.h"
#include "gui/settings.h"

using namespace attnscope;

TEST_CASE("row labels: named in the settings file, read back, a bad value keeps the default") {
  Settings defaults;
  CHECK(defaults.state.row_labels == RowLabels::kOutput);  // the word written, for teaching
  CHECK(settings_json(defaults).find("\"row_labels\": \"output\"") != std::string::npos);

  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/gui_row_labels";
  std::filesystem::remove_all(dir);
  for (RowLabels labels : {RowLabels::kInput, RowLabels::kOutput}) {
    CAPTURE(std::string(to_string(labels)));
    Settings s;
    s.state.row_labels = labels;
    save_settings(dir + "/settings.json", s);
    Settings back;
    back.state.row_labels = labels == RowLabels::kInput ? RowLabels::kOutput : RowLabels::kInput;
    std::string warning;
    REQUIRE(load_settings(dir + "/settings.json", &back, &warning));
    CHECK(warning.empty());
    CHECK(back.state.row_labels == labels);
    CHECK(settings_json(back) == settings_json(s));
  }

  Settings parsed;
  std::string warning;
  REQUIRE(parse_settings("{\"row_labels\": \"input\"}", &parsed, &warning));
  CHECK(parsed.state.row_labels == RowLabels::kInput);
  // An unknown name keeps what was there; a wrong type makes the file unusable, as for any key.
  REQUIRE(parse_settings("{\"row_labels\": \"sideways\"}", &parsed, &warning));
  CHECK(parsed.state.row_labels == RowLabels::kInput);
  CHECK_FALSE(parse_settings("{\"row_labels\": 1}", &parsed, &warning));
  CHECK(warning.find("row_labels") != std::string::npos);
  CHECK(parsed.state.row_labels == RowLabels::kInput);

  RowLabels labels = RowLabels::kOutput;
  CHECK(parse_row_labels("input", &labels));
  CHECK(labels == RowLabels::kInput);
  CHECK(parse_row_labels("output", &labels));
  CHECK(labels == RowLabels::kOutput);
  CHECK_FALSE(parse_row_labels("Output", &labels));
  CHECK_FALSE(parse_row_labels("", &labels));
  CHECK(labels == RowLabels::kOutput);
}

TEST_CASE("row labels: R switches them, not while typing, and the help lists it") {
  const Shortcut r = shortcut_for({GLFW_KEY_R, 0}, false);
  CHECK(r.action == Action::kToggleRowLabels);
  CHECK(shortcut_for({GLFW_KEY_R, 0}, true).action == Action::kNone);  // typing an r
  CHECK(shortcut_for({GLFW_KEY_R, GLFW_MOD_CONTROL}, false).action == Action::kNone);
  AppState state;
  const ViewParams before = state;
  REQUIRE(apply_to_state(r, &state, nullptr));
  CHECK(state.row_labels == RowLabels::kInput);
  CHECK(static_cast<const ViewParams&>(state) != before);  // the view is drawn again
  REQUIRE(apply_to_state(r, &state, nullptr));
  CHECK(state.row_labels == RowLabels::kOutput);
  CHECK(static_cast<const ViewParams&>(state) == before);
  bool listed = false;
  for (const KeyHelp& k : key_help())
    listed = listed || (k.keys == "R" && k.action.find("word written") != std::string::npos);
  CHECK(listed);
}
