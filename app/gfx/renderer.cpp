// The Scene renderer: one multisampled framebuffer per slot, matrices as float textures
// coloured in the fragment shader, rects and lines as one vertex buffer, text as glyph quads
// from per-size font atlases. GPU objects are cached across renders and dropped when unused.
#include "gfx/renderer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "attnscope/error.h"
#include "gfx/fonts.h"
#include "gfx/gl.h"

namespace attnscope {

namespace {

constexpr int kWantedSamples = 4;
// A keyed matrix texture not used by this many renders is deleted. A window draws several
// slots per frame, so this spans a few frames; a view drawn again later re-uploads.
constexpr uint64_t kKeepMatrixRenders = 16;
// And the keyed textures together stay under this many bytes (R32F: 4 per cell).
constexpr size_t kMaxMatrixCacheBytes = size_t{256} << 20;
// Font atlases kept at once (one per pixel size), and how long an unused one survives.
constexpr size_t kMaxAtlases = 4;
constexpr uint64_t kKeepAtlasRenders = 256;
// The pixel size of the atlas measure() reads advances from; advances are linear in the
// size, so any size gives the same widths.
constexpr int kMeasurePixels = 32;
constexpr double kPi = 3.14159265358979323846;

struct Rgba8 {
  uint8_t r, g, b, a;
};

uint8_t to_byte(float v) {
  if (!(v > 0)) return 0;  // also NaN
  if (v >= 1) return 255;
  return static_cast<uint8_t>(std::lround(v * 255.0f));
}

Rgba8 to_rgba8(const Color& c, float alpha_factor = 1) {
  return {to_byte(c.r), to_byte(c.g), to_byte(c.b), to_byte(c.a * alpha_factor)};
}

struct SolidVertex {
  float x, y;
  Rgba8 color;
  // For lines: the signed distance from the centre line in pixels, and half the width; the
  // fragment shader turns them into coverage so edges are smooth without multisampling.
  // Rects carry (0, kSolid): fully covered.
  float across, half_width;
};

constexpr float kSolid = 1e6f;

struct TextVertex {
  float x, y, u, v;
  Rgba8 color;
};

// Consecutive glyph quads drawn from one atlas: texts keep their order across sizes.
struct TextRun {
  GLuint texture;
  GLint first;
  GLsizei count;
};

// The state render() and the read-backs change, saved on construction and restored on
// destruction: the renderer shares its context with ImGui's backend, which draws into
// whatever framebuffer is bound and assumes its own pixel store settings.
class StateGuard {
 public:
  StateGuard() {
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw_framebuffer_);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read_framebuffer_);
    glGetIntegerv(GL_RENDERBUFFER_BINDING, &renderbuffer_);
    glGetIntegerv(GL_VIEWPORT, viewport_);
    glGetIntegerv(GL_CURRENT_PROGRAM, &program_);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &vertex_array_);
    glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &array_buffer_);
    glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &pack_buffer_);
    glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &unpack_buffer_);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &active_texture_);
    for (int unit = 0; unit < 2; ++unit) {
      glActiveTexture(GL_TEXTURE0 + unit);
      glGetIntegerv(GL_TEXTURE_BINDING_2D, &textures_[unit]);
      glGetIntegerv(GL_SAMPLER_BINDING, &samplers_[unit]);
    }
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &unpack_alignment_);
    glGetIntegerv(GL_UNPACK_ROW_LENGTH, &unpack_row_length_);
    glGetIntegerv(GL_PACK_ALIGNMENT, &pack_alignment_);
    glGetIntegerv(GL_PACK_ROW_LENGTH, &pack_row_length_);
    glGetIntegerv(GL_BLEND_SRC_RGB, &blend_src_rgb_);
    glGetIntegerv(GL_BLEND_DST_RGB, &blend_dst_rgb_);
    glGetIntegerv(GL_BLEND_SRC_ALPHA, &blend_src_alpha_);
    glGetIntegerv(GL_BLEND_DST_ALPHA, &blend_dst_alpha_);
    glGetIntegerv(GL_BLEND_EQUATION_RGB, &blend_equation_rgb_);
    glGetIntegerv(GL_BLEND_EQUATION_ALPHA, &blend_equation_alpha_);
    glGetBooleanv(GL_COLOR_WRITEMASK, color_mask_);
    glGetFloatv(GL_COLOR_CLEAR_VALUE, clear_color_);
    blend_ = glIsEnabled(GL_BLEND);
    scissor_ = glIsEnabled(GL_SCISSOR_TEST);
    depth_ = glIsEnabled(GL_DEPTH_TEST);
    stencil_ = glIsEnabled(GL_STENCIL_TEST);
    cull_ = glIsEnabled(GL_CULL_FACE);
    srgb_ = glIsEnabled(GL_FRAMEBUFFER_SRGB);

    // What the renderer assumes from here on.
    for (int unit = 0; unit < 2; ++unit)
      glBindSampler(unit, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_PACK_ROW_LENGTH, 0);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_STENCIL_TEST);
    glDisable(GL_CULL_FACE);
    glDisable(GL_FRAMEBUFFER_SRGB);  // colours are sRGB values already
  }

  ~StateGuard() {
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, draw_framebuffer_);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, read_framebuffer_);
    glBindRenderbuffer(GL_RENDERBUFFER, renderbuffer_);
    glViewport(viewport_[0], viewport_[1], viewport_[2], viewport_[3]);
    glUseProgram(program_);
    glBindVertexArray(vertex_array_);
    glBindBuffer(GL_ARRAY_BUFFER, array_buffer_);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, pack_buffer_);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, unpack_buffer_);
    for (int unit = 0; unit < 2; ++unit) {
      glActiveTexture(GL_TEXTURE0 + unit);
      glBindTexture(GL_TEXTURE_2D, textures_[unit]);
      glBindSampler(unit, samplers_[unit]);
    }
    glActiveTexture(active_texture_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, unpack_alignment_);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, unpack_row_length_);
    glPixelStorei(GL_PACK_ALIGNMENT, pack_alignment_);
    glPixelStorei(GL_PACK_ROW_LENGTH, pack_row_length_);
    glBlendFuncSeparate(blend_src_rgb_, blend_dst_rgb_, blend_src_alpha_, blend_dst_alpha_);
    glBlendEquationSeparate(blend_equation_rgb_, blend_equation_alpha_);
    glColorMask(color_mask_[0], color_mask_[1], color_mask_[2], color_mask_[3]);
    glClearColor(clear_color_[0], clear_color_[1], clear_color_[2], clear_color_[3]);
    set(GL_BLEND, blend_);
    set(GL_SCISSOR_TEST, scissor_);
    set(GL_DEPTH_TEST, depth_);
    set(GL_STENCIL_TEST, stencil_);
    set(GL_CULL_FACE, cull_);
    set(GL_FRAMEBUFFER_SRGB, srgb_);
  }

  StateGuard(const StateGuard&) = delete;
  StateGuard& operator=(const StateGuard&) = delete;

 private:
  static void set(GLenum capability, GLboolean enabled) {
    if (enabled) {
      glEnable(capability);
    } else {
      glDisable(capability);
    }
  }

  GLint draw_framebuffer_ = 0, read_framebuffer_ = 0, renderbuffer_ = 0;
  GLint viewport_[4] = {0, 0, 0, 0};
  GLint program_ = 0, vertex_array_ = 0, array_buffer_ = 0, pack_buffer_ = 0, unpack_buffer_ = 0;
  GLint active_texture_ = GL_TEXTURE0;
  GLint textures_[2] = {0, 0}, samplers_[2] = {0, 0};
  GLint unpack_alignment_ = 4, unpack_row_length_ = 0, pack_alignment_ = 4, pack_row_length_ = 0;
  GLint blend_src_rgb_ = GL_ONE, blend_dst_rgb_ = GL_ZERO;
  GLint blend_src_alpha_ = GL_ONE, blend_dst_alpha_ = GL_ZERO;
  GLint blend_equation_rgb_ = GL_FUNC_ADD, blend_equation_alpha_ = GL_FUNC_ADD;
  GLboolean color_mask_[4] = {GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE};
  GLfloat clear_color_[4] = {0, 0, 0, 0};
  GLboolean blend_ = GL_FALSE, scissor_ = GL_FALSE, depth_ = GL_FALSE, stencil_ = GL_FALSE;
  GLboolean cull_ = GL_FALSE, srgb_ = GL_FALSE;
};

