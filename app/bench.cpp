// attnscope-bench: times a full Trace and greedy decoding on model sizes from toy to long,
// and prints them beside PyTorch's times for the same configurations, measured in the same
// run by tests/reference/bench_torch.py. A benchmark, never a pass/fail test.
#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "attnscope/decode.h"
#include "attnscope/model.h"

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

struct Timing {
  double median_ms = 0, min_ms = 0;
};

// Warm-up runs `warmup` times and for at least a second: on a virtual machine an idle
// second core and the caches take a while to come up to speed.
Timing time_runs(int warmup, int runs, const std::function<void()>& body) {
  const auto warm_until = Clock::now() + std::chrono::seconds(1);
  for (int i = 0; i < warmup || Clock::now() < warm_until; ++i) body();
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

Config case_config(const Case& c) {
  Config config;
  config.d_model = c.d_model;
  config.nhead = c.heads;
  config.num_encoder_layers = c.layers;
  config.num_decoder_layers = c.layers;
  config.dim_feedforward = c.d_ff;
  config.src_vocab_size = c.vocab;
  config.tgt_vocab_size = c.vocab;
  config.max_positions = 512;
  return config;
}

std::vector<int> random_ids(int n, int vocab, std::mt19937& rng) {
  std::uniform_int_distribution<int> dist(4, vocab - 1);
  std::vector<int> ids(n);
  for (int& id : ids)
    id = dist(rng);
  return ids;
}

// GFLOP/s of one plain Eigen product of the size that dominates the base model.
double gemm_gflops(int runs) {
  Matrix a = Matrix::Random(512, 512), w = Matrix::Random(2048, 512), out(512, 2048);
  const Timing t = time_runs(3, runs, [&] { out.noalias() = a * w.transpose(); });
  return 2.0 * 512 * 512 * 2048 / (t.min_ms * 1e6);
}

std::map<std::string, Timing> run_torch(const std::string& script, int threads, int runs,
                                        const std::string& only, std::string* version) {
  std::map<std::string, Timing> out;
  const std::string command = "/usr/bin/python3 '" + script + "' --threads " +
                              std::to_string(threads) + " --runs " + std::to_string(runs) +
                              " --only " + only;
  std::fprintf(stderr, "running: %s\n", command.c_str());
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe)) {
    try {
      const auto json = nlohmann::json::parse(line);
      out[json.at("name").get<std::string>()] = {json.at("median_ms").get<double>(),
                                                 json.at("min_ms").get<double>()};
      if (json.contains("torch")) *version = json.at("torch").get<std::string>();
    } catch (const std::exception&) {
      // Not a result line; bench_torch.py prints progress on stderr only.
    }
  }
  pclose(pipe);
  return out;
}

// A Trace of a long sentence holds hundreds of MB in a few large matrices. glibc maps each
// such block fresh from the kernel and returns it on free, so every new Trace would pay for
// page faults and zeroing again; keeping them in the heap lets the next Trace reuse the pages.
void keep_large_buffers_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, runs = 30;
  std::string only;
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
    } else {
      std::printf(
          "usage: attnscope-bench [--threads N] [--runs N] [--only toy,small,...] [--no-torch]\n"
          "cases: toy small base long greedy_toy greedy_base\n");
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  std::vector<Case> cases;
  for (const Case& c : kCases) {
    if (only.empty() || ("," + only + ",").find("," + c.name + ",") != std::string::npos) {
      cases.push_back(c);
    }
  }
  if (cases.empty()) {
    std::fprintf(stderr, "attnscope-bench: no case matches --only %s\n", only.c_str());
    return 2;
  }
  std::string names;
  for (const Case& c : cases)
    names += (names.empty() ? "" : ",") + c.name;

  set_num_threads(threads);
  omp_set_num_threads(threads);  // for the plain GEMM reference below
  keep_large_buffers_in_heap();
  const double gemm = gemm_gflops(runs);
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

  std::map<std::string, Timing> torch;
  std::string torch_version = "not run";
  if (with_torch) {
    torch = run_torch(std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/reference/bench_torch.py",
                      threads, runs, names, &torch_version);
    if (torch.empty()) torch_version = "unavailable (needs /usr/bin/python3 with torch)";
  }

  std::printf(
      "attnscope-bench: %d thread%s, median and minimum of %d runs after warm-up "
      "(long: %d runs)\n",
      threads, threads == 1 ? "" : "s", runs, std::max(5, runs / 3));
  std::printf("PyTorch: %s\n", torch_version.c_str());
  std::printf("plain Eigen GEMM 512x512 * 512x2048 here: %.1f GFLOP/s\n\n", gemm);
  std::printf("%-12s %12s %10s %9s %7s %13s %10s %9s\n", "case", "ours median", "ours min",
              "GFLOP/s", "% GEMM", "torch median", "torch min", "speed-up");
  for (const Case& c : cases) {
    const Timing& t = ours[c.name];
    const double gflops = (c.greedy ? greedy_flops(c) : trace_flops(c)) / (t.median_ms * 1e6);
    std::printf("%-12s %9.3f ms %7.3f ms %9.1f %6.0f%%", c.name.c_str(), t.median_ms, t.min_ms,
                gflops, 100.0 * gflops / gemm);
    auto it = torch.find(c.name);
    if (it != torch.end()) {
      std::printf(" %10.3f ms %7.3f ms %8.2fx\n", it->second.median_ms, it->second.min_ms,
                  it->second.median_ms / t.median_ms);
    } else {
      std::printf(" %13s %10s %9s\n", "-", "-", "-");
    }
  }
  std::printf("\nspeed-up = torch median / ours median; GFLOP/s from the median.\n");
  return 0;
}
