// PNG encoding with stb_image_write (Debian's libstb holds its implementation, so it is only
// declared here).
#include "views/image.h"

#include <stb_image_write.h>

#include "attnscope/error.h"

namespace attnscope {

std::string encode_png(const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() != size_t{4} * image.width * image.height) {
    throw Error("encode_png: the image is empty or its pixels do not match its " +
                std::to_string(image.width) + " x " + std::to_string(image.height) + " size");
  }
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &png, image.width, image.height, 4, image.rgba.data(),
                              image.width * 4)) {
    throw Error("encode_png: cannot encode a " + std::to_string(image.width) + " x " +
                std::to_string(image.height) + " image");
  }
  return png;
}

}  // namespace attnscope
