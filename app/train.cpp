// attnscope-train: trains an encoder-decoder from scratch on a task (the toy English->French
// language, copy/reverse/sort, or a user's tab-separated corpus) and writes a model directory
// the app and attnscope-cli open. Checkpoints replace the output directory in one step, so it
// always holds a whole model; --resume continues a run exactly where it stopped.
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "about.h"
#include "args.h"
#include "attnscope/checkpoint.h"
#include "attnscope/error.h"
#include "attnscope/evaluate.h"
#include "attnscope/io.h"
#include "attnscope/random.h"
#include "attnscope/safetensors.h"
#include "attnscope/tasks.h"
#include "attnscope/tokenizer.h"
#include "attnscope/train.h"

namespace {

using namespace attnscope;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

const char* kUsage = R"(usage: attnscope-train --task TASK --out DIR [options]
       attnscope-train --resume DIR [--steps N] [--threads N]
       attnscope-train --version

Trains a Transformer encoder-decoder from scratch and writes a model directory to DIR
(config.json, model.safetensors, src_vocab.txt, tgt_vocab.txt, plus train.json and
optimizer.safetensors to resume). DIR is replaced whole at every checkpoint, never left
half-written; Ctrl-C saves a last checkpoint and exits.

tasks:
  toy-en-fr       the toy English->French language, with true word alignments
  copy, reverse, sort
                  sequences of 2 to 12 letters
  pairs:FILE      your corpus: one "source<TAB>target" pair a line, UTF-8; one line in ten
                  (by a hash of the source) is held out for validation

model (defaults depend on the task; see README):
  --layers N          encoder and decoder layers (or --encoder-layers/--decoder-layers)
  --heads N           attention heads
  --d-model N         width of the token states
  --d-ff N            width of the feed-forward layers
  --max-positions N   longest sentence in tokens (default 64, pairs: 128)
  --max-vocab N       most frequent tokens kept per side (default 32000)
  --norm-first        pre-norm layers instead of the paper's post-norm
  --gelu              GELU instead of ReLU
  --case-sensitive    keep upper case (pairs only; generated tasks are lower case)

training:
  --steps N           optimizer updates (default: by task)
  --batch N           sentence pairs per update (default 64)
  --lr X              peak learning rate (default 1e-3), after --warmup N steps (default 400),
                      then a cosine decay to a tenth
  --label-smoothing X (default 0.1)
  --clip X            gradient norm limit (default 1.0)
  --train-count N     generated training pairs (default 200000; generated tasks only)
  --seed N            data order and initial weights (default 1)
  --threads N         threads (default: every core); results depend on the seed and this
  --eval-every N      validate and checkpoint every N steps (default steps / 10)
  --eval-count N      validation pairs (default 500)
  --dtype f32|f16     how model.safetensors stores the weights (default f32); training
                      state stays exact either way
  --no-optimizer-state  once training is complete, leave optimizer.safetensors out of
                      the model (smaller; it can then no longer be resumed)
  --stop-at N         save and stop after update N, as Ctrl-C would (continue later with
                      --resume DIR; the result equals an uninterrupted run)
  --quiet             no progress bar
)";

const std::set<std::string> kValued = {
    "task",  "out",     "resume",     "layers",          "encoder-layers", "decoder-layers",
    "heads", "d-model", "d-ff",       "max-positions",   "max-vocab",      "steps",
    "batch", "lr",      "warmup",     "label-smoothing", "clip",           "train-count",
    "seed",  "threads", "eval-every", "eval-count",      "dtype",          "stop-at"};
const std::set<std::string> kFlags = {"norm-first", "gelu", "case-sensitive", "no-optimizer-state",
                                      "quiet",      "help", "version"};
// What a resumed run may change: everything else is the recipe of the run.
const std::set<std::string> kResumable = {
    "resume", "steps", "threads", "eval-every", "quiet", "no-optimizer-state", "stop-at"};

// The validation set is the same for every run of a task, whatever the training seed.
constexpr uint64_t kEvalSeed = 1;

