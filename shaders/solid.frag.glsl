#version 330 core
// Flat colour. A line's edges fade over one pixel (coverage from the distance to its centre
// line), so lines are smooth with or without a multisampled framebuffer; rects are solid.

in vec4 v_color;
in vec2 v_edge;
out vec4 frag_color;

void main() {
  float coverage = clamp(v_edge.y + 0.5 - abs(v_edge.x), 0.0, 1.0);
  frag_color = vec4(v_color.rgb, v_color.a * coverage);
}
