#version 330 core
// A matrix cell's colour: its value looked up in the colormap table, computing the table
// index exactly as colormap_index() in core/src/colormap.cpp does, so a cell on screen has
// the very colour colormap_rgb() gives on the CPU.

uniform sampler2D u_values;  // R32F, one texel per cell, row 0 = the matrix's first row
uniform sampler2D u_lut;     // RGBA8, 256 entries per row, one row per Colormap
uniform int u_colormap;
uniform float u_threshold;  // values below it are drawn in u_below instead
uniform vec4 u_below;

in vec2 v_cell;
out vec4 frag_color;

void main() {
  // texelFetch of the cell under this pixel: no filtering, so cell edges stay crisp at any
  // scale.
  ivec2 size = textureSize(u_values, 0);
  ivec2 cell = clamp(ivec2(floor(v_cell)), ivec2(0), size - 1);
  float v = texelFetch(u_values, cell, 0).r;
  if (v < u_threshold) {
    frag_color = u_below;
    return;
  }
  int index = 0;  // NaN and values <= 0
  if (!isnan(v) && v > 0.0) {
    if (v >= 1.0) {
      index = 255;
    } else {
      // round(v * 255) with halves rounded up, as lround does: x - floor(x) is exact, where
      // floor(x + 0.5) could round the sum up just below a half.
      float x = v * 255.0;
      float whole = floor(x);
      index = int(whole) + ((x - whole) >= 0.5 ? 1 : 0);
    }
  }
  frag_color = texelFetch(u_lut, ivec2(index, u_colormap), 0);
}