void set_texture_parameters(GLint filter) {
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void clear_gl_errors() {
  while (glGetError() != GL_NO_ERROR) {
  }
}

std::string size_text(int width, int height) {
  return std::to_string(width) + " x " + std::to_string(height);
}

}  // namespace

struct Renderer::Impl {
  // Where one slot renders: a multisampled colour buffer (when available) resolved into a
  // plain RGBA8 texture that ImGui shows and read_pixels reads.
  struct Target {
    int width = 0, height = 0;
    gl::Texture color;
    gl::Framebuffer framebuffer;
    gl::Renderbuffer msaa_color;
    gl::Framebuffer msaa_framebuffer;  // empty without multisampling
  };

  struct MatrixTexture {
    gl::Texture texture;
    int rows = 0, cols = 0;
    uint64_t last_used = 0;
  };

  struct Atlas {
    std::unique_ptr<gfx::FontAtlas> font;
    gl::Texture texture;
    uint64_t last_used = 0;
  };

  std::shared_ptr<const gfx::FontBytes> fonts;
  std::shared_ptr<const gfx::FontAtlas> measure_font;
  int max_atlas_pixels = 0;

  gl::Program matrix_program, solid_program, text_program;
  GLint matrix_viewport = -1, matrix_rect = -1, matrix_cells = -1, matrix_colormap = -1;
  GLint matrix_threshold = -1, matrix_below = -1;
  GLint solid_viewport = -1, text_viewport = -1;

