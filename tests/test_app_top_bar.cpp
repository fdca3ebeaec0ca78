// The translation in the top bar can be read whole at every text size, projector sizes and
// narrow windows included: the window's --screenshot description says where it was drawn,
// and all of it lies inside the part of the window that shows it.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app_driver.h"

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";

std::string translation_of(const std::string& sentence) {
  const ToolRun run =
      run_tool(ATTNSCOPE_CLI, "translate --model " + quote(kModel) + " " + quote(sentence));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  std::string text = run.out;
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}

}  // namespace

TEST_CASE("the whole translation stays in the window at every text size and width") {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/app_top_bar";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string sentences[] = {
      "hello , how are you ?",
      "the little black cat does not eat the big fish because it is not hungry ."};
  struct Size {
    int width, height;
  };
  bool wrapped_somewhere = false;
  for (const std::string& sentence : sentences) {
    const std::string expected = translation_of(sentence);
    REQUIRE(expected.size() > 10);
    for (const char* scale : {"1", "1.5", "1.75", "2"}) {
      for (const Size size : {Size{1400, 900}, Size{1024, 700}}) {
        const std::string name = std::string("s") + scale + "_" + std::to_string(size.width) + "_" +
                                 std::to_string(sentence.size());
        CAPTURE(sentence);
        CAPTURE(name);
        const std::string settings = dir + "/" + name + ".json";
        write_file(settings, std::string("{\"ui_scale\": ") + scale + "}");
        const std::string shot = dir + "/" + name + ".png";
        const ToolRun run =
            run_tool(ATTNSCOPE_APP,
                     "--settings " + quote(settings) + " --model " + quote(kModel) + " --text " +
                         quote(sentence) + " --size " + std::to_string(size.width) + "x" +
                         std::to_string(size.height) + " --frames 6 --screenshot " + quote(shot));
        REQUIRE_MESSAGE(run.status == 0, run.err);
        const auto json = nlohmann::json::parse(read_whole_file(shot + ".json"));
        REQUIRE(json.contains("translation"));
        const auto& t = json["translation"];
        REQUIRE(t.is_object());
        CHECK(t["text"] == expected);  // drawn whole, not shortened
        const float x = t["x"], y = t["y"], w = t["width"], h = t["height"];
        const float line = t["line_height"];
        const auto& clip = t["clip"];
        const float cx = clip["x"], cy = clip["y"], cw = clip["width"], ch = clip["height"];
        // All of the laid-out text lies in what shows it, and that in the window.
        CHECK(x >= cx - 0.5f);
        CHECK(y >= cy - 0.5f);
        CHECK(x + w <= cx + cw + 0.5f);
        CHECK(y + h <= cy + ch + 0.5f);
        CHECK(cx >= -0.5f);
        CHECK(cx + cw <= size.width + 0.5f);
        CHECK(w > 0);
        CHECK(line > 0);
        // Whole lines, and the view below them rather than over them.
        const float lines = h / line;
        CHECK(std::abs(lines - std::round(lines)) < 0.05f);
        if (lines > 1.5f) wrapped_somewhere = true;
        CHECK(static_cast<float>(json["view"]["y"]) >= y + h);
      }
    }
  }
  // The long sentence at projector sizes in the narrow window does not fit one line: it wraps.
  CHECK(wrapped_somewhere);
}
