// Reading and writing the settings file (see settings.h).
#include "gui/settings.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/tokenizer.h"

namespace attnscope {

namespace {

using Json = nlohmann::json;

// The longest sentence kept in the file; a pasted book is not worth restoring.
constexpr size_t kMaxSavedText = 100000;

// The value of `key`, or nullptr when it is missing or null (the default stays).
const Json* find_value(const Json& json, const char* key) {
  const auto it = json.find(key);
  return it == json.end() || it->is_null() ? nullptr : &*it;
}

[[noreturn]] void wrong_type(const char* key, const Json& value, const char* expected) {
  throw Error(std::string("'") + key + "' is " + value.type_name() + ", expected " + expected);
}

void read_value(const Json& json, const char* key, std::string* out) {
  const Json* value = find_value(json, key);
  if (!value) return;
  if (!value->is_string()) wrong_type(key, *value, "a string");
  *out = value->get<std::string>();
}

void read_value(const Json& json, const char* key, bool* out) {
  const Json* value = find_value(json, key);
  if (!value) return;
  if (!value->is_boolean()) wrong_type(key, *value, "true or false");
  *out = value->get<bool>();
}

// Numbers beyond int's range (1e30, 2^64) land on its limits: converting them directly is
// undefined behaviour, and parse_settings then brings them back into range.
void read_value(const Json& json, const char* key, int* out) {
  const Json* value = find_value(json, key);
  if (!value) return;
  constexpr int kMin = std::numeric_limits<int>::min(), kMax = std::numeric_limits<int>::max();
  if (value->is_number_unsigned()) {
    *out = static_cast<int>(std::min<uint64_t>(value->get<uint64_t>(), kMax));
  } else if (value->is_number_integer()) {
    *out = static_cast<int>(std::clamp<int64_t>(value->get<int64_t>(), kMin, kMax));
  } else if (value->is_number_float()) {
    const double number = value->get<double>();
    *out = number >= kMax ? kMax : number <= kMin ? kMin : static_cast<int>(number);
  } else {
    wrong_type(key, *value, "a number");
  }
}

// A number beyond float's range becomes an infinity, which parse_settings resets to the default.
void read_value(const Json& json, const char* key, float* out) {
  const Json* value = find_value(json, key);
  if (!value) return;
  if (!value->is_number()) wrong_type(key, *value, "a number");
  const double number = value->get<double>();
  if (std::fabs(number) <= std::numeric_limits<float>::max()) {
    *out = static_cast<float>(number);
  } else {
    *out = std::numeric_limits<float>::infinity() * (number > 0 ? 1.0f : -1.0f);
  }
}

template <typename Enum>
void read_enum(const Json& json, const char* key, bool (*parse)(const std::string&, Enum*),
               Enum* out) {
  std::string text;
  read_value(json, key, &text);
  if (!text.empty()) parse(text, out);  // an unknown name keeps the default
}

}  // namespace

std::string default_settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/attnscope/settings.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/attnscope/settings.json";
}

std::string settings_json(const Settings& settings) {
  const AppState& s = settings.state;
  Json out;
  out["version"] = 1;
  out["model_dir"] = sanitize_utf8(s.model_dir);
  out["sentence"] = sanitize_utf8(s.sentence.substr(0, kMaxSavedText));
  out["decode"] = to_string(s.decode);
  out["beam"] = s.beam;
  out["forced_target"] = sanitize_utf8(s.forced_target.substr(0, kMaxSavedText));
  out["view"] = to_string(s.view);
  out["kind"] = to_string(s.kind);
  out["layer"] = s.layer;
  out["head"] = s.head;
  out["head_mode"] = to_string(s.head_mode);
  out["overlay_heads"] = s.overlay_heads;
  out["step"] = s.step;
  out["colormap"] = to_string(s.colormap);
  out["threshold"] = s.threshold;
  out["dark"] = s.dark;
  out["ui_scale"] = s.ui_scale;
  out["row_labels"] = to_string(s.row_labels);
  out["explain_compare_unscaled"] = s.compare_unscaled;
  out["explain_predict_first"] = s.predict_first;
  out["export_scale"] = settings.export_scale;
  out["export_dir"] = sanitize_utf8(settings.export_dir);
  out["window_width"] = settings.window_width;
  out["window_height"] = settings.window_height;
  return out.dump(2) + "\n";
}

