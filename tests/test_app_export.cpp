// `attnscope export` as a user runs it: every layer and head in one go, each format, and
// clear errors for bad options and unwritable paths, with nothing half-written left behind.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app_driver.h"

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
const std::string kSentence = "the cat does not eat the fish .";

std::string fresh_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/export_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

ToolRun export_run(const std::string& options) {
  return run_tool(ATTNSCOPE_APP, "export --model " + quote(kModel) + " --text " + quote(kSentence) +
                                     " " + options);
}

}  // namespace

TEST_CASE("--all-heads writes one file per layer and head, named after what it shows") {
  const std::string dir = fresh_dir("all");
  const ToolRun run = export_run("--kind encoder --all-heads --out-dir " + quote(dir + "/png"));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  // toy-en-fr: 2 encoder layers x 4 heads.
  int files = 0;
  for (int l = 0; l < 2; ++l) {
    for (int h = 0; h < 4; ++h) {
      const std::string path = dir + "/png/the-cat-does-not-eat-the-fish_heatmap_encoder_L" +
                               std::to_string(l) + "_H" + std::to_string(h) + ".png";
      CAPTURE(path);
      CHECK(std::filesystem::file_size(path) > 1000);
      CHECK(run.out.find(path) != std::string::npos);
      ++files;
    }
  }
  CHECK(std::distance(std::filesystem::directory_iterator(dir + "/png"),
                      std::filesystem::directory_iterator()) == files);
  // Different heads give different pictures.
  CHECK(read_whole_file(dir + "/png/the-cat-does-not-eat-the-fish_heatmap_encoder_L0_H0.png") !=
        read_whole_file(dir + "/png/the-cat-does-not-eat-the-fish_heatmap_encoder_L0_H1.png"));

  const ToolRun csv =
      export_run("--kind cross --all-heads --format csv --out-dir " + quote(dir + "/csv"));
  REQUIRE_MESSAGE(csv.status == 0, csv.err);
  CHECK(std::distance(std::filesystem::directory_iterator(dir + "/csv"),
                      std::filesystem::directory_iterator()) == 8);
}

TEST_CASE("each format holds what it says") {
  const std::string dir = fresh_dir("formats");
  REQUIRE(export_run("--layer 1 --head 3 --out " + quote(dir + "/m.csv")).status == 0);
  const ToolRun cli =
      run_tool(ATTNSCOPE_CLI, "trace --model " + quote(kModel) + " --text " + quote(kSentence) +
                                  " --format csv --kind cross --layer 1 --head 3");
  REQUIRE(cli.status == 0);
  CHECK(read_whole_file(dir + "/m.csv") == cli.out);

  REQUIRE(export_run("--out " + quote(dir + "/t.json")).status == 0);
  const auto json = nlohmann::json::parse(read_whole_file(dir + "/t.json"));
  CHECK(json["translation"] == "le chat ne mange pas le poisson.");
  CHECK(json["attention"]["decoder.1.cross"].size() == 4);

  const ToolRun svg = export_run("--view links --out " + quote(dir + "/l.svg"));
  REQUIRE_MESSAGE(svg.status == 0, svg.err);
  const std::string text = read_whole_file(dir + "/l.svg");
  CHECK((text.rfind("<?xml", 0) == 0 || text.rfind("<svg", 0) == 0));
  // The rows (here the links' queries) are named by the word each step writes, "→ poisson",
  // unless --row-labels input names them by the decoder input.
  CHECK(text.find(">\xe2\x86\x92 poisson<") != std::string::npos);
  CHECK(text.find(">poisson<") == std::string::npos);
  CHECK(text.find("<line") != std::string::npos);
  const ToolRun input_rows =
      export_run("--view links --row-labels input --out " + quote(dir + "/l_input.svg"));
  REQUIRE_MESSAGE(input_rows.status == 0, input_rows.err);
  const std::string by_input = read_whole_file(dir + "/l_input.svg");
  CHECK(by_input.find(">poisson<") != std::string::npos);
  CHECK(by_input.find(">&lt;bos&gt;<") != std::string::npos);
  CHECK(by_input.find("\xe2\x86\x92 poisson") == std::string::npos);
  const ToolRun output_rows =
      export_run("--view links --row-labels output --out " + quote(dir + "/l_output.svg"));
  REQUIRE_MESSAGE(output_rows.status == 0, output_rows.err);
  CHECK(read_whole_file(dir + "/l_output.svg") == text);
  // CSV keeps the decoder input as its query column whatever the rows are named by.
  const ToolRun csv_input =
      export_run("--layer 1 --head 3 --row-labels input --out " + quote(dir + "/o.csv"));
  REQUIRE_MESSAGE(csv_input.status == 0, csv_input.err);
  CHECK(read_whole_file(dir + "/o.csv") == read_whole_file(dir + "/m.csv"));

  for (const char* view : {"heatmap", "links", "grid", "steps", "explain"}) {
    const std::string out = dir + "/" + view + ".png";
    const ToolRun r =
        export_run(std::string("--view ") + view + " --scale 2 --size 900x600 --out " + quote(out));
    CAPTURE(view);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const std::string png = read_whole_file(out);
    REQUIRE(png.size() > 24);
    // PNG header: width and height, big-endian, at bytes 16 and 20.
    auto be32 = [&](size_t at) {
      return (static_cast<unsigned char>(png[at]) << 24) |
             (static_cast<unsigned char>(png[at + 1]) << 16) |
             (static_cast<unsigned char>(png[at + 2]) << 8) |
             static_cast<unsigned char>(png[at + 3]);
    };
    CHECK(be32(16) == 1800);
    CHECK(be32(20) == 1200);
  }
}

TEST_CASE("bad options and unwritable paths give a clear message and no file") {
  const std::string dir = fresh_dir("bad");
  struct Case {
    std::string options;
    int status;
    std::string message;
  };
  const Case cases[] = {
      {"--layer 7 --out " + quote(dir + "/x.png"), 2, "layer 7"},
      {"--head 9 --out " + quote(dir + "/x.png"), 2, "head 9"},
      {"--view pie --out " + quote(dir + "/x.png"), 2, "--view"},
      {"--colormap jet --out " + quote(dir + "/x.png"), 2, "--colormap"},
      {"--scale 3 --out " + quote(dir + "/x.png"), 2, "--scale"},
      {"--out " + quote(dir + "/x.gif"), 2, ".png, .svg"},
      {"--size 10x10 --out " + quote(dir + "/x.png"), 2, "--size"},
      {"--row-labels both --out " + quote(dir + "/x.png"), 2,
       "--row-labels must be output or input, got 'both'"},
      {"--frobnicate --out " + quote(dir + "/x.png"), 2, "unknown option --frobnicate"},
      {"--all-heads", 2, "--out-dir"},
      {"--out /proc/attnscope.png", 1, "/proc/attnscope.png"},
      {"--out " + quote(dir + "/missing/dir/x.png"), 1, dir + "/missing/dir/x.png"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.options);
    const ToolRun r = export_run(c.options);
    CHECK(r.status == c.status);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.find("attnscope export:") != std::string::npos);
  }
  const ToolRun no_model = run_tool(
      ATTNSCOPE_APP, "export --model " + quote(dir) + " --text x --out " + quote(dir + "/y.png"));
  CHECK(no_model.status == 1);
  CHECK(no_model.err.find(dir) != std::string::npos);
  // Nothing was written, not even a temporary file.
  CHECK(std::filesystem::is_empty(dir));
}
