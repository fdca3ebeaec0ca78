// Colormap tables. Each map is given by evenly spaced anchor colours (the published 10-step
// palettes of viridis, magma and cividis) and filled in between by interpolating in CIELAB,
// where equal steps look equal; grey is a ramp of CIELAB lightness. The diverging ramp goes
// from a blue through white to a red (ColorBrewer's RdBu anchors, reversed), also in CIELAB.
#include "views/colormap.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnscope {

namespace {

struct Lab {
  double l, a, b;
};

double srgb_to_linear(double c) {
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double linear_to_srgb(double c) {
  c = std::clamp(c, 0.0, 1.0);
  return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
}

// D65 white point.
constexpr double kXn = 0.95047, kYn = 1.0, kZn = 1.08883;

double lab_f(double t) {
  constexpr double d = 6.0 / 29.0;
  return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
}

double lab_f_inverse(double t) {
  constexpr double d = 6.0 / 29.0;
  return t > d ? t * t * t : 3 * d * d * (t - 4.0 / 29.0);
}

Lab hex_to_lab(uint32_t hex) {
  const double r = srgb_to_linear(((hex >> 16) & 0xff) / 255.0);
  const double g = srgb_to_linear(((hex >> 8) & 0xff) / 255.0);
  const double b = srgb_to_linear((hex & 0xff) / 255.0);
  const double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  const double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  const double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
  const double fx = lab_f(x / kXn), fy = lab_f(y / kYn), fz = lab_f(z / kZn);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

Rgb8 lab_to_rgb8(const Lab& c) {
  const double fy = (c.l + 16) / 116, fx = fy + c.a / 500, fz = fy - c.b / 200;
  const double x = kXn * lab_f_inverse(fx), y = kYn * lab_f_inverse(fy),
               z = kZn * lab_f_inverse(fz);
  const double r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const double g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z;
  const double b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  auto byte = [](double v) { return static_cast<uint8_t>(std::lround(linear_to_srgb(v) * 255)); };
  return {byte(r), byte(g), byte(b)};
}

std::array<Rgb8, kColormapSize> from_anchors(const std::vector<uint32_t>& hex) {
  std::vector<Lab> anchors;
  for (uint32_t h : hex)
    anchors.push_back(hex_to_lab(h));
  std::array<Rgb8, kColormapSize> table;
  const double last = static_cast<double>(anchors.size() - 1);
  for (int i = 0; i < kColormapSize; ++i) {
    const double t = i / double(kColormapSize - 1) * last;
    const int k = std::min(static_cast<int>(t), static_cast<int>(anchors.size()) - 2);
    const double u = t - k;
    const Lab& p = anchors[k];
    const Lab& q = anchors[k + 1];
    table[i] = lab_to_rgb8({p.l + u * (q.l - p.l), p.a + u * (q.a - p.a), p.b + u * (q.b - p.b)});
  }
  // The ends are exactly the anchors.
  table.front() = lab_to_rgb8(anchors.front());
  table.back() = lab_to_rgb8(anchors.back());
  return table;
}

std::array<Rgb8, kColormapSize> grey_table() {
  std::array<Rgb8, kColormapSize> table;
  for (int i = 0; i < kColormapSize; ++i)
    table[i] = lab_to_rgb8({100.0 * i / (kColormapSize - 1), 0, 0});
  return table;
}

}  // namespace

const char* to_string(Colormap colormap) {
  switch (colormap) {
    case Colormap::kViridis:
      return "viridis";
    case Colormap::kMagma:
      return "magma";
    case Colormap::kCividis:
      return "cividis";
    case Colormap::kGrey:
      return "grey";
    case Colormap::kDiverging:
      return "diverging";
  }
  return "?";
}

bool parse_colormap(const std::string& text, Colormap* colormap) {
  for (Colormap c : {Colormap::kViridis, Colormap::kMagma, Colormap::kCividis, Colormap::kGrey}) {
    if (text == to_string(c)) {
      *colormap = c;
      return true;
    }
  }
  if (text == "gray") {
    *colormap = Colormap::kGrey;
    return true;
  }
  return false;
}

const std::array<Rgb8, kColormapSize>& colormap_table(Colormap colormap) {
  static const std::array<Rgb8, kColormapSize> viridis =
      from_anchors({0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58,
                    0xb5de2b, 0xfde725});
  static const std::array<Rgb8, kColormapSize> magma =
      from_anchors({0x000004, 0x180f3d, 0x440f76, 0x721f81, 0x9e2f7f, 0xcd4071, 0xf1605d, 0xfd9668,
                    0xfeca8d, 0xfcfdbf});
  static const std::array<Rgb8, kColormapSize> cividis =
      from_anchors({0x00224e, 0x123570, 0x3b496c, 0x575d6d, 0x707173, 0x8a8678, 0xa59c74, 0xc3b369,
                    0xe1cc55, 0xfee838});
  static const std::array<Rgb8, kColormapSize> grey = grey_table();
  // Nine anchors: the middle one (white) falls on value 0.5.
  static const std::array<Rgb8, kColormapSize> diverging =
      from_anchors({0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xffffff, 0xfddbc7, 0xf4a582, 0xd6604d,
                    0xb2182b});
  switch (colormap) {
    case Colormap::kDiverging:
      return diverging;
    case Colormap::kMagma:
      return magma;
    case Colormap::kCividis:
      return cividis;
    case Colormap::kGrey:
      return grey;
    case Colormap::kViridis:
      break;
  }
  return viridis;
}

int colormap_index(float value) {
  if (!(value > 0.0f)) return 0;  // also NaN
  if (value >= 1.0f) return kColormapSize - 1;
  return static_cast<int>(std::lround(value * (kColormapSize - 1)));
}

Rgb8 colormap_rgb(Colormap colormap, float value) {
  return colormap_table(colormap)[colormap_index(value)];
}

float diverging_value(float x, float range) {
  if (!(range > 0.0f) || !std::isfinite(x)) return 0.5f;
  return std::clamp(0.5f + 0.5f * x / range, 0.0f, 1.0f);
}

}  // namespace attnscope
