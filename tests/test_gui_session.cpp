// The app's parts that do not draw: what a sentence becomes (unknown words, cutting, bad
// bytes), the background worker, the settings file and export file names.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "gui/batch.h"
#include "gui/export.h"
#include "gui/session.h"
#include "gui/settings.h"

using namespace attnscope;

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";

const ModelBundle& toy_model() {
  static const ModelBundle bundle = load_model_dir(kModel);
  return bundle;
}

std::string temp_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/gui_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

ComputeRequest request_for(const std::string& sentence) {
  ComputeRequest r;
  r.id = 1;
  r.sentence = sentence;
  return r;
}

}  // namespace

TEST_CASE("a sentence becomes a translation and a labelled Trace") {
  const ComputeResult r =
      compute(toy_model(), request_for("the little black cat does not eat the fish ."));
  REQUIRE(r.trace);
  CHECK(r.error.empty());
  CHECK(r.generated);
  CHECK(r.translation == "le petit chat noir ne mange pas le poisson.");  // detokenized
  CHECK(r.warnings.empty());
  CHECK(r.source.size() == 10);
  CHECK(r.trace->src_tokens.size() == 11);  // the words and <eos>
  CHECK(r.trace->src_tokens.back() == "<eos>");
  CHECK(r.milliseconds > 0);
}

TEST_CASE("unknown words are marked and named in a warning") {
  const ComputeResult r = compute(toy_model(), request_for("the zyzzyva eats the fish ."));
  REQUIRE(r.trace);
  REQUIRE(r.source.size() == 6);
  CHECK(r.source[1].unknown);
  CHECK_FALSE(r.source[0].unknown);
  REQUIRE(!r.warnings.empty());
  CHECK(r.warnings[0].find("zyzzyva") != std::string::npos);
  CHECK(r.trace->src_tokens[1] == "<unk>");
}

TEST_CASE("a sentence longer than the model takes is cut, with a notice") {
  std::string huge;
  for (int i = 0; i < 5000; ++i)
    huge += "cat ";
  const ComputeResult r = compute(toy_model(), request_for(huge));
  REQUIRE(r.trace);
  const int max_tokens = toy_model().model.config().max_positions - 1;
  CHECK(r.max_source_tokens == max_tokens);
  CHECK(r.dropped_tokens == 5000 - max_tokens);
  CHECK(static_cast<int>(r.trace->src_ids.size()) == max_tokens + 1);
  CHECK(r.trace->src_ids.back() == toy_model().model.config().eos_id);
  REQUIRE(!r.warnings.empty());
  CHECK(r.warnings[0].find("cut") != std::string::npos);
}

TEST_CASE("invalid UTF-8, empty and blank input never fail") {
  const ComputeResult bad = compute(toy_model(), request_for("the \xff\xfe cat \xc0"));
  REQUIRE(bad.trace);
  CHECK(bad.invalid_bytes == 3);
  bool mentioned = false;
  for (const std::string& w : bad.warnings)
    mentioned = mentioned || w.find("invalid UTF-8") != std::string::npos;
  CHECK(mentioned);
  for (const char* text : {"", "    ", "\t\n"}) {
    const ComputeResult r = compute(toy_model(), request_for(text));
    REQUIRE(r.trace);
    CHECK(r.source.empty());
    CHECK(r.trace->src_ids.size() == 1);  // <eos> alone
  }
}

TEST_CASE("teacher forcing uses the typed target") {
  ComputeRequest request = request_for("the cat eats the fish .");
  request.decode = DecodeMode::kForced;
  request.forced_target = "le chat mange le poisson .";
  const ComputeResult r = compute(toy_model(), request);
  REQUIRE(r.trace);
  CHECK_FALSE(r.generated);
  CHECK(r.trace->tgt_tokens.size() == 7);  // <bos> and six words
  CHECK(r.trace->tgt_tokens[1] == "le");
  CHECK(r.trace->tgt_tokens[2] == "chat");
}

