// The keyboard (see input.h).
#include "gui/input.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

#include "views/views.h"

namespace attnscope {

namespace {

// Dear ImGui 1.86 sees keys as "down" flags sampled once a frame, so a key pressed and
// released between two frames (a fast typist, or xdotool) would be missed; releases that come
// in the same frame as their press are therefore handed to ImGui one frame late. The presses
// themselves are kept here for the shortcuts, in the order they came.
struct KeyEvent {
  int key, scancode, action, mods;
};

struct KeyQueue {
  GLFWkeyfun imgui = nullptr;           // ImGui's callback, installed before ours
  std::vector<KeyPress> presses;        // for the shortcuts, taken every frame
  std::vector<KeyEvent> late_releases;  // handed to ImGui after the frame
  std::vector<int> pressed_this_frame;
} g_keys;

void on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
  if (action == GLFW_RELEASE &&
      std::find(g_keys.pressed_this_frame.begin(), g_keys.pressed_this_frame.end(), key) !=
          g_keys.pressed_this_frame.end()) {
    g_keys.late_releases.push_back({key, scancode, action, mods});
    return;
  }
  if (action == GLFW_PRESS) g_keys.pressed_this_frame.push_back(key);
  if (action != GLFW_RELEASE) g_keys.presses.push_back({key, mods});
  if (g_keys.imgui) g_keys.imgui(window, key, scancode, action, mods);
}

}  // namespace

void install_key_queue(GLFWwindow* window) {
  g_keys.imgui = glfwSetKeyCallback(window, on_key);
}

std::vector<KeyPress> take_key_presses() {
  std::vector<KeyPress> presses;
  presses.swap(g_keys.presses);
  return presses;
}

void release_late_keys(GLFWwindow* window) {
  std::vector<KeyEvent> late;
  late.swap(g_keys.late_releases);
  g_keys.pressed_this_frame.clear();
  for (const KeyEvent& e : late) {
    if (g_keys.imgui) g_keys.imgui(window, e.key, e.scancode, e.action, e.mods);
  }
}

bool text_box_active() {
  // io.WantTextInput says the same one frame late: a key pressed right after Enter leaves the
  // box would be lost.
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  return g.ActiveId != 0 && g.ActiveId == g.InputTextState.ID;
}

Shortcut shortcut_for(const KeyPress& press, bool typing) {
  const int key = press.key;
  const bool ctrl = (press.mods & GLFW_MOD_CONTROL) != 0;
  const bool shift = (press.mods & GLFW_MOD_SHIFT) != 0;
  if (ctrl && key == GLFW_KEY_S) return {shift ? Action::kExportWindow : Action::kExportView};
  if (ctrl && (key == GLFW_KEY_EQUAL || key == GLFW_KEY_KP_ADD)) return {Action::kLargerText};
  if (ctrl && (key == GLFW_KEY_MINUS || key == GLFW_KEY_KP_SUBTRACT)) return {Action::kSmallerText};
  if (key == GLFW_KEY_F11) return {Action::kFullscreen};
  if (ctrl && key == GLFW_KEY_O) return {Action::kOpenModel};
  if (key == GLFW_KEY_F1) return {Action::kToggleHelp};
  // Plain keys only when no text box has the keyboard: typing never triggers a shortcut.
  if (typing || ctrl) return {};
  switch (key) {
    case GLFW_KEY_RIGHT:
      return {Action::kNextHead};
    case GLFW_KEY_LEFT:
      return {Action::kPreviousHead};
    case GLFW_KEY_DOWN:
      return {Action::kNextLayer};
    case GLFW_KEY_UP:
      return {Action::kPreviousLayer};
    case GLFW_KEY_LEFT_BRACKET:
      return {Action::kPreviousStep};
    case GLFW_KEY_RIGHT_BRACKET:
      return {Action::kNextStep};
    case GLFW_KEY_TAB:
      return {Action::kNextKind};
    case GLFW_KEY_M:
      return {Action::kNextHeadMode};
    case GLFW_KEY_R:
      return {Action::kToggleRowLabels};
    case GLFW_KEY_SLASH:
      return {shift ? Action::kToggleHelp : Action::kNone};
    case GLFW_KEY_ESCAPE:
      return {Action::kEscape};
    case GLFW_KEY_SPACE:
      return {shift ? Action::kPreviousStage : Action::kNextStage};
    case GLFW_KEY_U:
      return {Action::kToggleUnscaled};
    case GLFW_KEY_P:
      return {Action::kTogglePredict};
    case GLFW_KEY_W:
      return {Action::kReveal};
  }
  // GLFW's codes of the digit and letter keys are their ASCII codes (capitals).
  for (const ViewInfo& view : kViews) {
    if (key == view.key && !shift) return {Action::kShowView, view.kind};
  }
  return {};
}

