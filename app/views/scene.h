// A Scene: what one view draws, as plain data. A view builder (views.h) turns a Trace and
// the AppState into a Scene; the renderer (gfx/renderer.h) draws it with our shaders into a
// framebuffer at any scale, and the SVG writer (svg.h) writes the same primitives as
// vectors. Nothing here knows OpenGL, so layouts are tested without a display.
//
// Coordinates are scene units (logical pixels at scale 1), origin at the top-left corner,
// y growing downwards. Primitives are drawn in this order: background, matrices, rects,
// lines, overlay, texts.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "views/colormap.h"
#include "attnscope/tensor.h"

namespace attnscope {

// sRGB with straight (not premultiplied) alpha, each in [0, 1].
struct Color {
  float r = 0, g = 0, b = 0, a = 1;
};

// A matrix as a grid of cells, each coloured by the colormap entry of its value: a float
// texture looked up in the fragment shader on screen, one <rect> per cell in SVG. Row i,
// column j covers [x + j * width / cols, x + (j + 1) * width / cols) horizontally and the
// same for rows vertically.
struct SceneMatrix {
  float x = 0, y = 0, width = 0, height = 0;
  std::shared_ptr<const Matrix> values;  // (rows, cols), weights in [0, 1]
  // Equal non-zero keys promise equal values, so the renderer may keep the texture it
  // uploaded; 0 means "upload every time".
  uint64_t key = 0;
  Colormap colormap = Colormap::kViridis;
  float threshold = 0;  // cells with a value below it are drawn in below_color instead
  Color below_color;
};

// A rectangle: filled when fill.a > 0, outlined (inside its bounds) when stroke_width > 0.
struct SceneRect {
  float x = 0, y = 0, width = 0, height = 0;
  Color fill{0, 0, 0, 0};
  Color stroke{0, 0, 0, 0};
  float stroke_width = 0;
};

// A straight segment of the given width (butt ends); a Bezier or curve is split into lines.
struct SceneLine {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float width = 1;
  Color color;
};

enum class TextAlign { kLeft, kCenter, kRight };

// One line of text. The anchor (x, y) is at the vertical middle of the line; `align` says
// where the anchor is along the text (its start, middle or end). With `angle` the text is
// rotated about the anchor, in degrees, clockwise on screen (-90 reads bottom to top).
struct SceneText {
  float x = 0, y = 0;
  std::string text;  // UTF-8, one line
  float size = 13;   // font pixel height at scale 1
  Color color;
  TextAlign align = TextAlign::kLeft;
  float angle = 0;
};

// What is under a point of the scene, for hovering and clicking.
enum class HitKind {
  kCell,        // a = row (query), b = column (key) of the shown matrix
  kQueryToken,  // a = query position
  kKeyToken,    // a = key position
  kTile,        // a = layer, b = head (-1 for the aggregate tile)
  kStep,        // a = decoding step
};

struct HitRegion {
  float x = 0, y = 0, width = 0, height = 0;
  HitKind kind = HitKind::kCell;
  int a = -1, b = -1;
  std::string tooltip;  // what to show when hovered (value, tokens), may be empty
};

struct Scene {
  float width = 0, height = 0;
  Color background{1, 1, 1, 1};
  std::vector<SceneMatrix> matrices;
  std::vector<SceneRect> rects;
  std::vector<SceneLine> lines;
  std::vector<SceneRect> overlay;  // highlights drawn over lines, under text
  std::vector<SceneText> texts;
  std::vector<HitRegion> hits;  // later regions win where they overlap

  // The last region containing (x, y), or nullptr.
  const HitRegion* hit(float x, float y) const;
};

// The width of a text at a font pixel height, in scene units, as the renderer draws it.
using TextMeasure = std::function<float(const std::string& text, float size)>;

}  // namespace attnscope
