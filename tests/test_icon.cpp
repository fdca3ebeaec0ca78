// The app icon: every size is square, transparent outside the tile and opaque inside; the
// heatmap cells show their weights in the viridis table's colours with the alignment bright;
// small sizes get fewer cells on whole pixels; the SVG is a well-formed document holding
// exactly the shapes the PNGs are drawn from; and drawing is deterministic.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "views/colormap.h"
#include "attnscope/error.h"
#include "icon/icon.h"

using namespace attnscope;

namespace {

struct Rgba {
  int r, g, b, a;
};

Rgba pixel(const Image& image, int x, int y) {
  const uint8_t* p = &image.rgba[(static_cast<size_t>(y) * image.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

// The pixel under a point given in canvas units.
Rgba pixel_at(const Image& image, float x, float y) {
  const float scale = image.width / kIconCanvas;
  return pixel(image, static_cast<int>(x * scale), static_cast<int>(y * scale));
}

double luma(Rgba c) {
  return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
}

std::vector<IconShape> parts(const std::vector<IconShape>& shapes, IconPart part) {
  std::vector<IconShape> found;
  for (const IconShape& s : shapes) {
    if (s.part == part) found.push_back(s);
  }
  return found;
}

// The tags of an XML document in order, without attributes, each with what kind it is.
struct Tag {
  std::string name;
  enum Kind { kOpen, kClose, kEmpty } kind;
  std::string text;  // everything between < and >
};

std::vector<Tag> tags(const std::string& xml) {
  std::vector<Tag> found;
  size_t at = 0;
  while ((at = xml.find('<', at)) != std::string::npos) {
    const size_t end = xml.find('>', at);
    REQUIRE(end != std::string::npos);
    Tag tag;
    tag.text = xml.substr(at + 1, end - at - 1);
    std::string body = tag.text;
    tag.kind = Tag::kOpen;
    if (!body.empty() && body[0] == '/') {
      tag.kind = Tag::kClose;
      body = body.substr(1);
    } else if (!body.empty() && body.back() == '/') {
      tag.kind = Tag::kEmpty;
      body.pop_back();
    }
    tag.name = body.substr(0, body.find_first_of(" \n\t"));
    found.push_back(tag);
    at = end + 1;
  }
  return found;
}

// The numeric attributes of a tag's text, e.g. x="12.5".
std::map<std::string, float> numbers(const std::string& text) {
  std::map<std::string, float> values;
  for (const char* name : {"x", "y", "width", "height", "rx"}) {
    const std::string key = std::string(" ") + name + "=\"";
    const size_t at = text.find(key);
    if (at != std::string::npos) values[name] = std::stof(text.substr(at + key.size()));
  }
  return values;
}

}  // namespace

TEST_CASE("every size is square, transparent outside the tile and opaque at its centre") {
  std::vector<int> sizes(kIconSizes.begin(), kIconSizes.end());
  sizes.insert(sizes.end(), {20, 40, 100, 1000});  // between and beyond the theme's sizes
  for (int size : sizes) {
    CAPTURE(size);
    const Image image = draw_icon(size);
    REQUIRE(image.width == size);
    REQUIRE(image.height == size);
    REQUIRE(image.rgba.size() == static_cast<size_t>(size) * size * 4);
    const int last = size - 1;
    CHECK(pixel(image, 0, 0).a == 0);
    CHECK(pixel(image, last, 0).a == 0);
    CHECK(pixel(image, 0, last).a == 0);
    CHECK(pixel(image, last, last).a == 0);
    CHECK(pixel(image, size / 2, size / 2).a == 255);
  }
}

TEST_CASE("the tile's edge is antialiased") {
  for (int size : {48, 256}) {
    CAPTURE(size);
    const Image image = draw_icon(size);
    // Across the top rounded corners, above the tile's shadow, coverage takes many levels
    // between 0 and 255, not just the two of an aliased edge.
    std::vector<bool> seen(256, false);
    for (int y = 0; y < size * 20 / 256; ++y) {
      for (int x = 0; x < size; ++x)
        seen[pixel(image, x, y).a] = true;
    }
    CHECK(std::count(seen.begin() + 1, seen.end() - 1, true) >= size / 16);
  }
}

TEST_CASE("cells show their weights in viridis, the alignment brightest") {
  for (int size : kIconSizes) {
    CAPTURE(size);
    const Image image = draw_icon(size);
    const std::vector<IconShape> cells = parts(icon_shapes(size), IconPart::kCell);
    REQUIRE(!cells.empty());
    for (const IconShape& cell : cells) {
      CAPTURE(cell.row);
      CAPTURE(cell.col);
      const Rgba drawn = pixel_at(image, cell.x + cell.width / 2, cell.y + cell.height / 2);
      const Rgb8 expected = colormap_rgb(Colormap::kViridis, cell.weight);
      CHECK(std::abs(drawn.r - expected.r) <= 1);
      CHECK(std::abs(drawn.g - expected.g) <= 1);
      CHECK(std::abs(drawn.b - expected.b) <= 1);
      CHECK(drawn.a == 255);
    }
  }

  const Image image = draw_icon(256);
  const std::vector<IconShape> cells = parts(icon_shapes(256), IconPart::kCell);
  const int n = static_cast<int>(std::lround(std::sqrt(cells.size())));
  REQUIRE(n * n == static_cast<int>(cells.size()));
  auto colour_of = [&](int row, int col) {
    for (const IconShape& c : cells) {
      if (c.row == row && c.col == col)
        return pixel_at(image, c.x + c.width / 2, c.y + c.height / 2);
    }
    FAIL("no cell at row " << row << ", column " << col);
    return Rgba{};
  };
  // The first and last words align with each other: viridis' yellow end, far brighter than a
  // cell off the diagonal.
  for (int i : {0, n - 1}) {
    const Rgba diagonal = colour_of(i, i);
    const Rgba off = colour_of(i, n - 1 - i);
    CHECK(diagonal.r > 200);
    CHECK(diagonal.g > 200);
    CHECK(diagonal.b < 100);
    CHECK(luma(diagonal) > luma(off) + 100);
  }
  // Every row has one clearly brightest cell, on or next to the diagonal.
  for (int row = 0; row < n; ++row) {
    CAPTURE(row);
    int brightest = 0;
    for (int col = 1; col < n; ++col) {
      if (luma(colour_of(row, col)) > luma(colour_of(row, brightest))) brightest = col;
    }
    CHECK(std::abs(brightest - row) <= 1);
  }
}

TEST_CASE("small sizes get fewer cells, on whole pixels, and no token bars") {
  CHECK(parts(icon_shapes(16), IconPart::kCell).size() == 9);
  CHECK(parts(icon_shapes(16), IconPart::kToken).empty());
  CHECK(parts(icon_shapes(24), IconPart::kCell).size() == 16);
  CHECK(parts(icon_shapes(32), IconPart::kCell).size() == 25);
  CHECK(parts(icon_shapes(32), IconPart::kToken).empty());
  CHECK(parts(icon_shapes(0), IconPart::kCell).size() == 25);
  CHECK(parts(icon_shapes(0), IconPart::kToken).size() == 10);
  for (int size : kIconSizes) {
    CAPTURE(size);
    const float scale = size / kIconCanvas;
    for (const IconShape& s : icon_shapes(size)) {
      if (s.part != IconPart::kCell) continue;
      for (float edge : {s.x, s.y, s.x + s.width, s.y + s.height}) {
        const float pixels = edge * scale;
        CHECK(std::fabs(pixels - std::round(pixels)) < 1e-3f);
      }
    }
  }
}

TEST_CASE("at 256 px the PNG is drawn from exactly the SVG's shapes") {
  const std::vector<IconShape> png = icon_shapes(256);
  const std::vector<IconShape> svg = icon_shapes(0);
  REQUIRE(png.size() == svg.size());
  for (size_t i = 0; i < png.size(); ++i) {
    CAPTURE(i);
    CHECK(png[i].part == svg[i].part);
    CHECK(png[i].x == doctest::Approx(svg[i].x));
    CHECK(png[i].y == doctest::Approx(svg[i].y));
    CHECK(png[i].width == doctest::Approx(svg[i].width));
    CHECK(png[i].height == doctest::Approx(svg[i].height));
    CHECK(png[i].radius == doctest::Approx(svg[i].radius));
  }
}

TEST_CASE("the SVG is a well-formed document with one <rect> per shape") {
  const std::string svg = icon_svg();
  REQUIRE(svg.rfind("<svg ", 0) == 0);
  CHECK(svg.find("xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(svg.find("viewBox=\"0 0 256 256\"") != std::string::npos);
  CHECK(svg.find("width=\"256\"") != std::string::npos);
  CHECK(svg.find("height=\"256\"") != std::string::npos);
  CHECK(svg.find("href") == std::string::npos);  // nothing external

  std::vector<std::string> open;
  std::vector<Tag> rects;
  for (const Tag& tag : tags(svg)) {
    if (tag.kind == Tag::kOpen) open.push_back(tag.name);
    if (tag.kind == Tag::kClose) {
      REQUIRE(!open.empty());
      CHECK(open.back() == tag.name);
      open.pop_back();
    }
    if (tag.name == "rect") rects.push_back(tag);
    // The quotes of every attribute come in pairs.
    CHECK(std::count(tag.text.begin(), tag.text.end(), '"') % 2 == 0);
  }
  CHECK(open.empty());
  CHECK(svg.substr(svg.find_last_not_of('\n') - 5, 6) == "</svg>");

  const std::vector<IconShape> shapes = icon_shapes(0);
  REQUIRE(rects.size() == shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    CAPTURE(i);
    CHECK(rects[i].kind == Tag::kEmpty);
    std::map<std::string, float> values = numbers(rects[i].text);
    CHECK(values["x"] == doctest::Approx(shapes[i].x).epsilon(1e-3));
    CHECK(values["y"] == doctest::Approx(shapes[i].y).epsilon(1e-3));
    CHECK(values["width"] == doctest::Approx(shapes[i].width).epsilon(1e-3));
    CHECK(values["height"] == doctest::Approx(shapes[i].height).epsilon(1e-3));
    CHECK(values["rx"] == doctest::Approx(shapes[i].radius).epsilon(1e-3));
  }
}

TEST_CASE("drawing twice gives the same bytes") {
  for (int size : {16, 64, 512}) {
    CAPTURE(size);
    CHECK(draw_icon(size).rgba == draw_icon(size).rgba);
  }
  CHECK(icon_svg() == icon_svg());
}

TEST_CASE("the window gets the icon at the sizes window managers pick from") {
  const std::vector<Image> images = window_icon_images();
  const int expected[] = {16, 32, 48, 64, 128};
  REQUIRE(images.size() == std::size(expected));
  for (size_t i = 0; i < images.size(); ++i) {
    CHECK(images[i].width == expected[i]);
    CHECK(images[i].rgba == draw_icon(expected[i]).rgba);
  }
}

TEST_CASE("a size out of range is refused") {
  CHECK_THROWS_AS(draw_icon(0), Error);
  CHECK_THROWS_AS(draw_icon(-16), Error);
  CHECK_THROWS_AS(draw_icon(4097), Error);
}
