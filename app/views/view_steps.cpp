// The steps view: one decoding step at a time. The target tokens read so far, where the
// token at this step looks in the source (a cross-attention row as bars), and the five most
// likely next tokens with the one the decoder chose.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "attnscope/error.h"
#include "attnscope/tokenizer.h"
#include "views/view_common.h"
#include "views/views.h"

namespace attnscope {

using namespace view_detail;

namespace {

constexpr int kTopTokens = 5;

struct Bar {
  std::string label;
  float value = 0;  // bar length as a fraction of the track
  Color color;
  std::string value_text;
  Color label_color;
  HitKind hit_kind = HitKind::kKeyToken;
  int hit_a = -1;  // no hit region when negative
  std::string tooltip;
};

// The heading of a bar chart, and the pitch of its rows in a height h: as much room as there
// is, up to a comfortable maximum.
float chart_heading(const Sizes& sz) {
  return 1.6f * sz.subtitle + 4 * sz.u;
}
float chart_pitch(const Sizes& sz, float h, int n) {
  return std::min(std::max(h - chart_heading(sz), 1.0f) / std::max(n, 1), 2.3f * sz.label);
}
// The height a chart of n rows takes in a height h.
float chart_height(const Sizes& sz, float h, int n) {
  return chart_heading(sz) + n * chart_pitch(sz, h, n);
}

// A horizontal bar chart in the box (x, y, w, h): a heading, then one row per bar with its
// label on the left, the bar on a faint full-length track, and its value on the right.
// Returns the y below the last row.
float bar_chart(Scene& scene, const TextTools& text, const Sizes& sz, const Theme& theme, float x,
                float y, float w, float h, const std::string& heading,
                const std::vector<Bar>& bars) {
  const float u = sz.u;
  scene.texts.push_back(make_text(x, y + 0.7f * sz.subtitle, text.fit(heading, sz.subtitle, w),
                                  sz.subtitle, theme.muted));
  const float rows_top = y + chart_heading(sz);
  const int n = static_cast<int>(bars.size());
  if (n == 0) return rows_top;
  const float pitch = chart_pitch(sz, h, n);
  const LabelFit fit = fit_labels(pitch, sz.label, sz.min);
  float label_w = 0, value_w = 0;
  for (const Bar& bar : bars) {
    label_w = std::max(label_w, text.width(bar.label, fit.size));
    value_w = std::max(value_w, text.width(bar.value_text, fit.size));
  }
  const float gap = 8 * u;
  // Labels and values take what they need, up to leaving the bars 30% of the width.
  label_w = std::min(label_w, 0.4f * w);
  value_w = std::max(std::min(value_w, 0.7f * w - label_w - 2 * gap), 0.0f);
  const float track_x = x + label_w + gap;
  const float track_w = std::max(w - label_w - value_w - 2 * gap, 1.0f);
  const float bar_h = std::max(std::min(pitch * 0.62f, 1.3f * fit.size), std::min(pitch, 1 * u));
  // When not every row can be labelled, the longest bars are: they are what the chart is for.
  std::vector<float> priority(n);
  for (int i = 0; i < n; ++i)
    priority[i] = std::isfinite(bars[i].value) ? bars[i].value : 0.0f;
  std::vector<char> shown(n, 0);
  for (int i : priority_labels(priority, fit.stride))
    shown[i] = 1;
  for (int i = 0; i < n; ++i) {
    const Bar& bar = bars[i];
    const float yc = rows_top + (i + 0.5f) * pitch;
    SceneRect track;
    track.x = track_x;
    track.y = yc - bar_h / 2;
    track.width = track_w;
    track.height = bar_h;
    track.fill = theme.faint;
    scene.rects.push_back(track);
    SceneRect filled = track;
    filled.width = track_w * std::clamp(std::isfinite(bar.value) ? bar.value : 0.0f, 0.0f, 1.0f);
    filled.fill = bar.color;
    if (filled.width > 0) scene.rects.push_back(filled);
    if (shown[i]) {
      scene.texts.push_back(make_text(track_x - gap, yc, text.fit(bar.label, fit.size, label_w),
                                      fit.size, bar.label_color, TextAlign::kRight));
      scene.texts.push_back(make_text(track_x + track_w + gap, yc,
                                      text.fit(bar.value_text, fit.size, value_w), fit.size,
                                      bar.label_color));
    }
    if (bar.hit_a >= 0) {
      HitRegion r;
      r.x = x;
      r.y = yc - pitch / 2;
      r.width = w;
      r.height = pitch;
      r.kind = bar.hit_kind;
      r.a = bar.hit_a;
      r.tooltip = bar.tooltip;
      scene.hits.push_back(std::move(r));
    }
  }
  return rows_top + n * pitch;
}

std::string percent(float p) {
  if (!(p >= 0.0005f)) return "<0.1%";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * p);
  return buffer;
}

}  // namespace

