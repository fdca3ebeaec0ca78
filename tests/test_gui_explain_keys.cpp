// The Explain view's keys and settings: ↑/↓ choose its query while it is shown (the layer
// otherwise), Space / Shift+Space step through the stages within their range, U, P and W
// switch the unscaled softmax, predict first and the weights shown, none of them while typing;
// a new query hides the weights again; the help lists the keys; the two modes are saved.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <filesystem>
#include <memory>

#include "gui/input.h"
#include "gui/settings.h"
#include "views/views.h"

using namespace attnscope;

namespace {

// A Trace with `rows` target tokens and 3 source tokens, one layer of each kind.
std::shared_ptr<Trace> small_trace(int rows) {
  auto trace = std::make_shared<Trace>();
  for (int i = 0; i < 3; ++i) {
    trace->src_ids.push_back(i);
    trace->src_tokens.push_back("s" + std::to_string(i));
  }
  for (int i = 0; i < rows; ++i) {
    trace->tgt_ids.push_back(i);
    trace->tgt_tokens.push_back("t" + std::to_string(i));
  }
  AttentionRecord record;
  record.heads.push_back(Matrix::Constant(rows, 3, 1.0f / 3));
  trace->cross.push_back(record);
  AttentionRecord self;
  self.heads.push_back(Matrix::Constant(rows, rows, 1.0f / rows));
  trace->decoder_self.push_back(self);
  trace->decoder_self.push_back(self);
  AttentionRecord encoder;
  encoder.heads.push_back(Matrix::Constant(3, 3, 1.0f / 3));
  trace->encoder_self.push_back(encoder);
  return trace;
}

Shortcut key(int glfw_key, int mods = 0, bool typing = false) {
  return shortcut_for({glfw_key, mods}, typing);
}

}  // namespace

TEST_CASE("explain keys: the query with ↑/↓, the stages with Space, U, P and W") {
  const auto trace = small_trace(6);
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kDecoderSelf;
  // ↑ from the default (the last row) goes to row 4, and stays at 0 at the top.
  REQUIRE(apply_to_state(key(GLFW_KEY_UP), &state, trace.get()));
  CHECK(state.query == 4);
  CHECK(state.layer == 0);  // not the layer
  for (int i = 0; i < 10; ++i)
    apply_to_state(key(GLFW_KEY_UP), &state, trace.get());
  CHECK(state.query == 0);
  for (int i = 0; i < 10; ++i)
    apply_to_state(key(GLFW_KEY_DOWN), &state, trace.get());
  CHECK(state.query == 5);
  CHECK(state.layer == 0);
  // In the other views ↑/↓ are the layer again.
  state.view = ViewKind::kHeatmap;
  apply_to_state(key(GLFW_KEY_DOWN), &state, trace.get());
  CHECK(state.layer == 1);
  CHECK(state.query == 5);
  state.view = ViewKind::kExplain;

  // Space and Shift+Space: one stage more or less, within 0 .. kExplainStages - 1.
  CHECK(state.explain_stage == kExplainStages - 1);
  apply_to_state(key(GLFW_KEY_SPACE), &state, trace.get());
  CHECK(state.explain_stage == kExplainStages - 1);
  for (int i = 0; i < 3; ++i)
    apply_to_state(key(GLFW_KEY_SPACE, GLFW_MOD_SHIFT), &state, trace.get());
  CHECK(state.explain_stage == kExplainStages - 4);
  for (int i = 0; i < 20; ++i)
    apply_to_state(key(GLFW_KEY_SPACE, GLFW_MOD_SHIFT), &state, trace.get());
  CHECK(state.explain_stage == 0);
  apply_to_state(key(GLFW_KEY_SPACE), &state, trace.get());
  CHECK(state.explain_stage == 1);

  // U, P, W.
  apply_to_state(key(GLFW_KEY_U), &state, trace.get());
  CHECK(state.compare_unscaled);
  apply_to_state(key(GLFW_KEY_P), &state, trace.get());
  CHECK(state.predict_first);
  CHECK_FALSE(state.revealed);
  apply_to_state(key(GLFW_KEY_W), &state, trace.get());
  CHECK(state.revealed);
  // Another word: its weights are hidden again, to be predicted.
  apply_to_state(key(GLFW_KEY_UP), &state, trace.get());
  CHECK_FALSE(state.revealed);
  CHECK(state.predict_first);

  // Typing into a text box: none of these keys is a shortcut.
  for (int k : {GLFW_KEY_SPACE, GLFW_KEY_U, GLFW_KEY_P, GLFW_KEY_W})
    CHECK(key(k, 0, true).action == Action::kNone);

  // The help names the keys.
  std::string help;
  for (const KeyHelp& k : key_help())
    help += k.keys + " " + k.action + "\n";
  CHECK(help.find("Space / Shift+Space") != std::string::npos);
  CHECK(help.find("1 2 3 4 5") != std::string::npos);
  CHECK(help.find("P / W") != std::string::npos);
  CHECK(help.find("explain") != std::string::npos);
}

TEST_CASE("explain settings: the unscaled softmax and predict first are saved, read back") {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/gui_explain";
  std::filesystem::remove_all(dir);
  Settings s;
  s.state.compare_unscaled = true;
  s.state.predict_first = true;
  save_settings(dir + "/settings.json", s);
  Settings back;
  std::string warning;
  REQUIRE(load_settings(dir + "/settings.json", &back, &warning));
  CHECK(warning.empty());
  CHECK(back.state.compare_unscaled);
  CHECK(back.state.predict_first);
  CHECK(settings_json(back) == settings_json(s));
  Settings defaults;
  REQUIRE(parse_settings("{}", &defaults, &warning));
  CHECK_FALSE(defaults.state.compare_unscaled);
  CHECK_FALSE(defaults.state.predict_first);
}
