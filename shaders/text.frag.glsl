#version 330 core
// A glyph in the text colour, with the atlas's coverage as alpha.

uniform sampler2D u_atlas;  // R8 coverage

in vec2 v_uv;
in vec4 v_color;
out vec4 frag_color;

void main() { frag_color = vec4(v_color.rgb, v_color.a * texture(u_atlas, v_uv).r); }
