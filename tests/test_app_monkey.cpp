// A monkey at the keyboard and mouse: the real window receives a seeded random stream of key
// presses, typed and pasted text (invalid UTF-8, emoji, CJK, very long strings), clicks and
// drags for over a minute. It must still be running and answering at the end, and its
// memory must not grow without bound.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "app_driver.h"

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
constexpr int kWidth = 1400, kHeight = 900;
// At least a minute; ATTNSCOPE_MONKEY_SECONDS makes it longer (to see memory level off).
int monkey_seconds() {
  const char* env = std::getenv("ATTNSCOPE_MONKEY_SECONDS");
  return std::max(62, env ? std::atoi(env) : 0);
}

// Resident memory of a process in kB (VmRSS), 0 when it is gone.
long resident_kb(pid_t pid) {
  const std::string status = read_whole_file("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmRSS:");
  return at == std::string::npos ? 0 : std::atol(status.c_str() + at + 6);
}

// One random action, as xdotool arguments (several are chained in one xdotool call).
std::string random_action(std::mt19937& rng, const std::string& window, bool* paste,
                          std::string* paste_bytes) {
  static const char* kKeys[] = {"Left",
                                "Right",
                                "Up",
                                "Down",
                                "Tab",
                                "bracketleft",
                                "bracketright",
                                "1",
                                "2",
                                "3",
                                "4",
                                "m",
                                "question",
                                "F1",
                                "Escape",
                                "Return",
                                "BackSpace",
                                "Delete",
                                "Home",
                                "End",
                                "ctrl+a",
                                "ctrl+z",
                                "ctrl+equal",
                                "ctrl+minus",
                                "ctrl+s",
                                "ctrl+shift+s",
                                "ctrl+o",
                                "shift+Tab",
                                "space",
                                "F11",
                                "Page_Down",
                                "Page_Up"};
  static const char* kWords[] = {"the",        "cat",     "does",  "not", "eat", "fish",
                                 ".",          "le",      "chat",  "猫",  "魚",  "😀",
                                 "🐈‍⬛", "ünïcödé", "Ωμέγα", "\t",  "  "};
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const int x = pick(kWidth), y = pick(kHeight);
  const std::string at =
      "mousemove --window " + window + " " + std::to_string(x) + " " + std::to_string(y) + " ";
  switch (pick(10)) {
    case 0:
    case 1:
      return at + "click 1 ";
    case 2:  // drag: a slider, a scroll bar, or nothing
      return at + "mousedown 1 mousemove --window " + window + " " + std::to_string(pick(kWidth)) +
             " " + std::to_string(pick(kHeight)) + " mouseup 1 ";
    case 3:
      return at + (pick(2) ? "click 4 " : "click 5 ");  // wheel
    case 4:
    case 5:
    case 6:
      return std::string("key ") + kKeys[pick(sizeof kKeys / sizeof *kKeys)] + " ";
    case 7: {
      std::string text;
      for (int i = 1 + pick(4); i > 0; --i)
        text += std::string(kWords[pick(sizeof kWords / sizeof *kWords)]) + " ";
      return "type --delay 2 " + quote(text) + " ";
    }
    default: {  // something odd on the clipboard, pasted
      *paste = true;
      switch (pick(4)) {
        case 0:
          *paste_bytes = std::string(1 + pick(3000), 'a' + pick(26));
          break;
        case 1: {
          std::string bytes;
          for (int i = 0; i < 40; ++i)
            bytes += static_cast<char>(pick(256));  // mostly invalid UTF-8, control bytes
          *paste_bytes = bytes;
          break;
        }
        case 2:
          *paste_bytes = "猫が魚を食べる 😀😀😀 \xf0\x9f\x98 \xc3";
          break;
        default: {
          std::string many;
          for (int i = 0; i < 1500; ++i)
            many += "the cat ";
          *paste_bytes = many;
        }
      }
      return "key ctrl+v ";
    }
  }
}

}  // namespace

TEST_CASE("a minute of random keys, text, clicks and drags: still up, answering, bounded") {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/app_monkey";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/out");
  AppWindow app("--settings " + quote(dir + "/settings.json") + " --export-dir " +
                    quote(dir + "/out") + " --model " + quote(kModel) + " --size " +
                    std::to_string(kWidth) + "x" + std::to_string(kHeight),
                dir + "/app.log");
  REQUIRE_MESSAGE(app.found(), "no attnscope window appeared; log:\n" << app.log());
  const std::string window = app.window();
  sleep_ms(500);
  const long rss_start = resident_kb(app.pid());

  std::mt19937 rng(20261201);
  const auto start = std::chrono::steady_clock::now();
  int actions = 0, batches = 0;
  long rss_peak = rss_start;
  const int seconds = monkey_seconds();
  std::string rss_trace;  // resident MB every 15 s
  int next_sample = 15;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(seconds)) {
    std::string chain;
    for (int i = 0; i < 12; ++i) {
      bool paste = false;
      std::string bytes;
      const std::string action = random_action(rng, window, &paste, &bytes);
      chain += action;
      ++actions;
      if (paste) {
        // The clipboard is set before the chain runs, so the last paste of a chain wins.
        write_file(dir + "/clip.bin", bytes);
        shell("xclip -selection clipboard -t UTF8_STRING -i " + quote(dir + "/clip.bin") +
              " >/dev/null 2>&1");
      }
      // xdotool types every word after `type`, so typing ends a chain.
      if (action.rfind("type ", 0) == 0) break;
    }
    shell("xdotool " + chain + ">/dev/null 2>&1");
    ++batches;
    sleep_ms(50);
    REQUIRE_MESSAGE(app.running(), "the app stopped after " << actions << " actions; log:\n"
                                                            << app.log());
    rss_peak = std::max(rss_peak, resident_kb(app.pid()));
    if (std::chrono::steady_clock::now() - start >= std::chrono::seconds(next_sample)) {
      rss_trace += " " + std::to_string(resident_kb(app.pid()) / 1024);
      next_sample += 15;
    }
  }
  const long rss_end = resident_kb(app.pid());
  MESSAGE(actions << " actions in " << batches << " batches over " << seconds
                  << " s; resident memory at start " << rss_start / 1024 << " MB, peak "
                  << rss_peak / 1024 << " MB, end " << rss_end / 1024
                  << " MB; every 15 s:" << rss_trace);
  CHECK(app.running());
  // Bounded: whatever was typed or opened, the memory stays within a small multiple of
  // what the window needs at rest (fonts, textures, one Trace of at most 1,024 words).
  CHECK(rss_end < rss_start + 512 * 1024);

  // Still answering: out of any popup or text box, a whole-window export is attempted and
  // reported (saved, or refused with a reason if the monkey typed a bad export folder).
  const size_t logged = app.log().size();
  app.key("Escape Escape Escape");
  app.click(kWidth / 2, kHeight - 5);  // the status bar: nothing to activate there
  app.key("Escape");
  app.key("ctrl+shift+s");
  bool answered = false;
  for (int i = 0; i < 100 && !answered; ++i) {
    const std::string log = app.log();
    const std::string added = log.size() > logged ? log.substr(logged) : "";
    answered = added.find("attnscope: saved") != std::string::npos ||
               added.find("attnscope: export failed") != std::string::npos;
    sleep_ms(50);
  }
  CHECK_MESSAGE(answered,
                "no answer to Ctrl+Shift+S; log tail:\n"
                    << app.log().substr(app.log().size() > 3000 ? app.log().size() - 3000 : 0));
  CHECK(app.running());
}
