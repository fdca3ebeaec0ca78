#version 330 core
// Glyph quads from a font atlas, laid out and rotated on the CPU, in framebuffer pixels with
// the origin top-left.

layout(location = 0) in vec2 a_position;
layout(location = 1) in vec2 a_uv;     // in the atlas, 0..1
layout(location = 2) in vec4 a_color;  // straight alpha

uniform vec2 u_viewport;  // framebuffer size in pixels

out vec2 v_uv;
out vec4 v_color;

void main() {
  v_uv = a_uv;
  v_color = a_color;
  gl_Position = vec4(a_position / u_viewport * 2.0 - 1.0, 0.0, 1.0);
}
