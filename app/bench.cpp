// attnscope-bench: times a full Trace and greedy decoding on model sizes from toy to long,
// and one training step on two of them, and prints them beside PyTorch's times for the same
// configurations, measured in the same run by tests/reference/bench_torch.py and
// tests/reference/train_bench_torch.py. A benchmark, never a pass/fail test.
#include <malloc.h>
#include <omp.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/model.h"
#include "attnscope/ops.h"
#include "attnscope/train.h"

namespace {

using namespace attnscope;
using Clock = std::chrono::steady_clock;

struct Case {
  std::string name;  // as bench_torch.py names it
  bool greedy;
  int layers, heads, d_model, d_ff, vocab, src_len, tgt_len;
};

const std::vector<Case> kCases = {
    {"toy", false, 2, 4, 64, 256, 1000, 12, 12},
    {"small", false, 3, 8, 256, 1024, 8000, 32, 32},
    {"base", false, 6, 8, 512, 2048, 32000, 128, 128},
    {"long", false, 6, 8, 512, 2048, 32000, 512, 512},
    {"greedy_toy", true, 2, 4, 64, 256, 1000, 12, 12},
    {"greedy_base", true, 6, 8, 512, 2048, 32000, 32, 32},
};

// One optimizer step on a batch of `pairs` random sentence pairs whose source and target
// lengths are drawn uniformly in [min_len, max_len].
struct TrainCase {
  std::string name;  // as train_bench_torch.py reports it
  int layers, heads, d_model, d_ff, src_vocab, tgt_vocab, pairs, min_len, max_len;
};

const std::vector<TrainCase> kTrainCases = {
    {"train_toy", 2, 4, 128, 512, 500, 700, 64, 4, 14},
    {"train_small", 3, 8, 256, 1024, 8000, 8000, 32, 16, 32},
};

constexpr float kLabelSmoothing = 0.1f;
constexpr float kMaxGradNorm = 1.0f;
constexpr double kLossTolerance = 1e-3;  // relative, first-step loss of ours against PyTorch's

struct Timing {
  double median_ms = 0, min_ms = 0;
};

struct TrainResult {
  Timing timing;
  int tokens = 0;
  double first_loss = 0;
};

// What a PyTorch script reported for one configuration.
struct TorchResult {
  Timing timing;
  double first_loss = NAN;  // training configurations only
  std::string blas;         // the OpenBLAS build that gave this time
};

// Debian's two multi-threaded OpenBLAS builds; PyTorch is timed with each one installed and
// its best time kept, as either can be the faster on a given machine and thread count.
struct BlasBuild {
  std::string label, dir;
};

std::vector<BlasBuild> installed_blas_builds() {
  std::vector<BlasBuild> out;
  for (const char* label : {"pthread", "openmp"}) {
    const std::string dir = std::string("/usr/lib/x86_64-linux-gnu/openblas-") + label;
    if (std::filesystem::exists(dir + "/libblas.so.3")) out.push_back({label, dir});
  }
  return out;
}

// Warm-up runs `warmup` times and for at least a second: on a virtual machine an idle
// second core and the caches take a while to come up to speed.
Timing time_runs(int warmup, int runs, const std::function<void()>& body) {
  const auto warm_until = Clock::now() + std::chrono::seconds(1);
  for (int i = 0; i < warmup || Clock::now() < warm_until; ++i)
    body();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    body();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  return {n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]), ms.front()};
}

// Multiply-adds x2 of everything the model computes (full T x T scores included).
double trace_flops(const Case& c) {
  const double d = c.d_model, f = c.d_ff, s = c.src_len, t = c.tgt_len, v = c.vocab;
  const double enc = 2 * s * d * 3 * d + 4 * s * s * d + 2 * s * d * d + 4 * s * d * f;
  const double dec = 2 * t * d * 3 * d + 4 * t * t * d + 2 * t * d * d + 2 * t * d * d +
                     4 * s * d * d + 4 * t * s * d + 2 * t * d * d + 4 * t * d * f;
  return c.layers * (enc + dec) + 2 * t * d * v;
}

double greedy_flops(const Case& c) {
  const double d = c.d_model, f = c.d_ff, s = c.src_len, v = c.vocab;
  const double enc = 2 * s * d * 3 * d + 4 * s * s * d + 2 * s * d * d + 4 * s * d * f;
  double total = c.layers * (enc + 4 * s * d * d);
  for (int step = 1; step <= c.tgt_len; ++step) {
    total += c.layers * (2 * d * 3 * d + 4 * step * d + 6 * d * d + 4 * s * d + 4 * d * f);
    total += 2 * d * v;
  }
  return total;
}

