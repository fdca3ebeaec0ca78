// attnscope: the desktop app, and `attnscope export` for its pictures from the command line.
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

#include "about.h"
#include "args.h"
#include "gui/app.h"
#include "gui/batch.h"

namespace {

constexpr const char* kUsage = R"(usage: attnscope [options]          open the window
       attnscope export --help         export views from the command line

  --model DIR          open this model directory (default: the last one, or the bundled toy-en-fr)
  --text "..."         start with this sentence (default: the last one)
  --settings FILE      settings file (default: ~/.config/attnscope/settings.json)
  --no-settings        start from the defaults and do not save settings
  --export-dir DIR     where exports go (default: the last one, or the current folder)
  --size WxH           window size, from 320x240 to 8192x8192
  --profile            print recomputation and frame timings
  --frames N           close after N frames (with --screenshot FILE: save the window first)
  --screenshot FILE
  --version            print the version and the commit it was built from
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace attnscope;
  if (argc > 1 && std::strcmp(argv[1], "export") == 0) return run_batch_export(argc, argv, 2);
  try {
    const Args args = Args::parse(
        argc, argv, 1, {"model", "text", "settings", "export-dir", "size", "frames", "screenshot"},
        {"no-settings", "profile", "help", "version"});
    if (args.has("help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (args.has("version")) {
      std::printf("%s\n", version_line("attnscope").c_str());
      return 0;
    }
    if (!args.positional.empty())
      throw InputError("unexpected argument '" + args.positional.front() + "' (see --help)");
    AppOptions options;
    options.model_dir = args.get("model");
    options.has_text = args.has("text");
    options.text = args.get("text");
    options.settings_path = args.get("settings");
    options.use_settings = !args.has("no-settings");
    options.export_dir = args.get("export-dir");
    options.profile = args.has("profile");
    options.quit_after_frames = static_cast<int>(args.get_int("frames", 0, 1, 1 << 30));
    options.screenshot = args.get("screenshot");
    if (!options.screenshot.empty() && options.quit_after_frames == 0)
      throw InputError("--screenshot needs --frames N");
    if (args.has("size")) {
      const SizeArg size = parse_size(args.get("size"));
      options.width = size.width;
      options.height = size.height;
    }
    return run_app(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope: %s\n", e.what());
    return 2;
  }
}
