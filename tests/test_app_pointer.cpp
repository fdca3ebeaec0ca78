// Where the pointer is changes what the window shows, never what it saves: with the mouse
// over a heatmap cell (row and column outlined) or over a token of the links view (only that
// token's links drawn), Ctrl+S writes exactly the batch export's picture of the same state.
#include <doctest/doctest.h>
#include <stb_image.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app_driver.h"
#include "gui/export.h"
#include "gui/session.h"
#include "views/svg.h"

using namespace attnscope;

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
const std::string kSentence = "the little black cat does not eat the fish .";
const std::string kSlug = "the-little-black-cat-does-not-eat-the";

std::string fresh_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/pointer_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/out");
  return dir;
}

struct Rect {
  double x = 0, y = 0, width = 0, height = 0;
};

Rect rect_of(const nlohmann::json& j) {
  return {j["x"].get<double>(), j["y"].get<double>(), j["width"].get<double>(),
          j["height"].get<double>()};
}

// The pixels of a PNG inside `r`, row by row (empty when the file cannot be read).
std::vector<uint8_t> crop(const std::string& path, const Rect& r) {
  const std::string bytes = read_whole_file(path);
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), &w, &h, &channels, 4);
  std::vector<uint8_t> out;
  if (!data) return out;
  for (int y = static_cast<int>(r.y); y < static_cast<int>(r.y + r.height) && y < h; ++y) {
    const unsigned char* row = data + (static_cast<size_t>(y) * w + static_cast<int>(r.x)) * 4;
    out.insert(out.end(), row, row + static_cast<size_t>(std::min<double>(r.width, w - r.x)) * 4);
  }
  stbi_image_free(data);
  return out;
}

// Saves the whole window (Ctrl+Shift+S) and moves the file to `path`.
bool capture_window(AppWindow& app, const std::string& saved, const std::string& path) {
  std::filesystem::remove(saved);
  app.key("ctrl+shift+s");
  if (!wait_for_file(saved, 5000)) return false;
  sleep_ms(100);
  std::filesystem::rename(saved, path);
  return true;
}

std::string batch_export(const std::string& view, const std::string& out) {
  const ToolRun run =
      run_tool(ATTNSCOPE_APP, "export --model " + quote(kModel) + " --text " + quote(kSentence) +
                                  " --view " + view + " --out " + quote(out));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  return read_whole_file(out);
}

}  // namespace

