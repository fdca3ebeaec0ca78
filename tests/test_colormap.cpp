// The colormap tables: ends, monotonic lightness (what makes them readable as a scale),
// the index rule the shaders share, and names.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "views/colormap.h"

using namespace attnscope;

namespace {

// CIE L* of an sRGB colour.
double lightness(Rgb8 c) {
  auto linear = [](int v) {
    const double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  const double y = 0.2126729 * linear(c.r) + 0.7151522 * linear(c.g) + 0.0721750 * linear(c.b);
  return y > 216.0 / 24389 ? 116 * std::cbrt(y) - 16 : y * 24389.0 / 27;
}

const Colormap kAll[] = {Colormap::kViridis, Colormap::kMagma, Colormap::kCividis, Colormap::kGrey};

}  // namespace

TEST_CASE("colormap ends are the published end colours") {
  const auto& viridis = colormap_table(Colormap::kViridis);
  CHECK(viridis.front().r == 0x44);
  CHECK(viridis.front().g == 0x01);
  CHECK(viridis.front().b == 0x54);
  CHECK(viridis.back().r == 0xfd);
  CHECK(viridis.back().g == 0xe7);
  CHECK(viridis.back().b == 0x25);
  const auto& grey = colormap_table(Colormap::kGrey);
  CHECK(grey.front().r == 0);
  CHECK(grey.back().g == 255);
}

TEST_CASE("every colormap gets lighter from 0 to 1, in even steps") {
  for (Colormap c : kAll) {
    CAPTURE(to_string(c));
    const auto& table = colormap_table(c);
    double previous = lightness(table[0]);
    const double span = lightness(table.back()) - previous;
    CHECK(span > 50);
    for (int i = 8; i < kColormapSize; i += 8) {
      const double l = lightness(table[i]);
      CHECK(l > previous);
      // Perceptually uniform: no 8-entry step is more than 3x the average step.
      CHECK(l - previous < 3 * span * 8 / (kColormapSize - 1));
      previous = l;
    }
  }
}

TEST_CASE("colormap_index rounds, clamps and maps NaN to 0") {
  CHECK(colormap_index(0.0f) == 0);
  CHECK(colormap_index(1.0f) == 255);
  CHECK(colormap_index(-3.0f) == 0);
  CHECK(colormap_index(7.0f) == 255);
  CHECK(colormap_index(std::nanf("")) == 0);
  CHECK(colormap_index(0.5f) == 128);  // 127.5 rounds up
  CHECK(colormap_index(1.0f / 255) == 1);
  CHECK(colormap_index(0.499f / 255) == 0);
  const Rgb8 mid = colormap_rgb(Colormap::kMagma, 0.5f);
  const Rgb8 entry = colormap_table(Colormap::kMagma)[128];
  CHECK(mid.r == entry.r);
  CHECK(mid.g == entry.g);
  CHECK(mid.b == entry.b);
}

TEST_CASE("colormap names round-trip") {
  for (Colormap c : kAll) {
    Colormap parsed = Colormap::kViridis;
    REQUIRE(parse_colormap(to_string(c), &parsed));
    CHECK(parsed == c);
  }
  Colormap parsed = Colormap::kViridis;
  CHECK(parse_colormap("gray", &parsed));
  CHECK(parsed == Colormap::kGrey);
  CHECK_FALSE(parse_colormap("jet", &parsed));
}

TEST_CASE("the diverging ramp: blue below the middle, white at it, red above, lightness even") {
  const auto& table = colormap_table(Colormap::kDiverging);
  CHECK(table.front().b > table.front().r);  // blue for the most negative
  CHECK(table.back().r > table.back().b);    // red for the most positive
  // White in the middle: value 0.5 (a component of 0) is the table's entry 128.
  const Rgb8 zero = colormap_rgb(Colormap::kDiverging, diverging_value(0.0f, 3.0f));
  CHECK(zero.r >= 250);
  CHECK(zero.g >= 250);
  CHECK(zero.b >= 250);
  // Lightness rises to the middle and falls after it, in even steps, the same on both sides.
  double previous = lightness(table[0]);
  for (int i = 8; i <= 128; i += 8) {
    const double l = lightness(table[i]);
    CHECK(l > previous);
    CHECK(l - previous < 12);
    previous = l;
  }
  previous = lightness(table[128]);
  for (int i = 136; i < kColormapSize; i += 8) {
    const double l = lightness(table[i]);
    CHECK(l < previous);
    CHECK(previous - l < 12);
    previous = l;
  }
  CHECK(std::abs(lightness(table.front()) - lightness(table.back())) < 10);
  // Only views use it: settings and the command line choose among the weight colormaps.
  Colormap parsed = Colormap::kViridis;
  CHECK(to_string(Colormap::kDiverging) == std::string("diverging"));
  CHECK_FALSE(parse_colormap("diverging", &parsed));
}

TEST_CASE("diverging_value centres 0 and clamps at ±range") {
  CHECK(diverging_value(0.0f, 2.0f) == 0.5f);
  CHECK(diverging_value(2.0f, 2.0f) == 1.0f);
  CHECK(diverging_value(-2.0f, 2.0f) == 0.0f);
  CHECK(diverging_value(1.0f, 2.0f) == doctest::Approx(0.75f));
  CHECK(diverging_value(-5.0f, 2.0f) == 0.0f);
  CHECK(diverging_value(9.0f, 2.0f) == 1.0f);
  CHECK(diverging_value(1.0f, 0.0f) == 0.5f);
  CHECK(diverging_value(std::nanf(""), 1.0f) == 0.5f);
}
