// The settings file: the last sentence, model, view and display settings, restored at the
// next start. JSON in $XDG_CONFIG_HOME/attnscope/settings.json (~/.config/attnscope when
// XDG_CONFIG_HOME is unset), written whole or not at all.
#pragma once

#include <chrono>
#include <string>

#include "views/app_state.h"

namespace attnscope {

// What the app remembers besides the AppState.
struct Settings {
  AppState state;
  int export_scale = 1;    // 1, 2 or 4
  std::string export_dir;  // empty: the current directory
  int window_width = 1400, window_height = 900;
};

std::string default_settings_path();

// Reads `path` into `settings`, keeping the defaults for anything missing or out of range.
// Returns false and sets *warning when the file exists but cannot be used (damaged JSON, a
// wrong type); a missing file is not a warning.
bool load_settings(const std::string& path, Settings* settings, std::string* warning);
// As load_settings, from a settings file's contents already in memory: returns false and
// sets *warning to the reason, leaving *settings as it was, when the text cannot be used.
// Never throws on any text.
bool parse_settings(const std::string& text, Settings* settings, std::string* warning);

// Throws Error naming the path and the reason when the file cannot be written.
void save_settings(const std::string& path, const Settings& settings);

std::string settings_json(const Settings& settings);

// Writes the settings to their file when they changed since the last write, looking at most
// once a second (unless forced).
class SettingsWriter {
 public:
  // `saved`: what the file holds now.
  SettingsWriter(std::string path, const Settings& saved);
  // Returns why the file could not be written, once for each content that fails, else "".
  std::string write_if_changed(const Settings& settings, bool force);

 private:
  std::string path_;
  std::string last_written_;
  std::chrono::steady_clock::time_point last_check_ = std::chrono::steady_clock::now();
};

}  // namespace attnscope