Config make_config(int d_model, int heads, int layers, int d_ff, int src_vocab, int tgt_vocab,
                   int max_positions) {
  Config config;
  config.d_model = d_model;
  config.nhead = heads;
  config.num_encoder_layers = layers;
  config.num_decoder_layers = layers;
  config.dim_feedforward = d_ff;
  config.src_vocab_size = src_vocab;
  config.tgt_vocab_size = tgt_vocab;
  config.max_positions = max_positions;
  return config;
}

Config case_config(const Case& c) {
  return make_config(c.d_model, c.heads, c.layers, c.d_ff, c.vocab, c.vocab, 512);
}

Config train_config(const TrainCase& c) {
  return make_config(c.d_model, c.heads, c.layers, c.d_ff, c.src_vocab, c.tgt_vocab, 128);
}

std::vector<int> random_ids(int n, int vocab, std::mt19937& rng) {
  std::uniform_int_distribution<int> dist(4, vocab - 1);
  std::vector<int> ids(n);
  for (int& id : ids)
    id = dist(rng);
  return ids;
}

// GFLOP/s of one plain Eigen product of the size that dominates the base model, on the
// calling thread's OpenMP budget.
double gemm_gflops(int runs) {
  Matrix a = Matrix::Random(512, 512), w = Matrix::Random(2048, 512), out(512, 2048);
  const Timing t = time_runs(3, runs, [&] { out.noalias() = a * w.transpose(); });
  return 2.0 * 512 * 512 * 2048 / (t.min_ms * 1e6);
}

// The training batch: source rows of n - 1 random ids and <eos>, bare targets of n random
// ids (make_batch adds <bos> and <eos>), every n drawn uniformly in [min_len, max_len].
Batch train_batch(const TrainCase& c, const Config& config, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(c.min_len, c.max_len);
  std::vector<std::vector<int>> src(c.pairs), tgt(c.pairs);
  for (int b = 0; b < c.pairs; ++b) {
    src[b] = random_ids(length(rng) - 1, c.src_vocab, rng);
    src[b].push_back(config.eos_id);
    tgt[b] = random_ids(length(rng), c.tgt_vocab, rng);
  }
  return make_batch(src, tgt, config);
}

nlohmann::json rows_json(const std::vector<int>& ids, int rows, int cols) {
  nlohmann::json out = nlohmann::json::array();
  for (int r = 0; r < rows; ++r) {
    out.push_back(std::vector<int>(ids.begin() + static_cast<size_t>(r) * cols,
                                   ids.begin() + static_cast<size_t>(r + 1) * cols));
  }
  return out;
}

// Writes what train_bench_torch.py needs to take the same step from the same state: the
// initial weights as a model directory, and batch.json with the batch and the step's settings.
void write_train_inputs(const std::string& dir, const std::string& name, const Config& config,
                        const Weights& weights, const Batch& batch, const AdamWOptions& adamw) {
  std::filesystem::create_directories(dir);
  save_model_dir(dir, Model(config, weights), placeholder_vocab(config.src_vocab_size, "s"),
                 placeholder_vocab(config.tgt_vocab_size, "t"));
  const nlohmann::json spec = {
      {"name", name},
      {"src", rows_json(batch.src, batch.size, batch.src_len)},
      {"tgt_in", rows_json(batch.tgt_in, batch.size, batch.tgt_len)},
      {"tgt_out", rows_json(batch.tgt_out, batch.size, batch.tgt_len)},
      {"label_smoothing", kLabelSmoothing},
      {"max_norm", kMaxGradNorm},
      {"adamw",
       {{"lr", adamw.lr},
        {"beta1", adamw.beta1},
        {"beta2", adamw.beta2},
        {"eps", adamw.eps},
        {"weight_decay", adamw.weight_decay},
        {"warmup_steps", adamw.warmup_steps},
        {"total_steps", adamw.total_steps}}},
  };
  std::ofstream out(dir + "/batch.json");
  out << spec.dump() << "\n";
  if (!out) throw std::runtime_error("cannot write " + dir + "/batch.json");
}

