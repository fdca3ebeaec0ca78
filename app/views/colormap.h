// Colormaps for attention weights: perceptually uniform ramps from 0 (low) to 1 (high); and
// one diverging ramp for signed numbers (vector components), blue below 0.5, white at 0.5,
// red above, which views map a value x to as 0.5 + 0.5 * x / max|x| (diverging_value).
// The tables here are the ones the shaders sample (uploaded as a 256-texel look-up
// texture), so a colour on screen can be checked against colormap_rgb on the CPU.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace attnscope {

enum class Colormap { kViridis, kMagma, kCividis, kGrey, kDiverging };
constexpr int kWeightColormapCount = 4;  // the first ones, for weights: the user chooses one
constexpr int kColormapCount = 5;        // every table, as the renderer uploads them
constexpr int kColormapSize = 256;  // entries in each table

struct Rgb8 {
  uint8_t r = 0, g = 0, b = 0;
};

// "viridis", "magma", "cividis", "grey", "diverging"
const char* to_string(Colormap colormap);
// The weight colormaps only (not "diverging"); also accepts "gray".
bool parse_colormap(const std::string& text, Colormap* colormap);

// The table: entry i is the colour of value i / 255.
const std::array<Rgb8, kColormapSize>& colormap_table(Colormap colormap);

// The table index of a value: values are clamped to [0, 1] (NaN counts as 0), then
// round(value * 255). The fragment shader computes the same index.
int colormap_index(float value);

// The colour of a weight, as the shaders draw it.
Rgb8 colormap_rgb(Colormap colormap, float value);

// Where a signed number x falls on the diverging ramp for numbers within ±range: 0.5 for 0,
// 0 for -range and below, 1 for +range and above; 0.5 when range is not positive.
float diverging_value(float x, float range);

}  // namespace attnscope