TEST_CASE("hovering a cell or a token shows on screen but Ctrl+S saves the batch export") {
  const std::string dir = fresh_dir("hover");
  const std::string size = " --size 1400x900";

  // Where the view and its matrix are in a window of this size.
  shell("xdotool mousemove 1599 999 >/dev/null 2>&1");
  const std::string shot = dir + "/layout.png";
  const ToolRun layout = run_tool(ATTNSCOPE_APP, "--no-settings --model " + quote(kModel) +
                                                     " --text " + quote(kSentence) + size +
                                                     " --frames 30 --screenshot " + quote(shot));
  REQUIRE_MESSAGE(layout.status == 0, layout.err);
  const auto where = nlohmann::json::parse(read_whole_file(shot + ".json"));
  const Rect view = rect_of(where["view"]);
  const Rect matrix = rect_of(where["matrix"]);
  const int rows = where["matrix"]["rows"].get<int>(), cols = where["matrix"]["cols"].get<int>();
  REQUIRE(rows > 3);
  REQUIRE(cols > 3);

  // Where a query token of the links view is, from the same scene built here at the view's
  // size with the same fonts.
  const ModelBundle bundle = load_model_dir(kModel);
  ComputeRequest request;
  request.id = 1;
  request.sentence = kSentence;
  const ComputeResult result = compute(bundle, request);
  REQUIRE(result.trace);
  Rect token;
  {
    HeadlessContext context;
    Renderer renderer(find_fonts());
    AppState state;
    state.view = ViewKind::kLinks;
    const Scene links = export_scene(result.trace, 1, state, bundle, static_cast<float>(view.width),
                                     static_cast<float>(view.height), renderer.measure());
    for (const HitRegion& hit : links.hits) {
      if (hit.kind == HitKind::kQueryToken && hit.a == 2)
        token = {hit.x, hit.y, hit.width, hit.height};
    }
  }
  REQUIRE(token.width > 0);

  AppWindow app("--no-settings --export-dir " + quote(dir + "/out") + " --model " + quote(kModel) +
                    " --text " + quote(kSentence) + size,
                dir + "/app.log");
  REQUIRE_MESSAGE(app.found(), "no attnscope window appeared; log:\n" << app.log());
  const auto away = [&] { app.hover(5, static_cast<int>(view.y + view.height) - 5); };

  struct Case {
    const char* view;
    const char* key;
    double x, y;  // where the pointer goes, in the window
  };
  const Case cases[] = {
      {"heatmap", "1", matrix.x + 3.5 * matrix.width / cols, matrix.y + 2.5 * matrix.height / rows},
      {"links", "2", view.x + token.x + token.width / 2, view.y + token.y + token.height / 2},
  };
  for (const Case& c : cases) {
    const std::string view_name = c.view;
    CAPTURE(view_name);
    const std::string name = kSlug + "_" + c.view + "_cross_L0_H0";
    const std::string window_png = dir + "/out/" + name + "_window.png";
    app.key(c.key);
    away();
    REQUIRE(capture_window(app, window_png, dir + "/" + c.view + "_away.png"));
    app.hover(static_cast<int>(c.x), static_cast<int>(c.y));
    sleep_ms(300);
    REQUIRE(capture_window(app, window_png, dir + "/" + c.view + "_hover.png"));
    // The pointer is where it should be: the view on screen changed under it.
    CHECK(crop(dir + "/" + c.view + "_hover.png", view) !=
          crop(dir + "/" + c.view + "_away.png", view));

    const std::string saved = dir + "/out/" + name + ".png";
    app.key("ctrl+s");
    REQUIRE_MESSAGE(wait_for_file(saved, 10000), "no export; log:\n" << app.log());
    CHECK(app.wait_for_log("saved " + saved, 2000));
    const std::string from_window = read_whole_file(saved);
    CHECK(from_window.size() > 10000);
    const bool as_batch = from_window == batch_export(c.view, dir + "/batch_" + c.view + ".png");
    CHECK_MESSAGE(as_batch, "the window saved another picture than the batch export: " << saved);
  }
  CHECK(app.running());
}

TEST_CASE("links view: the hovered token isolates its links, a clicked one wins over it") {
  const ModelBundle bundle = load_model_dir(kModel);
  ComputeRequest request;
  request.id = 1;
  request.sentence = kSentence;
  const ComputeResult result = compute(bundle, request);
  REQUIRE(result.trace);
  AppState state;
  state.view = ViewKind::kLinks;
  ViewInput in;
  in.trace = result.trace;
  in.trace_id = 1;
  in.state = &state;
  const Scene all = build_view(in);
  in.hover.query = 2;
  const Scene hovered = build_view(in);
  CHECK(hovered.lines.size() < all.lines.size());
  // The subtitle names the token: by the word its step writes (the default), or as the query.
  CHECK(scene_to_svg(hovered).find("only the step writing") != std::string::npos);
  state.row_labels = RowLabels::kInput;
  CHECK(scene_to_svg(build_view(in)).find("only query") != std::string::npos);
  state.row_labels = RowLabels::kOutput;

  // Token 5 clicked while the pointer is over token 2: token 5's links, as with no pointer.
  state.focus_query = 5;
  const std::string clicked = scene_to_svg(build_view(in));
  in.hover = Hover();
  CHECK(clicked == scene_to_svg(build_view(in)));
  CHECK(clicked != scene_to_svg(hovered));
  // The state the views read changed with the click; the pointer is not part of it.
  AppState before = state;
  before.focus_query = -1;
  CHECK(static_cast<const ViewParams&>(before) != static_cast<const ViewParams&>(state));
}
