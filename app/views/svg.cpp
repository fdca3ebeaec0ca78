// Scene to SVG 1.1: the primitives in the renderer's drawing order, numbers with at most two
// decimals, text sanitised and escaped so any token makes a well-formed file.
#include "views/svg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "attnscope/tokenizer.h"

namespace attnscope {

namespace {

// Up to two decimals without trailing zeros: 12.5, 3, 0.25 (an SVG of 262k cells is large
// enough without "12.500000").
void append_number(std::string& out, float value) {
  if (!std::isfinite(value)) value = 0;
  char buffer[32];
  int n = std::snprintf(buffer, sizeof buffer, "%.2f", static_cast<double>(value));
  while (n > 0 && buffer[n - 1] == '0')
    --n;
  if (n > 0 && buffer[n - 1] == '.') --n;
  buffer[n] = '\0';
  out += (buffer[0] == '-' && buffer[1] == '0' && buffer[2] == '\0') ? "0" : buffer;
}

std::string hex(uint8_t r, uint8_t g, uint8_t b) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", r, g, b);
  return buffer;
}

uint8_t channel(float c) {
  if (!(c > 0)) return 0;
  if (c >= 1) return 255;
  return static_cast<uint8_t>(std::lround(c * 255));
}

std::string hex(Color c) {
  return hex(channel(c.r), channel(c.g), channel(c.b));
}

// ` name="#rrggbb"` and, when not opaque, ` name-opacity="a"`.
void append_paint(std::string& out, const char* name, Color c) {
  out += ' ';
  out += name;
  out += "=\"" + hex(c) + '"';
  if (c.a < 1) {
    out += ' ';
    out += name;
    out += "-opacity=\"";
    append_number(out, std::max(c.a, 0.0f));
    out += '"';
  }
}

void append_attr(std::string& out, const char* name, float value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_number(out, value);
  out += '"';
}

// Text content: invalid UTF-8 replaced, characters XML 1.0 forbids dropped (C0 controls
// other than tab and line breaks, U+FFFE, U+FFFF), whitespace controls made spaces since a
// label is one line, and the five markup characters escaped.
void append_text(std::string& out, const std::string& raw) {
  const std::string text = sanitize_utf8(raw);
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xef && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xbf &&
        (static_cast<unsigned char>(text[i + 2]) & 0xfe) == 0xbe) {
      i += 2;  // U+FFFE or U+FFFF
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        if (c >= 0x20) out += static_cast<char>(c);
        break;
    }
  }
}

void append_rect(std::string& out, const SceneRect& r) {
  if (r.fill.a > 0) {
    out += "<rect";
    append_attr(out, "x", r.x);
    append_attr(out, "y", r.y);
    append_attr(out, "width", std::max(r.width, 0.0f));
    append_attr(out, "height", std::max(r.height, 0.0f));
    append_paint(out, "fill", r.fill);
    out += "/>\n";
  }
  if (r.stroke_width > 0 && r.stroke.a > 0) {
    // SVG centres a stroke on the outline; the scene keeps it inside the bounds.
    const float half = r.stroke_width / 2;
    out += "<rect";
    append_attr(out, "x", r.x + half);
    append_attr(out, "y", r.y + half);
    append_attr(out, "width", std::max(r.width - r.stroke_width, 0.0f));
    append_attr(out, "height", std::max(r.height - r.stroke_width, 0.0f));
    out += " fill=\"none\"";
    append_paint(out, "stroke", r.stroke);
    append_attr(out, "stroke-width", r.stroke_width);
    out += "/>\n";
  }
}

