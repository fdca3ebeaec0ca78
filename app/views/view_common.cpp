// Theme, text and label helpers shared by the view builders.
#include "views/view_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "attnscope/error.h"
#include "attnscope/random.h"
#include "attnscope/tokenizer.h"

namespace attnscope {
namespace view_detail {

Color hex_color(uint32_t rgb, float alpha) {
  return Color{((rgb >> 16) & 0xff) / 255.0f, ((rgb >> 8) & 0xff) / 255.0f, (rgb & 0xff) / 255.0f,
               alpha};
}

Color with_alpha(Color color, float alpha) {
  color.a = alpha;
  return color;
}

Color colormap_color(Colormap colormap, float value) {
  const Rgb8 c = colormap_rgb(colormap, value);
  return Color{c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f};
}

Color text_on(Color color) {
  const float luma = 0.299f * color.r + 0.587f * color.g + 0.114f * color.b;
  return luma > 0.55f ? hex_color(0x16161c) : hex_color(0xffffff);
}

Theme make_theme(bool dark) {
  Theme t;
  if (dark) {
    t.background = hex_color(0x1e1e24);
    t.text = hex_color(0xe6e6ec);
    t.muted = hex_color(0x9d9daa);
    t.faint = hex_color(0x2f2f3a);
    t.accent = hex_color(0xff8c38);  // orange: absent from viridis, magma's top is paler
    t.link = hex_color(0x56b4e9);    // Okabe-Ito sky blue
  } else {
    t.background = hex_color(0xffffff);
    t.text = hex_color(0x2b2b33);
    t.muted = hex_color(0x6b6b78);
    t.faint = hex_color(0xececf1);
    t.accent = hex_color(0xd55e00);  // Okabe-Ito vermilion
    t.link = hex_color(0x0072b2);    // Okabe-Ito blue
  }
  t.outline_outer = hex_color(0x111114);
  t.outline_inner = hex_color(0xffffff);
  return t;
}

std::vector<Color> head_palette(bool dark, int heads) {
  static const uint32_t kLight[] = {0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7,
                                    0xe69f00, 0x56b4e9, 0x000000, 0xf0e442};
  static const uint32_t kDark[] = {0xe69f00, 0x56b4e9, 0xf0e442, 0x009e73,
                                   0xcc79a7, 0xd55e00, 0xffffff, 0x0072b2};
  std::vector<Color> colors;
  if (heads <= 8) {
    for (int h = 0; h < heads; ++h)
      colors.push_back(hex_color(dark ? kDark[h] : kLight[h]));
    return colors;
  }
  // Eight colours are all that stay apart for colour-blind eyes; past them distinct hues at
  // least keep heads apart for everyone else.
  for (int h = 0; h < heads; ++h) {
    const float hue = 6.0f * h / heads;
    const float v = dark ? 0.95f : 0.8f, s = 0.7f;
    const float f = hue - std::floor(hue);
    const float p = v * (1 - s), q = v * (1 - s * f), r = v * (1 - s * (1 - f));
    switch (static_cast<int>(hue) % 6) {
      case 0:
        colors.push_back({v, r, p, 1});
        break;
      case 1:
        colors.push_back({q, v, p, 1});
        break;
      case 2:
        colors.push_back({p, v, r, 1});
        break;
      case 3:
        colors.push_back({p, q, v, 1});
        break;
      case 4:
        colors.push_back({r, p, v, 1});
        break;
      default:
        colors.push_back({v, p, q, 1});
        break;
    }
  }
  return colors;
}

Scene empty_scene(const ViewInput& in, const Theme& theme) {
  Scene scene;
  scene.width = in.width;
  scene.height = in.height;
  scene.background = theme.background;
  return scene;
}

Sizes make_sizes(const AppState& state) {
  Sizes s;
  const float scale = std::isfinite(state.ui_scale) ? state.ui_scale : 1.0f;
  s.u = std::clamp(scale, 0.5f, 4.0f);
  s.margin = 16 * s.u;
  s.title = 16 * s.u;
  s.subtitle = 12 * s.u;
  s.label = 13 * s.u;
  s.small = 11 * s.u;
  s.min = 9 * s.u;
  return s;
}

int utf8_length(const std::string& text) {
  int n = 0;
  for (unsigned char c : text)
    n += (c & 0xc0) != 0x80;
  return n;
}

float TextTools::width(const std::string& text, float size) const {
  if (measure_) return measure_(text, size);
  return 0.6f * size * utf8_length(text);
}

std::string TextTools::fit(const std::string& text, float size, float max_width) const {
  if (width(text, size) <= max_width) return text;
  static const std::string kEllipsis = "\xe2\x80\xa6";  // …
  if (width(kEllipsis, size) > max_width) return "";
  // Byte offsets where each code point starts: the text is cut only there.
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) starts.push_back(i);
  }
  auto shortened = [&](size_t keep) {
    std::string prefix = text.substr(0, starts[keep]);
    while (!prefix.empty() && prefix.back() == ' ')
      prefix.pop_back();
    return prefix + kEllipsis;
  };
  // The longest prefix that fits: widths grow with the prefix, so bisect.
  size_t lo = 0, hi = starts.size() - 1;  // keep `lo` code points: fits; `hi + 1`: may not
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) / 2;
    if (width(shortened(mid), size) <= max_width) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return shortened(lo);
}

