// View builders: a Trace and the AppState in, a Scene out (see scene.h). Pure functions of
// their input: the GUI calls them every frame that something changed, batch export once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "views/app_state.h"
#include "views/scene.h"

namespace attnscope {

// What is under the pointer in the window, -1 for none. Exports and the command line leave it
// empty: where the mouse is never changes a saved picture.
struct Hover {
  int row = -1, col = -1;    // heatmap: the cell, whose row and column are outlined
  int query = -1, key = -1;  // links view: the token, whose links alone are drawn unless one
                             // is clicked (ViewParams::focus_query, focus_key); explain view:
                             // the key whose score's largest terms q_d·k_jd are shown (key)
};
inline bool operator==(const Hover& a, const Hover& b) {
  return a.row == b.row && a.col == b.col && a.query == b.query && a.key == b.key;
}
inline bool operator!=(const Hover& a, const Hover& b) {
  return !(a == b);
}

struct ViewInput {
  std::shared_ptr<const Trace> trace;  // labelled (token strings filled)
  uint64_t trace_id = 0;               // unique per Trace: part of every SceneMatrix key
  const AppState* state = nullptr;     // the views read its ViewParams only
  Hover hover;
  float width = 800, height = 600;  // the scene's size in scene units
  TextMeasure measure;              // widths as the renderer draws text
  // Display string of a target vocabulary id (the steps view names its top-5 tokens).
  std::function<std::string(int id)> target_token;
  // The model's <pad> id: the explain view counts keys of this id as masked, as explain() does
  // (-1: none).
  int pad_id = -1;
};

// The matrix the state selects: one head, or the mean or max over heads (aggregate_heads in
// trace.h), (queries, keys). Shares ownership of the trace (no copy) for a single head.
std::shared_ptr<const Matrix> selected_matrix(const std::shared_ptr<const Trace>& trace,
                                              AttentionKind kind, int layer, HeadMode mode,
                                              int head);

// The explain view's stages (0 .. kExplainStages - 1): "q and k", "scores", "scaled",
// "masked", "weights", "weighted values", "output", "heads concatenated", "W_o".
const char* explain_stage_name(int stage);
// The query row the explain view shows for a state: ViewParams::query, or the last row for -1,
// clamped to the rows of the selected kind; -1 when it has none.
int explain_query(const Trace& trace, const ViewParams& params);
// The head it explains: the selected one (head modes mean and max too), clamped.
int explain_head(const Trace& trace, const ViewParams& params);

// Number of layers of a kind in a trace.
int layer_count(const Trace& trace, AttentionKind kind);

// The builders of the views of view_list.h: build_heatmap, build_links, build_grid, ...
#define ATTNSCOPE_VIEW_BUILDER(id, name, title, key, build, tooltip) \
  Scene build(const ViewInput& in);
ATTNSCOPE_VIEWS(ATTNSCOPE_VIEW_BUILDER)
#undef ATTNSCOPE_VIEW_BUILDER

// One view as the window and the command line know it: an entry of view_list.h.
struct ViewInfo {
  ViewKind kind;
  const char* name;   // "heatmap": command line, settings, exported files' names
  const char* title;  // "Heatmap": the window's tab
  char key;           // '1': the key that shows it
  Scene (*build)(const ViewInput& in);
  const char* tooltip;  // the tab's
};
// Every view, in tab order: kViews[v].kind == ViewKind(v).
extern const ViewInfo kViews[kViewCount];
// kViews[view], or the first view for a value out of range.
const ViewInfo& view_info(ViewKind view);

// The view in->state->view.
Scene build_view(const ViewInput& in);

// The cell of a heatmap scene (its first SceneMatrix) under a point: true with *row and *col
// set when the point is on the matrix. A heatmap of more than 65,536 cells has one kCell
// region with a = b = -1 over the whole matrix instead of a region per cell; this function
// finds the cell then, in constant time.
bool heatmap_cell_at(const Scene& scene, float x, float y, int* row, int* col);

// The tooltip of a region: its own text when it has one, else formatted now. Cell regions
// leave theirs empty, so that building a view formats no string per cell; this formats
// "query 'chat' (3) → key 'cat' (2): 0.734" for the region's a and b, or "the step writing
// 'le' (3) → ..." when rows are named by the word written (fill a and b in first for the
// single region of a large heatmap, as resolve_hit does).
std::string hit_tooltip(const ViewInput& in, const HitRegion& region);

// The region under a point (Scene::hit), with a large heatmap's row and column filled in by
// heatmap_cell_at; nullopt when no region is there.
std::optional<HitRegion> resolve_hit(const Scene& scene, float x, float y);

}  // namespace attnscope