bool load_settings(const std::string& path, Settings* settings, std::string* warning) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return true;
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error& e) {
    *warning = "settings file " + path + " cannot be read and was ignored (" + e.what() + ")";
    return false;
  }
  std::string reason;
  if (!parse_settings(text, settings, &reason)) {
    *warning = "settings file " + path + " is damaged and was ignored (" + reason + ")";
    return false;
  }
  return true;
}

bool parse_settings(const std::string& text, Settings* settings, std::string* warning) {
  Settings loaded = *settings;
  try {
    const Json json = Json::parse(text);
    if (!json.is_object())
      throw Error(std::string("a JSON ") + json.type_name() + ", expected an object");
    AppState& s = loaded.state;
    read_value(json, "model_dir", &s.model_dir);
    read_value(json, "sentence", &s.sentence);
    read_enum(json, "decode", parse_decode_mode, &s.decode);
    read_value(json, "beam", &s.beam);
    read_value(json, "forced_target", &s.forced_target);
    read_enum(json, "view", parse_view_kind, &s.view);
    std::string kind;
    read_value(json, "kind", &kind);
    if (!kind.empty()) parse_attention_kind(kind, &s.kind);
    read_value(json, "layer", &s.layer);
    read_value(json, "head", &s.head);
    read_enum(json, "head_mode", parse_head_mode, &s.head_mode);
    read_value(json, "overlay_heads", &s.overlay_heads);
    read_value(json, "step", &s.step);
    read_enum(json, "colormap", parse_colormap, &s.colormap);
    read_value(json, "threshold", &s.threshold);
    read_value(json, "dark", &s.dark);
    read_value(json, "ui_scale", &s.ui_scale);
    read_enum(json, "row_labels", parse_row_labels, &s.row_labels);
    read_value(json, "explain_compare_unscaled", &s.compare_unscaled);
    read_value(json, "explain_predict_first", &s.predict_first);
    read_value(json, "export_scale", &loaded.export_scale);
    read_value(json, "export_dir", &loaded.export_dir);
    read_value(json, "window_width", &loaded.window_width);
    read_value(json, "window_height", &loaded.window_height);
  } catch (const std::exception& e) {
    *warning = e.what();
    return false;
  }
  // Values a hand-edited file may get wrong are brought back into range.
  AppState& s = loaded.state;
  s.beam = std::clamp(s.beam, 1, 16);
  s.layer = std::max(0, s.layer);
  s.head = std::max(0, s.head);
  s.step = std::max(-1, s.step);
  if (!(s.threshold >= 0.0f && s.threshold <= 1.0f)) s.threshold = 0.0f;
  if (!(s.ui_scale >= 0.5f && s.ui_scale <= 4.0f)) s.ui_scale = 1.0f;
  if (loaded.export_scale != 1 && loaded.export_scale != 2 && loaded.export_scale != 4)
    loaded.export_scale = 1;
  loaded.window_width = std::clamp(loaded.window_width, 320, 16384);
  loaded.window_height = std::clamp(loaded.window_height, 240, 16384);
  *settings = std::move(loaded);
  return true;
}

void save_settings(const std::string& path, const Settings& settings) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error("cannot create '" + dir.string() + "': " + ec.message());
  }
  write_file_atomic(path, settings_json(settings));
}

SettingsWriter::SettingsWriter(std::string path, const Settings& saved)
    : path_(std::move(path)), last_written_(settings_json(saved)) {}

std::string SettingsWriter::write_if_changed(const Settings& settings, bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_check_ < std::chrono::seconds(1)) return "";
  last_check_ = now;
  const std::string json = settings_json(settings);
  if (json == last_written_) return "";
  last_written_ = json;  // a failure is said once, not every second
  try {
    save_settings(path_, settings);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace attnscope
