// attnscope-train end to end: it learns, a stopped run resumes to exactly the same model,
// Ctrl-C saves a loadable checkpoint, SIGKILL at any moment (even mid-save) loses nothing, a
// full disk is reported while the last checkpoint stays whole, a checkpoint never writes
// through a link planted beside the model, and bad input is refused with a clear message while
// nothing already on disk is touched.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/config.h"
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

ToolRun train(const std::string& arguments) {
  return run_tool(ATTNSCOPE_TRAIN, arguments);
}

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

// Starts attnscope-train with `arguments`, its output going to `log`, and returns its pid.
// `in_child` runs in the new process before the trainer replaces it (getpid() there is the
// trainer's pid).
pid_t start_trainer(const std::vector<std::string>& arguments, const std::string& log,
                    const std::function<void()>& in_child = {}) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (in_child) in_child();
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv{const_cast<char*>(ATTNSCOPE_TRAIN)};
    for (const std::string& argument : arguments)
      argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execv(ATTNSCOPE_TRAIN, argv.data());
    _exit(127);
  }
  return pid;
}

// Entries beside the run directories that a checkpoint leaves while it is being written.
std::vector<std::string> leftovers(const std::string& dir, const std::string& run) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(run + ".tmp.", 0) == 0 || name == run + ".old") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The staging directory (`out.tmp.<pid>.XXXXXX`) trainer `pid` has beside `out`, or "".
std::string staging_dir(const std::string& out, pid_t pid) {
  const fs::path base(out);
  const std::string prefix = base.filename().string() + ".tmp." + std::to_string(pid) + ".";
  std::error_code error;
  for (fs::directory_iterator it(base.parent_path(), error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().filename().string().rfind(prefix, 0) == 0) return it->path().string();
  }
  return "";
}

}  // namespace

TEST_CASE("training on copy learns the task and writes a loadable model") {
  const std::string out = fresh("copy");
  const ToolRun run =
      train("--task copy --out '" + out + "' --steps 300 --eval-every 100 --lr 3e-3" + kTiny);
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
  CHECK(read_file(whole + "/optimizer.safetensors") == read_file(parts + "/optimizer.safetensors"));
  CHECK(state(whole)["history"].size() == state(parts)["history"].size());

  // A resumed run keeps its recipe.
  const ToolRun changed = train("--resume '" + parts + "' --lr 0.1");
  CHECK(changed.status == 2);
  CHECK(changed.err.find("--lr cannot change when resuming") != std::string::npos);
}

