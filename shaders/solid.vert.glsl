#version 330 core
// Filled geometry (rect fills and strokes, lines as quads), built on the CPU in framebuffer
// pixels with the origin top-left.

layout(location = 0) in vec2 a_position;
layout(location = 1) in vec4 a_color;  // straight alpha
layout(location = 2) in vec2 a_edge;   // distance across a line, its half width (pixels)

uniform vec2 u_viewport;  // framebuffer size in pixels

out vec4 v_color;
out vec2 v_edge;

void main() {
  v_color = a_color;
  v_edge = a_edge;
  gl_Position = vec4(a_position / u_viewport * 2.0 - 1.0, 0.0, 1.0);
}
