// Render tests: hand-built Scenes drawn into offscreen framebuffers on a real OpenGL context
// (Mesa's llvmpipe under Xvfb), with the pixels read back and checked against what core
// computes on the CPU (colormap_rgb) and against the scene's geometry.
#include <doctest/doctest.h>
#include <stb_image.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "attnscope/error.h"
#include "gfx/gl.h"
#include "gfx/renderer.h"

namespace {

using namespace attnscope;

// One context and renderer for the executable: creating them (font atlases, shaders) costs
// more than most of the tests.
struct Gfx {
  HeadlessContext context;
  Renderer renderer{find_fonts()};
};

Gfx& gfx() {
  static Gfx instance;
  return instance;
}

Image render(const Scene& scene, float scale, int slot = 0) {
  gfx().renderer.render(scene, scale, slot);
  return gfx().renderer.read_pixels(slot);
}

std::array<int, 4> pixel(const Image& image, int x, int y) {
  REQUIRE(x >= 0);
  REQUIRE(y >= 0);
  REQUIRE(x < image.width);
  REQUIRE(y < image.height);
  const uint8_t* p = &image.rgba[(static_cast<size_t>(y) * image.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

// The pixel containing the scene point (x, y) at `scale`.
std::array<int, 4> at(const Image& image, float x, float y, float scale) {
  return pixel(image, static_cast<int>(std::floor(x * scale)),
               static_cast<int>(std::floor(y * scale)));
}

bool near_rgb(const std::array<int, 4>& p, int r, int g, int b, int tolerance = 2) {
  return std::abs(p[0] - r) <= tolerance && std::abs(p[1] - g) <= tolerance &&
         std::abs(p[2] - b) <= tolerance;
}

std::string describe(const std::array<int, 4>& p) {
  return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ", " + std::to_string(p[2]) +
         ", " + std::to_string(p[3]) + ")";
}

Color rgb(float r, float g, float b, float a = 1) {
  return Color{r, g, b, a};
}

SceneMatrix matrix_at(float x, float y, float width, float height, const Matrix& values) {
  SceneMatrix m;
  m.x = x;
  m.y = y;
  m.width = width;
  m.height = height;
  m.values = std::make_shared<const Matrix>(values);
  return m;
}

// The bounding box of the pixels darker than `level` (in red), in pixels; empty when none.
struct Box {
  int x0 = std::numeric_limits<int>::max(), y0 = std::numeric_limits<int>::max();
  int x1 = -1, y1 = -1;  // inclusive
  int count = 0;
  bool empty() const { return count == 0; }
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
};

Box dark_box(const Image& image, int level = 128) {
  Box box;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.rgba[(static_cast<size_t>(y) * image.width + x) * 4] >= level) continue;
      box.x0 = std::min(box.x0, x);
      box.y0 = std::min(box.y0, y);
      box.x1 = std::max(box.x1, x);
      box.y1 = std::max(box.y1, y);
      ++box.count;
    }
  }
  return box;
}

// Values spread over [0, 1] with 0 and 1 included, in an order that puts unlike colours
// next to each other, so a cell showing its neighbour's colour is caught.
Matrix spread_values(int rows, int cols) {
  Matrix values(rows, cols);
  const int n = rows * cols;
  for (int k = 0; k < n; ++k) {
    const int shuffled = (k * 11) % n;  // 11 is prime to 35
    values(k / cols, k % cols) = static_cast<float>(shuffled) / static_cast<float>(n - 1);
  }
  return values;
}

TEST_CASE("every matrix cell has the CPU colormap colour at scales 1, 2 and 3") {
  const Matrix values = spread_values(5, 7);
  REQUIRE(values.minCoeff() == 0.0f);
  REQUIRE(values.maxCoeff() == 1.0f);
  for (Colormap colormap : {Colormap::kViridis, Colormap::kMagma}) {
    for (float scale : {1.0f, 2.0f, 3.0f}) {
      CAPTURE(to_string(colormap));
      CAPTURE(scale);
      Scene scene;
      scene.width = 80.3f;  // rounds differently at each scale
      scene.height = 61.7f;
      // Fractional position and cell size: cells do not fall on whole pixels.
      SceneMatrix m = matrix_at(4.5f, 3.25f, 70.0f, 52.5f, values);
      m.colormap = colormap;
      scene.matrices.push_back(m);
      const Image image = render(scene, scale);
      CHECK(image.width == std::lround(80.3f * scale));
      CHECK(image.height == std::lround(61.7f * scale));
      for (int i = 0; i < 5; ++i) {
        for (int j = 0; j < 7; ++j) {
          const float cx = m.x + (j + 0.5f) * m.width / 7, cy = m.y + (i + 0.5f) * m.height / 5;
          const Rgb8 want = colormap_rgb(colormap, values(i, j));
          const auto got = at(image, cx, cy, scale);
          INFO("cell ", i, ",", j, " value ", values(i, j), " got ", describe(got), " want (",
               int(want.r), ", ", int(want.g), ", ", int(want.b), ")");
          CHECK(near_rgb(got, want.r, want.g, want.b));
          CHECK(got[3] == 255);
        }
      }
    }
  }
}

TEST_CASE("the shader's colormap index agrees with colormap_index at halves and out of range") {
  // Values exactly halfway between table entries (as floats), out of range, infinite and NaN:
  // where a different rounding or clamping rule would pick a neighbouring entry.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> list = {nan, -inf, -0.5f, 0.0f, 1.0f, 1.5f, inf, 1e-7f};
  for (int k : {0, 1, 2, 63, 127, 128, 200, 253, 254}) {
    list.push_back((static_cast<float>(k) + 0.5f) / 255.0f);
  }
  Matrix values(1, static_cast<int>(list.size()));
  for (size_t j = 0; j < list.size(); ++j)
    values(0, static_cast<int>(j)) = list[j];
  Scene scene;
  scene.width = static_cast<float>(10 * list.size());
  scene.height = 10;
  SceneMatrix m = matrix_at(0, 0, scene.width, 10, values);
  m.colormap = Colormap::kGrey;  // every entry differs from its neighbours
  m.threshold = -std::numeric_limits<float>::infinity();
  scene.matrices.push_back(m);
  const Image image = render(scene, 1);
  for (size_t j = 0; j < list.size(); ++j) {
    const Rgb8 want = colormap_rgb(Colormap::kGrey, list[j]);
    const auto got = pixel(image, static_cast<int>(10 * j + 5), 5);
    INFO("value ", list[j], " index ", colormap_index(list[j]), " got ", describe(got));
    CHECK(near_rgb(got, want.r, want.g, want.b, 0));
  }
}

TEST_CASE("cells below the threshold show below_color") {
  Matrix values(1, 3);
  values << 0.1f, 0.5f, 0.9f;
  Scene scene;
  scene.width = 30;
  scene.height = 10;
  SceneMatrix m = matrix_at(0, 0, 30, 10, values);
  m.threshold = 0.3f;
  m.below_color = rgb(1, 0, 0);
  scene.matrices.push_back(m);
  const Image image = render(scene, 2);
  CHECK(near_rgb(pixel(image, 10, 10), 255, 0, 0));
  const Rgb8 mid = colormap_rgb(Colormap::kViridis, 0.5f);
  const Rgb8 high = colormap_rgb(Colormap::kViridis, 0.9f);
  CHECK(near_rgb(pixel(image, 30, 10), mid.r, mid.g, mid.b));
  CHECK(near_rgb(pixel(image, 50, 10), high.r, high.g, high.b));
}

TEST_CASE("a matrix key keeps its texture; key 0 uploads every time; unused keys are dropped") {
  Matrix first(1, 2), second(1, 2);
  first << 0.0f, 1.0f;
  second << 1.0f, 0.0f;
  const Rgb8 low = colormap_rgb(Colormap::kViridis, 0), high = colormap_rgb(Colormap::kViridis, 1);
  auto scene_with = [](const Matrix& values, uint64_t key) {
    Scene scene;
    scene.width = 20;
    scene.height = 10;
    SceneMatrix m = matrix_at(0, 0, 20, 10, values);
    m.key = key;
    scene.matrices.push_back(m);
    return scene;
  };
  const uint64_t key = 0x5eed0001;
  Image image = render(scene_with(first, key), 1);
  CHECK(near_rgb(pixel(image, 5, 5), low.r, low.g, low.b));
  CHECK(near_rgb(pixel(image, 15, 5), high.r, high.g, high.b));

  // The same key promises the same values, so the cached texture is drawn.
  image = render(scene_with(second, key), 1);
  CHECK(near_rgb(pixel(image, 5, 5), low.r, low.g, low.b));
  CHECK(near_rgb(pixel(image, 15, 5), high.r, high.g, high.b));

  image = render(scene_with(second, 0), 1);
  CHECK(near_rgb(pixel(image, 5, 5), high.r, high.g, high.b));
  CHECK(near_rgb(pixel(image, 15, 5), low.r, low.g, low.b));
  image = render(scene_with(first, 0), 1);
  CHECK(near_rgb(pixel(image, 5, 5), low.r, low.g, low.b));

  // The cache is bounded: a key not drawn for many renders is forgotten and re-uploaded.
  for (int i = 0; i < 40; ++i)
    render(scene_with(first, 0), 1);
  image = render(scene_with(second, key), 1);
  CHECK(near_rgb(pixel(image, 5, 5), high.r, high.g, high.b));
}

TEST_CASE("rect fill and stroke, drawn inside the bounds") {
  Scene scene;
  scene.width = 60;
  scene.height = 50;
  SceneRect r;
  r.x = 10;
  r.y = 10;
  r.width = 40;
  r.height = 30;
  r.fill = rgb(0, 0, 1);
  r.stroke = rgb(1, 0, 0);
  r.stroke_width = 4;
  scene.rects.push_back(r);
  SceneRect translucent;
  translucent.x = 0;
  translucent.y = 44;
  translucent.width = 10;
  translucent.height = 6;
  translucent.fill = rgb(0, 0, 0, 0.5f);
  scene.rects.push_back(translucent);
  for (float scale : {1.0f, 2.0f}) {
    CAPTURE(scale);
    const Image image = render(scene, scale);
    CHECK(near_rgb(at(image, 12, 25, scale), 255, 0, 0));     // left band
    CHECK(near_rgb(at(image, 48, 25, scale), 255, 0, 0));     // right band
    CHECK(near_rgb(at(image, 30, 11, scale), 255, 0, 0));     // top band
    CHECK(near_rgb(at(image, 30, 39, scale), 255, 0, 0));     // bottom band
    CHECK(near_rgb(at(image, 30, 25, scale), 0, 0, 255));     // interior
    CHECK(near_rgb(at(image, 15, 25, scale), 0, 0, 255));     // just inside the stroke
    CHECK(near_rgb(at(image, 8, 25, scale), 255, 255, 255));  // outside: no outer half
    CHECK(near_rgb(at(image, 52, 25, scale), 255, 255, 255));
    // Straight alpha over white, and the image stays opaque.
    const auto half = at(image, 5, 47, scale);
    CHECK(near_rgb(half, 128, 128, 128, 2));
    CHECK(half[3] == 255);
  }
}

TEST_CASE("the first image row is the scene's top") {
  Scene scene;
  scene.width = 20;
  scene.height = 20;
  SceneRect top;
  top.width = 20;
  top.height = 5;
  top.fill = rgb(1, 0, 0);
  scene.rects.push_back(top);
  const Image image = render(scene, 1);
  CHECK(near_rgb(pixel(image, 10, 0), 255, 0, 0));
  CHECK(near_rgb(pixel(image, 10, 19), 255, 255, 255));
}

TEST_CASE("primitives are drawn in order: matrices, rects, lines, overlay, texts") {
  Scene scene;
  scene.width = 100;
  scene.height = 40;
  Matrix values(1, 1);
  values << 1.0f;
  scene.matrices.push_back(matrix_at(0, 0, 100, 40, values));
  SceneRect rect;
  rect.x = 10;
  rect.width = 80;
  rect.height = 40;
  rect.fill = rgb(1, 0, 0);
  scene.rects.push_back(rect);
  scene.lines.push_back({20, 20, 80, 20, 10, rgb(0, 0, 1)});
  SceneRect overlay;
  overlay.x = 50;
  overlay.width = 20;
  overlay.height = 40;
  overlay.fill = rgb(0, 1, 0);
  scene.overlay.push_back(overlay);
  SceneText text;
  text.x = 66;
  text.y = 20;
  text.text = "\xe2\x96\x88";  // a full block (U+2588): solid ink around the anchor
  text.size = 12;
  text.align = TextAlign::kCenter;
  text.color = rgb(0, 0, 0);
  scene.texts.push_back(text);
  const Image image = render(scene, 1);
  const Rgb8 top = colormap_rgb(Colormap::kViridis, 1);
  CHECK(near_rgb(pixel(image, 5, 20), top.r, top.g, top.b));  // matrix only
  CHECK(near_rgb(pixel(image, 15, 20), 255, 0, 0));           // rect over matrix
  CHECK(near_rgb(pixel(image, 30, 20), 0, 0, 255));           // line over rect
  CHECK(near_rgb(pixel(image, 52, 5), 0, 255, 0));            // overlay over rect
  CHECK(near_rgb(pixel(image, 52, 20), 0, 255, 0));           // overlay over line
  CHECK(near_rgb(pixel(image, 66, 20), 0, 0, 0));             // text over everything
}

TEST_CASE("lines: alpha, width and many lines in one render") {
  Scene scene;
  scene.width = 100;
  scene.height = 60;
  scene.lines.push_back({10, 15, 90, 15, 3, rgb(0, 0, 0, 0.9f)});
  scene.lines.push_back({10, 30, 90, 30, 3, rgb(0, 0, 0, 0.1f)});
  scene.lines.push_back({50, 38, 50, 58, 8, rgb(0, 0, 0)});
  for (float scale : {1.0f, 2.0f, 3.0f}) {
    CAPTURE(scale);
    const Image image = render(scene, scale);
    const int strong = at(image, 50, 15, scale)[0], weak = at(image, 50, 30, scale)[0];
    CHECK(strong <= 255 * 0.1 + 4);
    CHECK(weak >= 255 * 0.9 - 4);
    CHECK(weak - strong > 150);
    // The vertical line's cross-section: 8 units wide, antialiased at the edges.
    const int row = static_cast<int>(48 * scale);
    float ink = 0;
    int dark = 0;
    for (int x = 0; x < image.width; ++x) {
      const int red = pixel(image, x, row)[0];
      ink += (255 - red) / 255.0f;
      dark += red < 128;
    }
    CHECK(ink == doctest::Approx(8 * scale).epsilon(0.05));
    CHECK(std::abs(dark - 8 * scale) <= 1);
  }

  // 20,000 lines, the last ones over the first: every column of a band crossed by one.
  Scene many;
  many.width = 200;
  many.height = 100;
  for (int i = 0; i < 20000; ++i) {
    const float x = static_cast<float>(i % 200) + 0.5f;
    const float shade = i < 10000 ? 0.0f : 1.0f;  // the second half paints the first over
    many.lines.push_back({x, 10, x, 90, 1, rgb(shade, 0, 0)});
  }
  const Image image = render(many, 1);
  for (int x = 0; x < 200; x += 7) {
    CAPTURE(x);
    CHECK(near_rgb(pixel(image, x, 50), 255, 0, 0));
  }
  CHECK(near_rgb(pixel(image, 100, 5), 255, 255, 255));
}

Scene text_scene(const std::string& label, float x, float y, float size, TextAlign align,
                 float angle) {
  Scene scene;
  scene.width = 240;
  scene.height = 240;
  SceneText t;
  t.x = x;
  t.y = y;
  t.text = label;
  t.size = size;
  t.align = align;
  t.angle = angle;
  t.color = rgb(0, 0, 0);
  scene.texts.push_back(t);
  return scene;
}

TEST_CASE("text lies inside its measured box, anchored and aligned as documented") {
  const TextMeasure measure = gfx().renderer.measure();
  const std::string label = "Attention heads";
  const float size = 16;
  const float width = measure(label, size);
  REQUIRE(width > 50);
  for (float scale : {1.0f, 2.0f}) {
    for (TextAlign align : {TextAlign::kLeft, TextAlign::kCenter, TextAlign::kRight}) {
      CAPTURE(scale);
      CAPTURE(static_cast<int>(align));
      const Image image = render(text_scene(label, 120, 50, size, align, 0), scale);
      const Box box = dark_box(image);
      REQUIRE(!box.empty());
      const float start = align == TextAlign::kLeft     ? 120
                          : align == TextAlign::kCenter ? 120 - width / 2
                                                        : 120 - width;
      // Inside the measured box (with a pixel of slack for side bearings and rounding)...
      CHECK(box.x0 >= (start - 1) * scale);
      CHECK(box.x1 <= (start + width + 1) * scale);
      CHECK(box.y0 >= (50 - size / 2 - 1) * scale);
      CHECK(box.y1 <= (50 + size / 2 + 1) * scale);
      // ...and filling most of it.
      CHECK(box.width() >= 0.9f * width * scale);
      CHECK(box.height() >= 0.5f * size * scale);
    }
  }
}

TEST_CASE("rotated text runs along its angle") {
  const TextMeasure measure = gfx().renderer.measure();
  const std::string label = "Attention heads";
  const float size = 16, width = measure(label, size);
  SUBCASE("-90 degrees reads bottom to top, starting at the anchor") {
    const Image image = render(text_scene(label, 120, 200, size, TextAlign::kLeft, -90), 1);
    const Box box = dark_box(image);
    REQUIRE(!box.empty());
    CHECK(box.height() > 3 * box.width());
    CHECK(box.y1 <= 201);
    CHECK(box.y0 >= 200 - width - 1);
    CHECK(box.height() >= 0.9f * width);
    CHECK(box.x0 >= 120 - size / 2 - 1);
    CHECK(box.x1 <= 120 + size / 2 + 1);
  }
  SUBCASE("90 degrees reads top to bottom") {
    const Image image = render(text_scene(label, 120, 20, size, TextAlign::kLeft, 90), 1);
    const Box box = dark_box(image);
    REQUIRE(!box.empty());
    CHECK(box.height() > 3 * box.width());
    CHECK(box.y0 >= 19);
    CHECK(box.y1 <= 20 + width + 1);
  }
  SUBCASE("-45 degrees rises to the right") {
    const Image image = render(text_scene(label, 60, 180, size, TextAlign::kLeft, -45), 1);
    const Box box = dark_box(image);
    REQUIRE(!box.empty());
    const float reach = width / std::sqrt(2.0f);
    CHECK(box.width() == doctest::Approx(reach + size / std::sqrt(2.0f)).epsilon(0.25));
    CHECK(box.x1 <= 60 + reach + size);
    CHECK(box.y0 >= 180 - reach - size);
    CHECK(box.y1 <= 180 + size);
  }
}

TEST_CASE("measure is linear in the size and handles any bytes") {
  const TextMeasure measure = gfx().renderer.measure();
  for (const std::string label : {"a", "Attention heads", "0.125", "\xce\xb1\xce\xb2 \xd0\xb4"}) {
    CAPTURE(label);
    const float base = measure(label, 10);
    CHECK(base > 0);
    for (float size : {5.0f, 13.0f, 20.0f, 40.0f}) {
      CHECK(measure(label, size) == doctest::Approx(base * size / 10).epsilon(0.05));
    }
  }
  CHECK(measure("", 13) == 0);
  CHECK(measure("\xff\xfe\xc3", 13) > 0);  // invalid UTF-8: replacement glyphs
  // Wider text measures wider.
  CHECK(measure("WWWW", 13) > measure("iiii", 13));
}

TEST_CASE("fonts: a merged CJK font keeps the main font's glyphs; a bad one is ignored") {
  gfx();
  const FontFiles found = find_fonts();
  CHECK(found.main == "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
  const TextMeasure plain = gfx().renderer.measure();
  const std::string label = "Attention \xce\xb1";
  // Any font file exercises the merge; what matters is that Latin and Greek still come from
  // the main font, so widths do not change.
  for (const std::string cjk : {"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                                ATTNSCOPE_SOURCE_DIR "/CMakeLists.txt", "/nonexistent"}) {
    CAPTURE(cjk);
    Renderer merged(FontFiles{found.main, cjk});
    CHECK(merged.measure()(label, 13) == doctest::Approx(plain(label, 13)));
    Scene scene = text_scene(label, 10, 20, 13, TextAlign::kLeft, 0);
    merged.render(scene, 1);
    CHECK(!dark_box(merged.read_pixels()).empty());
  }
  try {
    Renderer missing(FontFiles{"/nonexistent/DejaVuSans.ttf", ""});
    FAIL("a missing main font was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("fonts-dejavu-core") != std::string::npos);
  }
  CHECK_THROWS_AS(Renderer(FontFiles{ATTNSCOPE_SOURCE_DIR "/CMakeLists.txt", ""}), Error);
}

TEST_CASE("empty, invalid and unknown text renders without crashing") {
  Scene scene;
  scene.width = 200;
  scene.height = 40;
  for (const std::string& label :
       {std::string(), std::string("\xff\xfe\x80 ok \xe4\xb8"), std::string("nul\0inside", 10),
        std::string("\xf0\x9f\x98\x80")}) {
    SceneText t;
    t.x = 10;
    t.y = 20;
    t.text = label;
    t.color = rgb(0, 0, 0);
    scene.texts = {t};
    const Image image = render(scene, 1.5f);
    CHECK(image.width == 300);
    if (!label.empty()) {
      CAPTURE(label);
      CHECK(!dark_box(image).empty());  // something (fallback glyphs at least) is drawn
    }
  }
}

TEST_CASE("a slot's framebuffer is kept at the same size and follows the scale") {
  Scene scene;
  scene.width = 50;
  scene.height = 30;
  const unsigned first = gfx().renderer.render(scene, 1, 7);
  CHECK(gfx().renderer.render(scene, 1, 7) == first);
  gfx().renderer.render(scene, 2.5f, 7);
  const Image image = gfx().renderer.read_pixels(7);
  CHECK(image.width == 125);
  CHECK(image.height == 75);
  CHECK_THROWS_AS(gfx().renderer.read_pixels(12345), Error);
  CHECK_THROWS_AS(gfx().renderer.render(scene, 0), Error);
}

TEST_CASE("render leaves the caller's framebuffer, viewport and blending alone") {
  gfx();
  GLuint texture = 0, framebuffer = 0;
  glGenTextures(1, &texture);
  glBindTexture(GL_TEXTURE_2D, texture);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 8, 8, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glGenFramebuffers(1, &framebuffer);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0);
  glViewport(1, 2, 3, 4);
  glDisable(GL_BLEND);
  glEnable(GL_SCISSOR_TEST);

  Scene scene;
  scene.width = 10;
  scene.height = 10;
  scene.lines.push_back({0, 0, 10, 10, 1, rgb(0, 0, 0)});
  gfx().renderer.render(scene, 1);
  gfx().renderer.read_pixels();

  GLint bound = 0, viewport[4] = {0, 0, 0, 0}, texture_bound = 0;
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &bound);
  glGetIntegerv(GL_VIEWPORT, viewport);
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &texture_bound);
  CHECK(bound == static_cast<GLint>(framebuffer));
  CHECK(viewport[0] == 1);
  CHECK(viewport[3] == 4);
  CHECK(texture_bound == static_cast<GLint>(texture));
  CHECK(!glIsEnabled(GL_BLEND));
  CHECK(glIsEnabled(GL_SCISSOR_TEST));

  glDisable(GL_SCISSOR_TEST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glDeleteFramebuffers(1, &framebuffer);
  glDeleteTextures(1, &texture);
}

TEST_CASE("read_window_pixels returns the window's top row first") {
  gfx();
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, 16, 16);
  glDisable(GL_SCISSOR_TEST);
  glClearColor(0, 0, 1, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  // GL's y grows upwards: rows 12..15 are the window's top four.
  glEnable(GL_SCISSOR_TEST);
  glScissor(0, 12, 16, 4);
  glClearColor(1, 0, 0, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  glDisable(GL_SCISSOR_TEST);
  const Image image = read_window_pixels(16, 16);
  CHECK(image.width == 16);
  CHECK(near_rgb(pixel(image, 8, 1), 255, 0, 0));
  CHECK(near_rgb(pixel(image, 8, 14), 0, 0, 255));
}

TEST_CASE("encode_png round-trips through stb_image") {
  Scene scene;
  scene.width = 37;  // odd sizes: rows are not multiples of 8 bytes
  scene.height = 23;
  scene.matrices.push_back(matrix_at(0, 0, 37, 23, spread_values(5, 7)));
  scene.lines.push_back({0, 0, 37, 23, 2, rgb(1, 1, 1, 0.5f)});
  const Image image = render(scene, 1);
  const std::string png = encode_png(image);
  REQUIRE(png.size() > 8);
  CHECK(png.compare(1, 3, "PNG") == 0);
  int width = 0, height = 0, channels = 0;
  unsigned char* decoded =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                            static_cast<int>(png.size()), &width, &height, &channels, 4);
  REQUIRE(decoded != nullptr);
  CHECK(width == image.width);
  CHECK(height == image.height);
  CHECK(std::equal(image.rgba.begin(), image.rgba.end(), decoded));
  stbi_image_free(decoded);
  CHECK_THROWS_AS(encode_png(Image{}), Error);
}

TEST_CASE("a shader that does not compile throws its info log and the GLSL version") {
  gfx();
  const std::string broken =
      "#version 330 core\nout vec4 c;\nvoid main() { c = undefined_thing; }\n";
  try {
    gl::compile_shader(GL_FRAGMENT_SHADER, broken, "broken.frag.glsl");
    FAIL("compiled a broken shader");
  } catch (const Error& e) {
    const std::string message = e.what();
    CAPTURE(message);
    CHECK(message.find("broken.frag.glsl") != std::string::npos);
    CHECK(message.find("error") != std::string::npos);
    CHECK(message.find("undefined_thing") != std::string::npos);
    CHECK(message.find("(GLSL ") != std::string::npos);
  }
  CHECK_THROWS_AS(gl::make_program("missing.vert.glsl", "solid.frag.glsl"), Error);
}

// A scene of every kind of primitive, with labels in several scripts and rotated text: at
// scale 2 each 2x2 block of pixels averages to the scale-1 pixel, apart from the edges that
// antialiasing draws differently at the two sizes. A primitive placed or sized without the
// scale (or with it twice) moves whole glyphs, lines and cells and fails this.
TEST_CASE("a scene drawn at scale 2 is the scene at scale 1, twice as large") {
  const std::vector<std::string> tokens = {"The",
                                           "cat",
                                           "sat",
                                           "on",
                                           "the",
                                           "mat",
                                           "\xc3\xa9t\xc3\xa9",
                                           "\xce\xb1\xce\xb2",
                                           "\xd0\xb4\xd0\xb0",
                                           "\xe4\xb8\xad\xe6\x96\x87",
                                           "end."};
  const int n = static_cast<int>(tokens.size());
  Matrix values(n, n);
  for (int i = 0; i < n; ++i) {
    float sum = 0;
    for (int j = 0; j <= i; ++j)
      sum += values(i, j) = std::exp(-0.5f * float(i - j));
    for (int j = 0; j < n; ++j)
      values(i, j) = j <= i ? values(i, j) / sum : 0.0f;
  }
  Scene scene;
  scene.width = 520;
  scene.height = 330;
  const float cell = 18, mx = 70, my = 60;
  SceneMatrix m = matrix_at(mx, my, cell * n, cell * n, values);
  m.colormap = Colormap::kMagma;
  scene.matrices.push_back(m);
  SceneRect frame;
  frame.x = mx + 3 * cell;
  frame.y = my + 5 * cell;
  frame.width = cell;
  frame.height = cell;
  frame.stroke = rgb(0.2f, 0.8f, 1);
  frame.stroke_width = 2;
  scene.overlay.push_back(frame);
  for (int i = 0; i < n; ++i) {
    SceneText left{mx - 6,       my + (i + 0.5f) * cell, tokens[i], 12,
                   rgb(0, 0, 0), TextAlign::kRight,      0};
    SceneText top{mx + (i + 0.5f) * cell, my - 6,           tokens[i], 12,
                  rgb(0, 0, 0),           TextAlign::kLeft, -90};
    scene.texts.push_back(left);
    scene.texts.push_back(top);
  }
  // Token-to-token lines like the "lines" view: query column on the left, keys on the right.
  const float qx = 330, kx = 470;
  for (int i = 0; i < n; ++i) {
    scene.texts.push_back(
        {qx - 6, my + (i + 0.5f) * cell, tokens[i], 12, rgb(0, 0, 0), TextAlign::kRight, 0});
    scene.texts.push_back(
        {kx + 6, my + (i + 0.5f) * cell, tokens[i], 12, rgb(0, 0, 0), TextAlign::kLeft, 0});
    for (int j = 0; j < n; ++j) {
      scene.lines.push_back({qx, my + (i + 0.5f) * cell, kx, my + (j + 0.5f) * cell, 3,
                             rgb(0.1f, 0.3f, 0.8f, values(i, j))});
    }
  }
  scene.texts.push_back({260, 20, "Layer 2 \xc2\xb7 head 3 (\xe2\x86\x92 keys)", 16,
                         rgb(0.1f, 0.1f, 0.1f), TextAlign::kCenter, 0});
  scene.texts.push_back(
      {330, 290, "rotated 30\xc2\xb0", 13, rgb(0.6f, 0, 0), TextAlign::kCenter, 30});
  const Image one = render(scene, 1);
  const Image two = render(scene, 2);
  REQUIRE(two.width == 2 * one.width);
  REQUIRE(two.height == 2 * one.height);
  // Pictures of both, for looking at.
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/gfx_render";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/scene.png", std::ios::binary) << encode_png(one);
  std::ofstream(dir + "/scene@2x.png", std::ios::binary) << encode_png(two);

  auto channel = [](const Image& image, int x, int y, int c) {
    return static_cast<int>(image.rgba[(static_cast<size_t>(y) * image.width + x) * 4 + c]);
  };
  int inked = 0;  // pixels other than the white background
  int far = 0;    // pixels off by more than kFar levels in a channel
  constexpr int kFar = 64;
  double total = 0;
  for (int y = 0; y < one.height; ++y) {
    for (int x = 0; x < one.width; ++x) {
      int worst = 0;
      bool background = true;
      for (int c = 0; c < 3; ++c) {
        const int got = channel(one, x, y, c);
        const int mean =
            (channel(two, 2 * x, 2 * y, c) + channel(two, 2 * x + 1, 2 * y, c) +
             channel(two, 2 * x, 2 * y + 1, c) + channel(two, 2 * x + 1, 2 * y + 1, c) + 2) /
            4;
        background = background && got >= 250;
        worst = std::max(worst, std::abs(mean - got));
        total += std::abs(mean - got);
      }
      if (!background) ++inked;
      if (worst > kFar) ++far;
    }
  }
  const double mean_difference = total / (3.0 * one.width * one.height);
  MESSAGE(inked << " pixels drawn; mean difference " << mean_difference << " levels; " << far
                << " pixels off by more than " << kFar);
  // Under llvmpipe: a mean of 0.9 levels, and 1.4% of the drawn pixels off by more than 64,
  // at the edges of glyphs, which are hinted for each size. The same pictures one pixel apart
  // differ by 4.3 levels, with 7% of the drawn pixels off by more than 64.
  CHECK(inked > one.width * one.height / 10);
  CHECK(mean_difference < 2.0);
  CHECK(far < inked * 3 / 100);
}

}  // namespace
