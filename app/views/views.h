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

struct ViewInput {
  std::shared_ptr<const Trace> trace;  // labelled (token strings filled)
  uint64_t trace_id = 0;               // unique per Trace: part of every SceneMatrix key
  const AppState* state = nullptr;
  float width = 800, height = 600;  // the scene's size in scene units
  TextMeasure measure;              // widths as the renderer draws text
  // Display string of a target vocabulary id (the steps view names its top-5 tokens).
  std::function<std::string(int id)> target_token;
};

// The matrix the state selects: one head, or the mean or max over heads, (queries, keys).
// Shares ownership of the trace (no copy) for a single head.
std::shared_ptr<const Matrix> selected_matrix(const std::shared_ptr<const Trace>& trace,
                                              AttentionKind kind, int layer, HeadMode mode,
                                              int head);

// Number of layers of a kind in a trace.
int layer_count(const Trace& trace, AttentionKind kind);

Scene build_heatmap(const ViewInput& in);
Scene build_links(const ViewInput& in);
Scene build_grid(const ViewInput& in);
Scene build_steps(const ViewInput& in);
// The view in->state->view.
Scene build_view(const ViewInput& in);

// The cell of a heatmap scene (its first SceneMatrix) under a point: true with *row and *col
// set when the point is on the matrix. A heatmap of more than 65,536 cells has one kCell
// region with a = b = -1 over the whole matrix instead of a region per cell; this function
// finds the cell then, in constant time.
bool heatmap_cell_at(const Scene& scene, float x, float y, int* row, int* col);

// The tooltip of a region: its own text when it has one, else formatted now. Cell regions
// leave theirs empty, so that building a view formats no string per cell; this formats
// "query 'chat' (3) → key 'cat' (2): 0.734" for the region's a and b (fill them in first
// for the single region of a large heatmap, as resolve_hit does).
std::string hit_tooltip(const ViewInput& in, const HitRegion& region);

// The region under a point (Scene::hit), with a large heatmap's row and column filled in by
// heatmap_cell_at; nullopt when no region is there.
std::optional<HitRegion> resolve_hit(const Scene& scene, float x, float y);

}  // namespace attnscope
