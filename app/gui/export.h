// Exports shared by the window and `attnscope export`: the current view as PNG (re-rendered
// at 1x, 2x or 4x) or SVG, the current matrix as CSV, the whole Trace as JSON. Every file
// is written whole or not at all (write_file_atomic).
#pragma once

#include <memory>
#include <string>

#include "attnscope/checkpoint.h"
#include "gfx/renderer.h"
#include "views/views.h"

namespace attnscope {

// The size of an exported view at scale 1, independent of the window, so that a picture
// saved from the window equals the batch export of the same state.
constexpr float kExportWidth = 1280, kExportHeight = 800;

enum class ExportFormat { kPng, kSvg, kCsv, kJson };
const char* extension(ExportFormat format);  // "png", ...
// From a file name's extension; false when it is none of them.
bool format_from_path(const std::string& path, ExportFormat* format);

// A file name (without directory) saying what is in it: the start of the sentence, the view,
// kind, layer and head, e.g. "the-little-black-cat_heatmap_cross_L1_H2.png".
std::string default_export_name(const AppState& state, ExportFormat format);

// The scene of state.view for a trace, `width` x `height`, with nothing hovered.
Scene export_scene(const std::shared_ptr<const Trace>& trace, uint64_t trace_id,
                   const AppState& state, const ModelBundle& bundle, float width, float height,
                   const TextMeasure& measure);

// The explain view's numbers for a state: explanation_json of the head and query it shows.
std::string explain_view_json(const Trace& trace, const ViewParams& params,
                              const ModelBundle& bundle);

// What to export and how.
struct ExportJob {
  std::string path;
  ExportFormat format = ExportFormat::kPng;
  float scale = 1;                                     // PNG only
  float width = kExportWidth, height = kExportHeight;  // the scene, PNG and SVG
};

// Writes job.path: PNG renders the scene with `renderer` at job.scale (into an export
// framebuffer slot, not the one on screen); SVG writes the scene; CSV the selected matrix;
// JSON the trace, or for the explain view its numbers (explain_view_json). Throws Error naming the path and the reason on failure.
void export_view(const ExportJob& job, Renderer* renderer,
                 const std::shared_ptr<const Trace>& trace, uint64_t trace_id,
                 const AppState& state, const ModelBundle& bundle, bool generated);

// The slot of the renderer used for exports.
constexpr int kExportSlot = 7;

}  // namespace attnscope
