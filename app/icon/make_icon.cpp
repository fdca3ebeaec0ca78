// attnscope-make-icon: writes the app's icon for an icon theme, DIR/attnscope.svg and
// DIR/<N>x<N>/attnscope.png for every size, drawn by icon.cpp. The build runs it, so the
// installed icon always matches the code that draws it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "icon/icon.h"
#include "views/image.h"

namespace {

constexpr const char* kUsage =
    "usage: attnscope-make-icon --out-dir DIR [--sizes N,N,...]\n"
    "Writes DIR/attnscope.svg and DIR/<N>x<N>/attnscope.png (sizes 16 to 512 by default).\n";

std::vector<int> parse_sizes(const std::string& text) {
  std::vector<int> sizes;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    const long value = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value < 1 || value > 4096) {
      throw attnscope::Error("--sizes: '" + item + "' is not a size from 1 to 4096");
    }
    sizes.push_back(static_cast<int>(value));
    start = comma + 1;
  }
  return sizes;
}

void make_directory(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw attnscope::Error("cannot create '" + dir.string() + "': " + error.message());
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir;
  std::vector<int> sizes(attnscope::kIconSizes.begin(), attnscope::kIconSizes.end());
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      }
      if ((arg == "--out-dir" || arg == "--sizes") && i + 1 < argc) {
        if (arg == "--out-dir") {
          out_dir = argv[++i];
        } else {
          sizes = parse_sizes(argv[++i]);
        }
        continue;
      }
      throw attnscope::Error(arg == "--out-dir" || arg == "--sizes"
                                 ? arg + " needs a value"
                                 : "unknown argument '" + arg + "' (see --help)");
    }
    if (out_dir.empty()) throw attnscope::Error("--out-dir DIR is required (see --help)");

    const std::filesystem::path dir(out_dir);
    make_directory(dir);
    attnscope::write_file_atomic((dir / "attnscope.svg").string(), attnscope::icon_svg());
    for (int size : sizes) {
      const std::string name = std::to_string(size) + "x" + std::to_string(size);
      make_directory(dir / name);
      attnscope::write_file_atomic((dir / name / "attnscope.png").string(),
                                   encode_png(attnscope::draw_icon(size)));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope-make-icon: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
