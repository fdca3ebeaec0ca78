// The SVG writer (runs of equal cells, colours, escaped and sanitised text, outlines) and the
// views of the bundled toy model, checked as SVG and written to the tests' folder for looking
// at.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "view_test_helpers.h"

using namespace attnscope;
using namespace view_test;

TEST_CASE("svg: a run of equal cells in a row is one rect as wide as the run") {
  Scene scene;
  scene.width = scene.height = 100;
  SceneMatrix m;
  m.x = 0;
  m.y = 0;
  m.width = 40;
  m.height = 20;
  auto values = std::make_shared<Matrix>(2, 4);
  *values << 0.5f, 0.5f, 0.5f, 0.9f,  // a run of three, then one
      0.1f, 0.9f, 0.1f, 0.1f;         // no run across a different cell
  m.values = values;
  scene.matrices.push_back(m);
  const std::string svg = scene_to_svg(scene);
  const std::string mid = hex_of(colormap_rgb(Colormap::kViridis, 0.5f));
  const std::string low = hex_of(colormap_rgb(Colormap::kViridis, 0.1f));
  CHECK(svg.find("<rect x=\"0\" y=\"0\" width=\"30\" height=\"10\" fill=\"" + mid + "\"/>") !=
        std::string::npos);
  CHECK(svg.find("<rect x=\"20\" y=\"10\" width=\"20\" height=\"10\" fill=\"" + low + "\"/>") !=
        std::string::npos);
  size_t rects = 0;
  for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
    ++rects;
  CHECK(rects == 1 + 2 + 3);  // the background, then 2 and 3 runs
}

TEST_CASE("svg: one rect per cell in its colormap colour, escaped and sanitised text") {
  Scene scene;
  scene.width = 200;
  scene.height = 100;
  scene.background = Color{0.1f, 0.2f, 0.3f, 1};
  SceneMatrix m;
  m.x = 10;
  m.y = 10;
  m.width = 90;
  m.height = 40;
  auto values = std::make_shared<Matrix>(2, 3);
  *values << 0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 0.1f;
  m.values = values;
  m.colormap = Colormap::kMagma;
  m.threshold = 0.2f;
  m.below_color = Color{1, 1, 1, 1};
  scene.matrices.push_back(m);
  scene.texts.push_back({50, 60, "<b>&\"x\"", 12, Color{0, 0, 0, 1}, TextAlign::kLeft, 0});
  scene.texts.push_back({50, 70,
                         "a\xff"
                         "b\x01"
                         "c\xc3",
                         12, Color{0, 0, 0, 0.5f}, TextAlign::kCenter, 0});
  scene.texts.push_back({30, 80, "up", 12, Color{0, 0, 0, 1}, TextAlign::kLeft, -90});
  SceneLine line;
  line.x0 = 1;
  line.y0 = 2;
  line.x1 = 3.456f;
  line.y1 = 4;
  line.width = 2;
  line.color = Color{1, 0, 0, 0.25f};
  scene.lines.push_back(line);

  const std::string svg = scene_to_svg(scene);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(ends_with(svg, "</svg>\n"));
  CHECK(svg.find("width=\"200\" height=\"100\" viewBox=\"0 0 200 100\"") != std::string::npos);
  CHECK(svg.find("fill=\"#1a334d\"") != std::string::npos);  // the background

  // The cells: every <rect> after the background, in row-major order.
  std::vector<std::string> fills;
  size_t at = svg.find("<rect");
  while ((at = svg.find("<rect", at + 1)) != std::string::npos) {
    const size_t fill = svg.find("fill=\"", at);
    fills.push_back(svg.substr(fill + 6, 7));
  }
  REQUIRE(fills.size() == 6);
  for (int i = 0; i < 6; ++i) {
    const float v = (*values)(i / 3, i % 3);
    CAPTURE(i);
    CHECK(fills[i] == (v < 0.2f ? "#ffffff" : hex_of(colormap_rgb(Colormap::kMagma, v))));
  }
  CHECK(svg.find("<rect x=\"40\" y=\"10\" width=\"30\" height=\"20\"") != std::string::npos);

  CHECK(svg.find(">&lt;b&gt;&amp;&quot;x&quot;</text>") != std::string::npos);
  CHECK(svg.find(">a\xef\xbf\xbd"
                 "bc\xef\xbf\xbd</text>") != std::string::npos);
  CHECK(svg.find('\x01') == std::string::npos);
  CHECK(svg.find('\xff') == std::string::npos);
  CHECK(svg.find("fill-opacity=\"0.5\" text-anchor=\"middle\"") != std::string::npos);
  CHECK(svg.find("transform=\"rotate(-90 30 80)\">up</text>") != std::string::npos);
  CHECK(svg.find("font-family=\"DejaVu Sans, sans-serif\"") != std::string::npos);
  CHECK(svg.find("dy=\"0.35em\"") != std::string::npos);
  CHECK(svg.find("<line x1=\"1\" y1=\"2\" x2=\"3.46\" y2=\"4\" stroke=\"#ff0000\" "
                 "stroke-opacity=\"0.25\" stroke-width=\"2\"/>") != std::string::npos);
  CHECK(svg.find("stroke-linecap=\"butt\"") != std::string::npos);

  // A stroked rect keeps its stroke inside its bounds, as the renderer draws it.
  Scene outlined;
  outlined.width = outlined.height = 50;
  SceneRect r;
  r.x = 10;
  r.y = 10;
  r.width = 20;
  r.height = 20;
  r.stroke = Color{0, 0, 0, 1};
  r.stroke_width = 2;
  outlined.overlay.push_back(r);
  CHECK(scene_to_svg(outlined).find("<rect x=\"11\" y=\"11\" width=\"18\" height=\"18\" "
                                    "fill=\"none\" stroke=\"#000000\" stroke-width=\"2\"/>") !=
        std::string::npos);
}