// Runs one of the PyTorch scripts and collects its result lines (one JSON object each).
// `version` gets torch's version, or why there are no results.
std::map<std::string, TorchResult> run_torch(const std::string& command, std::string* version) {
  std::map<std::string, TorchResult> out;
  std::fprintf(stderr, "running: %s\n", command.c_str());
  std::fflush(stderr);
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    *version = "unavailable (cannot start /usr/bin/python3)";
    return out;
  }
  char line[1 << 16];
  while (std::fgets(line, sizeof line, pipe)) {
    try {
      const auto json = nlohmann::json::parse(line);
      TorchResult& r = out[json.at("name").get<std::string>()];
      r.timing = {json.at("median_ms").get<double>(), json.at("min_ms").get<double>()};
      if (json.contains("first_loss")) r.first_loss = json.at("first_loss").get<double>();
      if (json.contains("torch")) *version = json.at("torch").get<std::string>();
    } catch (const std::exception&) {
      // Not a result line; the scripts print progress on stderr only.
    }
  }
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 3) {
    *version = "unavailable: /usr/bin/python3 cannot import torch (scripts/deps.sh bench)";
  } else if (code == 127) {
    *version = "unavailable: /usr/bin/python3 not found (scripts/deps.sh bench)";
  } else if (code != 0 && out.empty()) {
    *version = "unavailable: the script failed with status " + std::to_string(code) +
               " (see its messages above)";
  } else if (code != 0) {
    std::fprintf(stderr, "attnscope-bench: the PyTorch script stopped with status %d\n", code);
  }
  return out;
}

// A Trace of a long sentence holds hundreds of MB in a few large matrices. glibc maps each
// such block fresh from the kernel and returns it on free, so every new Trace would pay for
// page faults and zeroing again; keeping them in the heap lets the next Trace reuse the pages.
void keep_large_buffers_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

// Times full optimizer steps (forward, backward, clipping, AdamW) on the case's batch, starting
// from seeded random weights; with `inputs_dir`, first writes those weights and the batch there.
TrainResult time_training(const TrainCase& c, int threads, int runs,
                          const std::string& inputs_dir) {
  const Config config = train_config(c);
  const Batch batch = train_batch(c, config, 17);
  Weights weights = random_weights(config, 11);
  const AdamWOptions options;
  if (!inputs_dir.empty()) write_train_inputs(inputs_dir, c.name, config, weights, batch, options);
  AdamW adamw(config, weights, options);
  Weights grads;
  TrainResult result;
  bool first = true;
  result.timing = time_runs(3, runs, [&] {
    const LossResult loss =
        loss_and_gradients(config, weights, batch, kLabelSmoothing, grads, threads);
    if (first) {
      result.first_loss = loss.loss;
      result.tokens = loss.tokens;
      first = false;
    }
    clip_gradients(grads, config, kMaxGradNorm);
    adamw.step(weights, grads);
  });
  return result;
}

