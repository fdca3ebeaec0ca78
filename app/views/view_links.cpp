// The links view: keys in a column on the left, queries on the right, and a line for every
// (query, key) pair whose weight is worth seeing, wider and more opaque as the weight grows.
#include <algorithm>
#include <cmath>

#include "attnscope/error.h"
#include "views/view_common.h"
#include "views/views.h"

namespace attnscope {

using namespace view_detail;

namespace {

// Pairs below this weight are not drawn even at threshold 0: at the opacity they would get
// they are invisible, and a 512-token softmax has ~260k of them per head (about 1/512 each)
// that would otherwise make the graph heavy to build and draw.
constexpr float kMinLinkWeight = 0.01f;

struct Link {
  float weight;
  int query, key, head;  // head: index into the colours (0 when one matrix is drawn)
};

// Width and opacity grow monotonically with the weight; the opacity's exponent below 1 lifts
// middling weights so a 0.3 link is not lost next to a 0.9 one. The widest line is 6 units,
// less when tokens are packed closer than that, so that links of neighbours stay apart.
float link_width(float weight, float max_width, float u) {
  return 0.5f * u + (max_width - 0.5f * u) * std::clamp(weight, 0.0f, 1.0f);
}
float link_alpha(float weight) {
  return 0.06f + 0.94f * std::pow(std::clamp(weight, 0.0f, 1.0f), 0.8f);
}

const char* side_name(AttentionKind kind, bool keys, bool by_output) {
  if (!keys && by_output) return "queries \xc2\xb7 word written";
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return keys ? "keys \xc2\xb7 source" : "queries \xc2\xb7 source";
    case AttentionKind::kDecoderSelf:
      return keys ? "keys \xc2\xb7 decoder input" : "queries \xc2\xb7 decoder input";
    case AttentionKind::kCross:
      return keys ? "keys \xc2\xb7 source" : "queries \xc2\xb7 decoder input";
  }
  return "";
}

}  // namespace

