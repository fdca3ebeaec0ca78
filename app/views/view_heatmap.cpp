// The heatmap view: one attention matrix with query tokens down the left, key tokens along
// the top, a colour bar, and the hovered row and column outlined.
#include <algorithm>
#include <cmath>

#include "attnscope/error.h"
#include "views/view_common.h"
#include "views/views.h"

namespace attnscope {

using namespace view_detail;

namespace {

// Above this many cells a HitRegion per cell costs more than it helps: one region covers the
// matrix and heatmap_cell_at finds the cell.
constexpr long kMaxCellRegions = 65536;

// The colour bar's ramp, 1 at the top: one shared matrix, so its texture is uploaded once.
std::shared_ptr<const Matrix> colorbar_values() {
  static const std::shared_ptr<const Matrix> values = [] {
    auto m = std::make_shared<Matrix>(kColormapSize, 1);
    for (int i = 0; i < kColormapSize; ++i)
      (*m)(i, 0) = static_cast<float>(kColormapSize - 1 - i) / (kColormapSize - 1);
    return m;
  }();
  return values;
}
constexpr uint64_t kColorbarKey = 0x636f6c6f72626172ull;  // "colorbar"

// What the axes hold, and for decoder rows which token names them (RowLabels).
const char* axes_subtitle(AttentionKind kind, bool by_output) {
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return "source tokens: rows attend (queries) to columns (keys)";
    case AttentionKind::kDecoderSelf:
      return by_output ? "rows: \xe2\x86\x92 the word each step writes \xc2\xb7 columns: "
                         "the decoder input so far (keys)"
                       : "rows: decoder input (queries) \xc2\xb7 columns: earlier decoder input "
                         "(keys)";
    case AttentionKind::kCross:
      return by_output ? "rows: \xe2\x86\x92 the word each step writes \xc2\xb7 columns: "
                         "source tokens (keys)"
                       : "rows: decoder input (queries) \xc2\xb7 columns: source tokens (keys)";
  }
  return "";
}

// How the labels of both axes are set for a cell size.
struct AxisStyle {
  float row_size, col_size;
  int row_stride, col_stride;
  bool rotated;  // column labels read bottom to top
};

}  // namespace