// One <rect> per cell (or run of equal cells), each row's cells in a <g>. Cell edges are rounded
// once and shared by neighbours, so no hairline gaps open between cells.
void append_matrix(std::string& out, const SceneMatrix& m,
                   const std::array<std::string, kColormapSize>& colors) {
  if (!m.values) return;
  const int rows = static_cast<int>(m.values->rows());
  const int cols = static_cast<int>(m.values->cols());
  if (rows == 0 || cols == 0) return;
  std::string below = " fill=\"" + hex(m.below_color) + '"';
  if (m.below_color.a < 1) {
    below += " fill-opacity=\"";
    append_number(below, std::max(m.below_color.a, 0.0f));
    below += '"';
  }
  auto edge = [](float origin, float size, int i, int n) {
    return std::round((origin + size * i / n) * 100) / 100;
  };
  std::vector<std::string> column_x(cols), column_w(cols);  // ` x=".."`, ` width=".."`
  for (int j = 0; j < cols; ++j) {
    const float x0 = edge(m.x, m.width, j, cols), x1 = edge(m.x, m.width, j + 1, cols);
    append_attr(column_x[j], "x", x0);
    append_attr(column_w[j], "width", x1 - x0);
  }
  out += "<g shape-rendering=\"crispEdges\">\n";
  std::string row_y, row_h;
  for (int i = 0; i < rows; ++i) {
    const float y0 = edge(m.y, m.height, i, rows), y1 = edge(m.y, m.height, i + 1, rows);
    row_y.clear();
    row_h.clear();
    append_attr(row_y, "y", y0);
    append_attr(row_h, "height", y1 - y0);
    out += "<g>";
    const float* row = m.values->data() + static_cast<Eigen::Index>(i) * cols;
    auto fill_of = [&](int j) -> const std::string& {
      return row[j] < m.threshold ? below : colors[colormap_index(row[j])];
    };
    // A run of cells of one colour is one <rect>: the picture is the same, and a grid of
    // long, mostly dark rows shrinks from one element per cell to a few per row.
    for (int j = 0; j < cols;) {
      const std::string& fill = fill_of(j);
      int end = j + 1;
      while (end < cols && fill_of(end) == fill)
        ++end;
      out += "<rect";
      out += column_x[j];
      out += row_y;
      if (end == j + 1) {
        out += column_w[j];
      } else {
        append_attr(out, "width", edge(m.x, m.width, end, cols) - edge(m.x, m.width, j, cols));
      }
      out += row_h;
      if (&fill == &below) {
        out += below;
      } else {
        out += " fill=\"";
        out += fill;
        out += '"';
      }
      out += "/>";
      j = end;
    }
    out += "</g>\n";
  }
  out += "</g>\n";
}

void append_text_element(std::string& out, const SceneText& t) {
  if (t.text.empty()) return;
  out += "<text";
  append_attr(out, "x", t.x);
  append_attr(out, "y", t.y);
  out += " font-family=\"DejaVu Sans, sans-serif\"";
  append_attr(out, "font-size", t.size);
  append_paint(out, "fill", t.color);
  switch (t.align) {
    case TextAlign::kLeft:
      out += " text-anchor=\"start\"";
      break;
    case TextAlign::kCenter:
      out += " text-anchor=\"middle\"";
      break;
    case TextAlign::kRight:
      out += " text-anchor=\"end\"";
      break;
  }
  // Centred on the anchor's line: dy rather than dominant-baseline, which some SVG
  // renderers (librsvg, several slide tools) ignore.
  out += " dy=\"0.35em\"";
  if (t.angle != 0) {
    out += " transform=\"rotate(";
    append_number(out, t.angle);
    out += ' ';
    append_number(out, t.x);
    out += ' ';
    append_number(out, t.y);
    out += ")\"";
  }
  out += '>';
  append_text(out, t.text);
  out += "</text>\n";
}

}  // namespace

std::string scene_to_svg(const Scene& scene) {
  size_t cells = 0;
  for (const SceneMatrix& m : scene.matrices) {
    if (m.values) cells += static_cast<size_t>(m.values->size());
  }
  std::string out;
  out.reserve(1024 + cells * 72 + scene.lines.size() * 110 + scene.texts.size() * 200 +
              (scene.rects.size() + scene.overlay.size()) * 90);

  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"";
  append_attr(out, "width", scene.width);
  append_attr(out, "height", scene.height);
  out += " viewBox=\"0 0 ";
  append_number(out, scene.width);
  out += ' ';
  append_number(out, scene.height);
  out += "\">\n";

  out += "<rect x=\"0\" y=\"0\"";
  append_attr(out, "width", scene.width);
  append_attr(out, "height", scene.height);
  append_paint(out, "fill", scene.background);
  out += "/>\n";

  for (const SceneMatrix& m : scene.matrices) {
    std::array<std::string, kColormapSize> colors;
    const auto& table = colormap_table(m.colormap);
    for (int i = 0; i < kColormapSize; ++i)
      colors[i] = hex(table[i].r, table[i].g, table[i].b);
    append_matrix(out, m, colors);
  }
  for (const SceneRect& r : scene.rects)
    append_rect(out, r);
  if (!scene.lines.empty()) {
    out += "<g stroke-linecap=\"butt\">\n";
    for (const SceneLine& l : scene.lines) {
      out += "<line";
      append_attr(out, "x1", l.x0);
      append_attr(out, "y1", l.y0);
      append_attr(out, "x2", l.x1);
      append_attr(out, "y2", l.y1);
      append_paint(out, "stroke", l.color);
      append_attr(out, "stroke-width", l.width);
      out += "/>\n";
    }
    out += "</g>\n";
  }
  for (const SceneRect& r : scene.overlay)
    append_rect(out, r);
  for (const SceneText& t : scene.texts)
    append_text_element(out, t);
  out += "</svg>\n";
  return out;
}

}  // namespace attnscope