std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  g_interrupted = true;
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // A second Ctrl-C kills at once: checkpoints are atomic, so nothing can be left half-written.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Everything that defines a run; saved in train.json so that --resume continues it exactly.
struct Recipe {
  std::string task;
  int train_count = 200000;
  uint64_t seed = 1;
  int steps = 0;
  int batch = 64;
  AdamWOptions adamw;
  float label_smoothing = 0.1f;
  float clip = 1.0f;
  int threads = 1;
  int eval_every = 0;
  int eval_count = 500;
  int max_vocab = 32000;
  std::string dtype = "f32";
  Config config;
};

// The shortest decimal that reads back as the same float: 0.001, not 0.0010000000474974513.
double shortest(float value) {
  char text[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  return std::strtod(text, nullptr);
}

Json recipe_to_json(const Recipe& r) {
  return Json{{"task", r.task},
              {"train_count", r.train_count},
              {"seed", r.seed},
              {"steps", r.steps},
              {"batch", r.batch},
              {"lr", shortest(r.adamw.lr)},
              {"warmup", r.adamw.warmup_steps},
              {"beta1", shortest(r.adamw.beta1)},
              {"beta2", shortest(r.adamw.beta2)},
              {"adam_eps", shortest(r.adamw.eps)},
              {"weight_decay", shortest(r.adamw.weight_decay)},
              {"label_smoothing", shortest(r.label_smoothing)},
              {"clip", shortest(r.clip)},
              {"threads", r.threads},
              {"eval_every", r.eval_every},
              {"eval_count", r.eval_count},
              {"max_vocab", r.max_vocab},
              {"dtype", r.dtype}};
}

Recipe recipe_from_json(const Json& j, const Config& config) {
  Recipe r;
  r.task = j.at("task").get<std::string>();
  r.train_count = j.at("train_count").get<int>();
  r.seed = j.at("seed").get<uint64_t>();
  r.steps = j.at("steps").get<int>();
  r.batch = j.at("batch").get<int>();
  r.adamw.lr = j.at("lr").get<float>();
  r.adamw.warmup_steps = j.at("warmup").get<int>();
  r.adamw.beta1 = j.at("beta1").get<float>();
  r.adamw.beta2 = j.at("beta2").get<float>();
  r.adamw.eps = j.at("adam_eps").get<float>();
  r.adamw.weight_decay = j.at("weight_decay").get<float>();
  r.adamw.total_steps = r.steps;
  r.label_smoothing = j.at("label_smoothing").get<float>();
  r.clip = j.at("clip").get<float>();
  r.threads = j.at("threads").get<int>();
  r.eval_every = j.at("eval_every").get<int>();
  r.eval_count = j.at("eval_count").get<int>();
  r.max_vocab = j.at("max_vocab").get<int>();
  r.dtype = j.at("dtype").get<std::string>();
  r.config = config;
  return r;
}

// Where the run stands; saved with every checkpoint.
struct Progress {
  int step = 0;                  // updates taken
  int64_t tokens = 0;            // target tokens trained on
  double seconds = 0;            // training time so far, validation included
  Json history = Json::array();  // one entry per validation
};

bool is_generated(const std::string& task) {
  return task.rfind("pairs:", 0) != 0;
}

int default_steps(const std::string& task) {
  if (task == "toy-en-fr") return 8000;
  if (is_generated(task)) return 3000;
  return 10000;
}

// Model defaults per task: the translation model has enough layers and heads to explore;
// the symbol tasks are small and quick.
void apply_model_options(const Args& args, const std::string& task, Config& c) {
  const bool toy = task == "toy-en-fr";
  const bool symbols = is_generated(task) && !toy;
  const int layers = static_cast<int>(args.get_int("layers", 2, 1, 64));
  c.num_encoder_layers = static_cast<int>(args.get_int("encoder-layers", layers, 1, 64));
  c.num_decoder_layers = static_cast<int>(args.get_int("decoder-layers", layers, 1, 64));
  c.nhead = static_cast<int>(args.get_int("heads", 4, 1, 256));
  c.d_model = static_cast<int>(args.get_int("d-model", symbols ? 64 : 128, 1, 8192));
  c.dim_feedforward = static_cast<int>(args.get_int("d-ff", 4 * c.d_model, 1, 65536));
  c.max_positions =
      static_cast<int>(args.get_int("max-positions", is_generated(task) ? 64 : 128, 2, 4096));
  c.norm_first = args.has("norm-first");
  c.activation = args.has("gelu") ? Activation::kGelu : Activation::kRelu;
  c.positional = Positional::kSinusoidal;
  c.tie_output = false;
  c.lowercase = is_generated(task) || !args.has("case-sensitive");
  if (c.d_model % c.nhead != 0) {
    throw InputError("--d-model " + std::to_string(c.d_model) + " is not divisible by --heads " +
                     std::to_string(c.nhead));
  }
}

std::string preview(const std::string& text) {
  const std::string clean = sanitize_utf8(text);
  return clean.size() <= 60 ? clean : clean.substr(0, 57) + "...";
}

// The pairs as model inputs: source ids end with <eos>, targets are bare (make_batch adds
// <bos> and <eos>). Throws InputError naming the first pair too long for the model.
struct Encoded {
  std::vector<std::vector<int>> src, tgt;
};

Encoded encode_pairs(const std::vector<SentencePair>& pairs, const ModelBundle& bundle,
                     const std::string& task) {
  const Config& c = bundle.model.config();
  const Tokenizer tgt_tokenizer(bundle.tgt_vocab, c.unk_id, c.lowercase);
  Encoded out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::vector<int> src = bundle.source_ids(pairs[i].source);
    std::vector<int> tgt = tgt_tokenizer.encode(pairs[i].target).ids;
    const auto check = [&](size_t length, const char* side, const std::string& text) {
      if (static_cast<int>(length) > c.max_positions) {
        throw InputError(task + ": pair " + std::to_string(i + 1) + ": the " + side + " '" +
                         preview(text) + "' has " + std::to_string(length) +
                         " tokens with its end marker, more than the model's maximum of " +
                         std::to_string(c.max_positions) + " (raise --max-positions)");
      }
    };
    check(src.size(), "source", pairs[i].source);
    check(tgt.size() + 1, "target", pairs[i].target);
    out.src.push_back(std::move(src));
    out.tgt.push_back(std::move(tgt));
  }
  return out;
}