  gl::VertexArray empty_vertex_array, solid_vertex_array, text_vertex_array;
  gl::Buffer solid_buffer, text_buffer;
  gl::Texture colormaps;  // kColormapSize x kColormapCount RGBA8, row = Colormap

  int samples = 0;
  int max_side = 0;  // the largest framebuffer or texture side this GL allows

  std::map<int, Target> targets;
  std::set<int> single_sampled_slots;
  std::unordered_map<uint64_t, MatrixTexture> keyed_matrices;
  std::vector<MatrixTexture> unkeyed_matrices;  // key 0, reused in scene order
  std::map<int, Atlas> atlases;                 // by pixel size
  uint64_t render_count = 0;

  // Scratch buffers, reused so a render allocates nothing once they have grown.
  std::vector<SolidVertex> solid;
  std::vector<TextVertex> text;
  std::vector<gfx::GlyphQuad> quads;
  std::vector<TextRun> runs;

  explicit Impl(const FontFiles& files);
  Target& target(int slot, int width, int height);
  GLuint matrix_texture(const SceneMatrix& matrix, size_t* unkeyed_used);
  Atlas& atlas(int pixels);
  void add_rect(const SceneRect& rect, float scale);
  void add_line(const SceneLine& line, float scale);
  void add_text(const SceneText& text, float scale);
  void push_quad(float ax, float ay, float bx, float by, float cx, float cy, float dx, float dy,
                 Rgba8 color);
  void push_rect(float x0, float y0, float x1, float y1, Rgba8 color) {
    push_quad(x0, y0, x1, y0, x1, y1, x0, y1, color);
  }
  void evict(size_t unkeyed_used);
};

