// AppState: what the user looks at. A plain struct: the panels read and change it, batch
// export and the tests set it directly, so every picture on screen can also be produced from
// the command line. Settings that persist are saved by gui/settings.h.
#pragma once

#include <string>

#include "views/colormap.h"
#include "attnscope/trace.h"

namespace attnscope {

enum class ViewKind { kHeatmap, kLinks, kGrid, kSteps };
constexpr int kViewCount = 4;
const char* to_string(ViewKind view);  // "heatmap", "links", "grid", "steps"
bool parse_view_kind(const std::string& text, ViewKind* view);

// Which heads a view shows: one, or every head combined cell by cell.
enum class HeadMode { kSingle, kMean, kMax };
const char* to_string(HeadMode mode);  // "single", "mean", "max"
bool parse_head_mode(const std::string& text, HeadMode* mode);

enum class DecodeMode { kGreedy, kBeam, kForced };
const char* to_string(DecodeMode mode);  // "greedy", "beam", "forced"
bool parse_decode_mode(const std::string& text, DecodeMode* mode);

struct AppState {
  // What is computed.
  std::string model_dir;  // the model directory in use
  std::string sentence;   // the source sentence as typed (any UTF-8)
  DecodeMode decode = DecodeMode::kGreedy;
  int beam = 4;               // width when decode == kBeam
  std::string forced_target;  // the target typed for teacher forcing (decode == kForced)

  // What is shown.
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

  // Pointing (not saved): the hovered or clicked matrix cell or token, -1 when none. In the
  // links view a focused token shows only its own links.
  int hover_row = -1, hover_col = -1;
  int focus_query = -1, focus_key = -1;
};

}  // namespace attnscope