bool apply_to_state(const Shortcut& shortcut, AppState* state, const Trace* trace) {
  const int heads = trace ? trace->num_heads() : 1;
  const int layers = trace ? layer_count(*trace, state->kind) : 1;
  const int steps = trace ? static_cast<int>(trace->tgt_ids.size()) : 1;
  const int step = state->step < 0 ? steps - 1 : state->step;
  switch (shortcut.action) {
    case Action::kLargerText:
      state->ui_scale = std::min(3.0f, std::round((state->ui_scale + 0.25f) * 4) / 4);
      return true;
    case Action::kSmallerText:
      state->ui_scale = std::max(0.75f, std::round((state->ui_scale - 0.25f) * 4) / 4);
      return true;
    // In the explain view ↑ and ↓ choose the query row; a new one hides the weights again
    // when they are to be predicted first.
    case Action::kNextLayer:
    case Action::kPreviousLayer:
      if (state->view == ViewKind::kExplain) {
        const int rows = trace ? static_cast<int>(trace->query_tokens(state->kind).size()) : 1;
        const int query = trace ? explain_query(*trace, *state) : std::max(0, state->query);
        const int next = shortcut.action == Action::kNextLayer ? std::min(rows - 1, query + 1)
                                                               : std::max(0, query - 1);
        if (next != state->query) state->revealed = false;
        state->query = std::max(0, next);
        return true;
      }
      [[fallthrough]];
    // Choosing a head or a layer shows one head again.
    case Action::kNextHead:
    case Action::kPreviousHead: {
      const int layer = state->layer, head = state->head;
      if (shortcut.action == Action::kNextHead) state->head = (head + 1) % heads;
      if (shortcut.action == Action::kPreviousHead) state->head = (head + heads - 1) % heads;
      if (shortcut.action == Action::kNextLayer) state->layer = std::min(layers - 1, layer + 1);
      if (shortcut.action == Action::kPreviousLayer) state->layer = std::max(0, layer - 1);
      if (state->layer != layer || state->head != head) state->head_mode = HeadMode::kSingle;
      return true;
    }
    case Action::kPreviousStep:
      state->step = std::max(0, step - 1);
      return true;
    case Action::kNextStep:
      state->step = std::min(steps - 1, step + 1);
      return true;
    case Action::kNextKind:
      state->kind = static_cast<AttentionKind>((static_cast<int>(state->kind) + 1) % 3);
      if (trace) clamp_to_trace(state, *trace);
      return true;
    case Action::kNextHeadMode:
      state->head_mode = static_cast<HeadMode>((static_cast<int>(state->head_mode) + 1) % 3);
      return true;
    case Action::kToggleRowLabels:
      state->row_labels =
          state->row_labels == RowLabels::kOutput ? RowLabels::kInput : RowLabels::kOutput;
      return true;
    case Action::kShowView:
      state->view = shortcut.view;
      return true;
    case Action::kNextStage:
      state->explain_stage = std::min(kExplainStages - 1, state->explain_stage + 1);
      return true;
    case Action::kPreviousStage:
      state->explain_stage = std::max(0, state->explain_stage - 1);
      return true;
    case Action::kToggleUnscaled:
      state->compare_unscaled = !state->compare_unscaled;
      return true;
    case Action::kTogglePredict:
      state->predict_first = !state->predict_first;
      state->revealed = false;
      return true;
    case Action::kReveal:
      state->revealed = !state->revealed;
      return true;
    default:
      return false;
  }
}

std::vector<KeyHelp> key_help() {
  std::string view_keys, view_names;
  for (const ViewInfo& view : kViews) {
    view_keys += (view_keys.empty() ? "" : " ") + std::string(1, view.key);
    view_names += (view_names.empty() ? "" : ", ") + std::string(view.name);
  }
  return {
      {"← / →", "previous / next head"},
      {"↑ / ↓", "previous / next layer"},
      {"[ / ]", "previous / next decoding step"},
      {"Tab", "cycle attention kind: encoder, decoder, cross"},
      {view_keys, view_names + " view"},
      {"M", "cycle heads: single, mean, max"},
      {"↑ / ↓ (Explain)", "previous / next query word"},
      {"Space / Shift+Space", "Explain: next / previous stage of the computation"},
      {"U", "Explain: also the softmax without 1/√d_k, with both entropies"},
      {"P / W", "Explain: predict first (hide the weights) / show them"},
      {"R", "name rows by the word written (→ chat) or read"},
      {"Ctrl+S", "export the current view as PNG"},
      {"Ctrl+O", "open a model folder"},
      {"Ctrl+Shift+S", "export the whole window as PNG"},
      {"Ctrl+= / Ctrl+-", "larger / smaller text (projectors)"},
      {"F11", "fullscreen"},
      {"? or F1", "this help"},
      {"Enter or Esc", "leave the sentence box (keys then work as shortcuts)"},
  };
}

}  // namespace attnscope