Renderer::Impl::Impl(const FontFiles& files) {
  if (glGetString(GL_VERSION) == nullptr) {
    throw Error(
        "the renderer needs a current OpenGL context (create a window or a "
        "HeadlessContext first)");
  }
  fonts = gfx::load_fonts(files);
  measure_font = std::make_shared<const gfx::FontAtlas>(fonts, kMeasurePixels);
  // A CJK atlas holds thousands of glyphs, so it is capped lower; text above the cap is drawn
  // from the capped atlas scaled up.
  max_atlas_pixels = fonts->cjk.empty() ? 160 : 96;

  matrix_program = gl::make_program("matrix.vert.glsl", "matrix.frag.glsl");
  solid_program = gl::make_program("solid.vert.glsl", "solid.frag.glsl");
  text_program = gl::make_program("text.vert.glsl", "text.frag.glsl");
  matrix_viewport = gl::uniform_location(matrix_program, "u_viewport");
  matrix_rect = gl::uniform_location(matrix_program, "u_rect");
  matrix_cells = gl::uniform_location(matrix_program, "u_cells");
  matrix_colormap = gl::uniform_location(matrix_program, "u_colormap");
  matrix_threshold = gl::uniform_location(matrix_program, "u_threshold");
  matrix_below = gl::uniform_location(matrix_program, "u_below");
  solid_viewport = gl::uniform_location(solid_program, "u_viewport");
  text_viewport = gl::uniform_location(text_program, "u_viewport");

  StateGuard guard;
  glUseProgram(matrix_program.id());
  glUniform1i(gl::uniform_location(matrix_program, "u_values"), 0);
  glUniform1i(gl::uniform_location(matrix_program, "u_lut"), 1);
  glUseProgram(text_program.id());
  glUniform1i(gl::uniform_location(text_program, "u_atlas"), 0);

  empty_vertex_array = gl::make<gl::VertexArray>();  // core profile draws need one bound

  solid_vertex_array = gl::make<gl::VertexArray>();
  solid_buffer = gl::make<gl::Buffer>();
  glBindVertexArray(solid_vertex_array.id());
  glBindBuffer(GL_ARRAY_BUFFER, solid_buffer.id());
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(SolidVertex),
                        reinterpret_cast<const void*>(offsetof(SolidVertex, x)));
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(SolidVertex),
                        reinterpret_cast<const void*>(offsetof(SolidVertex, color)));
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, sizeof(SolidVertex),
                        reinterpret_cast<const void*>(offsetof(SolidVertex, across)));

  text_vertex_array = gl::make<gl::VertexArray>();
  text_buffer = gl::make<gl::Buffer>();
  glBindVertexArray(text_vertex_array.id());
  glBindBuffer(GL_ARRAY_BUFFER, text_buffer.id());
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(TextVertex),
                        reinterpret_cast<const void*>(offsetof(TextVertex, x)));
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(TextVertex),
                        reinterpret_cast<const void*>(offsetof(TextVertex, u)));
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(TextVertex),
                        reinterpret_cast<const void*>(offsetof(TextVertex, color)));
  glBindVertexArray(0);

  // The colormap tables, exactly as core has them.
  std::vector<uint8_t> table(size_t{kColormapSize} * kColormapCount * 4);
  for (int map = 0; map < kColormapCount; ++map) {
    const auto& entries = colormap_table(static_cast<Colormap>(map));
    for (int i = 0; i < kColormapSize; ++i) {
      uint8_t* texel = &table[(static_cast<size_t>(map) * kColormapSize + i) * 4];
      texel[0] = entries[i].r;
      texel[1] = entries[i].g;
      texel[2] = entries[i].b;
      texel[3] = 255;
    }
  }
  colormaps = gl::make<gl::Texture>();
  glBindTexture(GL_TEXTURE_2D, colormaps.id());
  set_texture_parameters(GL_NEAREST);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, kColormapSize, kColormapCount, 0, GL_RGBA,
               GL_UNSIGNED_BYTE, table.data());

  GLint max_samples = 0, max_texture = 0, max_renderbuffer = 0, max_viewport[2] = {0, 0};
  glGetIntegerv(GL_MAX_SAMPLES, &max_samples);
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_texture);
  glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &max_renderbuffer);
  glGetIntegerv(GL_MAX_VIEWPORT_DIMS, max_viewport);
  samples = max_samples >= 2 ? std::min(kWantedSamples, static_cast<int>(max_samples)) : 0;
  max_side = std::min({max_texture, max_renderbuffer, max_viewport[0], max_viewport[1]});
}

Renderer::Impl::Target& Renderer::Impl::target(int slot, int width, int height) {
  auto found = targets.find(slot);
  if (found != targets.end() && found->second.width == width && found->second.height == height) {
    return found->second;
  }
  if (found != targets.end()) targets.erase(found);  // free the old size first

  Target t;
  t.width = width;
  t.height = height;
  clear_gl_errors();
  t.color = gl::make<gl::Texture>();
  glBindTexture(GL_TEXTURE_2D, t.color.id());
  set_texture_parameters(GL_NEAREST);  // shown pixel for pixel, and cheaper to sample
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  t.framebuffer = gl::make<gl::Framebuffer>();
  glBindFramebuffer(GL_FRAMEBUFFER, t.framebuffer.id());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t.color.id(), 0);
  if (glGetError() == GL_OUT_OF_MEMORY ||
      glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    throw Error("cannot create a " + size_text(width, height) +
                " pixel framebuffer (out of GPU memory?); use a smaller scale");
  }
  if (samples > 0 && single_sampled_slots.count(slot) == 0) {
    t.msaa_color = gl::make<gl::Renderbuffer>();
    glBindRenderbuffer(GL_RENDERBUFFER, t.msaa_color.id());
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, GL_RGBA8, width, height);
    t.msaa_framebuffer = gl::make<gl::Framebuffer>();
    glBindFramebuffer(GL_FRAMEBUFFER, t.msaa_framebuffer.id());
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER,
                              t.msaa_color.id());
    if (glGetError() != GL_NO_ERROR ||
        glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      // Draw without antialiasing rather than not at all.
      t.msaa_framebuffer.reset();
      t.msaa_color.reset();
    }
  }
  return targets.emplace(slot, std::move(t)).first->second;
}