// The order in which epoch `epoch` visits the training pairs: a Fisher-Yates shuffle drawn
// from SplitMix64, the same with every standard library (std::shuffle's is not).
std::vector<int> epoch_order(int count, uint64_t seed, int epoch) {
  std::vector<int> order(count);
  for (int i = 0; i < count; ++i)
    order[i] = i;
  uint64_t state = seed * 0x2545F4914F6CDD1Dull + static_cast<uint64_t>(epoch) + 1;
  for (int i = count - 1; i > 0; --i) {
    const int j = static_cast<int>(splitmix64_next(state) % static_cast<uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

// Batch number `step` (from 0) of the endless sequence of shuffled epochs.
class BatchStream {
 public:
  BatchStream(const Encoded& data, const Recipe& recipe) : data_(data), recipe_(recipe) {}

  Batch at(int step) {
    const int64_t n = static_cast<int64_t>(data_.src.size());
    std::vector<std::vector<int>> src, tgt;
    for (int64_t k = int64_t{step} * recipe_.batch; k < int64_t{step + 1} * recipe_.batch; ++k) {
      const int epoch = static_cast<int>(k / n);
      if (epoch != epoch_) {
        order_ = epoch_order(static_cast<int>(n), recipe_.seed, epoch);
        epoch_ = epoch;
      }
      const int index = order_[static_cast<size_t>(k % n)];
      src.push_back(data_.src[index]);
      tgt.push_back(data_.tgt[index]);
    }
    return make_batch(src, tgt, recipe_.config);
  }

 private:
  const Encoded& data_;
  const Recipe& recipe_;
  int epoch_ = -1;
  std::vector<int> order_;
};

std::string join_path(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool directory_has_entries(const std::string& dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  return !error && it != std::filesystem::directory_iterator();
}

// `out` without trailing slashes: the name its staging directories are made from.
std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

// The staging directory next to `out` that a checkpoint is written into before it replaces
// `out`; creating it up front proves the location is writable before any training. Its name,
// `out.tmp.<pid>.XXXXXX`, is new each time (mkdtemp), so nothing planted beside `out` in
// advance is written into; the pid tells a later run whether its maker still runs.
std::string make_staging_dir(const std::string& out) {
  const std::string pattern =
      without_trailing_slashes(out) + ".tmp." + std::to_string(getpid()) + ".XXXXXX";
  std::string path = pattern;
  if (mkdtemp(path.data()) == nullptr) {
    throw Error("cannot write the model to '" + out + "': cannot create '" + pattern +
                "': " + std::strerror(errno));
  }
  // mkdtemp gives 0700; the model directory this becomes is as readable as one mkdir makes.
  if (chmod(path.c_str(), 0755 & ~current_umask()) != 0) {
    const int error_number = errno;
    rmdir(path.c_str());
    throw Error("cannot write the model to '" + out + "': cannot create '" + path +
                "': " + std::strerror(error_number));
  }
  return path;
}

// The pid in the name of a staging directory beside `out`: `name` is `prefix` (`out.tmp.`)
// then the pid and mkdtemp's six characters (`out.tmp.<pid>.XXXXXX`), or the pid alone as
// earlier versions named it. -1 when `name` is neither.
pid_t staging_pid(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return -1;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto is_alnum = [&](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  const size_t begin = prefix.size();
  size_t end = begin;
  while (end < name.size() && is_digit(name[end]))
    ++end;
  if (end == begin || end - begin > 9) return -1;
  const std::string rest = name.substr(end);
  if (!rest.empty() &&
      (rest.size() != 7 || rest[0] != '.' || !std::all_of(rest.begin() + 1, rest.end(), is_alnum)))
    return -1;
  return static_cast<pid_t>(std::stol(name.substr(begin, end - begin)));
}

// A checkpoint cut short (SIGKILL, a crash, a power cut) leaves `out` whole, but can leave
// beside it a staging directory `out.tmp.<pid>.XXXXXX`, partly written or, after the
// exchange, holding the previous checkpoint; and, on file systems without an atomic exchange,
// the previous checkpoint as `out.old` with `out` missing if the cut came between the two
// renames (see replace_directory). Staging directories of processes that no longer run are
// deleted, so they do not pile up, and `out.old` is put back where `out` is missing, so that
// --resume finds the last checkpoint.
void recover_interrupted_save(const std::string& out) {
  namespace fs = std::filesystem;
  const fs::path base(without_trailing_slashes(out));
  const fs::path parent = base.has_parent_path() ? base.parent_path() : fs::path(".");
  const std::string prefix = base.filename().string() + ".tmp.";
  std::vector<fs::path> stale;
  std::error_code error;
  for (fs::directory_iterator it(parent, error), end; !error && it != end; it.increment(error)) {
    const pid_t pid = staging_pid(it->path().filename().string(), prefix);
    // A process that still runs may be saving into it right now.
    if (pid < 0 || pid == getpid() || kill(pid, 0) == 0 || errno == EPERM) continue;
    // Only a real directory: a link there was not made by a save, nor is what it points to
    // ours to delete.
    std::error_code ignored;
    if (it->symlink_status(ignored).type() == fs::file_type::directory) stale.push_back(it->path());
  }
  for (const fs::path& path : stale) {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  const std::string old = base.string() + ".old";
  struct stat info {};
  if (stat(base.c_str(), &info) != 0 && errno == ENOENT && stat(old.c_str(), &info) == 0 &&
      S_ISDIR(info.st_mode) && std::rename(old.c_str(), base.c_str()) == 0) {
    std::fprintf(stderr, "restored '%s' from '%s', left by an interrupted checkpoint\n",
                 base.c_str(), old.c_str());
  }
}


struct Run {
  Recipe recipe;
  Progress progress;
  Weights weights;
  Vocab src_vocab, tgt_vocab;
  std::string out;
  bool keep_optimizer = true;
};

// Writes the whole run into a staging directory and puts it in the place of run.out.
// `model` is the run's current weights.
void save_checkpoint(Run& run, const AdamW& optimizer, const Model& model) {
  const std::string staged = make_staging_dir(run.out);
  try {
    const Config& config = run.recipe.config;
    const DType dtype = run.recipe.dtype == "f16" ? DType::kF16 : DType::kF32;
    save_model_dir(staged, model, run.src_vocab, run.tgt_vocab, dtype);
    if (run.keep_optimizer) {
      std::vector<std::vector<float>> storage;
      std::vector<TensorRef> refs =
          weight_tensors(optimizer.first_moment(), config, "exp_avg.", storage);
      for (TensorRef& ref : weight_tensors(optimizer.second_moment(), config, "exp_avg_sq.", storage))
        refs.push_back(ref);
      // With an f16 model file the exact weights live here, so a resumed run loses nothing.
      if (dtype != DType::kF32) {
        for (TensorRef& ref : weight_tensors(run.weights, config, "param.", storage))
          refs.push_back(ref);
      }
      write_safetensors(join_path(staged, "optimizer.safetensors"), refs, DType::kF32,
                        {{"steps_taken", std::to_string(optimizer.steps_taken())}});
    }
    Json state{{"format", 1},
               {"recipe", recipe_to_json(run.recipe)},
               {"step", run.progress.step},
               {"tokens", run.progress.tokens},
               {"seconds", run.progress.seconds},
               {"parameters", parameter_count(config)},
               {"history", run.progress.history}};
    write_file_atomic(join_path(staged, "train.json"), state.dump(2) + "\n");
    replace_directory(staged, run.out);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(staged, ignored);
    throw;
  }
}

std::string format_duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

// One line that rewrites itself on a terminal; plain lines now and then otherwise.
class ProgressBar {
 public:
  ProgressBar(bool quiet, int total) : total_(total), quiet_(quiet), tty_(isatty(2) != 0) {}

  void update(int step, double loss, double tokens_per_second, double seconds_left) {
    if (quiet_) return;
    const auto now = Clock::now();
    const bool last = step == total_;
    if (tty_) {
      if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
    } else if (!last && step % std::max(1, total_ / 20) != 0) {
      return;
    }
    last_draw_ = now;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::lround(kWidth * double(step) / total_));
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "%sstep %*d/%d [%s] %3d%%  loss %.4f  %.1fk tok/s  %s left%s",
                 tty_ ? "\r" : "", static_cast<int>(std::to_string(total_).size()), step, total_,
                 bar.c_str(), static_cast<int>(100.0 * step / total_), loss,
                 tokens_per_second / 1000.0, format_duration(seconds_left).c_str(),
                 tty_ ? "\033[K" : "\n");
    drawn_ = tty_;
  }
  // Ends the rewritten line so that the next message starts on its own.
  void break_line() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  int total_;
  bool quiet_, tty_;
  bool drawn_ = false;
  Clock::time_point last_draw_{};
};

ModelBundle bundle_of(const Run& run) {
  return ModelBundle{run.out, Model(run.recipe.config, run.weights), run.src_vocab, run.tgt_vocab};
}

Json validate(const ModelBundle& bundle, const Run& run, const std::vector<SentencePair>& pairs,
              double loss) {
  EvalOptions options;
  options.threads = run.recipe.threads;
  options.max_examples = 0;
  const EvalReport report = evaluate(bundle, pairs, options);
  return Json{{"step", run.progress.step},
              {"loss", loss},
              {"exact_match", report.exact_match},
              {"bleu", report.bleu.score}};
}

// A new run from the command line: vocabularies from the training pairs, initial weights.
Run start_run(const Args& args, std::vector<SentencePair>& train_pairs) {
  Run run;
  Recipe& r = run.recipe;
  r.task = args.get("task");
  if (r.task.empty())
    throw InputError("missing --task (toy-en-fr, copy, reverse, sort or pairs:FILE)");
  run.out = args.get("out");
  if (run.out.empty()) throw InputError("missing --out DIR, where the model is written");
  r.train_count = static_cast<int>(args.get_int("train-count", 200000, 1, 50000000));
  r.seed = static_cast<uint64_t>(args.get_int("seed", 1, 0, INT64_MAX));
  r.steps = static_cast<int>(args.get_int("steps", default_steps(r.task), 1, 100000000));
  r.batch = static_cast<int>(args.get_int("batch", 64, 1, 65536));
  r.adamw.lr = static_cast<float>(args.get_double("lr", 1e-3, 1e-8, 10));
  r.adamw.warmup_steps =
      static_cast<int>(args.get_int("warmup", std::min(400, r.steps / 5), 0, 100000000));
  r.adamw.total_steps = r.steps;
  r.label_smoothing = static_cast<float>(args.get_double("label-smoothing", 0.1, 0, 0.99));
  r.clip = static_cast<float>(args.get_double("clip", 1.0, 1e-6, 1e6));
  r.eval_every =
      static_cast<int>(args.get_int("eval-every", std::max(1, r.steps / 10), 1, 100000000));
  r.eval_count = static_cast<int>(args.get_int("eval-count", 500, 1, 1000000));
  r.max_vocab = static_cast<int>(args.get_int("max-vocab", 32000, 5, limits::kMaxVocab));
  r.dtype = args.get("dtype", "f32");
  if (r.dtype != "f32" && r.dtype != "f16") {
    throw InputError("--dtype expects f32 or f16, got '" + r.dtype + "'");
  }
  apply_model_options(args, r.task, r.config);
  recover_interrupted_save(run.out);

  // Refuse before anything is read or trained: an existing directory is never overwritten
  // by a new run.
  struct stat info {};
  if (stat(run.out.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode))
      throw InputError("--out '" + run.out + "' is a file, not a directory");
    if (directory_has_entries(run.out)) {
      throw InputError("--out '" + run.out +
                       "' already exists and is not empty; choose a new directory, or continue "
                       "a run with --resume " +
                       run.out);
    }
  }
  std::filesystem::remove(make_staging_dir(run.out));

  train_pairs = task_pairs(r.task, Split::kTrain, r.train_count, r.seed);
  if (train_pairs.empty()) throw InputError(r.task + ": no training pairs");
  const auto vocabulary = [&](bool target) {
    std::vector<std::string> tokens = build_vocabulary(train_pairs, target);
    if (static_cast<int>(tokens.size()) > r.max_vocab) tokens.resize(r.max_vocab);
    return Vocab(std::move(tokens));
  };
  run.src_vocab = vocabulary(false);
  run.tgt_vocab = vocabulary(true);
  r.config.src_vocab_size = run.src_vocab.size();
  r.config.tgt_vocab_size = run.tgt_vocab.size();
  r.config.validate();
  run.weights = initial_weights(r.config, r.seed);
  return run;
}

// A run continued from its directory: the recipe, the exact weights and the optimizer.
Run resume_run(const Args& args, std::vector<SentencePair>& train_pairs,
               std::unique_ptr<AdamW>& optimizer) {
  for (const auto& [key, value] : args.options) {
    if (kResumable.count(key) == 0) {
      throw InputError("--" + key +
                       " cannot change when resuming: a resumed run keeps the "
                       "recipe in train.json (only --steps, --threads and --eval-every may)");
    }
  }
  Run run;
  run.out = args.get("resume");
  recover_interrupted_save(run.out);
  const std::string state_path = join_path(run.out, "train.json");
  const std::string optimizer_path = join_path(run.out, "optimizer.safetensors");
  if (access(state_path.c_str(), F_OK) != 0 || access(optimizer_path.c_str(), F_OK) != 0) {
    throw InputError("cannot resume '" + run.out +
                     "': it is not a training run (train.json and optimizer.safetensors "
                     "are written by attnscope-train; --no-optimizer-state leaves them out)");
  }
  ModelBundle bundle = load_model_dir(run.out);
  Json state;
  try {
    state = Json::parse(read_file(state_path));
    run.recipe = recipe_from_json(state.at("recipe"), bundle.model.config());
    run.progress.step = state.at("step").get<int>();
    run.progress.tokens = state.at("tokens").get<int64_t>();
    run.progress.seconds = state.at("seconds").get<double>();
    run.progress.history = state.at("history");
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(state_path + ": not a training state this version reads: " + e.what());
  }
  Recipe& r = run.recipe;
  r.steps = static_cast<int>(args.get_int("steps", r.steps, 1, 100000000));
  r.adamw.total_steps = r.steps;
  r.eval_every = static_cast<int>(args.get_int("eval-every", r.eval_every, 1, 100000000));
  run.src_vocab = std::move(bundle.src_vocab);
  run.tgt_vocab = std::move(bundle.tgt_vocab);
  run.weights = bundle.model.weights();

  const SafetensorsFile file = SafetensorsFile::read(optimizer_path);
  if (r.dtype != "f32") read_weights(file, r.config, "param.", run.weights);
  Weights m = allocate_weights(r.config), v = allocate_weights(r.config);
  read_weights(file, r.config, "exp_avg.", m);
  read_weights(file, r.config, "exp_avg_sq.", v);
  optimizer = std::make_unique<AdamW>(r.config, run.weights, r.adamw);
  optimizer->restore(std::move(m), std::move(v), run.progress.step);
  train_pairs = task_pairs(r.task, Split::kTrain, r.train_count, r.seed);
  return run;
}

int train_main(const Args& args) {
  install_signal_handlers();
  const bool resuming = args.has("resume");
  std::vector<SentencePair> train_pairs;
  std::unique_ptr<AdamW> optimizer;
  Run run = resuming ? resume_run(args, train_pairs, optimizer) : start_run(args, train_pairs);
  if (!optimizer)
    optimizer = std::make_unique<AdamW>(run.recipe.config, run.weights, run.recipe.adamw);
  Recipe& r = run.recipe;
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  r.threads = static_cast<int>(args.get_int("threads", resuming ? r.threads : hardware, 1, 1024));

  const ModelBundle tokenizing = bundle_of(run);
  const Encoded data = encode_pairs(train_pairs, tokenizing, r.task);
  const std::vector<SentencePair> valid_pairs =
      task_pairs(r.task, Split::kTest, r.eval_count, kEvalSeed);
  if (valid_pairs.empty()) throw InputError(r.task + ": no validation pairs");
  encode_pairs(valid_pairs, tokenizing, r.task + " (validation)");

  const Config& c = r.config;
  std::fprintf(stderr,
               "%s %s: %d+%d layers, %d heads, d_model %d, d_ff %d, %lld parameters, "
               "vocabularies %d/%d; %zu training pairs, %zu validation pairs; %d threads\n",
               resuming ? "resuming" : "training", r.task.c_str(), c.num_encoder_layers,
               c.num_decoder_layers, c.nhead, c.d_model, c.dim_feedforward,
               static_cast<long long>(parameter_count(c)), c.src_vocab_size, c.tgt_vocab_size,
               train_pairs.size(), valid_pairs.size(), r.threads);
  if (run.progress.step >= r.steps) {
    std::fprintf(stderr, "'%s' has already taken %d of %d steps; nothing to do\n", run.out.c_str(),
                 run.progress.step, r.steps);
    return 0;
  }

  const int stop_at = static_cast<int>(args.get_int("stop-at", r.steps, 1, 100000000));
  BatchStream stream(data, r);
  Weights grads = allocate_weights(c);
  ProgressBar bar(args.has("quiet"), r.steps);
  const auto session_start = Clock::now();
  const int first_step = run.progress.step;
  double train_seconds = 0;  // this session, validation excluded: for the time left
  int64_t session_tokens = 0;
  double loss_average = 0;
  int loss_count = 0;
  const double seconds_before = run.progress.seconds;

  const auto stopping = [&] { return g_interrupted || run.progress.step >= stop_at; };
  while (run.progress.step < r.steps && !stopping()) {
    const auto t0 = Clock::now();
    const Batch batch = stream.at(run.progress.step);
    const LossResult result =
        loss_and_gradients(c, run.weights, batch, r.label_smoothing, grads, r.threads);
    clip_gradients(grads, c, r.clip);
    optimizer->step(run.weights, grads);
    ++run.progress.step;
    run.progress.tokens += result.tokens;
    session_tokens += result.tokens;
    train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    loss_average += result.loss;
    ++loss_count;
    if (!std::isfinite(result.loss)) {
      bar.break_line();
      throw Error("the loss became " + std::to_string(result.loss) + " at step " +
                  std::to_string(run.progress.step) + "; lower --lr (the last checkpoint in '" +
                  run.out + "' is intact)");
    }
    const int done = run.progress.step - first_step;
    const double per_step = train_seconds / done;
    run.progress.seconds =
        seconds_before + std::chrono::duration<double>(Clock::now() - session_start).count();
    bar.update(run.progress.step, loss_average / loss_count, session_tokens / train_seconds,
               per_step * (r.steps - run.progress.step));

    const bool last = run.progress.step == r.steps;
    if (run.progress.step % r.eval_every == 0 || last) {
      const double loss = loss_average / loss_count;
      loss_average = 0;
      loss_count = 0;
      const ModelBundle bundle = bundle_of(run);
      Json entry = validate(bundle, run, valid_pairs, loss);
      run.progress.seconds =
          seconds_before + std::chrono::duration<double>(Clock::now() - session_start).count();
      entry["seconds"] = run.progress.seconds;
      run.progress.history.push_back(entry);
      save_checkpoint(run, *optimizer, bundle.model);
      bar.break_line();
      std::fprintf(stderr, "step %d: loss %.4f, validation exact match %.1f%%, BLEU %.2f (%s)\n",
                   run.progress.step, loss, 100.0 * entry["exact_match"].get<double>(),
                   entry["bleu"].get<double>(), format_duration(run.progress.seconds).c_str());
    }
  }
  if (stopping() && run.progress.step < r.steps) {
    bar.break_line();
    save_checkpoint(run, *optimizer, Model(r.config, run.weights));
    std::fprintf(stderr,
                 "%s at step %d of %d: saved '%s'; continue with attnscope-train --resume %s\n",
                 g_interrupted ? "interrupted" : "stopped", run.progress.step, r.steps,
                 run.out.c_str(), run.out.c_str());
    return g_interrupted ? 130 : 0;
  }
  if (args.has("no-optimizer-state")) {
    run.keep_optimizer = false;
    save_checkpoint(run, *optimizer, Model(r.config, run.weights));
  }
  std::fprintf(stderr, "trained %d steps in %s (%.1fk target tokens/s); wrote '%s'\n", r.steps,
               format_duration(run.progress.seconds).c_str(),
               session_tokens / std::max(train_seconds, 1e-9) / 1000.0, run.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Each step allocates gradient buffers as large as the model; glibc would map every one
  // fresh from the kernel (page faults and zeroing each step) above its 32 MB ceiling.
  // Keeping them in the heap lets the next step reuse the pages.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  try {
    const Args args = Args::parse(argc, argv, 1, kValued, kFlags);
    if (args.has("help") || argc == 1) {
      std::fputs(kUsage, argc == 1 ? stderr : stdout);
      return argc == 1 ? 2 : 0;
    }
    if (args.has("version")) {
      std::printf("%s\n", version_line("attnscope-train").c_str());
      return 0;
    }
    if (!args.positional.empty()) {
      throw InputError("unexpected argument '" + args.positional.front() + "' (see --help)");
    }
    return train_main(args);
  } catch (const InputError& e) {
    std::fprintf(stderr, "attnscope-train: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope-train: %s\n", e.what());
    return 1;
  }
}