Scene build_heatmap(const ViewInput& in) {
  if (!in.trace) return message_scene(in, "Type a sentence to see its attention.");
  const AppState& state = state_of(in);
  const Trace& trace = *in.trace;
  const std::shared_ptr<const Matrix> values =
      selected_matrix(in.trace, state.kind, state.layer, state.head_mode, state.head);
  const int rows = static_cast<int>(values->rows());
  const int cols = static_cast<int>(values->cols());
  const int heads = head_count(trace, state.kind, state.layer);

  const Theme theme = make_theme(state.dark);
  const Sizes sz = make_sizes(state);
  const TextTools text(in.measure);
  const float u = sz.u;
  Scene scene = empty_scene(in, theme);

  const std::string title = std::string(kind_title(state.kind)) + " \xc2\xb7 layer " +
                            std::to_string(state.layer) + " \xc2\xb7 " +
                            heads_title(state.head_mode, state.head, heads);
  const float top = add_title(scene, text, sz, theme, title,
                              axes_subtitle(state.kind, rows_by_output(state, state.kind)));
  if (rows == 0 || cols == 0) {
    scene.texts.push_back(make_text(in.width / 2, (top + in.height) / 2, "no tokens", sz.label,
                                    theme.muted, TextAlign::kCenter));
    return scene;
  }

  const auto& key_tokens = trace.key_tokens(state.kind);
  std::vector<std::string> row_labels(rows), col_labels(cols);
  float row_max = 0, col_max = 0;  // widest label at sz.label (widths are linear in size)
  for (int i = 0; i < rows; ++i) {
    row_labels[i] = row_label(in, state.kind, i);
    row_max = std::max(row_max, text.width(row_labels[i], sz.label));
  }
  for (int j = 0; j < cols; ++j) {
    col_labels[j] = display_token(key_tokens, j);
    col_max = std::max(col_max, text.width(col_labels[j], sz.label));
  }

  // The colour bar block on the right: gap, bar, ticks, tick labels, rotated caption.
  const float bar_w = 14 * u, tick_len = 4 * u, tick_gap = 3 * u;
  const char* tick_texts[] = {"0", "0.25", "0.5", "0.75", "1"};
  float tick_w = 0;
  for (const char* t : tick_texts)
    tick_w = std::max(tick_w, text.width(t, sz.small));
  const float caption_gap = 8 * u;
  const float colorbar_w =
      20 * u + bar_w + tick_len + tick_gap + tick_w + caption_gap + sz.small * kLinePitch;

  const float pad = 6 * u;  // between labels and the matrix
  const float left = sz.margin, right = in.width - sz.margin - colorbar_w;
  const float bottom = in.height - sz.margin;
  const float cap_left = 0.28f * in.width, cap_top = 0.28f * in.height;

  // Label sizes depend on the cell size, which depends on the room labels take: start from
  // the largest labels and let the two settle, which takes two or three rounds. Should they
  // not, the last gutters are kept and the labels only shrink to fit the last cell size.
  auto gutters = [&](const AxisStyle& s, float* left_w, float* top_h) {
    *left_w = std::min(row_max * s.row_size / sz.label, cap_left) + pad;
    *top_h = s.rotated ? std::min(col_max * s.col_size / sz.label, cap_top) + pad
                       : s.col_size * kLinePitch + pad;
  };
  auto cell_for = [&](float left_w, float top_h) {
    const float w = (right - left - left_w) / cols, h = (bottom - top - top_h) / rows;
    return std::max(std::min(w, h), 0.01f);
  };
  auto style_for = [&](float cell) {
    // Rows, and rotated columns, are one line per cell across their text.
    const LabelFit across = fit_labels(cell, sz.label, sz.min);
    AxisStyle s;
    s.row_size = across.size;
    s.row_stride = across.stride;
    // Horizontal column labels at the largest size at which the widest one fits in its
    // column; preferred unless rotating lets the text be clearly larger.
    const float horizontal =
        col_max > 0 ? std::min(sz.label, (cell - pad) * sz.label / col_max) : sz.label;
    s.rotated = !(horizontal >= sz.min && horizontal >= 0.85f * across.size);
    s.col_size = s.rotated ? across.size : horizontal;
    s.col_stride = s.rotated ? across.stride : 1;
    return s;
  };
  AxisStyle style{sz.label, sz.label, 1, 1, false};
  float left_w = 0, top_h = 0, cell = 0;
  for (int round = 0; round < 6; ++round) {
    gutters(style, &left_w, &top_h);
    cell = cell_for(left_w, top_h);
    const AxisStyle next = style_for(cell);
    const bool same = next.rotated == style.rotated && next.row_size == style.row_size &&
                      next.col_size == style.col_size && next.row_stride == style.row_stride &&
                      next.col_stride == style.col_stride;
    if (same) break;
    if (round == 5) {
      style.row_size = std::min(style.row_size, next.row_size);
      style.row_stride = std::max(style.row_stride, next.row_stride);
      const LabelFit f = fit_labels(cell, sz.label, sz.min);
      style.col_size = std::min(style.col_size, style.rotated ? f.size : next.col_size);
      if (style.rotated) style.col_stride = std::max(style.col_stride, f.stride);
      style.col_size = std::max(style.col_size, sz.min);
      break;
    }
    style = next;
  }

  // Centre the block (row labels, matrix, colour bar) between the margins.
  const float mat_w = cell * cols, mat_h = cell * rows;
  const float block_w = left_w + mat_w + colorbar_w;
  const float block_h = top_h + mat_h;
  const float bx = sz.margin + std::max(0.0f, (in.width - 2 * sz.margin - block_w) / 2);
  const float by = top + std::max(0.0f, (bottom - top - block_h) / 2);
  const float mx = bx + left_w, my = by + top_h;

  SceneMatrix matrix;
  matrix.x = mx;
  matrix.y = my;
  matrix.width = mat_w;
  matrix.height = mat_h;
  matrix.values = values;
  matrix.key = matrix_key(in.trace_id, state.kind, state.layer, state.head_mode, state.head);
  matrix.colormap = state.colormap;
  matrix.threshold = state.threshold;
  matrix.below_color = theme.background;
  scene.matrices.push_back(matrix);
  SceneRect matrix_frame;  // the matrix keeps its edges where the threshold blanks its cells
  matrix_frame.x = mx - 1 * u;
  matrix_frame.y = my - 1 * u;
  matrix_frame.width = mat_w + 2 * u;
  matrix_frame.height = mat_h + 2 * u;
  matrix_frame.stroke = with_alpha(theme.muted, 0.35f);
  matrix_frame.stroke_width = 1 * u;
  scene.rects.push_back(matrix_frame);

  // Values written in the cells when they are large enough to hold them legibly; weights that
  // round to 0 stay blank so the pattern stands out.
  const float value_size = std::min(sz.small, cell * 0.32f);
  if (value_size >= sz.min && text.width("0.00", value_size) <= cell - 6 * u) {
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) {
        const float v = (*values)(i, j);
        if (!(v >= 0.005f) || v < state.threshold) continue;
        scene.texts.push_back(
            make_text(mx + (j + 0.5f) * cell, my + (i + 0.5f) * cell, format_value(v, 2),
                      value_size, text_on(colormap_color(state.colormap, v)), TextAlign::kCenter));
      }
    }
  }

  // The hovered row and column: a dark ring inside a light one, visible on any cell colour.
  const bool hover_row = in.hover.row >= 0 && in.hover.row < rows;
  const bool hover_col = in.hover.col >= 0 && in.hover.col < cols;
  auto outline = [&](float x, float y, float w, float h) {
    const float ring = 1.5f * u;
    SceneRect outer;
    outer.x = x - 2 * ring;
    outer.y = y - 2 * ring;
    outer.width = w + 4 * ring;
    outer.height = h + 4 * ring;
    outer.stroke = theme.outline_inner;
    outer.stroke_width = ring;
    SceneRect inner = outer;
    inner.x += ring;
    inner.y += ring;
    inner.width -= 2 * ring;
    inner.height -= 2 * ring;
    inner.stroke = theme.outline_outer;
    scene.overlay.push_back(outer);
    scene.overlay.push_back(inner);
  };
  if (hover_row) outline(mx, my + in.hover.row * cell, mat_w, cell);
  if (hover_col) outline(mx + in.hover.col * cell, my, cell, mat_h);

  auto emphasis = [&](float x, float y, float w, float h) {
    SceneRect r;
    r.x = x;
    r.y = y;
    r.width = w;
    r.height = h;
    r.fill = with_alpha(theme.accent, 0.15f);
    scene.rects.push_back(r);
  };

  // Row labels, right-aligned against the matrix.
  const float row_text_w = left_w - pad;
  for (int i : shown_labels(rows, style.row_stride, hover_row ? in.hover.row : -1)) {
    const bool hot = hover_row && i == in.hover.row;
    const std::string label = text.fit(row_labels[i], style.row_size, row_text_w);
    const float y = my + (i + 0.5f) * cell;
    if (hot) {
      const float w = text.width(label, style.row_size);
      emphasis(mx - pad - w - 2 * u, y - 0.6f * style.row_size, w + 4 * u, 1.2f * style.row_size);
    }
    scene.texts.push_back(make_text(mx - pad, y, label, style.row_size,
                                    hot ? theme.accent : theme.text, TextAlign::kRight));
  }
  // Column labels above the matrix, horizontal or reading upwards.
  for (int j : shown_labels(cols, style.col_stride, hover_col ? in.hover.col : -1)) {
    const bool hot = hover_col && j == in.hover.col;
    const float x = mx + (j + 0.5f) * cell;
    if (style.rotated) {
      const std::string label = text.fit(col_labels[j], style.col_size, top_h - pad);
      if (hot) {
        const float w = text.width(label, style.col_size);
        emphasis(x - 0.6f * style.col_size, my - pad - w - 2 * u, 1.2f * style.col_size, w + 4 * u);
      }
      scene.texts.push_back(make_text(x, my - pad, label, style.col_size,
                                      hot ? theme.accent : theme.text, TextAlign::kLeft, -90));
    } else {
      const std::string label = text.fit(col_labels[j], style.col_size, cell - pad);
      const float y = my - pad - 0.5f * kLinePitch * style.col_size;
      if (hot) {
        const float w = text.width(label, style.col_size);
        emphasis(x - w / 2 - 2 * u, y - 0.6f * style.col_size, w + 4 * u, 1.2f * style.col_size);
      }
      scene.texts.push_back(make_text(x, y, label, style.col_size, hot ? theme.accent : theme.text,
                                      TextAlign::kCenter));
    }
  }

  // The colour bar: at least tall enough for its five ticks, centred on the matrix.
  const float bar_h = std::min(std::max(mat_h, 160 * u), bottom - top - sz.small);
  const float bar_x = mx + mat_w + 20 * u;
  const float bar_y = std::clamp(my + mat_h / 2 - bar_h / 2, top + 0.6f * sz.small,
                                 std::max(top + 0.6f * sz.small, bottom - 0.6f * sz.small - bar_h));
  SceneMatrix bar;
  bar.x = bar_x;
  bar.y = bar_y;
  bar.width = bar_w;
  bar.height = bar_h;
  bar.values = colorbar_values();
  bar.key = kColorbarKey;
  bar.colormap = state.colormap;
  bar.threshold = state.threshold;
  bar.below_color = theme.background;
  scene.matrices.push_back(bar);
  SceneRect frame;  // keeps the bar's extent visible where the threshold blanks it
  frame.x = bar_x;
  frame.y = bar_y;
  frame.width = bar_w;
  frame.height = bar_h;
  frame.stroke = with_alpha(theme.muted, 0.6f);
  frame.stroke_width = 1 * u;
  scene.rects.push_back(frame);
  for (int k = 0; k < 5; ++k) {
    const float y = bar_y + (1 - k / 4.0f) * bar_h;
    SceneLine tick;
    tick.x0 = bar_x + bar_w;
    tick.x1 = bar_x + bar_w + tick_len;
    tick.y0 = tick.y1 = y;
    tick.width = 1 * u;
    tick.color = theme.muted;
    scene.lines.push_back(tick);
    scene.texts.push_back(make_text(tick.x1 + tick_gap, y, tick_texts[k], sz.small, theme.muted));
  }
  if (state.threshold > 0 && state.threshold <= 1) {
    SceneLine mark;
    mark.x0 = bar_x - 3 * u;
    mark.x1 = bar_x + bar_w;
    mark.y0 = mark.y1 = bar_y + (1 - state.threshold) * bar_h;
    mark.width = 1.5f * u;
    mark.color = theme.accent;
    scene.lines.push_back(mark);
  }
  const float caption_x =
      bar_x + bar_w + tick_len + tick_gap + tick_w + caption_gap + 0.5f * sz.small * kLinePitch;
  scene.texts.push_back(make_text(caption_x, bar_y + bar_h / 2,
                                  text.fit("attention weight", sz.small, bar_h), sz.small,
                                  theme.muted, TextAlign::kCenter, -90));

  // What is under the pointer: token labels, then cells.
  for (int i = 0; i < rows; ++i) {
    HitRegion r;
    r.x = bx;
    r.y = my + i * cell;
    r.width = left_w;
    r.height = cell;
    r.kind = HitKind::kQueryToken;
    r.a = i;
    r.tooltip = row_tooltip(in, state.kind, i);
    scene.hits.push_back(std::move(r));
  }
  for (int j = 0; j < cols; ++j) {
    HitRegion r;
    r.x = mx + j * cell;
    r.y = by;
    r.width = cell;
    r.height = top_h;
    r.kind = HitKind::kKeyToken;
    r.a = j;
    r.tooltip = "key " + quoted_token(key_tokens, j);
    scene.hits.push_back(std::move(r));
  }
  if (static_cast<long>(rows) * cols <= kMaxCellRegions) {
    scene.hits.reserve(scene.hits.size() + static_cast<size_t>(rows) * cols);
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) {
        HitRegion r;
        r.x = mx + j * cell;
        r.y = my + i * cell;
        r.width = cell;
        r.height = cell;
        r.kind = HitKind::kCell;
        r.a = i;
        r.b = j;
        scene.hits.push_back(std::move(r));
      }
    }
  } else {
    HitRegion r;
    r.x = mx;
    r.y = my;
    r.width = mat_w;
    r.height = mat_h;
    r.kind = HitKind::kCell;
    scene.hits.push_back(std::move(r));
  }
  return scene;
}

}  // namespace attnscope