Scene build_links(const ViewInput& in) {
  if (!in.trace) return message_scene(in, "Type a sentence to see its attention.");
  const AppState& state = state_of(in);
  const Trace& trace = *in.trace;
  const int heads = head_count(trace, state.kind, state.layer);
  const bool overlay = state.overlay_heads && heads > 0;

  // The matrices drawn: every head when overlaid, else the selection (which also checks the
  // layer and head, throwing InputError like the other views).
  std::vector<std::shared_ptr<const Matrix>> matrices;
  if (overlay) {
    for (int h = 0; h < heads; ++h)
      matrices.push_back(selected_matrix(in.trace, state.kind, state.layer, HeadMode::kSingle, h));
  } else {
    matrices.push_back(
        selected_matrix(in.trace, state.kind, state.layer, state.head_mode, state.head));
  }
  const int nq = static_cast<int>(matrices[0]->rows());
  const int nk = static_cast<int>(matrices[0]->cols());

  const Theme theme = make_theme(state.dark);
  const Sizes sz = make_sizes(state);
  const TextTools text(in.measure);
  const float u = sz.u;
  Scene scene = empty_scene(in, theme);

  const float floor = std::max(state.threshold, kMinLinkWeight);
  // The clicked token, else the one under the pointer, shows only its own links.
  const bool clicked = state.focus_query >= 0 || state.focus_key >= 0;
  const int want_q = clicked ? state.focus_query : in.hover.query;
  const int want_k = clicked ? state.focus_key : in.hover.key;
  const int focus_q = want_q >= 0 && want_q < nq ? want_q : -1;
  const int focus_k = want_k >= 0 && want_k < nk ? want_k : -1;
  const auto& key_tokens = trace.key_tokens(state.kind);

  const std::string title = std::string(kind_title(state.kind)) + " \xc2\xb7 layer " +
                            std::to_string(state.layer) + " \xc2\xb7 " +
                            (overlay ? "all " + std::to_string(heads) + " heads"
                                     : heads_title(state.head_mode, state.head, heads));
  std::string subtitle =
      "thicker, darker line = more attention \xc2\xb7 below " + format_value(floor, 2) + " hidden";
  if (focus_q >= 0) subtitle += " \xc2\xb7 only " + row_name(in, state.kind, focus_q);
  if (focus_k >= 0) subtitle += " \xc2\xb7 only key '" + display_token(key_tokens, focus_k) + "'";
  const float top = add_title(scene, text, sz, theme, title, subtitle);
  if (nq == 0 || nk == 0) {
    scene.texts.push_back(make_text(in.width / 2, (top + in.height) / 2, "no tokens", sz.label,
                                    theme.muted, TextAlign::kCenter));
    return scene;
  }

  // The legend of head colours at the bottom, in as many centred rows as it needs.
  const std::vector<Color> palette = head_palette(state.dark, overlay ? heads : 0);
  const float swatch = 10 * u, swatch_gap = 5 * u, item_gap = 16 * u;
  const float legend_line = sz.small * 1.8f;
  std::vector<std::vector<int>> legend_rows;
  std::vector<float> item_w(palette.size());
  {
    float row_w = 0;
    for (int h = 0; h < static_cast<int>(palette.size()); ++h) {
      item_w[h] = swatch + swatch_gap + text.width("head " + std::to_string(h), sz.small);
      if (legend_rows.empty() || row_w + item_gap + item_w[h] > in.width - 2 * sz.margin) {
        legend_rows.emplace_back();
        row_w = item_w[h];
      } else {
        row_w += item_gap + item_w[h];
      }
      legend_rows.back().push_back(h);
    }
  }
  const float legend_h = legend_rows.size() * legend_line;
  const float bottom = in.height - sz.margin - (legend_h > 0 ? legend_h + 8 * u : 0);

  // The token columns below their headers, centred vertically on the same middle.
  const float header_h = 1.6f * sz.subtitle + 6 * u;
  const float list_top = top + header_h;
  const int n = std::max(nq, nk);
  const float list_h = std::max(bottom - list_top, 1.0f);
  const float pitch = std::min(list_h / n, 2.5f * sz.label);
  const LabelFit fit = fit_labels(pitch, sz.label, sz.min);
  std::vector<std::string> key_labels(nk), query_labels(nq);
  const bool by_output = rows_by_output(state, state.kind);
  const char* key_side = side_name(state.kind, true, by_output);
  const char* query_side = side_name(state.kind, false, by_output);
  float widest = std::max(text.width(key_side, sz.subtitle), text.width(query_side, sz.subtitle));
  for (int k = 0; k < nk; ++k) {
    key_labels[k] = display_token(key_tokens, k);
    widest = std::max(widest, text.width(key_labels[k], fit.size));
  }
  for (int q = 0; q < nq; ++q) {
    query_labels[q] = row_label(in, state.kind, q);
    widest = std::max(widest, text.width(query_labels[q], fit.size));
  }
  // Both gutters as wide as the widest label, so the links sit in the middle of the scene.
  // Links much longer than the columns are tall lie almost flat and hide their crossings:
  // the span between the columns is limited and the whole centred.
  const float gutter = std::min(widest, 0.28f * in.width);
  const float gap = 8 * u;  // between a label and its links
  const float room = in.width - 2 * sz.margin - 2 * gutter - 2 * gap;
  const float span = std::max(std::min(room, std::max(320 * u, 1.3f * n * pitch)), 0.0f);
  const float key_x = (in.width - 2 * gutter - 2 * gap - span) / 2 + gutter;
  const float query_x = key_x + 2 * gap + span;
  const float key_top = list_top + (list_h - nk * pitch) / 2;
  const float query_top = list_top + (list_h - nq * pitch) / 2;
  // Headers just above the first label (which may overhang its row when rows are tight).
  const float first_label_top =
      std::min(key_top, query_top) + std::min(0.0f, pitch / 2 - 0.6f * fit.size);
  const float header_y = first_label_top - 4 * u - 0.6f * sz.subtitle;
  const float max_width = std::clamp(0.9f * pitch, 1.0f * u, 6.0f * u);
  auto key_y = [&](int k) { return key_top + (k + 0.5f) * pitch; };
  auto query_y = [&](int q) { return query_top + (q + 0.5f) * pitch; };

  scene.texts.push_back(make_text(key_x, header_y, text.fit(key_side, sz.subtitle, gutter),
                                  sz.subtitle, theme.muted, TextAlign::kRight));
  scene.texts.push_back(make_text(query_x, header_y, text.fit(query_side, sz.subtitle, gutter),
                                  sz.subtitle, theme.muted, TextAlign::kLeft));

  // The links: every pair at or above the floor (of the focused token only, when one is).
  std::vector<Link> links;
  const int q_begin = focus_q >= 0 ? focus_q : 0, q_end = focus_q >= 0 ? focus_q + 1 : nq;
  const int k_begin = focus_k >= 0 ? focus_k : 0, k_end = focus_k >= 0 ? focus_k + 1 : nk;
  for (int m = 0; m < static_cast<int>(matrices.size()); ++m) {
    const Matrix& weights = *matrices[m];
    for (int q = q_begin; q < q_end; ++q) {
      const float* row = weights.data() + static_cast<Eigen::Index>(q) * nk;
      for (int k = k_begin; k < k_end; ++k) {
        if (row[k] >= floor) links.push_back({row[k], q, k, m});
      }
    }
  }
  // Strong links last, so they are drawn over the weak ones they cross.
  std::stable_sort(links.begin(), links.end(),
                   [](const Link& a, const Link& b) { return a.weight < b.weight; });
  std::vector<char> key_linked(nk, 0), query_linked(nq, 0);
  scene.lines.reserve(links.size());
  for (const Link& link : links) {
    SceneLine line;
    line.x0 = key_x + gap;
    line.y0 = key_y(link.key);
    line.x1 = query_x - gap;
    line.y1 = query_y(link.query);
    line.width = link_width(link.weight, max_width, u);
    line.color = with_alpha(overlay ? palette[link.head] : theme.link, link_alpha(link.weight));
    scene.lines.push_back(line);
    key_linked[link.key] = 1;
    query_linked[link.query] = 1;
  }

  // Labels: the focused one in the accent colour; with a focus, tokens it does not link to
  // are muted so the ones it does stand out.
  auto emphasis = [&](float x, float y, float w, float size) {
    SceneRect r;
    r.x = x - 3 * u;
    r.y = y - 0.65f * size;
    r.width = w + 6 * u;
    r.height = 1.3f * size;
    r.fill = with_alpha(theme.accent, 0.15f);
    scene.rects.push_back(r);
  };
  for (int k : shown_labels(nk, fit.stride, focus_k)) {
    const std::string label = text.fit(key_labels[k], fit.size, gutter);
    Color color = theme.text;
    if (k == focus_k) {
      color = theme.accent;
      const float w = text.width(label, fit.size);
      emphasis(key_x - w, key_y(k), w, fit.size);
    } else if (focus_q >= 0 && !key_linked[k]) {
      color = theme.muted;
    }
    scene.texts.push_back(make_text(key_x, key_y(k), label, fit.size, color, TextAlign::kRight));
  }
  for (int q : shown_labels(nq, fit.stride, focus_q)) {
    const std::string label = text.fit(query_labels[q], fit.size, gutter);
    Color color = theme.text;
    if (q == focus_q) {
      color = theme.accent;
      emphasis(query_x, query_y(q), text.width(label, fit.size), fit.size);
    } else if (focus_k >= 0 && !query_linked[q]) {
      color = theme.muted;
    }
    scene.texts.push_back(make_text(query_x, query_y(q), label, fit.size, color));
  }

  // Legend rows, centred.
  for (size_t r = 0; r < legend_rows.size(); ++r) {
    float row_w = 0;
    for (int h : legend_rows[r])
      row_w += item_w[h] + (row_w > 0 ? item_gap : 0);
    float x = (in.width - row_w) / 2;
    const float y = in.height - sz.margin - legend_h + (r + 0.5f) * legend_line;
    for (int h : legend_rows[r]) {
      SceneRect box;
      box.x = x;
      box.y = y - swatch / 2;
      box.width = box.height = swatch;
      box.fill = palette[h];
      scene.rects.push_back(box);
      scene.texts.push_back(
          make_text(x + swatch + swatch_gap, y, "head " + std::to_string(h), sz.small, theme.text));
      x += item_w[h] + item_gap;
    }
  }

  // Hover and click targets: each token's whole row band, hidden labels included. The
  // tooltip names the strongest link of the token in the matrix drawn (the first head's
  // when overlaid would mislead, so then only the token is named).
  for (int k = 0; k < nk; ++k) {
    HitRegion r;
    r.x = key_x - gutter;
    r.y = key_y(k) - pitch / 2;
    r.width = gutter + gap;
    r.height = pitch;
    r.kind = HitKind::kKeyToken;
    r.a = k;
    r.tooltip = "key " + quoted_token(key_tokens, k);
    if (!overlay) {
      Eigen::Index best = 0;
      const float w = matrices[0]->col(k).maxCoeff(&best);
      r.tooltip += " \xc2\xb7 most attended by " +
                   row_name(in, state.kind, static_cast<int>(best)) + " (" + std::to_string(best) +
                   "): " + format_value(w);
    }
    scene.hits.push_back(std::move(r));
  }
  for (int q = 0; q < nq; ++q) {
    HitRegion r;
    r.x = query_x - gap;
    r.y = query_y(q) - pitch / 2;
    r.width = gutter + gap;
    r.height = pitch;
    r.kind = HitKind::kQueryToken;
    r.a = q;
    r.tooltip = row_tooltip(in, state.kind, q);
    if (!overlay) {
      Eigen::Index best = 0;
      const float w = matrices[0]->row(q).maxCoeff(&best);
      r.tooltip += " \xc2\xb7 attends most to " + quoted_token(key_tokens, static_cast<int>(best)) +
                   ": " + format_value(w);
    }
    scene.hits.push_back(std::move(r));
  }
  return scene;
}

}  // namespace attnscope