TEST_CASE("views of the bundled toy model stay inside their scenes and label its tokens") {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/views";
  std::filesystem::create_directories(dir);
  ModelBundle bundle = load_model_dir(ATTNSCOPE_SOURCE_DIR "/assets/models/toy-en-fr");
  Translation translation = greedy_decode(
      bundle.model, bundle.source_ids("the little black cat does not eat the fish ."));
  CHECK(bundle.detokenize_target(translation.ids) == "le petit chat noir ne mange pas le poisson.");
  bundle.label(translation.trace);
  auto trace = std::make_shared<const Trace>(std::move(translation.trace));

  AppState state;
  state.layer = 1;
  state.head = 0;
  ViewInput in = input(trace, &state, 960, 640);
  in.target_token = [&](int id) { return bundle.tgt_vocab.token(id); };
  struct Picture {
    const char* name;
    ViewKind view;
    bool dark;
  };
  for (const Picture& p :
       {Picture{"heatmap", ViewKind::kHeatmap, false},
        Picture{"heatmap_dark", ViewKind::kHeatmap, true},
        Picture{"links", ViewKind::kLinks, false}, Picture{"links_overlay", ViewKind::kLinks, true},
        Picture{"grid", ViewKind::kGrid, false}, Picture{"steps", ViewKind::kSteps, false}}) {
    state.view = p.view;
    state.dark = p.dark;
    state.overlay_heads = std::string(p.name) == "links_overlay";
    in.hover.row = in.hover.col = p.dark ? 3 : -1;
    state.step = 3;
    const Scene scene = build_view(in);
    check_inside(scene);
    const std::string svg = scene_to_svg(scene);
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(ends_with(svg, "</svg>\n"));
    if (p.view != ViewKind::kGrid) {  // the grid's tiles have no token labels
      CHECK(svg.find(">cat</text>") != std::string::npos);
      // Rows named by the word written (the default); the steps view's boxes are the input.
      CHECK(svg.find(p.view == ViewKind::kSteps ? ">chat</text>" : ">\xe2\x86\x92 chat</text>") !=
            std::string::npos);
    }
    // Kept for looking at.
    std::ofstream(dir + "/" + p.name + ".svg") << svg;
  }
  // The heatmap labels the source by its tokens, and each row by the token its step writes
  // (the translation, then <eos>) or, asked to, by the decoder input it reads.
  state.view = ViewKind::kHeatmap;
  const auto by_text = texts_by_content(build_view(in));
  for (const char* token :
       {"cat", "black", "\xe2\x86\x92 le", "\xe2\x86\x92 chat", "\xe2\x86\x92 <eos>"})
    CHECK(by_text.count(token));
  CHECK_FALSE(by_text.count("<bos>"));
  state.row_labels = RowLabels::kInput;
  const auto by_input = texts_by_content(build_view(in));
  for (const char* token : {"cat", "black", "<bos>", "chat", "noir"})
    CHECK(by_input.count(token));
  CHECK_FALSE(by_input.count("\xe2\x86\x92 chat"));
}
