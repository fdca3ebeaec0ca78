// The keyboard: key presses queued for the shortcuts so that none is lost between two frames,
// what each key does, and the help's list of keys.
#pragma once

#include <string>
#include <vector>

#include "views/app_state.h"

struct GLFWwindow;

namespace attnscope {

// What a shortcut does.
enum class Action {
  kNone,
  kExportView,    // save the view as PNG
  kExportWindow,  // save the whole window as PNG
  kLargerText,
  kSmallerText,
  kFullscreen,
  kOpenModel,   // ask for a model folder
  kToggleHelp,  // show or hide the list of keys
  kNextHead,
  kPreviousHead,
  kNextLayer,
  kPreviousLayer,
  kPreviousStep,
  kNextStep,
  kNextKind,      // encoder, decoder, cross, encoder...
  kNextHeadMode,  // one head, mean, max, one head...
  kShowView,      // Shortcut::view
  kEscape,        // hide the help, let go of the clicked token
  // Decoder rows named by the token written, or by the token read.
  kToggleRowLabels,
  // The explain view (↑ / ↓ choose its query while it is shown, instead of the layer).
  kNextStage,      // show one more stage of the computation
  kPreviousStage,  // one stage less
  kToggleUnscaled,  // the softmax without 1/√d_k beside the real one
  kTogglePredict,   // "predict first": hide the weights until revealed
  kReveal,          // show (or hide again) the weights hidden by "predict first"
};

struct Shortcut {
  Action action = Action::kNone;
  ViewKind view = ViewKind::kHeatmap;  // for kShowView
};

struct KeyPress {
  int key, mods;  // GLFW's key and modifier bits
};

// Puts the queue between GLFW and ImGui: installs its key callback on `window`, after ImGui's
// own (ImGui_ImplGlfw_InitForOpenGL with callbacks), which it forwards every key to.
void install_key_queue(GLFWwindow* window);
// The keys pressed (or repeated) since the last call, in order.
std::vector<KeyPress> take_key_presses();
// To call after each frame: ImGui gets the key releases that it was not given yet.
void release_late_keys(GLFWwindow* window);

// True while a text box has the keyboard: plain keys then type, and are no shortcut.
bool text_box_active();

// What a key does: Control shortcuts work everywhere, plain keys only when `typing` is false.
Shortcut shortcut_for(const KeyPress& press, bool typing);

// Carries out the shortcuts that only change the state (heads, layers, steps, attention kind,
// head mode, view, text size), within what `trace` has (nullptr: none yet). Returns false,
// changing nothing, for the others.
bool apply_to_state(const Shortcut& shortcut, AppState* state, const Trace* trace);

// The keys and what they do, as the help lists them.
struct KeyHelp {
  std::string keys, action;
};
std::vector<KeyHelp> key_help();

}  // namespace attnscope