GLuint Renderer::Impl::matrix_texture(const SceneMatrix& matrix, size_t* unkeyed_used) {
  const Matrix& values = *matrix.values;
  const int rows = static_cast<int>(values.rows()), cols = static_cast<int>(values.cols());
  if (rows > max_side || cols > max_side) {
    throw Error("a matrix of " + size_text(rows, cols) + " cells is larger than this OpenGL's " +
                "textures (" + std::to_string(max_side) + " per side)");
  }
  MatrixTexture* slot = nullptr;
  if (matrix.key != 0) {
    slot = &keyed_matrices[matrix.key];
    // The key promises the values; a different shape means the promise was broken, and
    // re-uploading is the safe answer.
    const bool cached = slot->texture && slot->rows == rows && slot->cols == cols;
    slot->last_used = render_count;
    if (cached) return slot->texture.id();
  } else {
    if (*unkeyed_used == unkeyed_matrices.size()) unkeyed_matrices.emplace_back();
    slot = &unkeyed_matrices[(*unkeyed_used)++];
  }
  if (!slot->texture) {
    slot->texture = gl::make<gl::Texture>();
    glBindTexture(GL_TEXTURE_2D, slot->texture.id());
    set_texture_parameters(GL_NEAREST);
  } else {
    glBindTexture(GL_TEXTURE_2D, slot->texture.id());
  }
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  // Matrix is row-major, so its data is the texture's rows in order (row 0 first).
  if (slot->rows == rows && slot->cols == cols) {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, cols, rows, GL_RED, GL_FLOAT, values.data());
  } else {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, cols, rows, 0, GL_RED, GL_FLOAT, values.data());
    slot->rows = rows;
    slot->cols = cols;
  }
  return slot->texture.id();
}

Renderer::Impl::Atlas& Renderer::Impl::atlas(int pixels) {
  auto found = atlases.find(pixels);
  if (found == atlases.end()) {
    Atlas a;
    a.font = std::make_unique<gfx::FontAtlas>(fonts, pixels);
    int width = 0, height = 0;
    const unsigned char* alpha = a.font->alpha(&width, &height);
    if (width > max_side || height > max_side) {
      throw Error("a font atlas of " + size_text(width, height) + " pixels is larger than " +
                  "this OpenGL's textures (" + std::to_string(max_side) + " per side)");
    }
    a.texture = gl::make<gl::Texture>();
    glBindTexture(GL_TEXTURE_2D, a.texture.id());
    // Linear: rotated and oversampled glyphs are sampled between texels.
    set_texture_parameters(GL_LINEAR);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, alpha);
    a.font->release_pixels();
    found = atlases.emplace(pixels, std::move(a)).first;
  }
  found->second.last_used = render_count;
  return found->second;
}

void Renderer::Impl::push_quad(float ax, float ay, float bx, float by, float cx, float cy, float dx,
                               float dy, Rgba8 color) {
  solid.push_back({ax, ay, color, 0, kSolid});
  solid.push_back({bx, by, color, 0, kSolid});
  solid.push_back({cx, cy, color, 0, kSolid});
  solid.push_back({ax, ay, color, 0, kSolid});
  solid.push_back({cx, cy, color, 0, kSolid});
  solid.push_back({dx, dy, color, 0, kSolid});
}

