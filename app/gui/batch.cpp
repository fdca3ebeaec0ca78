// `attnscope export` (see batch.h): builds the AppState from options, computes the Trace as
// the window would, and writes one file or one per layer and head.
#include "gui/batch.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "about.h"
#include "args.h"
#include "attnscope/error.h"
#include "gui/export.h"
#include "gui/session.h"

namespace attnscope {

namespace {

constexpr const char* kUsage = R"(usage: attnscope export [options] --out FILE
       attnscope export [options] --all-heads --out-dir DIR [--format png|svg|csv]

Writes a view of the attention of one sentence, as the window shows it: PNG (rendered at
--scale), SVG (vectors, tokens as text), CSV (the selected matrix) or JSON (the whole Trace),
chosen by the extension of --out. PNG and SVG need a display: on a machine without one, run
under xvfb-run.

  --model DIR          model directory (default: the bundled toy-en-fr)
  --text "..."         the source sentence (required)
  --target "..."       teacher-force this target instead of decoding
  --beam K             beam search of width K (default: greedy)
  --view V             heatmap | links | grid | steps | explain (default heatmap)
  --kind K             encoder | decoder | cross (default cross)
  --layer L            layer (default 0)
  --head H             head (default 0), or mean | max: the same as --head-mode
  --head-mode M        single | mean | max (default single)
  --overlay-heads      links view: every head, one colour each
  --step T             decoding step for the steps view (default: the last)
  --query I            explain view: the query row explained (default: the last); with a .json
                       --out, its numbers as attnscope-cli explain --format json prints them
  --stage N            explain view: stages shown, 0 (q and k) .. 8 (W_o, all; the default)
  --compare-unscaled   explain view: the softmax without 1/sqrt(d_k) too, with both entropies
  --predict-first      explain view: the weights hidden, for the class to guess
  --colormap NAME      viridis | magma | cividis | grey (default viridis)
  --threshold X        hide weights below X, 0..1 (default 0)
  --dark               dark background
  --row-labels R       output | input: name the rows of cross and decoder self-attention by
                       the token each step writes ("→ chat", the default) or by the decoder
                       input it reads ("le"); CSV keeps the decoder input either way
  --scale S            PNG scale 1, 2 or 4 (default 1)
  --size WxH           scene size at scale 1, from 320x240 to 8192x8192 (default 1280x800)
  --all-heads          one file per layer and head of --kind, into --out-dir
)";

const std::set<std::string> kValued = {
    "model", "text",     "target",    "beam",  "view", "kind", "layer",   "head",  "head-mode",
    "step",  "colormap", "threshold", "scale", "size", "out",  "out-dir", "format", "row-labels",
    "query", "stage"};
const std::set<std::string> kFlags = {"overlay-heads", "dark", "all-heads", "help",
                                      "compare-unscaled", "predict-first"};

AppState state_from(const Args& args) {
  AppState s;
  s.sentence = args.get("text");
  if (args.has("target")) {
    s.decode = DecodeMode::kForced;
    s.forced_target = args.get("target");
  } else if (args.has("beam")) {
    s.decode = DecodeMode::kBeam;
    s.beam = static_cast<int>(args.get_int("beam", 4, 1, 64));
  }
  if (args.has("view") && !parse_view_kind(args.get("view"), &s.view))
    throw InputError("--view must be heatmap, links, grid, steps or explain, got '" +
                     args.get("view") + "'");
  if (args.has("kind") && !parse_attention_kind(args.get("kind"), &s.kind))
    throw InputError("--kind must be " + attention_kind_choices() + ", got '" + args.get("kind") +
                     "'");
  s.layer = static_cast<int>(args.get_int("layer", 0, 0, 1 << 20));
  const std::string head = args.get("head");
  const bool head_aggregate = head == "mean" || head == "max";
  if (head_aggregate) {
    parse_head_mode(head, &s.head_mode);
  } else {
    s.head = static_cast<int>(args.get_int("head", 0, 0, 1 << 20));
  }
  if (args.has("head-mode")) {
    HeadMode mode = HeadMode::kSingle;
    if (!parse_head_mode(args.get("head-mode"), &mode))
      throw InputError("--head-mode must be single, mean or max, got '" + args.get("head-mode") +
                       "'");
    if (head_aggregate && mode != s.head_mode)
      throw InputError("--head " + head + " and --head-mode " + args.get("head-mode") +
                       " disagree");
    s.head_mode = mode;
  }
  s.overlay_heads = args.has("overlay-heads");
  s.step = static_cast<int>(args.get_int("step", -1, -1, 1 << 20));
  s.query = static_cast<int>(args.get_int("query", -1, -1, 1 << 20));
  s.explain_stage =
      static_cast<int>(args.get_int("stage", kExplainStages - 1, 0, kExplainStages - 1));
  s.compare_unscaled = args.has("compare-unscaled");
  s.predict_first = args.has("predict-first");
  if (args.has("colormap") && !parse_colormap(args.get("colormap"), &s.colormap))
    throw InputError("--colormap must be viridis, magma, cividis or grey, got '" +
                     args.get("colormap") + "'");
  s.threshold = static_cast<float>(args.get_double("threshold", 0.0, 0.0, 1.0));
  s.dark = args.has("dark");
  if (args.has("row-labels") && !parse_row_labels(args.get("row-labels"), &s.row_labels))
    throw InputError("--row-labels must be output or input, got '" + args.get("row-labels") + "'");
  return s;
}

}  // namespace

