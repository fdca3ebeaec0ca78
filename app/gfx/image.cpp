// Reading the window back into an Image.
#include <GL/gl.h>

#include <cstring>

#include "attnscope/error.h"
#include "gfx/renderer.h"

namespace attnscope {

Image read_window_pixels(int width, int height) {
  if (width <= 0 || height <= 0) {
    throw Error("read_window_pixels: bad size " + std::to_string(width) + " x " +
                std::to_string(height));
  }
  GLint read_framebuffer = 0, pack_alignment = 4, pack_row_length = 0, pack_buffer = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read_framebuffer);
  glGetIntegerv(GL_PACK_ALIGNMENT, &pack_alignment);
  glGetIntegerv(GL_PACK_ROW_LENGTH, &pack_row_length);
  glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &pack_buffer);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glPixelStorei(GL_PACK_ROW_LENGTH, 0);

  Image image;
  image.width = width;
  image.height = height;
  image.rgba.resize(size_t{4} * width * height);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, image.rgba.data());

  glBindFramebuffer(GL_READ_FRAMEBUFFER, read_framebuffer);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, pack_buffer);
  glPixelStorei(GL_PACK_ALIGNMENT, pack_alignment);
  glPixelStorei(GL_PACK_ROW_LENGTH, pack_row_length);

  // The window's origin is its bottom-left corner: flip so the top row comes first.
  const size_t stride = size_t{4} * width;
  std::vector<uint8_t> row(stride);
  for (int y = 0; y < height / 2; ++y) {
    uint8_t* top = &image.rgba[stride * y];
    uint8_t* bottom = &image.rgba[stride * (height - 1 - y)];
    std::memcpy(row.data(), top, stride);
    std::memcpy(top, bottom, stride);
    std::memcpy(bottom, row.data(), stride);
  }
  return image;
}

}  // namespace attnscope