void Renderer::Impl::add_rect(const SceneRect& rect, float scale) {
  const float x0 = rect.x * scale, y0 = rect.y * scale;
  const float x1 = (rect.x + rect.width) * scale, y1 = (rect.y + rect.height) * scale;
  if (!(x1 > x0) || !(y1 > y0)) return;
  const Rgba8 fill = to_rgba8(rect.fill), stroke = to_rgba8(rect.stroke);
  if (fill.a > 0) push_rect(x0, y0, x1, y1, fill);
  if (rect.stroke_width > 0 && stroke.a > 0) {
    // Inside the bounds, as four bands that do not overlap, so a translucent stroke has
    // the same alpha all round.
    const float s = std::min(rect.stroke_width * scale, std::min(x1 - x0, y1 - y0) / 2);
    push_rect(x0, y0, x1, y0 + s, stroke);
    push_rect(x0, y1 - s, x1, y1, stroke);
    push_rect(x0, y0 + s, x0 + s, y1 - s, stroke);
    push_rect(x1 - s, y0 + s, x1, y1 - s, stroke);
  }
}

void Renderer::Impl::add_line(const SceneLine& line, float scale) {
  const float x0 = line.x0 * scale, y0 = line.y0 * scale;
  const float x1 = line.x1 * scale, y1 = line.y1 * scale;
  const float length = std::hypot(x1 - x0, y1 - y0);
  float width = line.width * scale;
  if (!(length > 0) || !(width > 0)) return;
  // Four samples per pixel cannot resolve a line thinner than a pixel (it would flicker in
  // and out); one pixel of proportionally lower alpha covers the same amount of ink.
  float alpha = 1;
  if (width < 1) {
    alpha = width;
    width = 1;
  }
  // Most attention weights are tiny: lines too faint to change a pixel are not drawn at all,
  // which matters because fill rate is what bounds a software renderer.
  const Rgba8 color = to_rgba8(line.color, alpha);
  if (color.a == 0) return;
  // The quad reaches half a pixel beyond each edge; the shader fades that margin out, so the
  // line keeps its width and gets smooth edges.
  const float half = width / 2, reach = half + 0.5f;
  const float ux = -(y1 - y0) / length, uy = (x1 - x0) / length;
  const float nx = ux * reach, ny = uy * reach;
  const SolidVertex a{x0 + nx, y0 + ny, color, reach, half};
  const SolidVertex b{x1 + nx, y1 + ny, color, reach, half};
  const SolidVertex c{x1 - nx, y1 - ny, color, -reach, half};
  const SolidVertex d{x0 - nx, y0 - ny, color, -reach, half};
  solid.insert(solid.end(), {a, b, c, a, c, d});
}

void Renderer::Impl::add_text(const SceneText& t, float scale) {
  const float pixels = t.size * scale;
  const Rgba8 color = to_rgba8(t.color);
  if (t.text.empty() || !(pixels > 0) || color.a == 0) return;
  const int atlas_pixels = std::clamp(static_cast<int>(std::lround(pixels)), 1, max_atlas_pixels);
  const Atlas& a = atlas(atlas_pixels);
  // Glyphs come from the atlas of the rounded size, scaled to the exact size so widths are
  // linear in the size (as measure() assumes); at integer sizes the factor is 1 and glyph
  // texels map to pixels one to one.
  const float k = pixels / static_cast<float>(atlas_pixels);
  quads.clear();
  const float width = a.font->layout(t.text, &quads) * k;
  float start = 0;
  if (t.align == TextAlign::kCenter) start = -width / 2;
  if (t.align == TextAlign::kRight) start = -width;

  // Clockwise on screen with y down is the usual rotation matrix. Right angles get exact
  // factors so glyphs stay aligned with the pixel grid.
  const double radians = static_cast<double>(t.angle) * kPi / 180;
  float c = static_cast<float>(std::cos(radians)), s = static_cast<float>(std::sin(radians));
  const bool right_angle = std::fmod(static_cast<double>(t.angle), 90.0) == 0;
  if (right_angle) {
    c = std::round(c);
    s = std::round(s);
  }
  // The line's top-left corner: the anchor is at the start, middle or end of the text and
  // at half the line height.
  const float lx = start, ly = -pixels / 2;
  float ox = t.x * scale + c * lx - s * ly, oy = t.y * scale + s * lx + c * ly;
  if (right_angle) {
    // Whole pixels: a glyph's rows then fall exactly on pixel rows (no blur).
    ox = std::round(ox);
    oy = std::round(oy);
  }
  const GLint first = static_cast<GLint>(text.size());
  for (const gfx::GlyphQuad& q : quads) {
    auto vertex = [&](float gx, float gy, float u, float v) {
      gx *= k;
      gy *= k;
      return TextVertex{ox + c * gx - s * gy, oy + s * gx + c * gy, u, v, color};
    };
    const TextVertex a0 = vertex(q.x0, q.y0, q.u0, q.v0), a1 = vertex(q.x1, q.y0, q.u1, q.v0);
    const TextVertex a2 = vertex(q.x1, q.y1, q.u1, q.v1), a3 = vertex(q.x0, q.y1, q.u0, q.v1);
    text.insert(text.end(), {a0, a1, a2, a0, a2, a3});
  }
  const GLsizei count = static_cast<GLsizei>(text.size()) - first;
  if (count == 0) return;
  if (!runs.empty() && runs.back().texture == a.texture.id()) {
    runs.back().count += count;
  } else {
    runs.push_back({a.texture.id(), first, count});
  }
}

