// The Explain view in the real window, driven from the keyboard as a teacher would: 5 shows
// it, ↑/↓ choose the query word, Space / Shift+Space step through the computation, U adds the
// softmax without 1/√d_k, and Ctrl+S saves exactly what `attnscope export --view explain`
// writes for the same state. A click on a heatmap row chooses the word it explains. Its JSON
// export is attnscope-cli explain's, and a query out of range is named with the valid range.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app_driver.h"

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
const std::string kSentence = "the little black cat does not eat the fish .";

// Where the sentence box is in a 1400x900 window (top bar, left part).
constexpr int kInputX = 300, kInputY = 19;

std::string fresh_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/app_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/out");
  return dir;
}

ToolRun batch(const std::string& options) {
  return run_tool(ATTNSCOPE_APP, "export --model " + quote(kModel) + " --text " +
                                     quote(kSentence) + " --view explain " + options);
}

}  // namespace

TEST_CASE("explain view: keys choose the word and the stage, Ctrl+S saves the batch export") {
  const std::string dir = fresh_dir("explain");
  AppWindow app("--settings " + quote(dir + "/settings.json") + " --export-dir " +
                    quote(dir + "/out") + " --model " + quote(kModel) + " --text '' --size 1400x900",
                dir + "/app.log");
  REQUIRE_MESSAGE(app.found(), "no attnscope window appeared; log:\n" << app.log());
  app.click(kInputX, kInputY);
  app.type(kSentence);
  app.key("Return");  // leave the sentence box: keys are shortcuts again
  app.key("5");       // the Explain view, on the last query row (10)
  app.key("Up Up Up");                              // query 7
  app.key("shift+space shift+space shift+space");   // stage 8 -> 5, weighted values
  app.key("space");                                 // stage 6, the head's output
  app.key("Right");                                 // head 1
  app.key("u");                                     // the softmax without 1/√d_k too
  app.key("ctrl+s");
  const std::string saved =
      dir + "/out/the-little-black-cat-does-not-eat-the_explain_cross_L0_H1_q7.png";
  REQUIRE_MESSAGE(wait_for_file(saved, 10000), "no export; log:\n" << app.log());
  CHECK(app.wait_for_log("saved " + saved, 2000));
  const ToolRun run =
      batch("--kind cross --layer 0 --head 1 --query 7 --stage 6 --compare-unscaled --out " +
            quote(dir + "/batch.png"));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const std::string from_window = read_whole_file(saved);
  CHECK(from_window.size() > 10000);
  CHECK(from_window == read_whole_file(dir + "/batch.png"));
  // Another stage is another picture: the keys did change what is saved.
  const ToolRun other = batch("--kind cross --layer 0 --head 1 --query 7 --stage 5 "
                              "--compare-unscaled --out " +
                              quote(dir + "/other.png"));
  REQUIRE(other.status == 0);
  CHECK(from_window != read_whole_file(dir + "/other.png"));

  // Down past the last row stays on it; predict first hides the weights: another picture.
  app.key("Down Down Down Down Down");
  app.key("p");
  app.key("ctrl+s");
  const std::string hidden =
      dir + "/out/the-little-black-cat-does-not-eat-the_explain_cross_L0_H1_q10.png";
  REQUIRE_MESSAGE(wait_for_file(hidden, 10000), "no export; log:\n" << app.log());
  CHECK(app.wait_for_log("saved " + hidden, 2000));
  const ToolRun predict = batch("--kind cross --layer 0 --head 1 --query 10 --stage 6 "
                                "--compare-unscaled --predict-first --out " +
                                quote(dir + "/predict.png"));
  REQUIRE(predict.status == 0);
  CHECK(read_whole_file(hidden) == read_whole_file(dir + "/predict.png"));
  CHECK(app.running());
}

TEST_CASE("explain view: its JSON is attnscope-cli explain's, a bad query names the range") {
  const std::string dir = fresh_dir("explain_json");
  const ToolRun run = batch("--kind decoder --layer 1 --head 3 --query 4 --out " +
                            quote(dir + "/e.json"));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const ToolRun cli =
      run_tool(ATTNSCOPE_CLI, "explain --model " + quote(kModel) + " --text " +
                                  quote(kSentence) +
                                  " --kind decoder --layer 1 --head 3 --query 4 --format json");
  REQUIRE_MESSAGE(cli.status == 0, cli.err);
  CHECK(read_whole_file(dir + "/e.json") == cli.out);
  const auto json = nlohmann::json::parse(cli.out);
  CHECK(json["query"] == 4);
  CHECK(json["kind"] == "decoder.self");

  // SVG: the tokens as text, the strips as cells.
  const ToolRun svg = batch("--query 3 --out " + quote(dir + "/e.svg"));
  REQUIRE_MESSAGE(svg.status == 0, svg.err);
  const std::string text = read_whole_file(dir + "/e.svg");
  CHECK(text.find(">black</text>") != std::string::npos);
  CHECK(text.find("<rect") != std::string::npos);

  const ToolRun bad = batch("--query 40 --out " + quote(dir + "/x.png"));
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--query 40") != std::string::npos);
  CHECK(bad.err.find("0..10") != std::string::npos);
  const ToolRun bad_stage = batch("--stage 9 --out " + quote(dir + "/x.png"));
  CHECK(bad_stage.status == 2);
  CHECK(bad_stage.err.find("--stage") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/x.png"));
}

TEST_CASE("explain view: a click on a heatmap row chooses the word it explains") {
  const std::string dir = fresh_dir("explain_click");
  // Where the heatmap's matrix is in a window of this size.
  shell("xdotool mousemove 1599 999 >/dev/null 2>&1");
  const std::string shot = dir + "/layout.png";
  const ToolRun layout = run_tool(ATTNSCOPE_APP, "--no-settings --model " + quote(kModel) +
                                                     " --text " + quote(kSentence) +
                                                     " --size 1400x900 --frames 30 --screenshot " +
                                                     quote(shot));
  REQUIRE_MESSAGE(layout.status == 0, layout.err);
  const auto where = nlohmann::json::parse(read_whole_file(shot + ".json"));
  const auto& m = where["matrix"];
  const double x = m["x"].get<double>(), y = m["y"].get<double>();
  const double width = m["width"].get<double>(), height = m["height"].get<double>();
  const int rows = m["rows"].get<int>(), cols = m["cols"].get<int>();
  REQUIRE(rows > 5);

  AppWindow app("--no-settings --export-dir " + quote(dir + "/out") + " --model " +
                    quote(kModel) + " --text " + quote(kSentence) + " --size 1400x900",
                dir + "/app.log");
  REQUIRE_MESSAGE(app.found(), "no attnscope window appeared; log:\n" << app.log());
  app.click(static_cast<int>(x + 2.5 * width / cols), static_cast<int>(y + 4.5 * height / rows));
  app.hover(5, 890);  // away from the view
  app.key("5");
  app.key("ctrl+s");
  const std::string saved =
      dir + "/out/the-little-black-cat-does-not-eat-the_explain_cross_L0_H0_q4.png";
  REQUIRE_MESSAGE(wait_for_file(saved, 10000), "no export; log:\n" << app.log());
  const ToolRun run = batch("--query 4 --out " + quote(dir + "/batch.png"));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  CHECK(read_whole_file(saved) == read_whole_file(dir + "/batch.png"));
}