int run_batch_export(int argc, char** argv, int first) {
  try {
    const Args args = Args::parse(argc, argv, first, kValued, kFlags);
    if (args.has("help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (!args.positional.empty())
      throw InputError("unexpected argument '" + args.positional.front() + "' (see --help)");
    if (!args.has("text")) throw InputError("export needs --text \"sentence\" (see --help)");
    AppState state = state_from(args);
    const int scale = static_cast<int>(args.get_int("scale", 1, 1, 4));
    if (scale == 3) throw InputError("--scale must be 1, 2 or 4, got '3'");
    float width = kExportWidth, height = kExportHeight;
    if (args.has("size")) {
      const SizeArg size = parse_size(args.get("size"));
      width = static_cast<float>(size.width);
      height = static_cast<float>(size.height);
    }
    const bool all_heads = args.has("all-heads");
    if (all_heads == args.has("out"))
      throw InputError("give either --out FILE or --all-heads --out-dir DIR");
    if (all_heads && !args.has("out-dir")) throw InputError("--all-heads needs --out-dir DIR");

    auto bundle = std::make_shared<const ModelBundle>(
        load_model_dir(args.has("model") ? args.get("model") : default_model_dir()));
    state.model_dir = bundle->dir;
    ComputeRequest request;
    request.id = 1;
    request.sentence = state.sentence;
    request.decode = state.decode;
    request.beam = state.beam;
    request.forced_target = state.forced_target;
    const ComputeResult result = compute(*bundle, request);
    if (!result.trace) throw Error(result.error);
    for (const std::string& warning : result.warnings)
      std::fprintf(stderr, "warning: %s\n", warning.c_str());

    // Every file to write, with the state it shows.
    std::vector<std::pair<std::string, AppState>> jobs;
    ExportFormat format = ExportFormat::kPng;
    if (all_heads) {
      const std::string format_name = args.get("format", "png");
      if (!format_from_path("x." + format_name, &format) || format == ExportFormat::kJson)
        throw InputError("--format must be png, svg or csv, got '" + format_name + "'");
      const std::string dir = args.get("out-dir");
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) throw Error("cannot create '" + dir + "': " + ec.message());
      const int layers = layer_count(*result.trace, state.kind);
      for (int l = 0; l < layers; ++l) {
        for (int h = 0; h < result.trace->num_heads(); ++h) {
          AppState s = state;
          s.layer = l;
          s.head = h;
          s.head_mode = HeadMode::kSingle;
          jobs.push_back({dir + "/" + default_export_name(s, format), s});
        }
      }
    } else {
      const std::string out = args.get("out");
      if (!format_from_path(out, &format))
        throw InputError("--out must end in .png, .svg, .csv or .json, got '" + out + "'");
      jobs.push_back({out, state});
    }
    // Checks layer, head and query before any GL work, with the valid range in the message.
    for (const auto& job : jobs) {
      if (job.second.view == ViewKind::kExplain) {
        const int rows = static_cast<int>(result.trace->query_tokens(job.second.kind).size());
        if (job.second.query >= rows) {
          throw InputError("--query " + std::to_string(job.second.query) +
                           " is out of range: this sentence has " + std::to_string(rows) +
                           " " + names_of(job.second.kind).title + " query rows, 0.." +
                           std::to_string(rows - 1));
        }
        explain_view_json(*result.trace, job.second, *bundle);
      }
      if (job.second.view != ViewKind::kGrid && format != ExportFormat::kJson) {
        selected_matrix(result.trace, job.second.kind, job.second.layer, job.second.head_mode,
                        job.second.head);
      }
    }

    std::optional<HeadlessContext> context;
    std::unique_ptr<Renderer> renderer;
    if (format == ExportFormat::kPng || format == ExportFormat::kSvg) {
      context.emplace();
      renderer = std::make_unique<Renderer>(find_fonts());
    }
    for (const auto& [path, s] : jobs) {
      ExportJob job;
      job.path = path;
      job.format = format;
      job.scale = static_cast<float>(scale);
      job.width = width;
      job.height = height;
      export_view(job, renderer.get(), result.trace, 1, s, *bundle, result.generated);
      std::printf("%s\n", path.c_str());
    }
    return 0;
  } catch (const InputError& e) {
    std::fprintf(stderr, "attnscope export: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope export: %s\n", e.what());
    return 1;
  }
}

}  // namespace attnscope
