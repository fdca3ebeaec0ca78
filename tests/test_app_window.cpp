// The real window, driven like a user: typing, keys and Ctrl+S give exactly the picture the
// batch export gives; bad input (huge, invalid UTF-8, blank, emoji, CJK, a folder that is not
// a model, an unwritable export folder) leaves the app up, answering, and saying what
// happened.
#include <doctest/doctest.h>

#include <filesystem>

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

std::string app_arguments(const std::string& dir) {
  return "--settings " + quote(dir + "/settings.json") + " --export-dir " + quote(dir + "/out") +
         " --model " + quote(kModel) + " --text '' --size 1400x900";
}

}  // namespace

TEST_CASE("typing, the layer and head keys and Ctrl+S save the batch export's picture") {
  const std::string dir = fresh_dir("keys");
  AppWindow app(app_arguments(dir), dir + "/app.log");
  REQUIRE_MESSAGE(app.found(), "no attnscope window appeared; log:\n" << app.log());
  app.click(kInputX, kInputY);
  app.type(kSentence);
  app.key("Return");       // leave the sentence box: keys are shortcuts again
  app.key("Down");         // layer 1
  app.key("Right Right");  // head 2
  app.key("ctrl+s");
  const std::string saved =
      dir + "/out/the-little-black-cat-does-not-eat-the_heatmap_cross_L1_H2.png";
  REQUIRE_MESSAGE(wait_for_file(saved, 10000), "no export; log:\n" << app.log());
  CHECK(app.wait_for_log("saved " + saved, 2000));

  const std::string batch = dir + "/batch.png";
  const ToolRun run =
      run_tool(ATTNSCOPE_APP, "export --model " + quote(kModel) + " --text " + quote(kSentence) +
                                  " --view heatmap --kind cross --layer 1 "
                                  "--head 2 --out " +
                                  quote(batch));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const std::string from_window = read_whole_file(saved);
  CHECK(from_window.size() > 10000);
  CHECK(from_window == read_whole_file(batch));

  // R names the rows by the decoder input instead of the word written: another picture, the
  // same as the batch export's with --row-labels input.
  std::filesystem::remove(saved);
  app.key("r");
  app.key("ctrl+s");
  REQUIRE_MESSAGE(wait_for_file(saved, 10000), "no export; log:\n" << app.log());
  CHECK(app.wait_for_log("saved " + saved, 2000));
  const std::string batch_input = dir + "/batch_input.png";
  const ToolRun input_run =
      run_tool(ATTNSCOPE_APP, "export --model " + quote(kModel) + " --text " + quote(kSentence) +
                                  " --view heatmap --kind cross --layer 1 --head 2 "
                                  "--row-labels input --out " +
                                  quote(batch_input));
  REQUIRE_MESSAGE(input_run.status == 0, input_run.err);
  const std::string by_input = read_whole_file(saved);
  CHECK(by_input.size() > 10000);
  CHECK(by_input == read_whole_file(batch_input));
  CHECK(by_input != from_window);

  // Tab cycles the kind (cross -> encoder), and the next Ctrl+S says so.
  app.key("Tab");
  app.key("ctrl+s");
  const std::string encoder =
      dir + "/out/the-little-black-cat-does-not-eat-the_heatmap_encoder_L1_H2.png";
  CHECK_MESSAGE(wait_for_file(encoder, 5000), "log:\n" << app.log());

  // The sentence and the view are remembered for the next start.
  CHECK(app.running());
  sleep_ms(1500);
  const std::string settings = read_whole_file(dir + "/settings.json");
  CHECK(settings.find(kSentence) != std::string::npos);
  CHECK(settings.find("\"layer\": 1") != std::string::npos);
  CHECK(settings.find("\"head\": 2") != std::string::npos);
  CHECK(settings.find("\"row_labels\": \"input\"") != std::string::npos);
}

TEST_CASE("bad input through the window: the app stays up, answers and says what happened") {
  const std::string dir = fresh_dir("bad");
  AppWindow app(app_arguments(dir), dir + "/app.log");
  REQUIRE_MESSAGE(app.found(), "no attnscope window appeared; log:\n" << app.log());
  const std::string clip = dir + "/clip.bin";
  app.click(kInputX, kInputY);

  {
    std::string huge;
    for (int i = 0; i < 1000; ++i)
      huge += "cat ";                // 4,000 characters...
    huge += std::string(1000, 'x');  // ...and one 1,000-letter word
    app.paste(huge, clip);
    sleep_ms(300);
    CHECK(app.running());

    app.key("ctrl+a");
    app.paste("the \xff\xfe cat \xc0\xaf eats", clip);
    CHECK(app.running());

    app.key("ctrl+a");
    app.paste("          ", clip);
    CHECK(app.running());

    app.key("ctrl+a");
    app.paste("the cat 🐈‍⬛ eats 😀 the fish 猫が魚を食べる", clip);
    CHECK(app.running());
  }

  // A folder that is not a model: the app keeps the model it has and says why.
  app.key("Return");
  app.key("ctrl+o");
  app.key("ctrl+a");
  app.type(dir);
  app.key("Return");
  CHECK(app.wait_for_log("cannot open model", 3000));
  app.key("Escape");
  CHECK(app.running());

  // An export folder that cannot be written: an error, not a crash, and no file.
  std::filesystem::remove_all(dir + "/out");
  write_file(dir + "/out", "a file where the folder was");
  app.key("ctrl+s");
  CHECK(app.wait_for_log("export failed", 3000));
  CHECK(app.running());

  // Still answering: with the folder back, the same key saves.
  std::filesystem::remove(dir + "/out");
  std::filesystem::create_directories(dir + "/out");
  app.key("ctrl+s");
  CHECK(app.wait_for_log("saved " + dir + "/out/", 3000));
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/out")) {
    CHECK(entry.path().extension() == ".png");
    ++files;
  }
  CHECK(files == 1);
  sleep_ms(1500);
  const std::string settings = read_whole_file(dir + "/settings.json");
  CHECK(settings.find("猫が魚を食べる") != std::string::npos);
  CHECK(app.running());
}
