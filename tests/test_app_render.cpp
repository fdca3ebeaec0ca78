// What the screen and the exports show is what the Trace holds: a batch-exported heatmap and
// a capture of the whole window are read back and every cell's centre is checked against
// the CPU colormap of its weight (away from the value printed in big cells); in an exported link
// graph the strongest link is clearly more opaque than the weakest.
#include <doctest/doctest.h>
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app_driver.h"
#include "gui/export.h"
#include "gui/session.h"

using namespace attnscope;

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
const std::string kSentence = "the little black cat does not eat the fish .";

struct Png {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
  Rgb8 at(double x, double y) const {
    const int px = std::clamp(static_cast<int>(x), 0, width - 1);
    const int py = std::clamp(static_cast<int>(y), 0, height - 1);
    const uint8_t* p = &rgba[(static_cast<size_t>(py) * width + px) * 4];
    return {p[0], p[1], p[2]};
  }
};

Png read_png(const std::string& path) {
  const std::string bytes = read_whole_file(path);
  Png png;
  int channels = 0;
  unsigned char* data =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), &png.width, &png.height, &channels, 4);
  if (data) {
    png.rgba.assign(data, data + static_cast<size_t>(png.width) * png.height * 4);
    stbi_image_free(data);
  }
  return png;
}

int channel_error(Rgb8 a, Rgb8 b) {
  return std::max({std::abs(a.r - b.r), std::abs(a.g - b.g), std::abs(a.b - b.b)});
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/render_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

ComputeResult toy_result(const ModelBundle& bundle) {
  ComputeRequest request;
  request.id = 1;
  request.sentence = kSentence;
  return compute(bundle, request);
}

// Checks each cell of `values` drawn in the rectangle (x, y, w, h) of `png`, at a point a
// fifth of the way into the cell: its centre may carry the value as text.
void check_cells(const Png& png, const Matrix& values, double x, double y, double w, double h,
                 Colormap colormap) {
  int worst = 0, checked = 0;
  for (Eigen::Index i = 0; i < values.rows(); ++i) {
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
      const double cx = x + (j + 0.2) * w / values.cols();
      const double cy = y + (i + 0.2) * h / values.rows();
      const Rgb8 expected = colormap_rgb(colormap, values(i, j));
      const int error = channel_error(png.at(cx, cy), expected);
      if (error > 3) {
        const Rgb8 got = png.at(cx, cy);
        FAIL_CHECK("cell (" << i << ", " << j << ") value " << values(i, j) << ": expected "
                            << int(expected.r) << "," << int(expected.g) << "," << int(expected.b)
                            << " found " << int(got.r) << "," << int(got.g) << "," << int(got.b));
      }
      worst = std::max(worst, error);
      ++checked;
    }
  }
  MESSAGE(checked << " cells checked, largest channel difference " << worst);
  CHECK(checked == values.size());
}

}  // namespace

TEST_CASE("a batch-exported heatmap shows every weight in its colormap colour") {
  const std::string dir = fresh_dir("heatmap");
  const ModelBundle bundle = load_model_dir(kModel);
  const ComputeResult result = toy_result(bundle);
  REQUIRE(result.trace);
  for (const char* colormap : {"magma", "viridis"}) {
    for (int scale : {1, 2}) {
      CAPTURE(colormap);
      CAPTURE(scale);
      const std::string out = dir + "/heatmap.png";
      const ToolRun run =
          run_tool(ATTNSCOPE_APP,
                   "export --model " + quote(kModel) + " --text " + quote(kSentence) +
                       " --view heatmap --kind cross --layer 1 --head 0 --colormap " + colormap +
                       " --scale " + std::to_string(scale) + " --out " + quote(out));
      REQUIRE_MESSAGE(run.status == 0, run.err);
      const Png png = read_png(out);
      CHECK(png.width == kExportWidth * scale);
      CHECK(png.height == kExportHeight * scale);

      // The same scene, built here, says where the cells are.
      HeadlessContext context;
      Renderer renderer(find_fonts());
      AppState state;
      state.kind = AttentionKind::kCross;
      state.layer = 1;
      state.head = 0;
      parse_colormap(colormap, &state.colormap);
      const Scene scene = export_scene(result.trace, 1, state, bundle, kExportWidth, kExportHeight,
                                       renderer.measure());
      REQUIRE(!scene.matrices.empty());
      const SceneMatrix& m = scene.matrices[0];
      const Matrix& expected = result.trace->attention(AttentionKind::kCross, 1, 0);
      REQUIRE(m.values->rows() == expected.rows());
      REQUIRE(m.values->cols() == expected.cols());
      check_cells(png, expected, m.x * scale, m.y * scale, m.width * scale, m.height * scale,
                  state.colormap);
    }
  }
}