void Renderer::Impl::evict(size_t unkeyed_used) {
  unkeyed_matrices.resize(std::min(unkeyed_used, unkeyed_matrices.size()));

  size_t bytes = 0;
  for (auto it = keyed_matrices.begin(); it != keyed_matrices.end();) {
    if (render_count - it->second.last_used >= kKeepMatrixRenders) {
      it = keyed_matrices.erase(it);
    } else {
      bytes += size_t{4} * it->second.rows * it->second.cols;
      ++it;
    }
  }
  while (bytes > kMaxMatrixCacheBytes) {
    auto oldest = keyed_matrices.end();
    for (auto it = keyed_matrices.begin(); it != keyed_matrices.end(); ++it) {
      if (it->second.last_used == render_count) continue;  // this render's stay
      if (oldest == keyed_matrices.end() || it->second.last_used < oldest->second.last_used) {
        oldest = it;
      }
    }
    if (oldest == keyed_matrices.end()) break;
    bytes -= size_t{4} * oldest->second.rows * oldest->second.cols;
    keyed_matrices.erase(oldest);
  }

  for (auto it = atlases.begin(); it != atlases.end();) {
    if (render_count - it->second.last_used >= kKeepAtlasRenders) {
      it = atlases.erase(it);
    } else {
      ++it;
    }
  }
  while (atlases.size() > kMaxAtlases) {
    auto oldest = atlases.end();
    for (auto it = atlases.begin(); it != atlases.end(); ++it) {
      if (it->second.last_used == render_count) continue;
      if (oldest == atlases.end() || it->second.last_used < oldest->second.last_used) {
        oldest = it;
      }
    }
    if (oldest == atlases.end()) break;
    atlases.erase(oldest);
  }
}

Renderer::Renderer(const FontFiles& fonts) : impl_(std::make_unique<Impl>(fonts)) {}

Renderer::~Renderer() = default;

