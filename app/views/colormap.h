// Colormaps for attention weights: perceptually uniform ramps from 0 (low) to 1 (high).
// The tables here are the ones the shaders sample (uploaded as a 256-texel look-up
// texture), so a colour on screen can be checked against colormap_rgb on the CPU.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace attnscope {

enum class Colormap { kViridis, kMagma, kCividis, kGrey };
constexpr int kColormapCount = 4;
constexpr int kColormapSize = 256;  // entries in each table

struct Rgb8 {
  uint8_t r = 0, g = 0, b = 0;
};

const char* to_string(Colormap colormap);  // "viridis", "magma", "cividis", "grey"
bool parse_colormap(const std::string& text, Colormap* colormap);  // also accepts "gray"

// The table: entry i is the colour of value i / 255.
const std::array<Rgb8, kColormapSize>& colormap_table(Colormap colormap);

// The table index of a value: values are clamped to [0, 1] (NaN counts as 0), then
// round(value * 255). The fragment shader computes the same index.
int colormap_index(float value);

// The colour of a weight, as the shaders draw it.
Rgb8 colormap_rgb(Colormap colormap, float value);

}  // namespace attnscope
