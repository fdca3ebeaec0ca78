// Fonts for the renderer: the TTF files read once, and Dear ImGui font atlases rasterised at
// one pixel size each (ImFontAtlas works without an ImGui context). Text is laid out here on
// the CPU; the renderer turns the glyph quads into vertices. Nothing here calls OpenGL.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gfx/renderer.h"

struct ImFont;
struct ImFontAtlas;

namespace attnscope::gfx {

// The bytes of the font files. ImFontAtlas keeps pointers into them, so every atlas holds a
// shared_ptr to the FontBytes it was built from.
struct FontBytes {
  std::string main;
  std::string cjk;  // empty when there is no usable CJK font
};

// Reads and checks the font files. Throws Error when the main font is missing or not a
// TrueType/OpenType font; a CJK file that cannot be used is left out (CJK text then shows
// the fallback glyph), since it is an optional extra.
std::shared_ptr<const FontBytes> load_fonts(const FontFiles& files);

// A glyph's quad relative to the top-left corner of its line, in atlas pixels, with its
// texture coordinates in the atlas (0..1).
struct GlyphQuad {
  float x0, y0, x1, y1;
  float u0, v0, u1, v1;
};

// One font (the main font with the CJK font merged in) rasterised at `pixels` pixels per
// line. The glyph set is the same at every size, so advances scale linearly with the size.
class FontAtlas {
 public:
  FontAtlas(std::shared_ptr<const FontBytes> fonts, int pixels);
  ~FontAtlas();
  FontAtlas(const FontAtlas&) = delete;
  FontAtlas& operator=(const FontAtlas&) = delete;

  int pixels() const { return pixels_; }

  // The coverage texture (one byte per texel) while it is kept; release_pixels() frees it
  // once it has been uploaded.
  const unsigned char* alpha(int* width, int* height);
  void release_pixels();

  // The width of `text` (UTF-8) in atlas pixels: the sum of its glyph advances. Invalid
  // UTF-8 decodes to U+FFFD, and characters without a glyph use the fallback glyph.
  float advance(const std::string& text) const;

  // Appends the visible glyphs of `text` laid out from x = 0 (the line's start, y = 0 its
  // top) to `quads`, and returns the advance (as advance()).
  float layout(const std::string& text, std::vector<GlyphQuad>* quads) const;

 private:
  std::shared_ptr<const FontBytes> fonts_;
  std::unique_ptr<ImFontAtlas> atlas_;
  ImFont* font_ = nullptr;
  int pixels_ = 0;
};

}  // namespace attnscope::gfx
