// Draws Scenes (views/scene.h) with our shaders into offscreen framebuffers, at any scale:
// matrices as float textures coloured by a colormap look-up in the fragment shader, lines
// and rects as GPU geometry, text as glyph quads from a font atlas rasterised at the target
// pixel size (so a 4x export is sharp, not an upscale). Needs a current OpenGL 3.3 core
// context; everything GL is created and destroyed on that context's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "views/image.h"
#include "views/scene.h"

namespace attnscope {

// RGBA8 pixels, top row first.

// Fonts the renderer draws with: a main TTF, and optionally one merged in for CJK.
struct FontFiles {
  std::string main;  // e.g. /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
  std::string cjk;   // empty when none is installed
};

// The fonts found on this machine: DejaVu Sans (fonts-dejavu-core), and the first CJK font
// found among the usual Debian packages' files (empty when none).
FontFiles find_fonts();

class Renderer {
 public:
  // Throws Error when the shaders do not compile or link (the message holds the info log
  // and the GLSL version) or the main font cannot be read.
  explicit Renderer(const FontFiles& fonts);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Renders `scene` at `scale` (framebuffer of round(width * scale) x round(height * scale)
  // pixels) into the framebuffer of `slot` (one per view on screen, another for exports)
  // and returns its colour texture, to show with ImGui::Image. Matrix textures are uploaded
  // only when their key is new (or 0). The texture's first row is the scene's top row, so
  // ImGui::Image(texture, size) shows it upright with its default uv0 = (0, 0), uv1 = (1, 1).
  // The slot's framebuffer is re-created only when the pixel size changes. A keyed matrix
  // texture is kept while the key is used at least once every few renders.
  unsigned render(const Scene& scene, float scale, int slot = 0);
  // Whether `slot` renders multisampled (the default). Lines have smooth edges either way;
  // multisampling also smooths rotated text and fractional cell edges, at a cost in fill
  // rate that a software OpenGL feels: the window's own view may turn it off.
  void set_multisample(int slot, bool on);
  // The pixels of the last render into `slot` (throws Error when there was none).
  Image read_pixels(int slot = 0) const;
  // Text widths as render() draws them (any size; linear in the size).
  TextMeasure measure() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The default framebuffer (the window) as it is now, `width` x `height` pixels.
Image read_window_pixels(int width, int height);

// Creates an invisible GLFW window with an OpenGL 3.3 core context and makes it current, for
// batch export and tests. Throws Error with a clear message when there is no display.
// Initialises GLFW if nothing has, and then terminates it when the last HeadlessContext that
// shares that initialisation goes; GLFW initialised by the application is left to it. On
// destruction the context that was current before is made current again.
class HeadlessContext {
 public:
  HeadlessContext();
  ~HeadlessContext();
  HeadlessContext(const HeadlessContext&) = delete;
  HeadlessContext& operator=(const HeadlessContext&) = delete;

 private:
  void* window_ = nullptr;    // GLFWwindow*
  void* previous_ = nullptr;  // GLFWwindow* current before this one
  bool owns_glfw_ = false;    // this object counts in the users of our glfwInit
};

}  // namespace attnscope
