// The desktop window: sentence input, translation, model picker, controls, the views and a
// status bar, recomputed live on every keystroke.
#pragma once

#include <string>

namespace attnscope {

struct AppOptions {
  std::string model_dir;  // overrides the remembered model when set
  std::string text;       // overrides the remembered sentence when has_text
  bool has_text = false;
  std::string settings_path;  // empty: default_settings_path()
  bool use_settings = true;   // false: start from defaults and never write the file
  std::string export_dir;     // overrides the remembered export folder when set
  bool profile = false;       // print timings of recomputation and drawing to stderr
  int quit_after_frames = 0;  // > 0: close after this many frames (tests, profiling)
  std::string screenshot;     // with quit_after_frames: save the window here before closing
  int width = 0, height = 0;  // window size; 0: the remembered one
};

// Runs the window until it is closed; returns the process exit status. Returns 3 with a
// message on stderr when there is no display.
int run_app(const AppOptions& options);

}  // namespace attnscope