unsigned Renderer::render(const Scene& scene, float scale, int slot) {
  Impl& r = *impl_;
  if (!(scale > 0) || !std::isfinite(scale)) {
    throw Error("render scale must be a positive number, got " + std::to_string(scale));
  }
  const double w = std::round(static_cast<double>(scene.width) * scale);
  const double h = std::round(static_cast<double>(scene.height) * scale);
  if (!(w <= r.max_side) || !(h <= r.max_side)) {
    throw Error("a " + std::to_string(w) + " x " + std::to_string(h) +
                " pixel image is larger than this OpenGL allows (" + std::to_string(r.max_side) +
                " pixels per side); use a smaller scale");
  }
  // An empty scene still gets a valid (1 x 1) framebuffer.
  const int width = std::max(1, static_cast<int>(w)), height = std::max(1, static_cast<int>(h));
  ++r.render_count;

  StateGuard guard;
  Impl::Target& target = r.target(slot, width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, target.msaa_framebuffer ? target.msaa_framebuffer.id()
                                                            : target.framebuffer.id());
  glViewport(0, 0, width, height);
  glClearColor(scene.background.r, scene.background.g, scene.background.b, scene.background.a);
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  // Straight alpha for colour; alpha accumulates as "over", so an opaque background stays
  // opaque and exported PNGs have no holes.
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  const float viewport[2] = {static_cast<float>(width), static_cast<float>(height)};

  // Matrices.
  size_t unkeyed_used = 0;
  glUseProgram(r.matrix_program.id());
  glUniform2fv(r.matrix_viewport, 1, viewport);
  glBindVertexArray(r.empty_vertex_array.id());
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, r.colormaps.id());
  glActiveTexture(GL_TEXTURE0);
  for (const SceneMatrix& m : scene.matrices) {
    if (!m.values || m.values->rows() == 0 || m.values->cols() == 0) continue;
    if (!(m.width > 0) || !(m.height > 0)) continue;
    const GLuint texture = r.matrix_texture(m, &unkeyed_used);
    glBindTexture(GL_TEXTURE_2D, texture);
    glUniform4f(r.matrix_rect, m.x * scale, m.y * scale, (m.x + m.width) * scale,
                (m.y + m.height) * scale);
    glUniform2f(r.matrix_cells, static_cast<float>(m.values->cols()),
                static_cast<float>(m.values->rows()));
    glUniform1i(r.matrix_colormap, std::clamp(static_cast<int>(m.colormap), 0, kColormapCount - 1));
    glUniform1f(r.matrix_threshold, m.threshold);
    glUniform4f(r.matrix_below, m.below_color.r, m.below_color.g, m.below_color.b, m.below_color.a);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  }

  // Rects, lines and overlay share a shader, so they go in one buffer in drawing order and
  // one draw call (GL blends primitives in the order given).
  r.solid.clear();
  for (const SceneRect& rect : scene.rects)
    r.add_rect(rect, scale);
  for (const SceneLine& line : scene.lines)
    r.add_line(line, scale);
  for (const SceneRect& rect : scene.overlay)
    r.add_rect(rect, scale);
  if (!r.solid.empty()) {
    glUseProgram(r.solid_program.id());
    glUniform2fv(r.solid_viewport, 1, viewport);
    glBindVertexArray(r.solid_vertex_array.id());
    glBindBuffer(GL_ARRAY_BUFFER, r.solid_buffer.id());
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(r.solid.size() * sizeof(SolidVertex)),
                 r.solid.data(), GL_STREAM_DRAW);
    glDrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(r.solid.size()));
  }

  // Texts.
  r.text.clear();
  r.runs.clear();
  for (const SceneText& text : scene.texts)
    r.add_text(text, scale);
  if (!r.text.empty()) {
    glUseProgram(r.text_program.id());
    glUniform2fv(r.text_viewport, 1, viewport);
    glBindVertexArray(r.text_vertex_array.id());
    glBindBuffer(GL_ARRAY_BUFFER, r.text_buffer.id());
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(r.text.size() * sizeof(TextVertex)),
                 r.text.data(), GL_STREAM_DRAW);
    for (const TextRun& run : r.runs) {
      glBindTexture(GL_TEXTURE_2D, run.texture);
      glDrawArrays(GL_TRIANGLES, run.first, run.count);
    }
  }

  if (target.msaa_framebuffer) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target.msaa_framebuffer.id());
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, target.framebuffer.id());
    glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  }
  r.evict(unkeyed_used);
  return target.color.id();
}

void Renderer::set_multisample(int slot, bool on) {
  const bool changed = on ? impl_->single_sampled_slots.erase(slot) > 0
                          : impl_->single_sampled_slots.insert(slot).second;
  if (changed) impl_->targets.erase(slot);  // made again at the next render
}

Image Renderer::read_pixels(int slot) const {
  auto found = impl_->targets.find(slot);
  if (found == impl_->targets.end()) {
    throw Error("read_pixels: nothing has been rendered into slot " + std::to_string(slot));
  }
  const Impl::Target& target = found->second;
  StateGuard guard;
  Image image;
  image.width = target.width;
  image.height = target.height;
  image.rgba.resize(size_t{4} * target.width * target.height);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, target.framebuffer.id());
  glReadBuffer(GL_COLOR_ATTACHMENT0);
  // The texture's first row is the scene's top row already: no flip.
  glReadPixels(0, 0, target.width, target.height, GL_RGBA, GL_UNSIGNED_BYTE, image.rgba.data());
  return image;
}

TextMeasure Renderer::measure() const {
  // The lambda shares the atlas, so it stays valid after the Renderer is gone; it calls no
  // GL and only reads the atlas, so any thread may use it.
  std::shared_ptr<const gfx::FontAtlas> font = impl_->measure_font;
  return [font](const std::string& text, float size) {
    return font->advance(text) * size / static_cast<float>(font->pixels());
  };
}

}  // namespace attnscope
