// The Explain view drawn by our shaders: the bundled toy model's view rendered into an
// offscreen framebuffer, its pixels read back. The q and k strips' cells have the diverging
// colormap's colour of explain()'s numbers, and the bars are as many pixels long as the
// scores and weights say.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/explain.h"
#include "gfx/gl.h"
#include "gfx/renderer.h"
#include "views/view_common.h"
#include "views/views.h"

namespace {

using namespace attnscope;
using namespace attnscope::view_detail;

std::array<int, 4> pixel(const Image& image, int x, int y) {
  REQUIRE(x >= 0);
  REQUIRE(y >= 0);
  REQUIRE(x < image.width);
  REQUIRE(y < image.height);
  const uint8_t* p = &image.rgba[(static_cast<size_t>(y) * image.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

bool near(const std::array<int, 4>& p, int r, int g, int b, int tolerance) {
  return std::abs(p[0] - r) <= tolerance && std::abs(p[1] - g) <= tolerance &&
         std::abs(p[2] - b) <= tolerance;
}

// The run of pixels of one colour along row y through x: how many there are side by side.
int run_length(const Image& image, int x, int y, const Color& color) {
  const int r = static_cast<int>(std::lround(color.r * 255));
  const int g = static_cast<int>(std::lround(color.g * 255));
  const int b = static_cast<int>(std::lround(color.b * 255));
  if (!near(pixel(image, x, y), r, g, b, 3)) return 0;
  int left = x, right = x;
  while (left > 0 && near(pixel(image, left - 1, y), r, g, b, 3))
    --left;
  while (right + 1 < image.width && near(pixel(image, right + 1, y), r, g, b, 3))
    ++right;
  return right - left + 1;
}

}  // namespace

TEST_CASE("explain view rendered: strip colours from the diverging colormap, bar lengths") {
  ModelBundle bundle = load_model_dir(ATTNSCOPE_SOURCE_DIR "/assets/models/toy-en-fr");
  Translation translation =
      greedy_decode(bundle.model, bundle.source_ids("the little black cat eats the fish ."));
  bundle.label(translation.trace);
  auto trace = std::make_shared<const Trace>(std::move(translation.trace));

  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  state.layer = 1;
  state.head = 2;
  state.query = 3;
  const Explanation e =
      explain(*trace, state.kind, state.layer, state.head, state.query, bundle.model.config().pad_id);

  HeadlessContext context;
  Renderer renderer(find_fonts());
  ViewInput in;
  in.trace = trace;
  in.trace_id = 1;
  in.state = &state;
  in.width = 1280;
  in.height = 800;
  in.measure = renderer.measure();
  in.pad_id = bundle.model.config().pad_id;
  const Scene scene = build_view(in);
  renderer.render(scene, 1, 0);
  const Image image = renderer.read_pixels(0);
  REQUIRE(image.width == 1280);

  // The strips: q (one row), then K. Each cell's centre has the colour of its number.
  std::vector<const SceneMatrix*> strips;
  for (const SceneMatrix& m : scene.matrices)
    if (m.colormap == Colormap::kDiverging) strips.push_back(&m);
  REQUIRE(strips.size() >= 2);
  const float range = std::max(e.q.cwiseAbs().maxCoeff(), e.k.cwiseAbs().maxCoeff());
  const int dk = e.head_dim;
  auto check_cell = [&](const SceneMatrix& m, int row, int d, float value) {
    const float cw = m.width / dk, ch = m.height / m.values->rows();
    const int x = static_cast<int>(m.x + (d + 0.5f) * cw);
    const int y = static_cast<int>(m.y + (row + 0.5f) * ch);
    const Rgb8 want = colormap_rgb(Colormap::kDiverging, diverging_value(value, range));
    const auto got = pixel(image, x, y);
    INFO("row ", row, " dim ", d, " value ", value, " got ", got[0], ",", got[1], ",", got[2],
         " want ", int(want.r), ",", int(want.g), ",", int(want.b));
    CHECK(near(got, want.r, want.g, want.b, 1));
  };
  int positive = 0, negative = 0;
  for (int d = 0; d < dk; ++d) {
    check_cell(*strips[0], 0, d, e.q[d]);
    const auto got = pixel(image, static_cast<int>(strips[0]->x + (d + 0.5f) * strips[0]->width / dk),
                           static_cast<int>(strips[0]->y + strips[0]->height / 2));
    if (e.q[d] > 0.25f * range) positive += got[0] > got[2];  // red side
    if (e.q[d] < -0.25f * range) negative += got[2] > got[0];  // blue side
  }
  CHECK(positive + negative > 0);
  const int keys = static_cast<int>(e.key_tokens.size());
  for (int j = 0; j < keys; ++j)
    for (int d = 0; d < dk; d += 3)
      check_cell(*strips[1], j, d, e.k(j, d));

  // Bars: the weight bars start on one axis and are as long as the weights; the score bars
  // as long as the scores, in pixels.
  const Theme theme = make_theme(false);
  std::vector<SceneRect> weight_bars, score_bars;
  for (const SceneRect& r : scene.rects) {
    if (r.fill.a == 1 && std::abs(r.fill.r - theme.accent.r) < 1e-6f &&
        std::abs(r.fill.g - theme.accent.g) < 1e-6f)
      weight_bars.push_back(r);
    if (std::abs(r.fill.a - 0.75f) < 1e-6f && std::abs(r.fill.b - theme.link.b) < 1e-6f &&
        std::abs(r.fill.r - theme.link.r) < 1e-6f)
      score_bars.push_back(r);
  }
  REQUIRE(weight_bars.size() == static_cast<size_t>(keys));
  REQUIRE(score_bars.size() == static_cast<size_t>(2 * keys));
  int best = 0;
  for (int j = 1; j < keys; ++j)
    if (e.weights[j] > e.weights[best]) best = j;
  const float full = weight_bars[best].width / e.weights[best];  // pixels for a weight of 1
  CHECK(full > 50);
  for (int j = 0; j < keys; ++j) {
    CAPTURE(j);
    const SceneRect& bar = weight_bars[j];
    const int y = static_cast<int>(bar.y + bar.height / 2);
    if (bar.width < 4) continue;  // too thin to measure: a weight near 0
    const int length = run_length(image, static_cast<int>(bar.x + bar.width / 2), y, theme.accent);
    // Edges are smoothed, and the axis is drawn over the bar's first pixel.
    CHECK(std::abs(length - e.weights[j] * full) <= 3.0f);
  }
  // Score bars: the opaque blend of the bar's colour over the page, |score| long.
  const float per_unit = score_bars[0].width / std::abs(e.scores[0]);
  const Color page{1, 1, 1, 1};
  for (int j = 0; j < keys; ++j) {
    CAPTURE(j);
    const SceneRect& bar = score_bars[j];
    // The bar over the row's background: white or the faint stripe.
    if (bar.width < 4) continue;
    const int y = static_cast<int>(bar.y + bar.height / 2);
    const int x = static_cast<int>(bar.x + bar.width / 2);
    const auto inside = pixel(image, x, y);
    Color seen{inside[0] / 255.0f, inside[1] / 255.0f, inside[2] / 255.0f, 1};
    const int length = run_length(image, x, y, seen);
    CHECK(std::abs(length - std::abs(e.scores[j]) * per_unit) <= 3.0f);
    // The colour is the link blue at 75% over the page (or the stripe).
    if (j % 2 == 0) {
      const float r = 0.75f * theme.link.r + 0.25f * page.r;
      CHECK(std::abs(seen.r - r) < 3 / 255.0f);
    }
  }
}
