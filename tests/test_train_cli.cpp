// attnscope-train end to end: it learns, a stopped run resumes to exactly the same model,
// Ctrl-C saves a loadable checkpoint, and bad input is refused with a clear message while
// nothing already on disk is touched.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "attnscope/checkpoint.h"
#include "attnscope/io.h"
#include "tool_run.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::string kTmp = std::string(ATTNSCOPE_TEST_TMP) + "/train_cli";

std::string fresh(const std::string& name) {
  const std::string path = kTmp + "/" + name;
  fs::remove_all(path);
  fs::create_directories(kTmp);
  return path;
}

ToolRun train(const std::string& arguments) { return run_tool(ATTNSCOPE_TRAIN, arguments); }

// A model small enough to learn copying in a few seconds.
const std::string kTiny =
    " --layers 1 --d-model 32 --heads 2 --d-ff 64 --train-count 4000 --eval-count 100 --quiet"
    " --threads 2";

nlohmann::json state(const std::string& dir) {
  return nlohmann::json::parse(read_file(dir + "/train.json"));
}

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = fresh(name);
  write_file_atomic(path, text);
  return path;
}

}  // namespace

TEST_CASE("training on copy learns the task and writes a loadable model") {
  const std::string out = fresh("copy");
  const ToolRun run = train("--task copy --out '" + out + "' --steps 300 --eval-every 100 --lr 3e-3" + kTiny);
  INFO(run.err);
  REQUIRE(run.status == 0);
  const nlohmann::json s = state(out);
  CHECK(s["step"] == 300);
  const auto& history = s["history"];
  REQUIRE(history.size() == 3);
  CHECK(history.back()["loss"].get<double>() < history.front()["loss"].get<double>());
  // Untrained, it copies nothing; 300 updates take it most of the way.
  CHECK(history.front()["exact_match"].get<double>() < history.back()["exact_match"].get<double>());
  CHECK(history.back()["exact_match"].get<double>() >= 0.75);
  CHECK(history.back()["bleu"].get<double>() >= 85.0);

  const ModelBundle bundle = load_model_dir(out);
  CHECK(bundle.model.config().d_model == 32);
  CHECK(bundle.src_vocab.size() == 30);  // 4 special tokens and 26 letters
  CHECK(fs::exists(out + "/optimizer.safetensors"));
  // No staging directory is left beside the model.
  for (const auto& entry : fs::directory_iterator(kTmp))
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("a run stopped and resumed ends bit-identical to an uninterrupted one") {
  const std::string whole = fresh("whole");
  const std::string parts = fresh("parts");
  const std::string common = " --task reverse --steps 40 --eval-every 15" + kTiny;
  REQUIRE(train("--out '" + whole + "'" + common).status == 0);
  const ToolRun first = train("--out '" + parts + "'" + common + " --stop-at 17");
  INFO(first.err);
  REQUIRE(first.status == 0);
  CHECK(first.err.find("stopped at step 17 of 40") != std::string::npos);
  CHECK(state(parts)["step"] == 17);
  const ToolRun second = train("--resume '" + parts + "' --quiet");
  INFO(second.err);
  REQUIRE(second.status == 0);
  CHECK(read_file(whole + "/model.safetensors") == read_file(parts + "/model.safetensors"));
  CHECK(read_file(whole + "/optimizer.safetensors") ==
        read_file(parts + "/optimizer.safetensors"));
  CHECK(state(whole)["history"].size() == state(parts)["history"].size());

  // A resumed run keeps its recipe.
  const ToolRun changed = train("--resume '" + parts + "' --lr 0.1");
  CHECK(changed.status == 2);
  CHECK(changed.err.find("--lr cannot change when resuming") != std::string::npos);
}

TEST_CASE("Ctrl-C saves a last checkpoint that resumes") {
  const std::string out = fresh("interrupted");
  const std::string command = "'" + std::string(ATTNSCOPE_TRAIN) + "' --task copy --out '" +
                              out + "' --steps 1000000 --eval-every 1000000" + kTiny;
  // The shell starts the trainer, lets it train for a moment, then presses Ctrl-C.
  const ToolRun run = run_tool(
      "/bin/sh", "-c \"" + command + " & pid=\\$!; sleep 1.5; kill -INT \\$pid; wait \\$pid\"");
  INFO(run.err);
  CHECK(run.status == 130);
  CHECK(run.err.find("interrupted at step") != std::string::npos);
  const nlohmann::json s = state(out);
  CHECK(s["step"].get<int>() < 1000000);
  CHECK_NOTHROW(load_model_dir(out));
}

TEST_CASE("bad input is refused with a clear message and nothing on disk is touched") {
  SUBCASE("an empty pairs file") {
    const std::string file = write_text("empty.tsv", "");
    const ToolRun run = train("--task pairs:'" + file + "' --out '" + fresh("o1") + "'");
    CHECK(run.status == 2);
    CHECK(run.err.find("empty.tsv: empty file") != std::string::npos);
    CHECK_FALSE(fs::exists(kTmp + "/o1"));
  }
  SUBCASE("a line without a tab") {
    const std::string file = write_text("notab.tsv", "a b\tc d\nno tab here\n");
    const ToolRun run = train("--task pairs:'" + file + "' --out '" + fresh("o2") + "'");
    CHECK(run.status == 2);
    CHECK(run.err.find("notab.tsv: line 2: no tab") != std::string::npos);
  }
  SUBCASE("invalid UTF-8") {
    const std::string file = write_text("latin1.tsv", "caf\xe9\tcafe\n");
    const ToolRun run = train("--task pairs:'" + file + "' --out '" + fresh("o3") + "'");
    CHECK(run.status == 2);
    CHECK(run.err.find("line 1: invalid UTF-8") != std::string::npos);
  }
  SUBCASE("a sentence longer than the model's maximum") {
    std::string text;
    for (int i = 0; i < 30; ++i)
      text += "a b c d\tw x y z\n";
    text += "one two three four five six seven eight nine ten\tun deux\n";
    const std::string file = write_text("long.tsv", text);
    const ToolRun run = train("--task pairs:'" + file + "' --max-positions 8 --out '" +
                              fresh("o4") + "'");
    CHECK(run.status == 2);
    CHECK(run.err.find("has 11 tokens with its end marker, more than the model's maximum of 8") !=
          std::string::npos);
  }
  SUBCASE("an unwritable output directory") {
    // Neither location can take a directory, even for root: below a regular file, and in
    // /proc.
    const std::string file = write_text("a-file", "not a directory");
    for (const std::string& out : {file + "/model", std::string("/proc/attnscope-model")}) {
      const ToolRun run = train("--task copy --out '" + out + "'" + kTiny);
      CHECK(run.status == 1);
      CHECK(run.err.find("cannot write the model to '" + out + "'") != std::string::npos);
    }
    CHECK(read_file(file) == "not a directory");
  }
  SUBCASE("an output directory that already holds something") {
    const std::string out = fresh("taken");
    fs::create_directories(out);
    write_file_atomic(out + "/notes.txt", "keep me");
    const ToolRun run = train("--task copy --out '" + out + "'" + kTiny);
    CHECK(run.status == 2);
    CHECK(run.err.find("already exists and is not empty") != std::string::npos);
    CHECK(read_file(out + "/notes.txt") == "keep me");
  }
  SUBCASE("resuming something that is not a run") {
    const ToolRun run = train("--resume '" + std::string(ATTNSCOPE_SOURCE_DIR) +
                              "/assets/models/random-en-fr'");
    CHECK(run.status == 2);
    CHECK(run.err.find("is not a training run") != std::string::npos);
  }
  SUBCASE("options") {
    CHECK(train("--task copy --out x --stpes 3").err.find("unknown option --stpes") !=
          std::string::npos);
    CHECK(train("--task copy --out x --d-model 30 --heads 4").err.find("not divisible") !=
          std::string::npos);
    CHECK(train("--task nonsense --out '" + fresh("o5") + "'").err.find("unknown task") !=
          std::string::npos);
  }
}
