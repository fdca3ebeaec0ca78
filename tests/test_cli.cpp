// attnscope-cli end to end: `trace` on a PyTorch-made model prints PyTorch's weights, the CSV
// form prints one matrix, and errors are one line on stderr with a non-zero status.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "attnscope/safetensors.h"
#include "tool_run.h"

using namespace attnscope;

namespace {

using Run = ToolRun;

Run run_cli(const std::string& arguments) {
  return run_tool(ATTNSCOPE_CLI, arguments);
}

const std::string kFixture = std::string(ATTNSCOPE_FIXTURES) + "/pre_gelu_h4_tied";

}  // namespace

TEST_CASE("trace --format json on a PyTorch model gives PyTorch's weights") {
  const SafetensorsFile expected = SafetensorsFile::read(kFixture + "/expected.safetensors");
  const std::string src = expected.metadata().at("src_ids");
  const std::string tgt = expected.metadata().at("tgt_ids");
  const Run run = run_cli("trace --model '" + kFixture + "' --src-ids " + src + " --tgt-ids " +
                          tgt + " --format json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto json = nlohmann::json::parse(run.out);
  std::stringstream ids;
  for (size_t i = 0; i < json["src_ids"].size(); ++i)
    ids << (i ? "," : "") << json["src_ids"][i].get<int>();
  CHECK(ids.str() == src);
  CHECK(json["tgt_tokens"][0] == "<bos>");
  int checked = 0;
  float worst = 0;
  for (const auto& [name, heads] : json["attention"].items()) {
    REQUIRE(expected.contains(name));
    const std::vector<float> want = expected.read_floats(name);
    size_t k = 0;
    for (const auto& head : heads) {
      for (const auto& row : head) {
        for (const auto& value : row) {
          REQUIRE(k < want.size());
          worst = std::max(worst, std::abs(value.get<float>() - want[k++]));
        }
      }
    }
    CHECK(k == want.size());
    ++checked;
  }
  MESSAGE("cli trace vs PyTorch: " << checked << " matrices, max |diff| " << worst);
  CHECK(checked == 3 + 2 * 2);  // 3 encoder layers, 2 decoder layers (self + cross)
  CHECK(worst <= 1e-5f);
}

TEST_CASE("trace --format csv prints one labelled matrix") {
  const Run run =
      run_cli("trace --model '" + kFixture +
              "' --src-ids 4,5,6 --tgt-ids 2,7 --format csv --kind cross --layer 1 --head 3");
  INFO(run.err);
  REQUIRE(run.status == 0);
  std::stringstream lines(run.out);
  std::string header, row1, row2, extra;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  CHECK(header == "\"query\\key\",\"s4\",\"s5\",\"s6\"");
  CHECK(row1.rfind("\"<bos>\",", 0) == 0);
  CHECK(row2.rfind("\"t7\",", 0) == 0);
  CHECK(!std::getline(lines, extra));
  // The three weights of a row sum to 1.
  std::stringstream cells(row2.substr(row2.find(',') + 1));
  std::string cell;
  double sum = 0;
  while (std::getline(cells, cell, ','))
    sum += std::stod(cell);
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("generated traces and translations agree") {
  const Run translate = run_cli("translate --model '" + kFixture + "' --max-length 6 s4 s9 s11");
  const Run trace = run_cli("trace --model '" + kFixture + "' --text 's4 s9 s11' --max-length 6");
  REQUIRE(translate.status == 0);
  REQUIRE(trace.status == 0);
  const auto json = nlohmann::json::parse(trace.out);
  CHECK(json["generated"] == true);
  CHECK(json["translation"].get<std::string>() + "\n" == translate.out);
  CHECK(json["src_tokens"].back() == "<eos>");
}

TEST_CASE("errors are one line on stderr with a non-zero status") {
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"trace --model /nonexistent/model --src-ids 4", "not a model directory"},
      {"trace --model '" + kFixture + "' --src-ids 4,x", "'x' is not a token id"},
      {"trace --model '" + kFixture + "' --src-ids 4,99999", "outside the vocabulary"},
      {"trace --model '" + kFixture + "' --src-ids 4 --tgt-ids 2 --format csv --layer 9",
       "layer 9 out of range"},
      {"translate --model '" + kFixture + "' --beam 0 s4", "--beam must be between 1 and 64"},
      {"frobnicate", "unknown command 'frobnicate'"},
      {"info --model '" + kFixture + "/config.json'", "not a model directory"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const Run run = run_cli(c.args);
    CHECK(run.status != 0);
    CHECK(run.out.empty());
    CHECK(run.err.find(c.expect) != std::string::npos);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK(run.err.rfind("attnscope-cli: error: ", 0) == 0);
  }
}

TEST_CASE("info prints the config and the parameter count") {
  const Run run = run_cli("info --model '" + kFixture + "'");
  REQUIRE(run.status == 0);
  CHECK(run.out.find("3 encoder + 2 decoder, pre-norm") != std::string::npos);
  CHECK(run.out.find("\"tie_output\": true") != std::string::npos);
}

namespace {

const std::string kRandomModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/random-en-fr";

}  // namespace

TEST_CASE("eval prints exact match, BLEU, the AER table, failures and the time") {
  const Run run =
      run_cli("eval --model '" + kRandomModel + "' --task copy --split test --count 20 --seed 3");
  INFO(run.err);
  REQUIRE(run.status == 0);
  INFO(run.out);
  CHECK(run.out.find("copy, test split, 20 sentences (seed 3)") != std::string::npos);
  CHECK(run.out.find("decoding   greedy") != std::string::npos);
  // A randomly initialised model copies nothing right.
  CHECK(run.out.find("exact      0 of 20 (0.0%)") != std::string::npos);
  CHECK(run.out.find("BLEU       ") != std::string::npos);
  CHECK(run.out.find("(BP = ") != std::string::npos);
  CHECK(run.out.find("layer  head 0  head 1  head 2  head 3      mean\n0    ") !=
        std::string::npos);
  CHECK(run.out.find("\n1    ") != std::string::npos);
  CHECK(run.out.find("best head  layer ") != std::string::npos);
  CHECK(run.out.find("first 5 of 20:") != std::string::npos);
  CHECK(run.out.find("time       ") != std::string::npos);
  CHECK(run.err.empty());
}

TEST_CASE("eval --json holds the same report, the same on 1 and 2 threads") {
  const std::string args =
      "eval --model '" + kRandomModel + "' --task toy-en-fr --split test --count 20 --json";
  const Run one = run_cli(args + " --threads 1");
  const Run two = run_cli(args + " --threads 2 --beam 1");
  INFO(one.err);
  REQUIRE(one.status == 0);
  REQUIRE(two.status == 0);
  auto a = nlohmann::json::parse(one.out);
  auto b = nlohmann::json::parse(two.out);
  CHECK(a["sentences"] == 20);
  CHECK(a["split"] == "test");
  CHECK(a["exact"] == 0);
  CHECK(a["bleu"]["precisions"].size() == 4);
  CHECK(a["bleu"]["hyp_len"].get<int>() > 0);
  CHECK(a["failures"].size() == 5);
  REQUIRE(a["aer"].is_object());
  REQUIRE(a["aer"]["heads"].size() == 2);
  CHECK(a["aer"]["layer_mean"].size() == 2);
  double lowest = 1.0;
  for (const auto& layer : a["aer"]["heads"]) {
    REQUIRE(layer.size() == 4);
    for (const auto& aer : layer) {
      CHECK(aer.get<double>() >= 0.0);
      CHECK(aer.get<double>() <= 1.0);
      lowest = std::min(lowest, aer.get<double>());
    }
  }
  const auto& best = a["aer"]["best"];
  CHECK(best["aer"].get<double>() == lowest);
  CHECK(a["aer"]["heads"][best["layer"].get<int>()][best["head"].get<int>()] == best["aer"]);
  for (auto* report : {&a, &b}) {
    report->erase("seconds");
    report->erase("threads");
  }
  CHECK(a == b);
}

TEST_CASE("eval errors are one line on stderr with a non-zero status") {
  struct Case {
    std::string args, expect;
  };
  const std::string model = "--model '" + kRandomModel + "'";
  const std::vector<Case> cases = {
      {"eval " + model + " --task copy --split bogus", "unknown split 'bogus'"},
      {"eval " + model + " --task nope --split test", "unknown task 'nope'"},
      {"eval " + model + " --split test", "eval needs --task"},
      {"eval " + model + " --task copy", "eval needs --split"},
      {"eval " + model + " --task copy --split test --count 0", "--count must be at least 1"},
      {"eval " + model + " --task copy --split test --beam 0", "--beam must be between 1 and 64"},
      {"eval --model /nonexistent/model --task copy --split test", "not a model directory"},
      {"eval " + model + " --task copy --split test --cuont 5", "unknown option --cuont"},
      {"translate " + model + " --bem 3 word", "unknown option --bem"},
      {"translate " + model + " word --beam", "option --beam needs a value"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const Run run = run_cli(c.args);
    CHECK(run.status != 0);
    CHECK(run.out.empty());
    CHECK(run.err.find(c.expect) != std::string::npos);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK(run.err.rfind("attnscope-cli: error: ", 0) == 0);
  }
}