Scene build_steps(const ViewInput& in) {
  if (!in.trace) return message_scene(in, "Type a sentence to see its attention.");
  const AppState& state = state_of(in);
  const Trace& trace = *in.trace;
  if (trace.cross.empty()) return message_scene(in, "This trace has no decoder, so no steps.");
  // Encoder layers have no decoding steps: their layer picks the decoder layer shown, clamped.
  const bool encoder_kind = state.kind == AttentionKind::kEncoderSelf;
  const int layers = static_cast<int>(trace.cross.size());
  const int layer = encoder_kind ? std::clamp(state.layer, 0, layers - 1) : state.layer;
  const AttentionRecord& record = trace.record(AttentionKind::kCross, layer);
  if (record.heads.empty()) {
    throw InputError("decoder.cross: layer " + std::to_string(layer) + " has no heads");
  }
  const int heads = static_cast<int>(record.heads.size());
  const int steps = static_cast<int>(record.heads[0].rows());
  const int sources = static_cast<int>(record.heads[0].cols());
  if (steps == 0) return message_scene(in, "No target tokens yet.");
  const int t = state.step < 0 || state.step >= steps ? steps - 1 : state.step;

  // The cross-attention row of step t: only that row of the aggregate is computed.
  const RowVector weights =
      aggregate_heads_row(trace, AttentionKind::kCross, layer, state.head_mode, state.head, t);

  const Theme theme = make_theme(state.dark);
  const Sizes sz = make_sizes(state);
  const TextTools text(in.measure);
  const float u = sz.u;
  Scene scene = empty_scene(in, theme);

  const std::string title = "step " + std::to_string(t) + " \xc2\xb7 cross-attention \xc2\xb7 " +
                            (encoder_kind ? "decoder layer " : "layer ") + std::to_string(layer) +
                            " \xc2\xb7 " + heads_title(state.head_mode, state.head, heads);
  const std::string subtitle = encoder_kind
                                   ? "encoder layers have no decoding steps: decoder layer " +
                                         std::to_string(layer) + "'s cross-attention is shown"
                                   : "what the decoder reads, where it looks, what it predicts";
  const float top = add_title(scene, text, sz, theme, title, subtitle);
  const float content_w = in.width - 2 * sz.margin;
  const float bottom = in.height - sz.margin;
  const auto& targets = trace.tgt_tokens;

  // The bars of (b), the cross-attention row, and of (c), the most likely next tokens and the
  // chosen one when it is not among them; made first, since the layout needs their counts.
  const auto& source_tokens = trace.key_tokens(AttentionKind::kCross);
  std::vector<Bar> source_bars(sources);
  for (int s = 0; s < sources; ++s) {
    Bar& bar = source_bars[s];
    bar.label = display_token(source_tokens, s);
    bar.value = weights[s];
    bar.color = colormap_color(state.colormap, weights[s]);
    bar.value_text = format_value(weights[s], 2);
    bar.label_color = theme.text;
    bar.hit_kind = HitKind::kKeyToken;
    bar.hit_a = s;
    bar.tooltip = "key " + quoted_token(source_tokens, s) + ": " + format_value(weights[s]) +
                  " at step " + std::to_string(t);
  }
  const int vocab = static_cast<int>(trace.probs.cols());
  const bool has_probs = trace.probs.rows() > t && vocab > 0;
  const int chosen = t < static_cast<int>(trace.output_ids.size()) ? trace.output_ids[t] : -1;
  const bool show_chosen = has_probs && chosen >= 0 && chosen < vocab;
  std::vector<Bar> prob_bars;
  if (has_probs) {
    auto name = [&](int id) {
      std::string s = in.target_token ? in.target_token(id) : std::string();
      if (s.empty()) return "#" + std::to_string(id);
      return is_valid_utf8(s) ? s : sanitize_utf8(s);
    };
    const float* probs = trace.probs.data() + static_cast<Eigen::Index>(t) * vocab;
    std::vector<int> ids(vocab);
    std::iota(ids.begin(), ids.end(), 0);
    const int top_n = std::min(kTopTokens, vocab);
    auto more_likely = [&](int a, int b) {
      return probs[a] > probs[b] || (probs[a] == probs[b] && a < b);
    };
    std::partial_sort(ids.begin(), ids.begin() + top_n, ids.end(), more_likely);
    ids.resize(top_n);
    if (show_chosen && std::find(ids.begin(), ids.end(), chosen) == ids.end()) {
      ids.push_back(chosen);
    }
    for (int id : ids) {
      Bar bar;
      const bool is_chosen = id == chosen;
      bar.label = name(id);
      bar.value = probs[id];
      bar.color = is_chosen ? theme.accent : with_alpha(theme.link, 0.8f);
      bar.value_text = percent(probs[id]);
      if (is_chosen && static_cast<int>(prob_bars.size()) >= top_n) {
        const long rank =
            1 + std::count_if(probs, probs + vocab, [&](float p) { return p > probs[id]; });
        bar.value_text += " (rank " + std::to_string(rank) + ")";
      }
      bar.label_color = is_chosen ? theme.accent : theme.text;
      prob_bars.push_back(bar);
    }
  }

  // Layout: (a) on top; (b) and (c) side by side unless the scene is tall and narrow, then
  // one above the other. The whole is centred vertically, so a short sentence does not leave
  // the bottom of the scene empty.
  const float box_h = 2.0f * sz.label;
  const float a_height = 1.6f * sz.subtitle + 2 * u + box_h + 1.6f * sz.small + 14 * u;
  const float legend_h = show_chosen ? 10 * u + 1.5f * sz.small : 0;
  const float column_gap = 36 * u, row_gap = 20 * u;
  const bool side_by_side = in.width >= 620 * u || in.width >= in.height;
  const int prob_rows = static_cast<int>(prob_bars.size());
  const float room = bottom - top - a_height;
  float bh = chart_height(sz, room, sources);
  float ch = chart_height(sz, room - legend_h, prob_rows) + legend_h;
  float content_h = std::max(bh, ch);
  if (!side_by_side) {
    if (bh + row_gap + ch > room) {
      // Not both at their natural height: the probabilities keep theirs up to 45%.
      ch = std::min(ch, std::max(0.45f * room, room - row_gap - bh));
      bh = room - row_gap - ch;
    }
    content_h = bh + row_gap + ch;
  }
  const float offset = std::max(0.0f, (room - content_h) / 2);

  // (a) The decoder input up to step t, as boxes; the earliest give way when they do not fit.
  const float a_top = top + offset;
  scene.texts.push_back(
      make_text(sz.margin, a_top + 0.7f * sz.subtitle,
                text.fit("decoder input up to step " + std::to_string(t), sz.subtitle, content_w),
                sz.subtitle, theme.muted));
  const float box_y = a_top + 1.6f * sz.subtitle + 2 * u;
  const float pad_x = 8 * u, box_gap = 6 * u;
  const std::string ellipsis = "\xe2\x80\xa6";
  const float marker_w = text.width(ellipsis, sz.label) + box_gap;
  std::vector<std::string> box_text(t + 1);
  std::vector<float> box_w(t + 1);
  for (int i = 0; i <= t; ++i) {
    const float room = i == t ? content_w - 2 * pad_x - (t > 0 ? marker_w : 0) : 150 * u;
    box_text[i] = text.fit(display_token(targets, i), sz.label, std::min(room, 150 * u));
    box_w[i] = text.width(box_text[i], sz.label) + 2 * pad_x;
  }
  int first = t;
  float used = box_w[t];
  while (first > 0) {
    const float need = used + box_gap + box_w[first - 1] + (first - 1 > 0 ? marker_w : 0);
    if (need > content_w) break;
    used += box_gap + box_w[first - 1];
    --first;
  }
  float x = sz.margin;
  const float box_mid = box_y + box_h / 2;
  if (first > 0) {
    scene.texts.push_back(make_text(x, box_mid, ellipsis, sz.label, theme.muted));
    x += marker_w;
  }
  for (int i = first; i <= t; ++i) {
    const bool current = i == t;
    SceneRect box;
    box.x = x;
    box.y = box_y;
    box.width = box_w[i];
    box.height = box_h;
    box.fill = current ? with_alpha(theme.accent, 0.16f) : theme.faint;
    if (current) {
      box.stroke = theme.accent;
      box.stroke_width = 2 * u;
    }
    scene.rects.push_back(box);
    scene.texts.push_back(make_text(x + box_w[i] / 2, box_mid, box_text[i], sz.label, theme.text,
                                    TextAlign::kCenter));
    // The position under each box, so "step 3" can be found at a glance.
    const std::string number = std::to_string(i);
    if (text.width(number, sz.small) <= box_w[i]) {
      scene.texts.push_back(make_text(x + box_w[i] / 2, box_y + box_h + 0.8f * sz.small, number,
                                      sz.small, current ? theme.accent : theme.muted,
                                      TextAlign::kCenter));
    }
    HitRegion r;
    r.x = x;
    r.y = box_y;
    r.width = box_w[i];
    r.height = box_h;
    r.kind = HitKind::kStep;
    r.a = i;
    r.tooltip = "step " + std::to_string(i) + ": " + quoted_token(targets, i) +
                " \xe2\x80\x94 click to show this step";
    scene.hits.push_back(std::move(r));
    x += box_w[i] + box_gap;
  }

  const float section_top = a_top + a_height;
  float bx = sz.margin, by = section_top, bw = content_w;
  float cx = bx, cy = by, cw = bw;
  if (side_by_side) {
    bw = (content_w - column_gap) * 0.56f;
    cw = content_w - column_gap - bw;
    cx = bx + bw + column_gap;
  } else {
    cy = by + bh + row_gap;
  }

  // (b) Where the token at step t looks in the source; named by the token it writes when
  // rows are (RowLabels).
  std::string written;
  const bool by_output =
      rows_by_output(state, AttentionKind::kCross) && written_token(in, t, &written);
  bar_chart(scene, text, sz, theme, bx, by, bw, bh,
            by_output ? "where the step writing '" + written + "' looks in the source"
                      : "where '" + display_token(targets, t) + "' looks in the source",
            source_bars);

  // (c) What it predicts next.
  const std::string probs_heading = "next token after '" + display_token(targets, t) + "'";
  if (!has_probs) {
    bar_chart(scene, text, sz, theme, cx, cy, cw, ch, probs_heading, {});
    scene.texts.push_back(make_text(cx, cy + 2.6f * sz.subtitle,
                                    text.fit("no probabilities in this trace", sz.label, cw),
                                    sz.label, theme.muted));
    return scene;
  }
  const float rows_end =
      bar_chart(scene, text, sz, theme, cx, cy, cw, ch - legend_h, probs_heading, prob_bars);
  // What the accent colour means, under the bars when there is room.
  const float key_y = rows_end + 10 * u + sz.small / 2;
  if (show_chosen && key_y + 0.75f * sz.small <= cy + ch) {
    const float swatch = 10 * u;
    SceneRect box;
    box.x = cx;
    box.y = key_y - swatch / 2;
    box.width = box.height = swatch;
    box.fill = theme.accent;
    scene.rects.push_back(box);
    scene.texts.push_back(make_text(
        cx + swatch + 6 * u, key_y,
        text.fit("chosen by the decoder", sz.small, cw - swatch - 6 * u), sz.small, theme.muted));
  }
  return scene;
}

}  // namespace attnscope