bool selected(const std::string& only, const std::string& name) {
  return only.empty() || ("," + only + ",").find("," + name + ",") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, runs = 30;
  std::string only, train_inputs;
  bool with_torch = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "attnscope-bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--threads") {
      threads = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--runs") {
      runs = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--only") {
      only = value();
    } else if (arg == "--no-torch") {
      with_torch = false;
    } else if (arg == "--train-inputs") {
      train_inputs = value();
    } else {
      std::printf(
          "usage: attnscope-bench [--threads N] [--runs N] [--only toy,small,...] [--no-torch]\n"
          "                       [--train-inputs DIR]\n"
          "cases: toy small base long greedy_toy greedy_base train_toy train_small\n"
          "--train-inputs DIR keeps the training cases' weights and batches in DIR/<case>\n"
          "(default: a temporary directory, removed at the end)\n");
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  std::vector<Case> cases;
  std::vector<TrainCase> train_cases;
  std::string names, train_names;
  for (const Case& c : kCases) {
    if (!selected(only, c.name)) continue;
    cases.push_back(c);
    names += (names.empty() ? "" : ",") + c.name;
  }
  for (const TrainCase& c : kTrainCases) {
    if (!selected(only, c.name)) continue;
    train_cases.push_back(c);
    train_names += (train_names.empty() ? "" : ",") + c.name;
  }
  if (!only.empty()) {
    const std::string known = "," + names + "," + train_names + ",";
    size_t begin = 0;
    while (begin <= only.size()) {
      const size_t end = std::min(only.find(',', begin), only.size());
      const std::string name = only.substr(begin, end - begin);
      if (!name.empty() && known.find("," + name + ",") == std::string::npos) {
        std::fprintf(stderr, "attnscope-bench: unknown case '%s' in --only (see --help)\n",
                     name.c_str());
        return 2;
      }
      begin = end + 1;
    }
  }
  if (cases.empty() && train_cases.empty()) {
    std::fprintf(stderr, "attnscope-bench: no case matches --only %s\n", only.c_str());
    return 2;
  }

  // The training cases' inputs for PyTorch: kept in --train-inputs, else in a temporary
  // directory removed at the end.
  std::string inputs_root = train_inputs;
  bool remove_inputs = false;
  if (inputs_root.empty() && with_torch && !train_cases.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/attnscope-bench-XXXXXX";
    if (mkdtemp(pattern.data())) {
      inputs_root = pattern;
      remove_inputs = true;
    } else {
      std::fprintf(stderr, "attnscope-bench: cannot create %s; PyTorch skips training\n",
                   pattern.c_str());
    }
  }

  set_num_threads(threads);
  omp_set_num_threads(threads);  // for the plain GEMM reference below
  keep_large_buffers_in_heap();
  const double gemm = gemm_gflops(runs);
  // With several threads, the one-core figure too: it says how fast this machine is, which
  // is what figures measured on another machine must be scaled by.
  double gemm_one_core = gemm;
  if (threads > 1) {
    const ThreadBudget one_core(1);
    gemm_one_core = gemm_gflops(runs);
  }
  std::map<std::string, Timing> ours;
  std::mt19937 rng(7);
  for (const Case& c : cases) {
    std::fprintf(stderr, "timing %s...\n", c.name.c_str());
    const Config config = case_config(c);
    const Model model(config, random_weights(config, 11));
    const std::vector<int> src = random_ids(c.src_len, c.vocab, rng);
    std::vector<int> tgt = random_ids(c.tgt_len, c.vocab, rng);
    tgt[0] = config.bos_id;
    DecodeOptions options;
    options.max_length = c.tgt_len;
    options.stop_at_eos = false;
    const int warmup = c.name == "long" ? 2 : 3;
    const int n = c.name == "long" ? std::max(5, runs / 3) : runs;
    ours[c.name] = time_runs(warmup, n, [&] {
      if (c.greedy) {
        const Translation t = greedy_decode(model, src, options);
        if (static_cast<int>(t.trace.output_ids.size()) != c.tgt_len) std::abort();
      } else {
        const Trace t = model.trace(src, tgt);
        if (t.cross.empty()) std::abort();
      }
    });
  }

  const int train_runs = std::max(10, runs);
  std::map<std::string, TrainResult> ours_train;
  std::vector<std::string> train_dirs;  // written for PyTorch
  for (const TrainCase& c : train_cases) {
    std::fprintf(stderr, "timing %s...\n", c.name.c_str());
    std::string dir = inputs_root.empty() ? "" : inputs_root + "/" + c.name;
    try {
      ours_train[c.name] = time_training(c, threads, train_runs, dir);
    } catch (const std::exception& e) {
      if (dir.empty()) throw;
      std::fprintf(stderr, "attnscope-bench: cannot write %s (%s); PyTorch skips %s\n", dir.c_str(),
                   e.what(), c.name.c_str());
      ours_train[c.name] = time_training(c, threads, train_runs, "");
      dir.clear();
    }
    if (!dir.empty()) train_dirs.push_back(dir);
  }

  std::map<std::string, TorchResult> torch;
  std::string torch_version = "not run";
  if (with_torch) {
    const std::string python =
        "/usr/bin/python3 '" + std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/reference/";
    const std::string common =
        "' --threads " + std::to_string(threads) + " --runs " + std::to_string(runs);
    // Each script once per OpenBLAS build; per case the faster median is kept.
    std::vector<BlasBuild> builds = installed_blas_builds();
    if (builds.empty()) builds.push_back({"default", ""});
    auto keep_best = [&](const std::map<std::string, TorchResult>& results,
                         const BlasBuild& build) {
      for (const auto& [name, result] : results) {
        auto it = torch.find(name);
        if (it == torch.end() || result.timing.median_ms < it->second.timing.median_ms) {
          torch[name] = result;
          torch[name].blas = build.label;
        }
      }
    };
    for (const BlasBuild& build : builds) {
      const std::string env = build.dir.empty() ? "" : "LD_LIBRARY_PATH='" + build.dir + "' ";
      if (!cases.empty()) {
        keep_best(run_torch(env + python + "bench_torch.py" + common + " --only " + names,
                            &torch_version),
                  build);
      }
      if (!train_dirs.empty() && torch_version.rfind("unavailable", 0) != 0) {
        std::string command = env + python + "train_bench_torch.py' --threads " +
                              std::to_string(threads) + " --runs " + std::to_string(train_runs);
        for (const std::string& dir : train_dirs)
          command += " '" + dir + "'";
        keep_best(run_torch(command, &torch_version), build);
      }
      if (torch_version.rfind("unavailable", 0) == 0) break;
    }
  }
  if (remove_inputs) {
    std::error_code ignored;
    std::filesystem::remove_all(inputs_root, ignored);
  }

  std::printf(
      "attnscope-bench: %d thread%s, median and minimum after warm-up (at least 3 runs "
      "and 1 s)\n",
      threads, threads == 1 ? "" : "s");
  std::printf("PyTorch: %s\n", torch_version.c_str());
  std::printf("plain Eigen GEMM 512x512 * 512x2048 here: %.1f GFLOP/s", gemm);
  if (threads > 1) std::printf(" (one core: %.1f GFLOP/s)", gemm_one_core);
  std::printf("\n");
  if (!cases.empty()) {
    std::printf("\ninference, %d runs", runs);
    if (selected(only, "long")) std::printf(" (long: %d runs)", std::max(5, runs / 3));
    std::printf("\n");
    std::printf("%-12s %12s %10s %9s %7s %13s %10s %9s  %s\n", "case", "ours median", "ours min",
                "GFLOP/s", "% GEMM", "torch median", "torch min", "speed-up", "BLAS");
  }
  for (const Case& c : cases) {
    const Timing& t = ours[c.name];
    const double gflops = (c.greedy ? greedy_flops(c) : trace_flops(c)) / (t.median_ms * 1e6);
    std::printf("%-12s %9.3f ms %7.3f ms %9.1f %6.0f%%", c.name.c_str(), t.median_ms, t.min_ms,
                gflops, 100.0 * gflops / gemm);
    auto it = torch.find(c.name);
    if (it != torch.end()) {
      const Timing& p = it->second.timing;
      std::printf(" %10.3f ms %7.3f ms %8.2fx  %s\n", p.median_ms, p.min_ms,
                  p.median_ms / t.median_ms, it->second.blas.c_str());
    } else {
      std::printf(" %13s %10s %9s\n", "-", "-", "-");
    }
  }
  if (!train_cases.empty()) {
    std::printf(
        "\ntraining step (forward + backward + clip_gradients(%.1f) + AdamW, label smoothing "
        "%.1f), %d steps;\ntokens/s = target tokens (non-pad tgt_out entries) per second, from "
        "the median\n",
        kMaxGradNorm, kLabelSmoothing, train_runs);
    std::printf("%-12s %6s %12s %10s %10s %13s %10s %10s %9s  %s\n", "case", "tokens",
                "ours median", "ours min", "tokens/s", "torch median", "torch min", "tokens/s",
                "speed-up", "BLAS");
  }
  for (const TrainCase& c : train_cases) {
    const TrainResult& r = ours_train[c.name];
    const Timing& t = r.timing;
    std::printf("%-12s %6d %9.3f ms %7.3f ms %10.0f", c.name.c_str(), r.tokens, t.median_ms,
                t.min_ms, r.tokens / (t.median_ms * 1e-3));
    auto it = torch.find(c.name);
    if (it != torch.end()) {
      const Timing& p = it->second.timing;
      std::printf(" %10.3f ms %7.3f ms %10.0f %8.2fx  %s\n", p.median_ms, p.min_ms,
                  r.tokens / (p.median_ms * 1e-3), p.median_ms / t.median_ms,
                  it->second.blas.c_str());
    } else {
      std::printf(" %13s %10s %10s %9s\n", "-", "-", "-", "-");
    }
  }
  if (!train_cases.empty()) {
    std::printf("\nfirst-step loss, same initial weights and batch (tolerance %.0e relative):\n",
                kLossTolerance);
  }
  for (const TrainCase& c : train_cases) {
    const TrainResult& r = ours_train[c.name];
    std::printf("%-12s pairs %d, lengths %d-%d: ours %.6f", c.name.c_str(), c.pairs, c.min_len,
                c.max_len, r.first_loss);
    auto it = torch.find(c.name);
    if (it != torch.end() && !std::isnan(it->second.first_loss)) {
      const double theirs = it->second.first_loss;
      const double relative = std::abs(r.first_loss - theirs) / std::abs(theirs);
      std::printf(", torch %.6f, relative difference %.1e %s\n", theirs, relative,
                  relative <= kLossTolerance ? "(agree)" : "(DIFFER)");
    } else {
      std::printf(", torch -\n");
    }
  }
  std::printf("\nspeed-up = torch median / ours median");
  std::printf(cases.empty() ? ".\n" : "; GFLOP/s from the median.\n");
  return 0;
}
