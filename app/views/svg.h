// A Scene as an SVG document: the same primitives the renderer draws, as vectors, with token
// labels as <text> so they stay editable and searchable in a slide.
#pragma once

#include <string>

#include "views/scene.h"

namespace attnscope {

// Matrices become one <rect> per cell filled with colormap_rgb of its value; texts use the
// font family "DejaVu Sans, sans-serif". Text is XML-escaped; invalid UTF-8 never reaches
// the file (it is replaced).
std::string scene_to_svg(const Scene& scene);

}  // namespace attnscope