TEST_CASE("Ctrl-C saves a last checkpoint that resumes") {
  const std::string out = fresh("interrupted");
  const std::string command = "'" + std::string(ATTNSCOPE_TRAIN) + "' --task copy --out '" + out +
                              "' --steps 1000000 --eval-every 1000000" + kTiny;
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
    const ToolRun run =
        train("--task pairs:'" + file + "' --max-positions 8 --out '" + fresh("o4") + "'");
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
    const ToolRun run =
        train("--resume '" + std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/random-en-fr'");
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

TEST_CASE("SIGKILL at any moment, even mid-checkpoint, loses nothing") {
  // A checkpoint at every step of a tiny model, so that most of the run is spent saving; the
  // trainer is killed 20 times, at seeded random moments, half of them after a save has begun
  // (its staging directory holds a file). After each kill the output directory, if there is
  // one yet, must be a whole model at a step no earlier than before; the next run resumes it.
  // In the end the run, resumed once more, must equal bit for bit a run never interrupted.
  const std::string out = fresh("killed");
  const std::string log = kTmp + "/killed.log";
  const std::vector<std::string> recipe = {
      "--task",       "copy", "--steps",   "100000", "--layers", "1", "--d-model",     "16",
      "--heads",      "2",    "--d-ff",    "32",     "--batch",  "8", "--train-count", "200",
      "--eval-count", "2",    "--threads", "1",      "--quiet"};
  const auto fresh_run = [&](const std::string& dir, std::vector<std::string> extra) {
    std::vector<std::string> arguments = recipe;
    arguments.insert(arguments.end(), {"--out", dir});
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  };
  std::mt19937 random(20240611);
  int last_step = 0;
  int cut_saves = 0;      // kills that left a staging directory: a save was cut short
  int cut_deletions = 0;  // of those, after the exchange, while the old checkpoint was deleted
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    const bool resume = fs::exists(out + "/train.json");
    const pid_t pid = start_trainer(resume ? std::vector<std::string>{"--resume", out, "--quiet"}
                                           : fresh_run(out, {"--eval-every", "1"}),
                                    log);
    if (round % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 400'000));
    } else {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      std::error_code ignored;
      for (std::string staging = staging_dir(out, pid);
           staging.empty() || fs::is_empty(staging, ignored) || ignored;
           staging = staging_dir(out, pid)) {
        int status = 0;
        REQUIRE_MESSAGE(waitpid(pid, &status, WNOHANG) == 0, read_whole_file(log));
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      // Within the save: at once, or a little later (a save takes from about a millisecond
      // on tmpfs to tens of milliseconds where fsync reaches a disk).
      const int most = round % 4 == 1 ? 1'000 : 30'000;
      std::this_thread::sleep_for(std::chrono::microseconds(random() % most));
    }
    REQUIRE(kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO(read_whole_file(log));
    REQUIRE(WIFSIGNALED(status));
    const std::string staging = staging_dir(out, pid);
    if (!staging.empty()) {
      ++cut_saves;
      // A staging directory with an older train.json than the model's is the previous
      // checkpoint, exchanged out and being deleted.
      if (fs::exists(staging + "/train.json") && fs::exists(out + "/train.json") &&
          state(staging)["step"].get<int>() < state(out)["step"].get<int>()) {
        ++cut_deletions;
      }
    }
    if (!fs::exists(out)) {
      CHECK(last_step == 0);
      continue;
    }
    CHECK_NOTHROW(load_model_dir(out));
    CHECK(fs::exists(out + "/optimizer.safetensors"));
    const int step = state(out)["step"].get<int>();
    CHECK(step >= last_step);
    last_step = step;
  }
  MESSAGE("20 kills, " << cut_saves << " of them during a save (" << cut_deletions
                       << " after the exchange); the run reached step " << last_step);
  CHECK(cut_saves > 0);

  // The next run removes what the killed ones left, and continues from the last checkpoint.
  const int stop = last_step + 2;
  const std::vector<std::string> finish =
      last_step > 0
          ? std::vector<std::string>{"--resume", out, "--quiet", "--stop-at", std::to_string(stop)}
          : fresh_run(out, {"--eval-every", "1", "--stop-at", std::to_string(stop)});
  int status = 0;
  REQUIRE(waitpid(start_trainer(finish, log), &status, 0) > 0);
  INFO(read_whole_file(log));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(state(out)["step"] == stop);
  CHECK(leftovers(kTmp, "killed").empty());

  // Nothing was lost: the same steps without interruption (and without the checkpoints in
  // between, which do not change the training) give the same bytes.
  const std::string whole = fresh("unkilled");
  REQUIRE(waitpid(start_trainer(fresh_run(whole, {"--eval-every", "1000000", "--stop-at",
                                                  std::to_string(stop)}),
                                log),
                  &status, 0) > 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(read_file(out + "/model.safetensors") == read_file(whole + "/model.safetensors"));
  CHECK(read_file(out + "/optimizer.safetensors") == read_file(whole + "/optimizer.safetensors"));
}

TEST_CASE("what an interrupted save leaves beside the model is cleaned up by the next run") {
  const std::string out = fresh("recovered");
  const std::string tiny =
      " --task copy --layers 1 --d-model 16 --heads 2 --d-ff 32 --batch 8"
      " --train-count 200 --eval-count 2 --threads 1 --quiet --steps 100";
  REQUIRE(train("--out '" + out + "' --stop-at 2" + tiny).status == 0);
  // On a file system without an atomic exchange, a save cut between its two renames leaves
  // the last checkpoint as out.old and no out; staging directories of a dead process remain
  // (no pid reaches 999999999), as this version names them and as earlier ones did; those of
  // a live process (this one) may be in use and stay.
  fs::rename(out, out + ".old");
  fs::create_directories(out + ".tmp.999999999.dE4d0x/partial");
  fs::create_directories(out + ".tmp.999999999/partial");
  const std::string own = ".tmp." + std::to_string(getpid());
  fs::create_directories(out + own + ".L1veXy");
  fs::create_directories(out + own);
  const ToolRun run = train("--resume '" + out + "' --stop-at 3 --quiet");
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.err.find("restored '" + out + "' from '" + out +
                     ".old', left by an interrupted checkpoint") != std::string::npos);
  CHECK(state(out)["step"] == 3);
  CHECK(leftovers(kTmp, "recovered") ==
        std::vector<std::string>{"recovered" + own, "recovered" + own + ".L1veXy"});
  fs::remove_all(out + own);
  fs::remove_all(out + own + ".L1veXy");
}

TEST_CASE("a checkpoint never writes through links planted at predictable staging names") {
  // Before a save, links stand where the staging directory was once made (out.tmp.<pid>, with
  // the trainer's own pid and those around it), to a directory outside and to a name that does
  // not exist yet. The trainer stages elsewhere; the links and what they point to stay as they
  // were.
  const std::string dir = fresh("planted");
  fs::create_directories(dir);
  const std::string out = dir + "/run";
  const std::string victim = fresh("planted-victim");
  fs::create_directories(victim);
  write_file_atomic(victim + "/keep.txt", "keep");
  const std::string absent = kTmp + "/planted-absent";
  fs::remove_all(absent);
  const std::string tiny =
      " --task copy --layers 1 --d-model 16 --heads 2 --d-ff 32 --batch 8"
      " --train-count 200 --eval-count 2 --threads 1 --quiet --steps 100 --eval-every 1";
  std::vector<std::string> arguments = {"--out", out, "--stop-at", "3"};
  std::istringstream words(tiny);
  for (std::string word; words >> word;)
    arguments.push_back(word);
  const std::string log = kTmp + "/planted.log";
  const auto link_name = [&](pid_t pid) { return out + ".tmp." + std::to_string(pid); };
  const pid_t pid = start_trainer(arguments, log, [&] {
    umask(022);
    const pid_t self = getpid();
    for (pid_t other = std::max(1, self - 5); other <= self + 5; ++other) {
      const std::string& target = other % 2 == self % 2 ? victim : absent;
      if (symlink(target.c_str(), link_name(other).c_str()) != 0) _exit(126);
    }
  });
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO(read_whole_file(log));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(state(out)["step"] == 3);
  CHECK_NOTHROW(load_model_dir(out));
  // Made fresh by mkdtemp (0700), the model directory still gets what mkdir would give it.
  CHECK((fs::status(out).permissions() & fs::perms::all) == static_cast<fs::perms>(0755));
  CHECK((fs::status(out + "/model.safetensors").permissions() & fs::perms::all) ==
        static_cast<fs::perms>(0644));
  size_t links = 0;
  for (pid_t other = std::max(1, pid - 5); other <= pid + 5; ++other, ++links) {
    CAPTURE(other);
    REQUIRE(fs::is_symlink(link_name(other)));
    CHECK(fs::read_symlink(link_name(other)).string() == (other % 2 == pid % 2 ? victim : absent));
  }
  CHECK(read_file(victim + "/keep.txt") == "keep");
  CHECK(std::distance(fs::directory_iterator(victim), fs::directory_iterator()) == 1);
  CHECK_FALSE(fs::exists(absent));
  // The model and the links: no staging directory is left.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) ==
        static_cast<std::ptrdiff_t>(links + 1));
  fs::remove_all(dir);
}

TEST_CASE("--max-vocab is bounded by the largest vocabulary a model config accepts") {
  // --dtype is read right after --max-vocab, so a bad one stops the run before any work
  // and shows that --max-vocab was accepted.
  const std::string out = fresh("vocab");
  const std::string limit = std::to_string(limits::kMaxVocab);
  const std::string above = std::to_string(limits::kMaxVocab + 1);
  const ToolRun over =
      train("--task copy --out '" + out + "' --max-vocab " + above + " --dtype f8" + kTiny);
  CHECK(over.status == 2);
  CHECK(over.err.find("--max-vocab expects an integer from 5 to " + limit + ", got '" + above +
                      "'") != std::string::npos);
  const ToolRun at =
      train("--task copy --out '" + out + "' --max-vocab " + limit + " --dtype f8" + kTiny);
  CHECK(at.status == 2);
  CHECK(at.err.find("--dtype expects f32 or f16, got 'f8'") != std::string::npos);
  CHECK(at.err.find("--max-vocab") == std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("a full disk during a checkpoint gives a message and keeps the last checkpoint") {
  // A small tmpfs mounted in a private mount namespace (unshare -m), holding one checkpoint
  // and too little room for a second. Where namespaces are not allowed (an unprivileged CI
  // runner), the case says so and is skipped.
  const std::string dir = fresh("fulldisk");
  const std::string mount = dir + "/fs";
  const std::string copy = dir + "/after";
  fs::create_directories(mount);
  const std::string seed = dir + "/seed";
  const std::string tiny =
      " --task copy --layers 1 --d-model 16 --heads 2 --d-ff 32 --batch 8"
      " --train-count 200 --eval-count 2 --threads 1 --quiet --steps 100"
      " --eval-every 1";
  REQUIRE(train("--out '" + seed + "' --stop-at 2" + tiny).status == 0);
  // The checkpoint takes about 120 KB of tmpfs pages; 160 KB leaves room for part of another.
  const std::string script = "mount -t tmpfs -o size=160k tmpfs '" + mount +
                             "' || exit 99; cp -r '" + seed + "' '" + mount + "/run' && '" +
                             ATTNSCOPE_TRAIN + "' --resume '" + mount +
                             "/run' --stop-at 4 --quiet; status=\\$?; cp -r '" + mount + "/run' '" +
                             copy + "'; ls -a '" + mount + "' >&2; exit \\$status";
  if (!fs::exists("/usr/bin/unshare")) {
    MESSAGE("full-disk case skipped: no /usr/bin/unshare (util-linux)");
    return;
  }
  const ToolRun run = run_tool("/usr/bin/unshare", "-m sh -c \"" + script + "\"");
  if (run.status == 99 || run.err.find("unshare failed") != std::string::npos) {
    MESSAGE("full-disk case skipped: " << run.err);
    return;
  }
  INFO(run.err);
  CHECK(run.status == 1);
  CHECK(run.err.find("attnscope-train: cannot write '" + mount + "/run.tmp.") != std::string::npos);
  CHECK(run.err.find(": No space left on device") != std::string::npos);
  // The listing of the tmpfs: the model, and no staging directory.
  CHECK(run.err.find("run.tmp.") == run.err.rfind("run.tmp."));  // only in the message
  CHECK_NOTHROW(load_model_dir(copy));
  CHECK(state(copy)["step"] == 2);
  CHECK(fs::is_empty(mount));  // the tmpfs was the namespace's alone
}
