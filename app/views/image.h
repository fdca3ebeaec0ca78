// An RGBA8 picture in memory and its PNG encoding: what the window's exports, the renderer's
// read-back and the icon all produce.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// Straight (not premultiplied) alpha, rows top to bottom.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;  // (height, width, 4)
};

// The PNG file of `image` (stb_image_write). Throws Error when the image is empty or its
// pixels do not match its size.
std::string encode_png(const Image& image);

}  // namespace attnscope
