// Exports (see export.h).
#include "gui/export.h"

#include <cmath>

#include "attnscope/error.h"
#include "attnscope/explain.h"
#include "views/export_formats.h"
#include "attnscope/io.h"
#include "attnscope/tokenizer.h"
#include "attnscope/utf8.h"
#include "views/svg.h"

namespace attnscope {

const char* extension(ExportFormat format) {
  switch (format) {
    case ExportFormat::kPng:
      return "png";
    case ExportFormat::kSvg:
      return "svg";
    case ExportFormat::kCsv:
      return "csv";
    case ExportFormat::kJson:
      return "json";
  }
  return "?";
}

bool format_from_path(const std::string& path, ExportFormat* format) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return false;
  std::string ext = path.substr(dot + 1);
  for (char& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (ExportFormat f :
       {ExportFormat::kPng, ExportFormat::kSvg, ExportFormat::kCsv, ExportFormat::kJson}) {
    if (ext == extension(f)) {
      *format = f;
      return true;
    }
  }
  return false;
}

std::string default_export_name(const AppState& state, ExportFormat format) {
  // The first words of the sentence: letters and digits (any script) kept, the rest
  // becomes single hyphens; at most 40 bytes, cut after a whole word where there is one.
  constexpr size_t kMaxSlug = 40;
  const std::string text = sanitize_utf8(state.sentence);
  std::string slug;
  for (size_t i = 0; i < text.size() && slug.size() <= kMaxSlug;) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const bool keep =
        c >= 0x80 ? text.compare(i, length, "\xEF\xBF\xBD") != 0 : std::isalnum(c) != 0;
    if (keep) {
      slug.append(text, i, length);
      if (c < 0x80) slug.back() = static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    i += length;
  }
  if (slug.size() > kMaxSlug) {
    const size_t hyphen = slug.rfind('-', kMaxSlug);
    if (hyphen != std::string::npos && hyphen > 0) {
      slug.resize(hyphen);
    } else {
      slug.resize(utf8_cut(slug, kMaxSlug));  // one long word: cut at a character boundary
    }
  }
  while (!slug.empty() && slug.back() == '-')
    slug.pop_back();
  if (slug.empty()) slug = "attnscope";
  if (format == ExportFormat::kJson && state.view != ViewKind::kExplain)
    return slug + "_trace.json";
  std::string name = slug;
  if (format != ExportFormat::kCsv) name += std::string("_") + to_string(state.view);
  const char* kind = names_of(state.kind).name;
  name += std::string("_") + kind + "_L" + std::to_string(state.layer);
  if (state.view == ViewKind::kGrid && format != ExportFormat::kCsv) {
    name = slug + "_grid_" + kind;
  } else if (state.head_mode == HeadMode::kSingle) {
    name += "_H" + std::to_string(state.head);
  } else {
    name += std::string("_") + to_string(state.head_mode);
  }
  if (state.view == ViewKind::kSteps && format != ExportFormat::kCsv)
    name += "_step" + std::to_string(state.step);
  if (state.view == ViewKind::kExplain && format != ExportFormat::kCsv)
    name += state.query < 0 ? std::string("_qlast") : "_q" + std::to_string(state.query);
  return name + "." + extension(format);
}

Scene export_scene(const std::shared_ptr<const Trace>& trace, uint64_t trace_id,
                   const AppState& state, const ModelBundle& bundle, float width, float height,
                   const TextMeasure& measure) {
  ViewInput in;  // nothing hovered: in.hover stays empty
  in.trace = trace;
  in.trace_id = trace_id;
  in.state = &state;
  in.width = width;
  in.height = height;
  in.measure = measure;
  const Vocab* vocab = &bundle.tgt_vocab;
  in.target_token = [vocab](int id) {
    return id >= 0 && id < vocab->size() ? vocab->token(id) : "#" + std::to_string(id);
  };
  in.pad_id = bundle.model.config().pad_id;
  return build_view(in);
}

std::string explain_view_json(const Trace& trace, const ViewParams& params,
                              const ModelBundle& bundle) {
  const int query = explain_query(trace, params);
  if (query < 0) throw InputError("no query tokens to explain");
  return explanation_json(explain(trace, params.kind, params.layer, explain_head(trace, params),
                                  query, bundle.model.config().pad_id));
}

void export_view(const ExportJob& job, Renderer* renderer,
                 const std::shared_ptr<const Trace>& trace, uint64_t trace_id,
                 const AppState& state, const ModelBundle& bundle, bool generated) {
  if (!trace) throw Error("nothing to export: no Trace has been computed");
  switch (job.format) {
    case ExportFormat::kPng: {
      if (!renderer) throw Error("PNG export needs the renderer");
      const Scene scene =
          export_scene(trace, trace_id, state, bundle, job.width, job.height, renderer->measure());
      renderer->render(scene, job.scale, kExportSlot);
      write_file_atomic(job.path, encode_png(renderer->read_pixels(kExportSlot)));
      return;
    }
    case ExportFormat::kSvg: {
      const TextMeasure measure = renderer ? renderer->measure() : TextMeasure();
      const Scene scene =
          export_scene(trace, trace_id, state, bundle, job.width, job.height, measure);
      write_file_atomic(job.path, scene_to_svg(scene));
      return;
    }
    case ExportFormat::kCsv: {
      const std::shared_ptr<const Matrix> m =
          selected_matrix(trace, state.kind, state.layer, state.head_mode, state.head);
      write_file_atomic(
          job.path, matrix_csv(*m, trace->query_tokens(state.kind), trace->key_tokens(state.kind)));
      return;
    }
    case ExportFormat::kJson:
      if (state.view == ViewKind::kExplain) {
        // The explain view's numbers, as `attnscope-cli explain --format json` prints them.
        write_file_atomic(job.path, explain_view_json(*trace, state, bundle) + "\n");
        return;
      }
      write_file_atomic(job.path, trace_json(*trace, bundle, generated) + "\n");
      return;
  }
}

}  // namespace attnscope