LabelFit fit_labels(float pitch, float base, float min_size) {
  if (!(pitch > 0)) return {min_size, 1 << 30};
  const float size = std::min(base, pitch / kLinePitch);
  if (size >= min_size) return {size, 1};
  return {min_size, static_cast<int>(std::ceil(min_size * kLinePitch / pitch - 1e-4f))};
}

std::vector<int> shown_labels(int n, int stride, int force) {
  std::vector<int> shown;
  const bool forced = force >= 0 && force < n;
  stride = std::max(stride, 1);
  for (int i = 0; i < n; i += stride) {
    if (forced && i != force && std::abs(i - force) < stride) continue;
    shown.push_back(i);
  }
  if (forced && !std::binary_search(shown.begin(), shown.end(), force)) {
    shown.insert(std::lower_bound(shown.begin(), shown.end(), force), force);
  }
  return shown;
}

std::vector<int> priority_labels(const std::vector<float>& priority, int stride) {
  const int n = static_cast<int>(priority.size());
  stride = std::max(stride, 1);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return priority[a] > priority[b]; });
  std::vector<char> taken(n, 0);  // 1 where a label is, or a neighbour too close to one
  std::vector<int> shown;
  for (int i : order) {
    if (taken[i]) continue;
    shown.push_back(i);
    for (int j = std::max(0, i - stride + 1); j <= std::min(n - 1, i + stride - 1); ++j)
      taken[j] = 1;
  }
  std::sort(shown.begin(), shown.end());
  return shown;
}

std::string display_token(const std::vector<std::string>& tokens, int i) {
  if (i < 0 || i >= static_cast<int>(tokens.size())) return "#" + std::to_string(i);
  const std::string& t = tokens[i];
  if (t.empty()) return "\xe2\x88\x85";  // ∅
  return is_valid_utf8(t) ? t : sanitize_utf8(t);
}

std::string quoted_token(const std::vector<std::string>& tokens, int i) {
  return "'" + display_token(tokens, i) + "' (" + std::to_string(i) + ")";
}

bool rows_by_output(const AppState& state, AttentionKind kind) {
  return state.row_labels == RowLabels::kOutput && kind != AttentionKind::kEncoderSelf;
}

bool written_token(const ViewInput& in, int row, std::string* token) {
  if (!in.trace || row < 0) return false;
  const Trace& trace = *in.trace;
  if (row >= static_cast<int>(trace.output_ids.size())) return false;
  const int id = trace.output_ids[row];
  std::string name;
  if (in.target_token) {
    name = in.target_token(id);
  } else if (row + 1 < static_cast<int>(trace.tgt_ids.size()) && trace.tgt_ids[row + 1] == id &&
             row + 1 < static_cast<int>(trace.tgt_tokens.size())) {
    name = trace.tgt_tokens[row + 1];  // decoded: the next input is the token written
  }
  if (name.empty()) name = "#" + std::to_string(id);
  *token = is_valid_utf8(name) ? name : sanitize_utf8(name);
  return true;
}

