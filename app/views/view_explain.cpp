// The explain view: how one row of attention weights is computed, with the model's numbers
// (explain() in the core), laid out left to right as the computation flows: the query q_i over
// the keys k_j (strips of head_dim cells on a diverging colormap), the scores q·k_j, the same
// after ×1/√d_k with the masked keys struck out, the softmax weights, the values v_j and
// w_j·v_j, their sum (the head's output), then every head's output side by side and the block's
// output after W_o. A stage setting shows it one step at a time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "attnscope/error.h"
#include "attnscope/explain.h"
#include "views/view_common.h"
#include "views/views.h"

namespace attnscope {

using namespace view_detail;

namespace {

// Stages, as ViewParams::explain_stage counts them.
enum Stage {
  kQK = 0,
  kScores,
  kScaled,
  kMasked,
  kWeights,
  kWeighted,
  kOutput,
  kConcat,
  kProjected,
};
static_assert(kProjected == kExplainStages - 1, "one name per stage");

const char* const kStageNames[kExplainStages] = {
    "q and k", "scores",  "scaled", "masked", "weights", "weighted values",
    "output",  "heads concatenated", "W\xe2\x82\x92"};

// "−1.23": a signed number with a real minus sign.
std::string signed_value(float value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::fabs(value));
  const bool negative = value < 0 && std::string(buffer).find_first_not_of("0.") != std::string::npos;
  return (negative ? "\xe2\x88\x92" : "") + std::string(buffer);
}

float max_abs(const float* data, long n) {
  float m = 0;
  for (long i = 0; i < n; ++i)
    if (std::isfinite(data[i])) m = std::max(m, std::fabs(data[i]));
  return m;
}

// A row vector or matrix as cells of the diverging ramp within ±range.
std::shared_ptr<const Matrix> diverging_cells(const Matrix& values, float range) {
  auto m = std::make_shared<Matrix>(values.rows(), values.cols());
  for (long i = 0; i < values.rows(); ++i)
    for (long j = 0; j < values.cols(); ++j)
      (*m)(i, j) = diverging_value(values(i, j), range);
  return m;
}

// Shannon entropy in bits of a distribution.
float entropy_bits(const RowVector& p) {
  double h = 0;
  for (long j = 0; j < p.size(); ++j)
    if (p[j] > 0) h -= p[j] * std::log2(static_cast<double>(p[j]));
  return static_cast<float>(h);
}

}  // namespace

const char* explain_stage_name(int stage) {
  return kStageNames[std::clamp(stage, 0, kExplainStages - 1)];
}

int explain_query(const Trace& trace, const ViewParams& params) {
  const int rows = static_cast<int>(trace.query_tokens(params.kind).size());
  if (rows == 0) return -1;
  return params.query < 0 ? rows - 1 : std::min(params.query, rows - 1);
}

int explain_head(const Trace& trace, const ViewParams& params) {
  return std::clamp(params.head, 0, std::max(0, trace.num_heads() - 1));
}