TEST_CASE("the worker computes the request it is on and then only the newest one") {
  auto bundle = std::make_shared<const ModelBundle>(load_model_dir(kModel));
  // The first request is held inside its computation until every other one is submitted, so
  // that which requests get computed does not depend on timing.
  std::mutex mutex;
  std::condition_variable changed;
  bool holding = false, released = false;
  std::vector<uint64_t> computed;
  Worker worker(bundle, [&](const ModelBundle& b, const ComputeRequest& request) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      computed.push_back(request.id);
      holding = true;
      changed.notify_all();
      changed.wait(lock, [&] { return released; });
    }
    return compute(b, request);
  });
  const auto release = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      released = true;
    }
    changed.notify_all();
  };
  // Released however the test ends, before the worker's destructor waits for its thread.
  struct OnExit {
    std::function<void()> run;
    ~OnExit() { run(); }
  } release_on_exit{release};
  for (uint64_t id = 1; id <= 50; ++id) {
    ComputeRequest r = request_for("the cat eats the fish " + std::to_string(id));
    r.id = id;
    worker.submit(r);
    if (id == 1) {
      std::unique_lock<std::mutex> lock(mutex);
      REQUIRE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return holding; }));
    }
  }
  CHECK(worker.busy());
  release();
  std::optional<ComputeResult> last;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((worker.busy() || !last || last->id != 50) &&
         std::chrono::steady_clock::now() < deadline) {
    if (auto r = worker.poll()) last = std::move(r);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(last);
  CHECK(last->id == 50);
  CHECK(last->trace != nullptr);
  CHECK(last->source.size() == 6);
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(computed == std::vector<uint64_t>{1, 50});
}

TEST_CASE("settings round-trip through the file") {
  const std::string dir = temp_dir("settings");
  Settings s;
  s.state.sentence = "le « chat » 猫";
  s.state.model_dir = "/some/model";
  s.state.view = ViewKind::kGrid;
  s.state.kind = AttentionKind::kDecoderSelf;
  s.state.layer = 1;
  s.state.head = 3;
  s.state.head_mode = HeadMode::kMax;
  s.state.colormap = Colormap::kCividis;
  s.state.threshold = 0.25f;
  s.state.dark = true;
  s.state.ui_scale = 1.5f;
  s.state.decode = DecodeMode::kBeam;
  s.state.beam = 5;
  s.export_scale = 4;
  s.export_dir = dir + "/exports";
  save_settings(dir + "/nested/settings.json", s);
  Settings back;
  std::string warning;
  REQUIRE(load_settings(dir + "/nested/settings.json", &back, &warning));
  CHECK(warning.empty());
  CHECK(settings_json(back) == settings_json(s));
  CHECK(back.state.sentence == s.state.sentence);
  CHECK(back.state.view == ViewKind::kGrid);
  CHECK(back.state.kind == AttentionKind::kDecoderSelf);
  CHECK(back.export_scale == 4);
}

TEST_CASE("a missing settings file is silent; a damaged one warns and changes nothing") {
  const std::string dir = temp_dir("damaged");
  Settings s;
  std::string warning;
  CHECK(load_settings(dir + "/none.json", &s, &warning));
  CHECK(warning.empty());
  for (const char* contents :
       {"{ not json", "[1, 2]", "{\"layer\": \"two\"}", "\xff\xfe{}", "{\"sentence\": \"\xff\"}"}) {
    CAPTURE(contents);
    write_file_atomic(dir + "/settings.json", contents);
    Settings d;
    d.state.sentence = "kept";
    warning.clear();
    CHECK_FALSE(load_settings(dir + "/settings.json", &d, &warning));
    CHECK(warning.find("damaged") != std::string::npos);
    CHECK(warning.find(dir + "/settings.json") != std::string::npos);
    CHECK(d.state.sentence == "kept");
  }
}

TEST_CASE("settings out of range come back in range") {
  const std::string dir = temp_dir("range");
  write_file_atomic(dir + "/settings.json",
                    R"({"beam": 999, "layer": -4, "threshold": 7, "ui_scale": 0.01,
                        "export_scale": 3, "window_width": 5, "view": "nonsense"})");
  Settings s;
  std::string warning;
  REQUIRE(load_settings(dir + "/settings.json", &s, &warning));
  CHECK(s.state.beam == 16);
  CHECK(s.state.layer == 0);
  CHECK(s.state.threshold == 0.0f);
  CHECK(s.state.ui_scale == 1.0f);
  CHECK(s.export_scale == 1);
  CHECK(s.window_width == 320);
  CHECK(s.state.view == ViewKind::kHeatmap);
}