std::string row_label(const ViewInput& in, AttentionKind kind, int row) {
  std::string written;
  if (rows_by_output(state_of(in), kind) && written_token(in, row, &written))
    return "\xe2\x86\x92 " + written;  // →
  return in.trace ? display_token(in.trace->query_tokens(kind), row) : "#" + std::to_string(row);
}

std::string row_name(const ViewInput& in, AttentionKind kind, int row) {
  std::string written;
  if (rows_by_output(state_of(in), kind) && written_token(in, row, &written))
    return "the step writing '" + written + "'";
  return "query '" +
         (in.trace ? display_token(in.trace->query_tokens(kind), row) : "#" + std::to_string(row)) +
         "'";
}

std::string row_tooltip(const ViewInput& in, AttentionKind kind, int row) {
  if (!in.trace) return "";
  const auto& queries = in.trace->query_tokens(kind);
  std::string written;
  if (kind != AttentionKind::kEncoderSelf && written_token(in, row, &written)) {
    return "step " + std::to_string(row) + " reads '" + display_token(queries, row) +
           "', writes '" + written + "'";
  }
  return "query " + quoted_token(queries, row);
}

const char* kind_title(AttentionKind kind) {
  return names_of(kind).title;
}

std::string heads_title(HeadMode mode, int head, int num_heads) {
  const std::string heads = std::to_string(num_heads) + (num_heads == 1 ? " head" : " heads");
  switch (mode) {
    case HeadMode::kSingle:
      return "head " + std::to_string(head);
    case HeadMode::kMean:
      return "mean of " + heads;
    case HeadMode::kMax:
      return "max of " + heads;
  }
  return "";
}

std::string format_value(float value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, static_cast<double>(value));
  return buffer;
}

uint64_t matrix_key(uint64_t trace_id, AttentionKind kind, int layer, HeadMode mode, int head) {
  if (trace_id == 0) return 0;
  if (mode != HeadMode::kSingle) head = 0;
  uint64_t h = splitmix64(trace_id);
  h = splitmix64(h ^ static_cast<uint64_t>(kind));
  h = splitmix64(h ^ static_cast<uint64_t>(static_cast<uint32_t>(layer)));
  h = splitmix64(h ^ static_cast<uint64_t>(mode));
  h = splitmix64(h ^ static_cast<uint64_t>(static_cast<uint32_t>(head)));
  return h == 0 ? 1 : h;
}

int head_count(const Trace& trace, AttentionKind kind, int layer) {
  return static_cast<int>(trace.record(kind, layer).heads.size());
}

SceneText make_text(float x, float y, std::string text, float size, Color color, TextAlign align,
                    float angle) {
  SceneText t;
  t.x = x;
  t.y = y;
  t.text = std::move(text);
  t.size = size;
  t.color = color;
  t.align = align;
  t.angle = angle;
  return t;
}

float add_title(Scene& scene, const TextTools& text, const Sizes& sz, const Theme& theme,
                const std::string& title, const std::string& subtitle) {
  const float max_width = scene.width - 2 * sz.margin;
  float y = sz.margin;
  scene.texts.push_back(make_text(scene.width / 2, y + 0.7f * sz.title,
                                  text.fit(title, sz.title, max_width), sz.title, theme.text,
                                  TextAlign::kCenter));
  y += 1.4f * sz.title;
  if (!subtitle.empty()) {
    scene.texts.push_back(make_text(scene.width / 2, y + 0.7f * sz.subtitle,
                                    text.fit(subtitle, sz.subtitle, max_width), sz.subtitle,
                                    theme.muted, TextAlign::kCenter));
    y += 1.4f * sz.subtitle;
  }
  return y + 8 * sz.u;
}

const AppState& state_of(const ViewInput& in) {
  static const AppState kDefault;
  return in.state ? *in.state : kDefault;
}

Scene message_scene(const ViewInput& in, const std::string& message) {
  const AppState& state = state_of(in);
  const Theme theme = make_theme(state.dark);
  const Sizes sz = make_sizes(state);
  const TextTools text(in.measure);
  Scene scene = empty_scene(in, theme);
  scene.texts.push_back(make_text(in.width / 2, in.height / 2,
                                  text.fit(message, sz.label, in.width - 2 * sz.margin), sz.label,
                                  theme.muted, TextAlign::kCenter));
  return scene;
}

}  // namespace view_detail
}  // namespace attnscope
