#version 330 core
// A matrix's quad. Its four corners come from gl_VertexID (drawn as a triangle strip), so
// no vertex buffer is needed; positions are framebuffer pixels with the origin top-left.

uniform vec2 u_viewport;  // framebuffer size in pixels
uniform vec4 u_rect;      // x0, y0, x1, y1 in pixels
uniform vec2 u_cells;     // columns, rows

out vec2 v_cell;  // position in cells: (column, row), (0, 0) at the top-left corner

void main() {
  vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
  v_cell = corner * u_cells;
  // y is not flipped: the scene's top row lands in the texture's first row, which is how
  // ImGui::Image and read_pixels want it.
  gl_Position = vec4(mix(u_rect.xy, u_rect.zw, corner) / u_viewport * 2.0 - 1.0, 0.0, 1.0);
}