Scene build_explain(const ViewInput& in) {
  if (!in.trace) return message_scene(in, "Type a sentence to see how its attention is computed.");
  const AppState& state = state_of(in);
  const Trace& trace = *in.trace;
  const int query = explain_query(trace, state);
  if (query < 0) return message_scene(in, "No query tokens to explain.");
  const int head = explain_head(trace, state);
  Explanation e;
  try {
    e = explain(trace, state.kind, state.layer, head, query, in.pad_id);
  } catch (const InputError& error) {
    return message_scene(in, error.what());
  }
  const int keys = static_cast<int>(e.key_tokens.size());
  const int dk = e.head_dim;
  const int stage = std::clamp(state.explain_stage, 0, kExplainStages - 1);
  const bool hide_weights = state.predict_first && !state.revealed;
  const bool show_weights = stage >= kWeights && !hide_weights;

  const Theme theme = make_theme(state.dark);
  const Sizes sz = make_sizes(state);
  const TextTools text(in.measure);
  const float u = sz.u;
  Scene scene = empty_scene(in, theme);

  // Title: what is explained, the row named as the other views name it (by the word its step
  // writes, or by the query token: ViewParams::row_labels); subtitle: the formula, the step's
  // other name and the single head shown.
  const std::string query_name = row_name(in, state.kind, query);
  const std::string query_label = row_label(in, state.kind, query);
  std::string title = "How " + query_name + " weighs the keys \xc2\xb7 " + kind_title(state.kind) +
                      " \xc2\xb7 layer " + std::to_string(state.layer) + " \xc2\xb7 head " +
                      std::to_string(head);
  std::string subtitle = "weights = softmax(q\xc2\xb7K\xe1\xb5\x80 / \xe2\x88\x9a" "d\xe2\x82\x96) "
                         "\xc2\xb7 output = \xce\xa3 w\xe2\xb1\xbc v\xe2\xb1\xbc \xc2\xb7 d\xe2\x82\x96 = " +
                         std::to_string(dk);
  if (state.head_mode != HeadMode::kSingle) {
    subtitle += " \xc2\xb7 one head explained (head " + std::to_string(head) + "), not the " +
                to_string(state.head_mode);
  }
  std::string written;
  if (state.kind != AttentionKind::kEncoderSelf && written_token(in, query, &written)) {
    subtitle += rows_by_output(state, state.kind)
                    ? " \xc2\xb7 its query reads " +
                          quoted_token(trace.query_tokens(state.kind), query)
                    : " \xc2\xb7 this step writes '" + written + "'";
  }
  float top = add_title(scene, text, sz, theme, title, subtitle);

  // The stages as a line of steps: done ones in the text colour, the current one accented,
  // the ones to come faint.
  {
    std::vector<std::string> names;
    float total = 0;
    const std::string arrow = "  \xe2\x86\x92  ";
    for (int s = 0; s < kExplainStages; ++s) {
      names.push_back(kStageNames[s]);
      total += text.width(names.back(), sz.small) + (s ? text.width(arrow, sz.small) : 0);
    }
    const float step_size = total > in.width - 2 * sz.margin
                                ? sz.small * (in.width - 2 * sz.margin) / total
                                : sz.small;
    float x = std::max(sz.margin, (in.width - total * step_size / sz.small) / 2);
    const float y = top + 0.6f * sz.small;
    for (int s = 0; s < kExplainStages; ++s) {
      if (s) {
        scene.texts.push_back(make_text(x, y, arrow, step_size, theme.muted));
        x += text.width(arrow, step_size);
      }
      const Color color = s == stage ? theme.accent : s < stage ? theme.text : theme.muted;
      scene.texts.push_back(make_text(x, y, names[s], step_size, color));
      x += text.width(names[s], step_size);
    }
    top += 1.6f * sz.small;
  }

  // Bottom band: the head outputs side by side and W_o, the formula with numbers.
  const float line = kLinePitch * sz.label;
  // Rows: a header, the query, one per key, the sum.
  const int row_count = keys + 3;
  // When rows would get too small for their labels (large text in a small view), the formula
  // panel gives its room to the table.
  const bool compact = (in.height - sz.margin - top - 7.2f * line) / row_count < sz.min;
  const float bottom_band = (compact ? 3.0f : 7.2f) * line;
  const float table_bottom = in.height - sz.margin - bottom_band;
  float row_h = std::min((table_bottom - top) / row_count, 2.8f * sz.label);
  if (row_h < 2.0f || in.width < 20 * sz.label) {
    return message_scene(in, "Too small to show the computation: make the view larger or the "
                             "text smaller (Ctrl+-).");
  }
  // Room to spare goes above and below the whole, not to the bottom alone.
  top += std::max(0.0f, table_bottom - top - row_count * row_h) / 4;
  const LabelFit fit = fit_labels(row_h, sz.label, sz.min);
  const float label_size = fit.size;
  const float num_size = std::min(sz.small, std::max(label_size, 0.75f * row_h));

  // Columns, left to right.
  float label_w = text.width("q", label_size);
  for (int j = 0; j < keys; ++j)
    label_w = std::max(label_w, text.width(display_token(e.key_tokens, j), label_size));
  label_w = std::max(label_w,
                     text.width("q: " + query_label,
                                label_size));
  label_w = std::min(label_w, 0.14f * in.width) + 6 * u;
  const float gap = std::min(14 * u, 0.02f * in.width);
  const bool unscaled = state.compare_unscaled;
  const int bar_columns = unscaled ? 4 : 3;
  const int strip_columns = 3;  // k, v, w·v
  const float avail = in.width - 2 * sz.margin - label_w - gap * (bar_columns + strip_columns);
  const float number_w = text.width("\xe2\x88\x92" "00.00", num_size) + 4 * u;
  // Strips get cells of at most 1.4 row heights and at most 40% of the room between them.
  float strip_w = std::min(0.5f * avail / strip_columns, dk * std::max(row_h * 1.4f, 3 * u));
  strip_w = std::max(strip_w, std::min(avail / 6, static_cast<float>(dk)));
  float bar_w = std::max((avail - strip_columns * strip_w) / bar_columns, number_w + 8 * u);
  // In a narrow view the strips give way to the bars' numbers, then the bars to the strips.
  if (strip_columns * strip_w + bar_columns * bar_w > avail) {
    strip_w = std::max(std::min(static_cast<float>(dk), avail / 8),
                       (avail - bar_columns * bar_w) / strip_columns);
    bar_w = std::max(1.0f, (avail - strip_columns * strip_w) / bar_columns);
  }

  float x = sz.margin;
  const float label_x = x + label_w - 6 * u;  // right edge of the token labels
  x += label_w;
  const float k_x = x;
  x += strip_w + gap;
  const float score_x = x;
  x += bar_w + gap;
  const float scaled_x = x;
  x += bar_w + gap;
  const float weight_x = x;
  x += bar_w + gap;
  float unscaled_x = 0;
  if (unscaled) {
    unscaled_x = x;
    x += bar_w + gap;
  }
  const float v_x = x;
  x += strip_w + gap;
  const float wv_x = x;

  const float header_y = top + 0.5f * row_h;
  const float q_y = top + row_h;                  // the query row's top
  const float keys_y = q_y + row_h;                // the first key row's top
  const float sum_y = keys_y + keys * row_h;       // the output row's top
  const float strip_h = std::max(1.0f, row_h - std::max(2.0f * u, 0.18f * row_h));
  const float inset = (row_h - strip_h) / 2;

  auto header = [&](float cx, float w, const std::string& label, int needed) {
    const Color c = stage >= needed ? theme.text : with_alpha(theme.muted, 0.45f);
    scene.texts.push_back(make_text(cx + w / 2, header_y, text.fit(label, sz.small, w + gap),
                                    sz.small, c, TextAlign::kCenter));
  };
  auto add_matrix = [&](float mx, float my, float w, float h, const Matrix& values, float range) {
    SceneMatrix m;
    m.x = mx;
    m.y = my;
    m.width = w;
    m.height = h;
    m.values = diverging_cells(values, range);
    m.colormap = Colormap::kDiverging;
    m.threshold = 0;
    m.below_color = theme.background;
    scene.matrices.push_back(m);
    SceneRect frame;
    frame.x = mx - 1 * u;
    frame.y = my - 1 * u;
    frame.width = w + 2 * u;
    frame.height = h + 2 * u;
    frame.stroke = with_alpha(theme.muted, 0.5f);
    frame.stroke_width = 1 * u;
    scene.rects.push_back(frame);
  };
  auto add_rect = [&](float rx, float ry, float w, float h, Color fill) {
    SceneRect r;
    r.x = rx;
    r.y = ry;
    r.width = w;
    r.height = h;
    r.fill = fill;
    scene.rects.push_back(r);
  };

  // Column headers.
  const float qk_range = std::max(max_abs(e.q.data(), e.q.size()), max_abs(e.k.data(), e.k.size()));
  header(k_x, strip_w, "q, k\xe2\xb1\xbc  (\xc2\xb1" + format_value(qk_range, 2) + ")", kQK);
  header(score_x, bar_w, "q\xc2\xb7k\xe2\xb1\xbc", kScores);
  header(scaled_x, bar_w, "\xc3\x97 1/\xe2\x88\x9a" + std::to_string(dk) + " = " +
                              format_value(e.scale, 3),
         kScaled);
  header(weight_x, bar_w, hide_weights ? "softmax: predict first!" : "softmax \xe2\x86\x92 w\xe2\xb1\xbc",
         kWeights);
  if (unscaled) header(unscaled_x, bar_w, "softmax without 1/\xe2\x88\x9a" "d\xe2\x82\x96", kWeights);

  // Matrix of the weighted values, for their colour range shared with v and the output.
  Matrix weighted = e.v;
  for (int j = 0; j < keys; ++j)
    weighted.row(j) *= e.weights[j];
  const float v_range = std::max({max_abs(e.v.data(), e.v.size()),
                                  max_abs(e.output.data(), e.output.size()), 1e-12f});
  header(v_x, strip_w, "v\xe2\xb1\xbc  (\xc2\xb1" + format_value(v_range, 2) + ")", kWeighted);
  header(wv_x, strip_w, "w\xe2\xb1\xbc \xc2\xb7 v\xe2\xb1\xbc", kWeighted);

  // The query row: its token and q.
  scene.texts.push_back(make_text(label_x, q_y + row_h / 2,
                                  text.fit("q: " + query_label, label_size,
                                           label_w - 6 * u),
                                  label_size, theme.accent, TextAlign::kRight));
  {
    Matrix q(1, dk);
    q.row(0) = e.q;
    add_matrix(k_x, q_y + inset, strip_w, strip_h, q, qk_range);
  }
  // The keys: one matrix for all k_j (a row each), and their labels.
  if (keys > 0) add_matrix(k_x, keys_y + inset, strip_w, keys * row_h - 2 * inset, e.k, qk_range);
  const int hovered_key = in.hover.key >= 0 && in.hover.key < keys ? in.hover.key : -1;
  for (int j : shown_labels(keys, fit.stride, hovered_key)) {
    const float y = keys_y + (j + 0.5f) * row_h;
    const bool masked = e.masked[j] && stage >= kMasked;
    scene.texts.push_back(make_text(label_x, y,
                                    text.fit(display_token(e.key_tokens, j), label_size,
                                             label_w - 6 * u),
                                    label_size, masked ? theme.muted : theme.text,
                                    TextAlign::kRight));
  }
  // Faint row stripes, every other key, across the table but not over the strips (rects are
  // drawn over matrices).
  for (int j = 1; j < keys; j += 2) {
    const float y = keys_y + j * row_h;
    const Color stripe = with_alpha(theme.faint, state.dark ? 0.5f : 0.6f);
    add_rect(sz.margin, y, k_x - 2 * u - sz.margin, row_h, stripe);
    add_rect(k_x + strip_w + 2 * u, y, v_x - k_x - strip_w - 4 * u, row_h, stripe);
  }

  // Bars: a zero axis at the same place for scores and scaled, the same units per pixel, so
  // the scaled bars are the score bars shrunk by 1/√d_k.
  float lo = 0, hi = 0;
  for (int j = 0; j < keys; ++j) {
    if (!std::isfinite(e.scores[j])) continue;
    lo = std::min(lo, e.scores[j]);
    hi = std::max(hi, e.scores[j]);
  }
  const float span = std::max(hi - lo, 1e-12f);
  const float bar_room = bar_w - number_w;
  const float per_unit = bar_room / span;  // scene units per unit of score
  const float bar_h = strip_h * 0.8f;
  auto signed_bar = [&](float cx, int j, float value, Color color) {
    const float axis = cx + (-lo) * per_unit;
    const float len = value * per_unit;
    const float y = keys_y + j * row_h + (row_h - bar_h) / 2;
    add_rect(len >= 0 ? axis : axis + len, y, std::fabs(len), bar_h, color);
  };
  auto axis_line = [&](float cx) {
    SceneLine l;
    l.x0 = l.x1 = cx + (-lo) * per_unit;
    l.y0 = keys_y;
    l.y1 = keys_y + keys * row_h;
    l.width = 1 * u;
    l.color = with_alpha(theme.muted, 0.7f);
    scene.lines.push_back(l);
  };
  // Numbers on the rows whose labels are shown, so they stay apart.
  std::vector<bool> numbered(keys, false);
  for (int j : shown_labels(keys, fit.stride, in.hover.key >= 0 && in.hover.key < keys ? in.hover.key : -1))
    numbered[j] = true;
  auto number = [&](float cx, int j, const std::string& s, Color color) {
    if (!numbered[j]) return;
    scene.texts.push_back(make_text(cx + bar_w, keys_y + (j + 0.5f) * row_h, s, num_size, color,
                                    TextAlign::kRight));
  };
  const Color score_color = theme.link;
  const Color weight_color = theme.accent;
  if (stage >= kScores) {
    axis_line(score_x);
    for (int j = 0; j < keys; ++j) {
      signed_bar(score_x, j, e.scores[j], with_alpha(score_color, j == hovered_key ? 1.0f : 0.75f));
      number(score_x, j, signed_value(e.scores[j], 2), theme.text);
    }
  }
  if (stage >= kScaled) {
    axis_line(scaled_x);
    for (int j = 0; j < keys; ++j) {
      const bool masked = e.masked[j] && stage >= kMasked;
      signed_bar(scaled_x, j, e.scaled[j],
                 masked ? with_alpha(theme.muted, 0.35f) : with_alpha(score_color, 0.75f));
      if (masked) {
        // Struck out: the mask makes its score −∞, its weight 0.
        SceneLine strike;
        strike.x0 = scaled_x;
        strike.x1 = scaled_x + bar_room;
        strike.y0 = strike.y1 = keys_y + (j + 0.5f) * row_h;
        strike.width = std::max(1.5f * u, 0.08f * row_h);
        strike.color = theme.accent;
        scene.lines.push_back(strike);
        number(scaled_x, j, "\xe2\x88\x92\xe2\x88\x9e", theme.accent);
      } else {
        number(scaled_x, j, signed_value(e.scaled[j], 2), theme.text);
      }
    }
  }
  // Weights: bars from 0 to 1 over the column.
  auto weight_bars = [&](float cx, const RowVector& w, Color color) {
    SceneLine l;
    l.x0 = l.x1 = cx;
    l.y0 = keys_y;
    l.y1 = keys_y + keys * row_h;
    l.width = 1 * u;
    l.color = with_alpha(theme.muted, 0.7f);
    scene.lines.push_back(l);
    for (int j = 0; j < keys; ++j) {
      const float y = keys_y + j * row_h + (row_h - bar_h) / 2;
      add_rect(cx, y, std::clamp(w[j], 0.0f, 1.0f) * bar_room, bar_h, color);
      number(cx, j, format_value(w[j], 2), theme.text);
    }
  };
  if (stage >= kWeights) {
    if (show_weights) {
      weight_bars(weight_x, e.weights, weight_color);
    } else {
      for (int j = 0; j < keys; ++j) {
        if (!numbered[j]) continue;
        scene.texts.push_back(make_text(weight_x + bar_w / 2, keys_y + (j + 0.5f) * row_h, "?",
                                        label_size, theme.accent, TextAlign::kCenter));
      }
    }
  }
  RowVector unscaled_weights;
  if (unscaled) {
    // The softmax of the scores themselves, over the same keys: what the weights would be
    // without the scaling.
    unscaled_weights = RowVector::Zero(keys);
    float top_score = -INFINITY;
    for (int j = 0; j < keys; ++j)
      if (!e.masked[j]) top_score = std::max(top_score, e.scores[j]);
    double sum = 0;
    for (int j = 0; j < keys; ++j) {
      if (e.masked[j]) continue;
      unscaled_weights[j] = std::exp(e.scores[j] - top_score);
      sum += unscaled_weights[j];
    }
    if (sum > 0) unscaled_weights /= static_cast<float>(sum);
    if (stage >= kWeights && show_weights) {
      weight_bars(unscaled_x, unscaled_weights, with_alpha(theme.muted, 0.8f));
    }
  }
  // Values and weighted values.
  if (stage >= kWeighted && keys > 0) {
    add_matrix(v_x, keys_y + inset, strip_w, keys * row_h - 2 * inset, e.v, v_range);
    if (show_weights) {
      add_matrix(wv_x, keys_y + inset, strip_w, keys * row_h - 2 * inset, weighted, v_range);
    }
  }
  // Row separators over the key matrices, so each k_j, v_j reads as a strip of its own.
  for (int j = 1; j < keys; ++j) {
    for (float sx : {k_x, v_x, wv_x}) {
      if (sx != k_x && stage < kWeighted) continue;
      SceneLine l;
      l.x0 = sx;
      l.x1 = sx + strip_w;
      l.y0 = l.y1 = keys_y + j * row_h;
      l.width = std::max(1.0f * u, 2 * inset);
      l.color = theme.background;
      scene.lines.push_back(l);
    }
  }
  // The sum: the head's output.
  if (stage >= kOutput && show_weights) {
    Matrix out(1, dk);
    out.row(0) = e.output;
    add_matrix(wv_x, sum_y + inset + 2 * u, strip_w, strip_h, out, v_range);
    scene.texts.push_back(make_text(wv_x - 6 * u, sum_y + 2 * u + row_h / 2,
                                    "\xce\xa3 = head output", label_size, theme.text,
                                    TextAlign::kRight));
    SceneLine rule;
    rule.x0 = wv_x;
    rule.x1 = wv_x + strip_w;
    rule.y0 = rule.y1 = sum_y + 1 * u;
    rule.width = 1.5f * u;
    rule.color = theme.text;
    scene.lines.push_back(rule);
  }

  // Bottom band, first line: every head's output side by side, then W_o.
  // Right under the table, which leaves any room to spare at the bottom.
  const float band_y = std::min(table_bottom, sum_y + row_h + 2 * u) + 0.5f * line;
  const AttentionRecord& record = trace.record(state.kind, state.layer);
  const int d_model = static_cast<int>(record.head_outputs.cols());
  if (stage >= kConcat && show_weights && d_model > 0 &&
      query < record.head_outputs.rows()) {
    const Matrix concat = record.head_outputs.row(query);
    Matrix block(1, d_model);
    block.row(0) = e.block_output;
    const float concat_range = std::max(max_abs(concat.data(), concat.size()), 1e-12f);
    const float caption_w = text.width("block output", sz.small) + 8 * u;
    const float room = in.width - 2 * sz.margin - 2 * caption_w - gap;
    const float w = std::max(8.0f * u, (stage >= kProjected ? room / 2 : room) - gap);
    const float h = std::min(strip_h * 1.2f, line);
    float bx = sz.margin;
    scene.texts.push_back(make_text(bx, band_y + h / 2, "all heads", sz.small, theme.text));
    bx += caption_w;
    add_matrix(bx, band_y, w, h, concat, concat_range);
    // This head's block, outlined.
    SceneRect mine;
    mine.x = bx + w * head * dk / d_model - 1 * u;
    mine.y = band_y - 2 * u;
    mine.width = w * dk / d_model + 2 * u;
    mine.height = h + 4 * u;
    mine.stroke = theme.accent;
    mine.stroke_width = 2 * u;
    scene.overlay.push_back(mine);
    scene.texts.push_back(make_text(bx, band_y + h + 0.7f * sz.small,
                                    text.fit("head outputs side by side (" +
                                                 std::to_string(d_model) + " numbers, \xc2\xb1" +
                                                 format_value(concat_range, 2) + ")",
                                             sz.small, w),
                                    sz.small, theme.muted));
    if (stage >= kProjected) {
      bx += w + gap;
      scene.texts.push_back(make_text(bx, band_y + h / 2, "\xc3\x97 W\xe2\x82\x92 + b \xe2\x86\x92",
                                      sz.small, theme.text));
      bx += caption_w;
      const float block_range = std::max(max_abs(e.block_output.data(), e.block_output.size()),
                                         1e-12f);
      add_matrix(bx, band_y, w, h, block, block_range);
      scene.texts.push_back(make_text(bx, band_y + h + 0.7f * sz.small,
                                      text.fit("the block's output at " + query_name +
                                                   " (\xc2\xb1" + format_value(block_range, 2) +
                                                   ")",
                                               sz.small, w),
                                      sz.small, theme.muted));
    }
  }

  // The formula with the numbers of one key: the hovered one, else the most weighted.
  if (!compact) {
    int j = hovered_key;
    if (j < 0 && keys > 0) {
      j = 0;
      for (int k = 1; k < keys; ++k)
        if (e.weights[k] > e.weights[j]) j = k;
      if (!show_weights) {  // the highest score among the keys the query sees
        for (int k = 0; k < keys; ++k)
          if (!e.masked[k] && (e.masked[j] || e.scores[k] > e.scores[j])) j = k;
      }
    }
    float fy = band_y + 2.8f * line;
    const float fsize = 1.15f * sz.label;
    // The formula in pieces, the one of the current stage (or of the hovered score) lit up.
    struct Piece {
      std::string text;
      bool lit;
    };
    const bool scores_lit = stage == kScores || hovered_key >= 0;
    std::vector<Piece> pieces = {
        {"w = ", false},
        {"softmax", stage == kWeights},
        {"(", false},
        {"q\xc2\xb7K\xe1\xb5\x80", stage == kQK || scores_lit},
        {" / \xe2\x88\x9a" "d\xe2\x82\x96", stage == kScaled},
        {")", false},
    };
    const bool any_masked = std::find(e.masked.begin(), e.masked.end(), true) != e.masked.end();
    if (stage >= kMasked && any_masked) pieces.push_back({"  (masked keys: \xe2\x88\x92\xe2\x88\x9e)", stage == kMasked});
    if (stage >= kWeighted) {
      pieces.push_back({"     output = ", stage == kOutput});
      pieces.push_back({"w\xc2\xb7V", stage == kWeighted});
      pieces.push_back({" = \xce\xa3 w\xe2\xb1\xbc v\xe2\xb1\xbc", stage == kOutput});
    }
    if (stage >= kConcat) pieces.push_back({"     [heads]", stage == kConcat});
    if (stage >= kProjected) pieces.push_back({" W\xe2\x82\x92 + b", stage == kProjected});
    std::string whole;
    for (const Piece& piece : pieces)
      whole += piece.text;
    float formula_size = fsize;
    const float whole_w = text.width(whole, fsize);
    if (whole_w > in.width - 2 * sz.margin) formula_size *= (in.width - 2 * sz.margin) / whole_w;
    float px = sz.margin;
    for (const Piece& piece : pieces) {
      const float w = text.width(piece.text, formula_size);
      if (piece.lit) {
        SceneRect r;
        r.x = px - 2 * u;
        r.y = fy - 0.65f * formula_size;
        r.width = w + 4 * u;
        r.height = 1.3f * formula_size;
        r.fill = with_alpha(theme.accent, 0.15f);
        scene.rects.push_back(r);
      }
      scene.texts.push_back(make_text(px, fy, piece.text, formula_size,
                                      piece.lit ? theme.accent : theme.text));
      px += w;
    }
    fy += 1.15f * line;
    if (j >= 0 && stage >= kScores) {
      const std::string key = "'" + display_token(e.key_tokens, j) + "'";
      std::string numbers = "for " + key + ":  q\xc2\xb7k = " + signed_value(e.scores[j], 3);
      if (stage >= kScaled) {
        numbers += "   / \xe2\x88\x9a" + std::to_string(dk) + " = " +
                   (e.masked[j] && stage >= kMasked ? std::string("\xe2\x88\x92\xe2\x88\x9e (masked)")
                                                    : signed_value(e.scaled[j], 3));
      }
      if (stage >= kWeights && show_weights) {
        numbers += "   softmax \xe2\x86\x92 w = " + format_value(e.weights[j], 3);
        if (unscaled) {
          numbers += "   (without 1/\xe2\x88\x9a" "d\xe2\x82\x96: " +
                     format_value(unscaled_weights[j], 3) + ")";
        }
      }
      scene.texts.push_back(make_text(sz.margin, fy,
                                      text.fit(numbers, sz.small, in.width - 2 * sz.margin),
                                      sz.small, theme.text));
      fy += kLinePitch * sz.small;
    }
    const float pitch = kLinePitch * sz.small;
    if (unscaled && stage >= kWeights && show_weights) {
      scene.texts.push_back(make_text(
          sz.margin, fy,
          text.fit("entropy: " + format_value(entropy_bits(e.weights), 2) +
                       " bits with 1/\xe2\x88\x9a" "d\xe2\x82\x96,  " +
                       format_value(entropy_bits(unscaled_weights), 2) + " bits without",
                   sz.small, in.width - 2 * sz.margin),
          sz.small, theme.text));
      fy += pitch;
    }
    if (hide_weights && stage >= kWeights) {
      scene.texts.push_back(make_text(
          sz.margin, fy + 0.5f * (sz.label - sz.small),
          text.fit("Where will " + query_name + " look? (W shows the weights)", sz.label,
                   in.width - 2 * sz.margin),
          sz.label, theme.accent));
      fy += kLinePitch * sz.label;
    }
    if (j >= 0 && stage >= kScores) {
      // The dot product's largest terms q_d·k_jd: which dimensions agree.
      if (j == hovered_key) {
        std::vector<int> dims(dk);
        std::iota(dims.begin(), dims.end(), 0);
        std::sort(dims.begin(), dims.end(), [&](int a, int b) {
          return std::fabs(e.q[a] * e.k(j, a)) > std::fabs(e.q[b] * e.k(j, b));
        });
        std::string terms = "largest terms of q\xc2\xb7k: ";
        double rest = e.scores[j];
        for (int t = 0; t < std::min(4, dk); ++t) {
          const int d = dims[t];
          const float term = e.q[d] * e.k(j, d);
          rest -= term;
          terms += (t ? " + " : "") + std::string("q") + std::to_string(d) + "\xc2\xb7k" +
                   std::to_string(d) + " (" + signed_value(term, 2) + ")";
        }
        if (dk > 4) terms += " + the other " + std::to_string(dk - 4) + " (" +
                             signed_value(static_cast<float>(rest), 2) + ")";
        scene.texts.push_back(make_text(sz.margin, fy,
                                        text.fit(terms, sz.small, in.width - 2 * sz.margin),
                                        sz.small, theme.accent));
        // The same dimensions outlined in q and k_j.
        for (int t = 0; t < std::min(4, dk); ++t) {
          const float cw = strip_w / dk;
          for (float ry : {q_y + inset, keys_y + j * row_h + inset}) {
            SceneRect r;
            r.x = k_x + dims[t] * cw;
            r.y = ry;
            r.width = cw;
            r.height = strip_h;
            r.stroke = theme.accent;
            r.stroke_width = std::max(1.0f, std::min(2 * u, cw / 3));
            scene.overlay.push_back(r);
          }
        }
      }
    }
  }

  // Hover targets: each key's row, for the dot product's terms.
  for (int j = 0; j < keys; ++j) {
    HitRegion r;
    r.x = score_x;
    r.y = keys_y + j * row_h;
    r.width = scaled_x + bar_w - score_x;
    r.height = row_h;
    r.kind = HitKind::kKeyToken;
    r.a = j;
    r.tooltip = "key " + quoted_token(e.key_tokens, j) + ": q\xc2\xb7k = " +
                signed_value(e.scores[j], 3);
    scene.hits.push_back(std::move(r));
  }
  return scene;
}

}  // namespace attnscope
