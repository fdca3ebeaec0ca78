// Pieces the view builders share: theme colours, text measuring and shortening, label
// spacing, titles, tooltips and matrix keys. Internal to app/views; the public interface is
// views.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "views/views.h"

namespace attnscope {
namespace view_detail {

// Colours of one theme. `link` draws the links of one head; `accent` marks what is selected,
// focused or hovered, and is chosen to stand out against every colormap.
struct Theme {
  Color background, text, muted, faint, accent, link;
  Color outline_outer, outline_inner;  // a two-tone outline visible on any cell colour
};
Theme make_theme(bool dark);

Color hex_color(uint32_t rgb, float alpha = 1.0f);
Color with_alpha(Color color, float alpha);
Color colormap_color(Colormap colormap, float value);
// Black or white, whichever reads better on `color`.
Color text_on(Color color);

// Okabe-Ito colours for overlaid heads, ordered for the theme's background (the palette's
// yellow is last on white, its blue last on near-black); evenly spaced hues past eight heads.
std::vector<Color> head_palette(bool dark, int heads);

// Sizes in scene units, grown with AppState::ui_scale so text reads from the back of a room.
struct Sizes {
  float u;         // one unit at the current UI scale
  float margin;    // around the whole scene
  float title;     // the title line
  float subtitle;  // the line under it, and section headings
  float label;     // token labels at their largest
  float small;     // tick and value labels
  float min;       // the smallest label size; below it labels are thinned out instead
};
// An empty scene of the input's size on the theme's background: where every view starts.
Scene empty_scene(const ViewInput& in, const Theme& theme);

Sizes make_sizes(const AppState& state);

// A label's line needs this many times its font size of space across the text direction.
constexpr float kLinePitch = 1.25f;

// Text widths through ViewInput::measure, or 0.6 * size per code point without one.
class TextTools {
 public:
  explicit TextTools(const TextMeasure& measure) : measure_(measure) {}
  float width(const std::string& text, float size) const;
  // `text` when it fits in max_width, else its longest prefix that fits with "…" after it,
  // else "" (not even "…" fits).
  std::string fit(const std::string& text, float size, float max_width) const;

 private:
  const TextMeasure& measure_;
};

int utf8_length(const std::string& text);

// Labels along an axis `pitch` units apart: the largest font up to `base` that keeps lines
// apart, down to `min`, then every stride-th label only.
struct LabelFit {
  float size;
  int stride;
};
LabelFit fit_labels(float pitch, float base, float min_size);
// Indices of the labels to show out of n: every stride-th one, and `force` (the hovered or
// focused one, -1 for none) with its too-close neighbours hidden so it stands alone.
std::vector<int> shown_labels(int n, int stride, int force);

// Like shown_labels, but choosing labels by priority instead of position: the highest first,
// each kept when no kept label is closer than `stride` rows. Sorted by index.
std::vector<int> priority_labels(const std::vector<float>& priority, int stride);

// The display string of token i: valid UTF-8, "∅" for an empty token, "#i" when the trace
// is not labelled that far.
std::string display_token(const std::vector<std::string>& tokens, int i);
// "'chat' (3)" as tooltips name a token.
std::string quoted_token(const std::vector<std::string>& tokens, int i);

// Rows named by the token their step writes: ViewParams::row_labels is kOutput and the kind
// is cross or decoder self-attention (encoder rows are source tokens either way).
bool rows_by_output(const AppState& state, AttentionKind kind);
// The token the step of decoder row `row` writes (output_ids[row], named by
// ViewInput::target_token, or by the decoder input that follows when it is the same id),
// valid UTF-8; false when the Trace has no output for that row.
bool written_token(const ViewInput& in, int row, std::string* token);
// The label of row `row` of a kind's matrices: "→ chat" when rows_by_output and the token
// written is known, else the query token as display_token gives it.
std::string row_label(const ViewInput& in, AttentionKind kind, int row);
// How a sentence names that row: "the step writing 'chat'" when rows_by_output (and the token
// is known), else "query 'le'".
std::string row_name(const ViewInput& in, AttentionKind kind, int row);
// A row's tooltip: "query 'le' (1)", and for decoder rows whose output is known
// "step 1 reads 'le', writes 'chat'".
std::string row_tooltip(const ViewInput& in, AttentionKind kind, int row);

// "cross-attention", "encoder self-attention", "decoder self-attention" (names_of(kind).title).
const char* kind_title(AttentionKind kind);
// "head 2", "mean of 4 heads", "max of 4 heads".
std::string heads_title(HeadMode mode, int head, int num_heads);
// A weight with `decimals` digits after the point ("0.734").
std::string format_value(float value, int decimals = 3);

// The key of the matrix selected_matrix returns for these arguments within one trace; the
// head is ignored for the aggregate modes. 0 (upload every time) when trace_id is 0, since
// traces without an id cannot be told apart.
uint64_t matrix_key(uint64_t trace_id, AttentionKind kind, int layer, HeadMode mode, int head);

// Number of heads of a kind's layer; throws InputError when the layer is out of range.
int head_count(const Trace& trace, AttentionKind kind, int layer);

// Appends the title line (centred) and a muted subtitle under it; returns the y below them.
float add_title(Scene& scene, const TextTools& text, const Sizes& sz, const Theme& theme,
                const std::string& title, const std::string& subtitle);
// A scene holding only a centred message, for inputs with nothing to draw.
Scene message_scene(const ViewInput& in, const std::string& message);

SceneText make_text(float x, float y, std::string text, float size, Color color,
                    TextAlign align = TextAlign::kLeft, float angle = 0);

// The state to use when ViewInput::state is null.
const AppState& state_of(const ViewInput& in);

}  // namespace view_detail
}  // namespace attnscope