// Found by tests/fuzz/fuzz_settings: a number beyond int's range (1e30, 2^64 and more) was
// converted to int directly, which is undefined behaviour (and wrapped 4294967297 to 1).
TEST_CASE("numbers beyond int's range in settings land on a limit, then in range") {
  const std::string path =
      std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/fuzz/regressions/settings/int_out_of_range.json";
  Settings s;
  std::string warning;
  REQUIRE(load_settings(path, &s, &warning));
  CHECK(warning.empty());
  CHECK(s.window_width == 16384);                           // 1.8e23
  CHECK(s.state.layer == std::numeric_limits<int>::max());  // 1e30
  CHECK(s.state.beam == 1);                                 // -1e30
  CHECK(s.state.step == std::numeric_limits<int>::max());   // 4294967297
  CHECK(s.state.head == 0);                                 // -2^63
  CHECK(s.state.threshold == 0.0f);                         // 1e300
  CHECK(s.state.ui_scale == 1.0f);                          // -1e39, beyond float
}

TEST_CASE("parse_settings: the reason without the path, settings untouched on failure") {
  Settings s;
  s.state.sentence = "kept";
  std::string warning;
  CHECK(parse_settings(R"({"sentence": "new", "dark": true, "layer": 2.7})", &s, &warning));
  CHECK(s.state.sentence == "new");
  CHECK(s.state.dark);
  CHECK(s.state.layer == 2);
  const std::pair<const char*, const char*> kBad[] = {
      {R"({"layer": "two"})", "'layer' is string, expected a number"},
      {R"({"dark": 1})", "'dark' is number, expected true or false"},
      {R"({"sentence": ["a"]})", "'sentence' is array, expected a string"},
      {R"({"threshold": {}})", "'threshold' is object, expected a number"},
      {"[1, 2]", "expected an object"},
      {"{\"window_width\": 1e999}", "number overflow"},
      {"", "parse error"}};
  for (const auto& [text, reason] : kBad) {
    CAPTURE(text);
    warning.clear();
    CHECK_FALSE(parse_settings(text, &s, &warning));
    CHECK(warning.find(reason) != std::string::npos);
    CHECK(s.state.sentence == "new");
  }
}

TEST_CASE("a settings path that cannot be read warns and changes nothing") {
  const std::string dir = temp_dir("unreadable");
  Settings s;
  s.state.sentence = "kept";
  std::string warning;
  CHECK_FALSE(load_settings(dir, &s, &warning));  // a directory
  CHECK(warning.find(dir) != std::string::npos);
  CHECK(warning.find("cannot be read") != std::string::npos);
  CHECK(s.state.sentence == "kept");
}

TEST_CASE("settings that cannot be written say where and why") {
  const std::string dir = temp_dir("unwritable");
  write_file_atomic(dir + "/file", "x");
  Settings s;
  try {
    save_settings(dir + "/file/settings.json", s);
    FAIL("saving under a file succeeded");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(dir + "/file") != std::string::npos);
  }
}

TEST_CASE("export file names say sentence, view, kind, layer and head") {
  AppState s;
  s.sentence = "The little black cat, does not eat!";
  s.kind = AttentionKind::kCross;
  s.layer = 1;
  s.head = 2;
  CHECK(default_export_name(s, ExportFormat::kPng) ==
        "the-little-black-cat-does-not-eat_heatmap_cross_L1_H2.png");
  s.view = ViewKind::kLinks;
  s.head_mode = HeadMode::kMean;
  s.kind = AttentionKind::kEncoderSelf;
  CHECK(default_export_name(s, ExportFormat::kSvg) ==
        "the-little-black-cat-does-not-eat_links_encoder_L1_mean.svg");
  CHECK(default_export_name(s, ExportFormat::kJson) ==
        "the-little-black-cat-does-not-eat_trace.json");
  s.sentence = "猫が魚を食べる";
  s.view = ViewKind::kHeatmap;
  s.head_mode = HeadMode::kSingle;
  CHECK(default_export_name(s, ExportFormat::kCsv) == "猫が魚を食べる_encoder_L1_H2.csv");
  s.sentence = "../../etc/passwd \xff";
  const std::string name = default_export_name(s, ExportFormat::kPng);
  CHECK(name.find('/') == std::string::npos);
  CHECK(name.rfind("etc-passwd_", 0) == 0);
  s.sentence = "   ";
  CHECK(default_export_name(s, ExportFormat::kPng).rfind("attnscope_", 0) == 0);
  s.sentence = std::string(500, 'a');
  CHECK(default_export_name(s, ExportFormat::kPng) ==
        std::string(40, 'a') + "_heatmap_encoder_L1_H2.png");
  s.sentence = "the little black cat does not eat the fish .";
  CHECK(default_export_name(s, ExportFormat::kPng) ==
        "the-little-black-cat-does-not-eat-the_heatmap_encoder_L1_H2.png");
  // One long word of three-byte characters is cut at the last whole one within 40 bytes.
  s.sentence.clear();
  for (int i = 0; i < 20; ++i)
    s.sentence += "\xE7\x8C\xAB";  // 猫
  CHECK(default_export_name(s, ExportFormat::kPng) ==
        s.sentence.substr(0, 39) + "_heatmap_encoder_L1_H2.png");
  s.kind = AttentionKind::kDecoderSelf;
  s.sentence = "a";
  CHECK(default_export_name(s, ExportFormat::kCsv) == "a_decoder_L1_H2.csv");
  s.kind = AttentionKind::kCross;
  s.view = ViewKind::kGrid;
  CHECK(default_export_name(s, ExportFormat::kSvg) == "a_grid_cross.svg");
  s.view = ViewKind::kHeatmap;
  s.kind = AttentionKind::kEncoderSelf;
  ExportFormat f;
  CHECK(format_from_path("x/y.SVG", &f));
  CHECK(f == ExportFormat::kSvg);
  CHECK_FALSE(format_from_path("x.png/y", &f));
  CHECK_FALSE(format_from_path("noext", &f));
}

