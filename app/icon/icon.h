// The app's icon: a dark rounded tile holding a small attention heatmap with a bright
// alignment near its diagonal. One list of shapes (icon_shapes) is both rasterised
// (draw_icon, for the PNGs and the window) and written as SVG (icon_svg), so every size of
// the icon shows the same picture. Plain C++, no OpenGL.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "views/colormap.h"
#include "views/image.h"

namespace attnscope {

// The icon's coordinate system: a kIconCanvas x kIconCanvas square, y pointing down, the
// SVG's viewBox.
constexpr float kIconCanvas = 256.0f;

// The pixel sizes of the PNGs an icon theme gets (share/icons/hicolor/<N>x<N>/apps).
constexpr std::array<int, 8> kIconSizes = {16, 24, 32, 48, 64, 128, 256, 512};


// How a shape is painted: `top` at the top edge of its box blending linearly into `bottom`
// at its bottom edge (the same colour twice paints it flat), times `opacity`.
struct IconPaint {
  Rgb8 top;
  Rgb8 bottom;
  float opacity = 1.0f;
};

// What a shape depicts.
enum class IconPart {
  kTile,   // the background square: its shadow, rim and face
  kCell,   // one heatmap cell
  kToken,  // a word along the heatmap's left (target) or top (source) edge
};

// A filled rounded rectangle, in canvas units; the icon is made of nothing else, which keeps
// the rasteriser exact and the SVG one <rect> per shape.
struct IconShape {
  IconPart part = IconPart::kTile;
  float x = 0, y = 0, width = 0, height = 0, radius = 0;
  IconPaint paint;
  int row = -1, col = -1;  // kCell: its place in the heatmap, row 0 and column 0 at top left
  float weight = 0;        // kCell: the attention weight its viridis colour shows
};

// The shapes, back to front, for an icon `size` pixels wide: small sizes get fewer, larger
// cells placed on whole pixels so they stay crisp. size <= 0 gives the full-detail, unsnapped
// drawing the SVG holds.
std::vector<IconShape> icon_shapes(int size);

// The icon rasterised at size x size pixels, antialiased. Throws Error for a size outside
// 1..4096. The same size always gives the same bytes.
Image draw_icon(int size);

// The full-detail shapes as a standalone SVG document (viewBox 0 0 256 256, no external
// references): one <rect> per shape, in order.
std::string icon_svg();

// The icon at the sizes a window manager picks from for title bars, task switchers and
// docks (16, 32, 48, 64, 128), for glfwSetWindowIcon.
std::vector<Image> window_icon_images();

}  // namespace attnscope
