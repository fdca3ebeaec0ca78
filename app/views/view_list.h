// The list of views, in the order of the window's tabs. A view is one file (view_*.cpp, which
// defines its builder) and one entry here; the ViewKind enum (app_state.h), the builders'
// declarations and the table of views (views.h) are made from this list.
//
// Each entry: X(enumerator, name, title, key, builder, tooltip)
//   enumerator  its ViewKind
//   name        on the command line, in settings files and in exported files' names
//   title       the window's tab
//   key         the key that shows it in the window
//   builder     Scene builder(const ViewInput&)
//   tooltip     the tab's tooltip
#pragma once

#define ATTNSCOPE_VIEWS(X)                                                           \
  X(kHeatmap, "heatmap", "Heatmap", '1', build_heatmap,                              \
    "Queries as rows, keys as columns, one cell per weight (key 1)")                 \
  X(kLinks, "links", "Links", '2', build_links,                                      \
    "Tokens side by side, one line per weight (key 2); click a token to isolate it") \
  X(kGrid, "grid", "Grid", '3', build_grid,                                          \
    "Every layer × head at once (key 3); click a tile to select it")                 \
  X(kSteps, "steps", "Steps", '4', build_steps,                                      \
    "Decoding step by step: the prefix, where it looks, what comes next (key 4)")     \
  X(kExplain, "explain", "Explain", '5', build_explain,                              \
    "How one word's weights are computed, softmax(q·Kᵀ/√d)·V (key 5): ↑/↓ choose the "    \
    "word, Space steps through the computation")
