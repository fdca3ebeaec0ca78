// The icon's geometry (icon_shapes), its rasteriser and its SVG writer (see icon.h).
#include "icon/icon.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnscope/error.h"

namespace attnscope {

namespace {

Rgb8 hex(uint32_t rgb) {
  return Rgb8{static_cast<uint8_t>(rgb >> 16), static_cast<uint8_t>(rgb >> 8),
              static_cast<uint8_t>(rgb)};
}

IconPaint flat(Rgb8 colour, float opacity = 1.0f) {
  return IconPaint{colour, colour, opacity};
}

// Where the pieces go, in pixels of the icon being drawn (in canvas units for the SVG).
struct Layout {
  float unit = 1.0f;  // canvas units per layout unit
  float tile_x0 = 0, tile_x1 = 0, tile_radius = 0;
  float rim = 0;    // the lighter edge around the tile, 0 for none
  float depth = 0;  // how far the tile's darker base shows below it, 0 for a flat tile
  int cells = 0;    // the heatmap is cells x cells
  float grid_x0 = 0, grid_y0 = 0, cell = 0, gap = 0, cell_radius = 0;
  bool labels = false;  // token bars along the left and top edges
  float label_thickness = 0, label_gap = 0;
};

// Attention of each target word (row) over the source words (columns) of a translation: the
// adjective and the noun swap places, as they do between English and French. The 3 x 3
// heatmap of the smallest sizes keeps a plain diagonal, which still reads at 4 px per cell.
const std::vector<std::vector<float>>& weights(int cells) {
  // the, cat, sleeps
  static const std::vector<std::vector<float>> three = {
      {1.00f, 0.18f, 0.04f},  // le
      {0.14f, 0.90f, 0.22f},  // chat
      {0.04f, 0.20f, 1.00f},  // dort
  };
  // the, black, cat, .
  static const std::vector<std::vector<float>> four = {
      {1.00f, 0.20f, 0.06f, 0.03f},  // le
      {0.08f, 0.22f, 0.92f, 0.10f},  // chat
      {0.06f, 0.88f, 0.30f, 0.05f},  // noir
      {0.03f, 0.06f, 0.20f, 1.00f},  // .
  };
  // the, black, cat, sleeps, .
  static const std::vector<std::vector<float>> five = {
      {1.00f, 0.10f, 0.16f, 0.02f, 0.04f},  // le
      {0.12f, 0.26f, 0.94f, 0.06f, 0.02f},  // chat
      {0.03f, 0.86f, 0.32f, 0.12f, 0.02f},  // noir
      {0.02f, 0.06f, 0.16f, 0.90f, 0.20f},  // dort
      {0.04f, 0.02f, 0.08f, 0.22f, 1.00f},  // .
  };
  return cells == 3 ? three : cells == 4 ? four : five;
}

// Word-like lengths of the token bars, in canvas units: the target words down the left edge,
// the source words along the top, each no wider than its column.
constexpr std::array<float, 5> kTargetLengths = {30, 20, 38, 24, 32};
constexpr std::array<float, 5> kSourceLengths = {14, 22, 12, 18, 16};

Layout layout_for(int size) {
  Layout l;
  if (size > 0 && size <= 40) {
    // Hand-placed on whole pixels: a flat tile and a heatmap alone, 3, 4 or 5 cells across.
    l.unit = kIconCanvas / static_cast<float>(size);
    if (size <= 16) {
      l.tile_x0 = 0, l.tile_x1 = 16, l.tile_radius = 3.5f;
      l.cells = 3, l.grid_x0 = l.grid_y0 = 1, l.cell = 4, l.gap = 1, l.cell_radius = 0.5f;
    } else if (size <= 24) {
      l.tile_x0 = 1, l.tile_x1 = 23, l.tile_radius = 4.5f;
      l.cells = 4, l.grid_x0 = l.grid_y0 = 3, l.cell = 3, l.gap = 2, l.cell_radius = 0.5f;
    } else {
      l.tile_x0 = 2, l.tile_x1 = 30, l.tile_radius = 6;
      l.cells = 5, l.grid_x0 = l.grid_y0 = 4, l.cell = 4, l.gap = 1, l.cell_radius = 0.5f;
    }
    // Other sizes scale the design of the next size up (the 32 px one above 32).
    const float scale = static_cast<float>(size) / (size <= 16 ? 16 : size <= 24 ? 24 : 32);
    if (scale != 1.0f) {
      for (float* v : {&l.tile_x0, &l.tile_x1, &l.tile_radius, &l.grid_x0, &l.grid_y0, &l.cell,
                       &l.gap, &l.cell_radius}) {
        *v *= scale;
      }
    }
    return l;
  }
  // The full design in canvas units; for a pixel size, the grid is snapped to whole pixels.
  const bool snap = size > 0;
  const float px = snap ? static_cast<float>(size) / kIconCanvas : 1.0f;  // pixels per unit
  l.unit = 1.0f / px;
  auto at = [&](float units) { return snap ? std::round(units * px) : units; };
  l.tile_x0 = at(16), l.tile_x1 = at(240), l.tile_radius = 48 * px;
  l.rim = std::max(3 * px, snap ? 1.0f : 0.0f);
  // Even, so that the face, raised by half of it, stays on whole pixels.
  l.depth = snap ? 2 * std::max(1.0f, std::round(4 * px)) : 8;
  l.cells = 5;
  l.gap = snap ? std::max(1.0f, std::round(4 * px)) : 4;
  const float pitch = snap ? std::round(28 * px) : 28;
  l.cell = pitch - l.gap;
  l.cell_radius = std::max(3 * px, snap ? 0.5f : 0.0f);
  // The grid with its token bars is centred on the tile.
  l.grid_x0 = at(85), l.grid_y0 = at(69);
  l.labels = true;
  l.label_thickness = snap ? std::max(1.0f, std::round(8 * px)) : 8;
  // A bar centred on a row of odd height needs an odd thickness to stay on whole pixels.
  if (snap && std::fmod(l.cell - l.label_thickness, 2.0f) != 0) l.label_thickness += 1;
  l.label_gap = snap ? std::max(1.0f, std::round(10 * px)) : 10;
  return l;
}

IconShape rounded_rect(IconPart part, float x, float y, float w, float h, float r,
                       IconPaint paint) {
  IconShape s;
  s.part = part;
  s.x = x, s.y = y, s.width = w, s.height = h, s.radius = r;
  s.paint = paint;
  return s;
}

}  // namespace

std::vector<IconShape> icon_shapes(int size) {
  const Layout l = layout_for(size);
  const float u = l.unit;
  std::vector<IconShape> shapes;

  // The tile: a raised key, a darker base showing below a face with a lighter rim, lit from
  // above, so that it stands out on dark and light panels alike.
  const float tile = l.tile_x1 - l.tile_x0;
  const float lift = -l.depth / 2;  // the face, and all on it, sits this far above the base
  const float top = l.tile_x0 + lift;
  if (l.depth > 0) {
    shapes.push_back(rounded_rect(IconPart::kTile, l.tile_x0 * u, (l.tile_x0 + l.depth / 2) * u,
                                  tile * u, tile * u, l.tile_radius * u,
                                  flat(hex(0x000000), 0.6f)));
  }
  if (l.rim > 0) {
    shapes.push_back(rounded_rect(IconPart::kTile, l.tile_x0 * u, top * u, tile * u, tile * u,
                                  l.tile_radius * u, {hex(0x5a6278), hex(0x2a2e3a), 1.0f}));
  }
  const float body = tile - 2 * l.rim;
  shapes.push_back(rounded_rect(IconPart::kTile, (l.tile_x0 + l.rim) * u, (top + l.rim) * u,
                                body * u, body * u, (l.tile_radius - l.rim) * u,
                                {hex(0x2e3342), hex(0x171a22), 1.0f}));

  // The heatmap.
  const auto& w = weights(l.cells);
  const float pitch = l.cell + l.gap;
  for (int row = 0; row < l.cells; ++row) {
    for (int col = 0; col < l.cells; ++col) {
      IconShape cell =
          rounded_rect(IconPart::kCell, (l.grid_x0 + col * pitch) * u,
                       (lift + l.grid_y0 + row * pitch) * u, l.cell * u, l.cell * u,
                       l.cell_radius * u, flat(colormap_rgb(Colormap::kViridis, w[row][col])));
      cell.row = row, cell.col = col, cell.weight = w[row][col];
      shapes.push_back(cell);
    }
  }

  // The tokens: bars like words, the target sentence down the left, the source sentence
  // along the top, ending a little before the grid.
  if (l.labels) {
    const IconPaint text = flat(hex(0xd5dae6), 0.75f);
    const float t = l.label_thickness;
    auto length = [&](float units, float parity) {
      float len = units / u;
      if (u == 1.0f) return len;  // unsnapped
      len = std::max(t, std::round(len));
      // Centred on a cell, a bar whose length differs from the cell's by an odd number of
      // pixels would straddle pixels.
      if (parity >= 0 && std::fmod(parity - len, 2.0f) != 0) len += 1;
      return len;
    };
    for (int i = 0; i < l.cells; ++i) {
      const float centre = lift + l.grid_y0 + i * pitch + l.cell / 2;
      const float len = length(kTargetLengths[i], -1);
      const float right = l.grid_x0 - l.label_gap;
      shapes.push_back(rounded_rect(IconPart::kToken, (right - len) * u, (centre - t / 2) * u,
                                    len * u, t * u, t / 2 * u, text));
    }
    for (int i = 0; i < l.cells; ++i) {
      const float centre = l.grid_x0 + i * pitch + l.cell / 2;
      const float len = length(kSourceLengths[i], l.cell);
      const float bottom = lift + l.grid_y0 - l.label_gap;
      shapes.push_back(rounded_rect(IconPart::kToken, (centre - len / 2) * u, (bottom - t) * u,
                                    len * u, t * u, t / 2 * u, text));
    }
  }
  return shapes;
}

namespace {

// Signed distance, in canvas units, from (x, y) to a shape's edge: negative inside.
float signed_distance(const IconShape& s, float x, float y) {
  const float r = std::min({s.radius, s.width / 2, s.height / 2});
  const float qx = std::fabs(x - (s.x + s.width / 2)) - s.width / 2 + r;
  const float qy = std::fabs(y - (s.y + s.height / 2)) - s.height / 2 + r;
  return std::hypot(std::max(qx, 0.0f), std::max(qy, 0.0f)) + std::min(std::max(qx, qy), 0.0f) - r;
}

// The colour a shape's paint gives at canvas height y, as 0..1 floats.
std::array<float, 3> paint_at(const IconShape& s, float y) {
  const float t = s.height > 0 ? std::clamp((y - s.y) / s.height, 0.0f, 1.0f) : 0.0f;
  auto mix = [t](uint8_t a, uint8_t b) { return ((1 - t) * a + t * b) / 255.0f; };
  return {mix(s.paint.top.r, s.paint.bottom.r), mix(s.paint.top.g, s.paint.bottom.g),
          mix(s.paint.top.b, s.paint.bottom.b)};
}

// Samples per pixel side where an edge crosses the pixel: 8 x 8 gives 65 levels of coverage.
constexpr int kSamples = 8;

}  // namespace

Image draw_icon(int size) {
  if (size < 1 || size > 4096) {
    throw Error("draw_icon: size " + std::to_string(size) + ", expected 1 to 4096 pixels");
  }
  const float unit = kIconCanvas / static_cast<float>(size);  // canvas units per pixel
  // Premultiplied RGBA as floats; compositing happens on sRGB values, as SVG renderers do,
  // so the PNGs and the SVG agree.
  std::vector<std::array<float, 4>> pixels(static_cast<size_t>(size) * size,
                                           std::array<float, 4>{0, 0, 0, 0});
  // A pixel's samples lie within half its diagonal of its centre: further from the edge than
  // that, it is wholly inside or wholly outside.
  const float half_diagonal = 0.7072f * unit;

  for (const IconShape& shape : icon_shapes(size)) {
    const int px0 = std::max(0, static_cast<int>(std::floor(shape.x / unit)));
    const int py0 = std::max(0, static_cast<int>(std::floor(shape.y / unit)));
    const int px1 = std::min(size, static_cast<int>(std::ceil((shape.x + shape.width) / unit)));
    const int py1 = std::min(size, static_cast<int>(std::ceil((shape.y + shape.height) / unit)));
    for (int py = py0; py < py1; ++py) {
      for (int px = px0; px < px1; ++px) {
        const float cx = (px + 0.5f) * unit, cy = (py + 0.5f) * unit;
        const float d = signed_distance(shape, cx, cy);
        float coverage;
        if (d <= -half_diagonal) {
          coverage = 1;
        } else if (d >= half_diagonal) {
          continue;
        } else {
          int inside = 0;
          for (int sy = 0; sy < kSamples; ++sy) {
            for (int sx = 0; sx < kSamples; ++sx) {
              inside += signed_distance(shape, (px + (sx + 0.5f) / kSamples) * unit,
                                        (py + (sy + 0.5f) / kSamples) * unit) < 0;
            }
          }
          if (inside == 0) continue;
          coverage = static_cast<float>(inside) / (kSamples * kSamples);
        }
        const float alpha = coverage * shape.paint.opacity;
        const auto rgb = paint_at(shape, cy);
        auto& dst = pixels[static_cast<size_t>(py) * size + px];
        for (int c = 0; c < 3; ++c)
          dst[c] = rgb[c] * alpha + dst[c] * (1 - alpha);
        dst[3] = alpha + dst[3] * (1 - alpha);
      }
    }
  }

  Image image;
  image.width = image.height = size;
  image.rgba.resize(static_cast<size_t>(size) * size * 4);
  for (size_t i = 0; i < pixels.size(); ++i) {
    const auto& p = pixels[i];
    const float a = p[3];
    for (int c = 0; c < 3; ++c) {
      const float straight = a > 0 ? p[c] / a : 0.0f;
      image.rgba[4 * i + c] =
          static_cast<uint8_t>(std::lround(std::clamp(straight, 0.0f, 1.0f) * 255));
    }
    image.rgba[4 * i + 3] = static_cast<uint8_t>(std::lround(std::clamp(a, 0.0f, 1.0f) * 255));
  }
  return image;
}

namespace {

// Shortest decimal that round-trips well enough for a drawing: at most 3 decimals.
std::string num(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", v);
  std::string s = text;
  while (!s.empty() && s.back() == '0')
    s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string colour(Rgb8 c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

bool same(Rgb8 a, Rgb8 b) {
  return a.r == b.r && a.g == b.g && a.b == b.b;
}

}  // namespace

std::string icon_svg() {
  const std::vector<IconShape> shapes = icon_shapes(0);
  const std::string side = num(kIconCanvas);
  std::string defs, body;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const IconShape& s = shapes[i];
    std::string fill = colour(s.paint.top);
    if (!same(s.paint.top, s.paint.bottom)) {
      // Vertical, over the shape's own box, as draw_icon paints it.
      const std::string id = "attnscope-paint" + std::to_string(i);
      defs += "    <linearGradient id=\"" + id +
              "\" gradientUnits=\"userSpaceOnUse\" x1=\"0\" y1=\"" + num(s.y) +
              "\" x2=\"0\" y2=\"" + num(s.y + s.height) + "\">\n      <stop offset=\"0\" " +
              "stop-color=\"" + colour(s.paint.top) + "\"/>\n      <stop offset=\"1\" " +
              "stop-color=\"" + colour(s.paint.bottom) + "\"/>\n    </linearGradient>\n";
      fill = "url(#" + id + ")";
    }
    const std::string opacity =
        s.paint.opacity < 1.0f ? " opacity=\"" + num(s.paint.opacity) + "\"" : "";
    body += "  <rect x=\"" + num(s.x) + "\" y=\"" + num(s.y) + "\" width=\"" + num(s.width) +
            "\" height=\"" + num(s.height) + "\" rx=\"" + num(s.radius) + "\" fill=\"" + fill +
            "\"" + opacity + "/>\n";
  }
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + side + "\" height=\"" +
                    side + "\" viewBox=\"0 0 " + side + " " + side + "\">\n";
  if (!defs.empty()) svg += "  <defs>\n" + defs + "  </defs>\n";
  svg += body + "</svg>\n";
  return svg;
}

std::vector<Image> window_icon_images() {
  std::vector<Image> images;
  for (int size : {16, 32, 48, 64, 128})
    images.push_back(draw_icon(size));
  return images;
}

}  // namespace attnscope
