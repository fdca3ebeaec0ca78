// The grid view: every layer and head of one attention kind as small square heatmaps, rows
// of layers and columns of heads, with the heads' aggregate in a last column.
#include <algorithm>
#include <cmath>

#include "attnscope/error.h"
#include "views/view_common.h"
#include "views/views.h"

namespace attnscope {

using namespace view_detail;

Scene build_grid(const ViewInput& in) {
  if (!in.trace) return message_scene(in, "Type a sentence to see its attention.");
  const AppState& state = state_of(in);
  const Trace& trace = *in.trace;
  const int layers = layer_count(trace, state.kind);
  int heads = 0;
  for (const AttentionRecord& r : trace.records(state.kind))
    heads = std::max(heads, static_cast<int>(r.heads.size()));
  if (layers == 0 || heads == 0) {
    return message_scene(in, std::string("This trace has no ") + kind_title(state.kind) + ".");
  }
  // The last column follows the aggregate the user picked: max when max, else mean.
  const HeadMode aggregate = state.head_mode == HeadMode::kMax ? HeadMode::kMax : HeadMode::kMean;
  const std::string aggregate_name = aggregate == HeadMode::kMax ? "max" : "mean";

  const Theme theme = make_theme(state.dark);
  const Sizes sz = make_sizes(state);
  const TextTools text(in.measure);
  const float u = sz.u;
  Scene scene = empty_scene(in, theme);
  const float top =
      add_title(scene, text, sz, theme,
                std::string(kind_title(state.kind)) + " \xc2\xb7 every layer and head",
                "rows: layers \xc2\xb7 columns: heads, then their " + aggregate_name +
                    " \xc2\xb7 click a tile to open it");

  const int cols = heads + 1;
  const float gap = 10 * u;            // between tiles: room for the selection outline
  const float aggregate_gap = 24 * u;  // sets the aggregate column apart
  const float ring = 4 * u;            // selection outline, outside the tile
  const float label_pad = 10 * u;
  const float bottom = in.height - sz.margin;

  // Row labels "layer L" and column labels "head H"; when "head H" does not fit over a tile
  // the columns show only H and a "head" caption sits in the corner.
  std::vector<std::string> row_names(layers), col_long(cols), col_short(cols);
  for (int l = 0; l < layers; ++l)
    row_names[l] = "layer " + std::to_string(l);
  for (int h = 0; h < heads; ++h) {
    col_long[h] = "head " + std::to_string(h);
    col_short[h] = std::to_string(h);
  }
  col_long[heads] = col_short[heads] = aggregate_name;
  float row_w = 0;
  for (const std::string& name : row_names)
    row_w = std::max(row_w, text.width(name, sz.label));

  float row_size = sz.label, tile = 0, left_w = 0;
  int row_stride = 1;
  const float top_h = sz.label * kLinePitch + label_pad;
  for (int round = 0; round < 3; ++round) {
    left_w = row_w * row_size / sz.label + label_pad;
    const float aw = in.width - 2 * sz.margin - left_w - (cols - 1) * gap - (aggregate_gap - gap);
    const float ah = bottom - top - top_h - (layers - 1) * gap;
    tile = std::max(std::min(aw / cols, ah / layers), 1.0f);
    const LabelFit f = fit_labels(tile + gap, sz.label, sz.min);
    if (f.size == row_size && f.stride == row_stride) break;
    row_size = std::min(row_size, f.size);  // only shrinks, so left_w stays enough
    row_stride = std::max(row_stride, f.stride);
  }

  // Column labels: long names if all fit over their tiles, else numbers, else fewer numbers.
  const float col_room = tile + gap - 4 * u;
  auto widest = [&](const std::vector<std::string>& names, float size) {
    float w = 0;
    for (const std::string& name : names)
      w = std::max(w, text.width(name, size));
    return w;
  };
  bool short_names = false;
  float col_size = sz.label;
  int col_stride = 1;
  if (widest(col_long, sz.label) > col_room) {
    const float shrunk = col_room / widest(col_long, sz.label) * sz.label;
    if (shrunk >= 0.85f * sz.label) {
      col_size = shrunk;
    } else {
      short_names = true;
      std::vector<std::string> numbers(col_short.begin(), col_short.end() - 1);
      const float w = widest(numbers, sz.label);
      col_size = std::max(sz.min, std::min(sz.label, col_room / std::max(w, 1e-3f) * sz.label));
      const float need = widest(numbers, col_size) + 4 * u;
      col_stride = std::max(1, static_cast<int>(std::ceil(need / (tile + gap) - 1e-4f)));
    }
  }

  const float grid_w = cols * tile + (cols - 1) * gap + (aggregate_gap - gap);
  const float grid_h = layers * tile + (layers - 1) * gap;
  const float bx = sz.margin + std::max(0.0f, (in.width - 2 * sz.margin - left_w - grid_w) / 2);
  const float by = top + std::max(0.0f, (bottom - top - top_h - grid_h) / 2);
  const float gx = bx + left_w, gy = by + top_h;
  auto tile_x = [&](int c) {
    return gx + c * (tile + gap) + (c == heads ? aggregate_gap - gap : 0);
  };
  auto tile_y = [&](int l) { return gy + l * (tile + gap); };

  const bool layer_selected = state.layer >= 0 && state.layer < layers;
  int selected_col = -1;
  if (layer_selected) {
    if (state.head_mode != HeadMode::kSingle) {
      selected_col = heads;
    } else if (state.head >= 0 && state.head < heads) {
      selected_col = state.head;
    }
  }

  for (int l = 0; l < layers; ++l) {
    const int layer_heads = static_cast<int>(trace.record(state.kind, l).heads.size());
    for (int c = 0; c < cols; ++c) {
      const bool is_aggregate = c == heads;
      if (!is_aggregate && c >= layer_heads) continue;
      if (is_aggregate && layer_heads == 0) continue;
      SceneMatrix m;
      m.x = tile_x(c);
      m.y = tile_y(l);
      m.width = m.height = tile;
      // The same keys as the heatmap of this layer and head, so their textures are shared.
      m.values = is_aggregate ? selected_matrix(in.trace, state.kind, l, aggregate, 0)
                              : selected_matrix(in.trace, state.kind, l, HeadMode::kSingle, c);
      m.key = is_aggregate ? matrix_key(in.trace_id, state.kind, l, aggregate, 0)
                           : matrix_key(in.trace_id, state.kind, l, HeadMode::kSingle, c);
      m.colormap = state.colormap;
      m.threshold = state.threshold;
      m.below_color = theme.background;
      scene.matrices.push_back(m);

      SceneRect frame;  // a hairline so a tile of near-zero weights still shows its extent
      frame.x = m.x - 1 * u;
      frame.y = m.y - 1 * u;
      frame.width = frame.height = tile + 2 * u;
      frame.stroke = with_alpha(theme.muted, 0.35f);
      frame.stroke_width = 1 * u;
      scene.rects.push_back(frame);

      HitRegion r;
      r.x = m.x;
      r.y = m.y;
      r.width = r.height = tile;
      r.kind = HitKind::kTile;
      r.a = l;
      r.b = is_aggregate ? -1 : c;
      r.tooltip = "layer " + std::to_string(l) + " \xc2\xb7 " +
                  (is_aggregate ? heads_title(aggregate, 0, layer_heads) : col_long[c]) +
                  " \xe2\x80\x94 click to select";
      scene.hits.push_back(std::move(r));
    }
  }

  if (selected_col >= 0) {
    SceneRect outline;
    outline.x = tile_x(selected_col) - ring;
    outline.y = tile_y(state.layer) - ring;
    outline.width = outline.height = tile + 2 * ring;
    outline.stroke = theme.accent;
    outline.stroke_width = 2.5f * u;
    scene.overlay.push_back(outline);
  }

  // Labels; those of the selected row and column in the accent colour.
  for (int l : shown_labels(layers, row_stride, layer_selected ? state.layer : -1)) {
    const bool hot = layer_selected && l == state.layer;
    scene.texts.push_back(make_text(gx - label_pad, tile_y(l) + tile / 2,
                                    text.fit(row_names[l], row_size, left_w - label_pad), row_size,
                                    hot ? theme.accent : theme.text, TextAlign::kRight));
  }
  const float col_y = gy - label_pad - 0.5f * kLinePitch * col_size;
  std::vector<int> shown =
      shown_labels(heads, col_stride, selected_col < heads ? selected_col : -1);
  shown.push_back(heads);
  for (int c : shown) {
    const bool hot = c == selected_col;
    const std::string& name = short_names ? col_short[c] : col_long[c];
    // The aggregate's name may use the wide gap before it as well as its tile.
    const float room = c == heads ? tile + aggregate_gap : col_room;
    scene.texts.push_back(make_text(tile_x(c) + tile / 2, col_y, text.fit(name, col_size, room),
                                    col_size, hot ? theme.accent : theme.text, TextAlign::kCenter));
  }
  if (short_names) {
    scene.texts.push_back(make_text(gx - label_pad, col_y,
                                    text.fit("head", col_size, left_w - label_pad), col_size,
                                    theme.muted, TextAlign::kRight));
  }
  return scene;
}

}  // namespace attnscope