TEST_CASE("a capture of the whole window shows every weight in its colormap colour") {
  const std::string dir = fresh_dir("window");
  shell("xdotool mousemove 1599 999 >/dev/null 2>&1");  // no hover highlight over the view
  const std::string shot = dir + "/window.png";
  const ToolRun run = run_tool(
      ATTNSCOPE_APP, "--no-settings --model " + quote(kModel) + " --text " + quote(kSentence) +
                         " --size 1400x900 --frames 30 --screenshot " + quote(shot));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const Png png = read_png(shot);
  CHECK(png.width == 1400);
  CHECK(png.height == 900);
  const auto where = nlohmann::json::parse(read_whole_file(shot + ".json"));
  REQUIRE(where.contains("matrix"));
  const auto& m = where["matrix"];
  const ModelBundle bundle = load_model_dir(kModel);
  const ComputeResult result = toy_result(bundle);
  REQUIRE(result.trace);
  // The window's defaults: cross-attention, layer 0, head 0, viridis.
  const Matrix& expected = result.trace->attention(AttentionKind::kCross, 0, 0);
  CHECK(m["rows"].get<int>() == expected.rows());
  CHECK(m["cols"].get<int>() == expected.cols());
  check_cells(png, expected, m["x"].get<double>(), m["y"].get<double>(), m["width"].get<double>(),
              m["height"].get<double>(), Colormap::kViridis);
}

TEST_CASE("in an exported link graph the strongest link is clearly more opaque than the weakest") {
  const std::string dir = fresh_dir("links");
  const std::string out = dir + "/links.png";
  const ToolRun run =
      run_tool(ATTNSCOPE_APP, "export --model " + quote(kModel) + " --text " + quote(kSentence) +
                                  " --view links --kind cross --layer 1 --head 0 "
                                  "--out " +
                                  quote(out));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const Png png = read_png(out);
  REQUIRE(png.width == kExportWidth);

  HeadlessContext context;
  Renderer renderer(find_fonts());
  const ModelBundle bundle = load_model_dir(kModel);
  const ComputeResult result = toy_result(bundle);
  AppState state;
  state.view = ViewKind::kLinks;
  state.layer = 1;
  const Scene scene =
      export_scene(result.trace, 1, state, bundle, kExportWidth, kExportHeight, renderer.measure());
  REQUIRE(scene.lines.size() >= 2);
  auto by_alpha = [](const SceneLine& a, const SceneLine& b) { return a.color.a < b.color.a; };
  const SceneLine weak = *std::min_element(scene.lines.begin(), scene.lines.end(), by_alpha);
  const SceneLine strong = *std::max_element(scene.lines.begin(), scene.lines.end(), by_alpha);
  REQUIRE(strong.color.a > weak.color.a + 0.3f);
  const Rgb8 background{static_cast<uint8_t>(std::lround(scene.background.r * 255)),
                        static_cast<uint8_t>(std::lround(scene.background.g * 255)),
                        static_cast<uint8_t>(std::lround(scene.background.b * 255))};
  // Opacity along a line: how far its pixels are from the background, relative to how far
  // the line's own colour is; the median of samples along the middle of the line, so that
  // crossings with other lines do not decide.
  auto opacity = [&](const SceneLine& line) {
    const Rgb8 ink{static_cast<uint8_t>(std::lround(line.color.r * 255)),
                   static_cast<uint8_t>(std::lround(line.color.g * 255)),
                   static_cast<uint8_t>(std::lround(line.color.b * 255))};
    const double full = std::max(1, channel_error(ink, background));
    std::vector<double> samples;
    for (int k = 1; k < 40; ++k) {
      const double t = 0.15 + 0.7 * k / 40.0;
      const double x = line.x0 + t * (line.x1 - line.x0), y = line.y0 + t * (line.y1 - line.y0);
      samples.push_back(channel_error(png.at(x, y), background) / full);
    }
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    return samples[samples.size() / 2];
  };
  const double strong_opacity = opacity(strong), weak_opacity = opacity(weak);
  MESSAGE("strongest link: alpha " << strong.color.a << ", measured opacity " << strong_opacity
                                   << "; weakest: alpha " << weak.color.a << ", measured "
                                   << weak_opacity);
  CHECK(strong_opacity > 0.5);
  CHECK(strong_opacity > weak_opacity + 0.3);
}