TEST_CASE("whatever the model takes, the window reads at most 1,024 words and 100 kB") {
  Config config;
  config.d_model = 16;
  config.nhead = 2;
  config.num_encoder_layers = config.num_decoder_layers = 1;
  config.dim_feedforward = 32;
  config.src_vocab_size = config.tgt_vocab_size = 50;
  config.max_positions = 4096;
  const ModelBundle bundle{"random", Model(config, random_weights(config, 3)),
                           placeholder_vocab(50, "w"), placeholder_vocab(50, "w")};
  std::string long_text;
  for (int i = 0; i < 3000; ++i)
    long_text += "w7 ";
  ComputeResult r = compute(bundle, request_for(long_text));
  REQUIRE(r.trace);
  CHECK(r.max_source_tokens == kMaxInputTokens);
  CHECK(r.dropped_tokens == 3000 - kMaxInputTokens);
  CHECK(r.trace->src_ids.size() == kMaxInputTokens + 1);
  CHECK(r.trace->tgt_ids.size() <= kMaxInputTokens);  // generation is capped too
  REQUIRE(!r.warnings.empty());
  CHECK(r.warnings[0].find("the most attnscope shows") != std::string::npos);

  // A megabyte without spaces is not even split past the first 100 kB.
  r = compute(bundle, request_for(std::string(1 << 20, 'x')));
  REQUIRE(r.trace);
  bool said = false;
  for (const std::string& w : r.warnings)
    said = said || w.find("first 100 kB") != std::string::npos;
  CHECK(said);
  CHECK(r.source.size() == 1);
  CHECK(r.source[0].text.size() == kMaxInputBytes);
}

namespace {

int batch_export(std::vector<std::string> words) {
  std::vector<char*> argv;
  for (std::string& word : words)
    argv.push_back(word.data());
  return run_batch_export(static_cast<int>(argv.size()), argv.data(), 0);
}

}  // namespace

TEST_CASE("batch export takes --head mean|max as --head-mode does") {
  const std::string dir = temp_dir("batch_head");
  const std::vector<std::string> base = {"--model", kModel,  "--text",  "the cat eats the fish .",
                                         "--kind",  "cross", "--layer", "1"};
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> words = base;
    words.insert(words.end(), extra.begin(), extra.end());
    return batch_export(words);
  };
  for (const char* mode : {"mean", "max"}) {
    CAPTURE(mode);
    const std::string by_head = dir + "/head_" + mode + ".csv";
    const std::string by_mode = dir + "/mode_" + mode + ".csv";
    REQUIRE(run({"--head", mode, "--out", by_head}) == 0);
    REQUIRE(run({"--head-mode", mode, "--out", by_mode}) == 0);
    CHECK(read_file(by_head) == read_file(by_mode));
    REQUIRE(run({"--head", mode, "--head-mode", mode, "--out", dir + "/both.csv"}) == 0);
    CHECK(read_file(dir + "/both.csv") == read_file(by_mode));
  }
  REQUIRE(run({"--head", "0", "--out", dir + "/single.csv"}) == 0);
  CHECK(read_file(dir + "/single.csv") != read_file(dir + "/head_mean.csv"));
  CHECK(run({"--head", "max", "--head-mode", "mean", "--out", dir + "/x.csv"}) == 2);
  CHECK(run({"--head", "median", "--out", dir + "/x.csv"}) == 2);
  CHECK(run({"--kind", "nope", "--out", dir + "/x.csv"}) == 2);
}
