// AppState: what the user looks at. A plain struct: the panels read and change it, batch
// export and the tests set it directly, so every picture on screen can also be produced from
// the command line. Settings that persist are saved by gui/settings.h. Where the pointer is
// is not part of it (see Hover in views.h).
#pragma once

#include <string>

#include "views/colormap.h"
#include "views/view_list.h"
#include "attnscope/trace.h"

namespace attnscope {

// The views, in tab order: one enumerator per entry of view_list.h.
#define ATTNSCOPE_VIEW_ENUMERATOR(id, name, title, key, build, tooltip) id,
enum class ViewKind { ATTNSCOPE_VIEWS(ATTNSCOPE_VIEW_ENUMERATOR) };
#undef ATTNSCOPE_VIEW_ENUMERATOR
#define ATTNSCOPE_VIEW_ONE(id, name, title, key, build, tooltip) +1
constexpr int kViewCount = 0 ATTNSCOPE_VIEWS(ATTNSCOPE_VIEW_ONE);
#undef ATTNSCOPE_VIEW_ONE
const char* to_string(ViewKind view);  // its name in view_list.h: "heatmap", "links", ...
bool parse_view_kind(const std::string& text, ViewKind* view);

// Which heads a view shows (HeadMode is declared with the Trace, in trace.h).
const char* to_string(HeadMode mode);  // "single", "mean", "max"
bool parse_head_mode(const std::string& text, HeadMode* mode);

enum class DecodeMode { kGreedy, kBeam, kForced };
const char* to_string(DecodeMode mode);  // "greedy", "beam", "forced"
bool parse_decode_mode(const std::string& text, DecodeMode* mode);

// How the rows of cross and decoder self-attention are named. Row t is the step that reads
// decoder input y_t and writes y_{t+1} (the Trace's output_ids[t]): kOutput names it by the
// token it writes ("→ chat"), kInput by the token it reads ("le"). Encoder rows are source
// tokens either way.
enum class RowLabels { kInput, kOutput };
const char* to_string(RowLabels labels);  // "input", "output"
bool parse_row_labels(const std::string& text, RowLabels* labels);

// The stages of the Explain view, in order: q and k, scores, scaled, masked, weights, weighted
// values, output, all heads concatenated, W_o (explain_stage_name in views.h names them).
constexpr int kExplainStages = 9;

// What a view builder reads of the state: everything it shows besides the Trace, its size and
// the pointer. The window draws the view again when any of it changes (operator==), so a
// field a view reads belongs here.
struct ViewParams {
  ViewKind view = ViewKind::kHeatmap;
  AttentionKind kind = AttentionKind::kCross;
  int layer = 0;  // of the kind's stack (encoder layers for kEncoderSelf, else decoder)
  int head = 0;   // when head_mode == kSingle
  HeadMode head_mode = HeadMode::kSingle;
  bool overlay_heads = false;  // links view: every head at once, one colour each
  int step = -1;               // decoding step (a target position); -1: the last one
  Colormap colormap = Colormap::kViridis;
  float threshold = 0.0f;  // links below it are hidden; heatmap cells below it are blanked
  bool dark = false;       // dark theme (views draw on a dark background)
  float ui_scale = 1.0f;   // text and controls, for projectors
  RowLabels row_labels = RowLabels::kOutput;  // decoder rows: the token written, or read
  // The token clicked in the links view, which then shows only its own links; -1 when none.
  // Not saved in the settings.
  int focus_query = -1, focus_key = -1;
  // Explain view: the query row whose weights it explains (-1: the last row), how many stages
  // of the computation it shows (0 = q and k only .. kExplainStages - 1 = all of it), the
  // softmax of the unscaled scores beside the real one, and "predict first": the weights stay
  // hidden until revealed.
  int query = -1;
  int explain_stage = kExplainStages - 1;
  bool compare_unscaled = false;
  bool predict_first = false, revealed = false;
};

// Field by field. A field added to ViewParams stops app_state.cpp from compiling until it is
// compared too.
bool operator==(const ViewParams& a, const ViewParams& b);
inline bool operator!=(const ViewParams& a, const ViewParams& b) {
  return !(a == b);
}

struct AppState : ViewParams {
  // What is computed; what is shown is in ViewParams.
  std::string model_dir;  // the model directory in use
  std::string sentence;   // the source sentence as typed (any UTF-8)
  DecodeMode decode = DecodeMode::kGreedy;
  int beam = 4;               // width when decode == kBeam
  std::string forced_target;  // the target typed for teacher forcing (decode == kForced)
};

// Keeps the layer, head, step and clicked token within what `trace` has for state->kind.
void clamp_to_trace(AppState* state, const Trace& trace);

}  // namespace attnscope
