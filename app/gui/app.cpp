// The desktop window (see app.h). One ImGui window fills the GLFW window: the sentence and
// translation on top, controls on the left, the view in the centre, a status bar below.
// Views are Scenes drawn by the Renderer into a framebuffer and shown with ImGui::Image.
#include "gui/app.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <malloc.h>

#include <csignal>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "about.h"
#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/model.h"
#include "gui/export.h"
#include "gui/session.h"
#include "gui/settings.h"
#include "icon/icon.h"

namespace attnscope {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultSentence = "the little black cat does not eat the fish .";
constexpr float kBaseFontSize = 16.0f;
// Each view renders into its own framebuffer: slot kViewSlot + the view's number.
constexpr int kViewSlot = 0;
// Recomputations faster than this run on the GUI thread (see request_compute).
constexpr double kSynchronousMs = 4.0;

std::string glfw_error_text;

void on_glfw_error(int, const char* description) {
  glfw_error_text = description;
}

// Key presses, kept for the shortcuts in the order they came. Dear ImGui 1.86 sees keys as
// "down" flags sampled once a frame, so a key pressed and released between two frames (a
// fast typist, or xdotool) would be missed; releases that come in the same frame as their
// press are therefore handed to ImGui one frame late.
struct KeyPress {
  int key, mods;
};

struct KeyEvent {
  int key, scancode, action, mods;
};

struct KeyQueue {
  GLFWkeyfun imgui = nullptr;           // ImGui's callback, installed before ours
  std::vector<KeyPress> presses;        // for the shortcuts, taken every frame
  std::vector<KeyEvent> late_releases;  // handed to ImGui after the frame
  std::vector<int> pressed_this_frame;
} g_keys;

void on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
  if (action == GLFW_RELEASE &&
      std::find(g_keys.pressed_this_frame.begin(), g_keys.pressed_this_frame.end(), key) !=
          g_keys.pressed_this_frame.end()) {
    g_keys.late_releases.push_back({key, scancode, action, mods});
    return;
  }
  if (action == GLFW_PRESS) g_keys.pressed_this_frame.push_back(key);
  if (action != GLFW_RELEASE) g_keys.presses.push_back({key, mods});
  if (g_keys.imgui) g_keys.imgui(window, key, scancode, action, mods);
}

// After a frame: the releases held back reach ImGui now.
void release_late_keys(GLFWwindow* window) {
  std::vector<KeyEvent> late;
  late.swap(g_keys.late_releases);
  g_keys.pressed_this_frame.clear();
  for (const KeyEvent& e : late) {
    if (g_keys.imgui) g_keys.imgui(window, e.key, e.scancode, e.action, e.mods);
  }
}

// True while a text box has the keyboard. (io.WantTextInput says the same one frame late:
// a key pressed right after Enter leaves the box would be lost.)
bool text_box_active() {
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  return g.ActiveId != 0 && g.ActiveId == g.InputTextState.ID;
}

// Set by SIGTERM or SIGINT: the window closes as if its close button was pressed, so the
// settings are saved and nothing is cut off mid-write.
volatile std::sig_atomic_t g_close_requested = 0;

void on_close_signal(int) {
  g_close_requested = 1;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Model directories bundled with the app: every folder with a config in the installed models
// folder, or in a build tree's assets/models (see about.h).
std::vector<std::string> bundled_models() {
  std::vector<std::string> out;
  const std::string models = bundled_models_dir();
  if (models.empty()) return out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(models, ec)) {
    if (entry.is_directory(ec) && std::filesystem::exists(entry.path() / "config.json", ec))
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string model_name(const std::string& dir) {
  std::string name = std::filesystem::path(dir).filename().string();
  if (name.empty()) name = std::filesystem::path(dir).parent_path().filename().string();
  return name.empty() ? dir : name;
}

const char* kind_label(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return "Encoder self";
    case AttentionKind::kDecoderSelf:
      return "Decoder self (masked)";
    case AttentionKind::kCross:
      return "Cross (decoder → encoder)";
  }
  return "?";
}

struct Shortcut {
  const char* keys;
  const char* action;
};

const Shortcut kShortcuts[] = {
    {"← / →", "previous / next head"},
    {"↑ / ↓", "previous / next layer"},
    {"[ / ]", "previous / next decoding step"},
    {"Tab", "cycle attention kind: encoder, decoder, cross"},
    {"1 2 3 4", "heatmap, links, grid, steps view"},
    {"M", "cycle heads: single, mean, max"},
    {"Ctrl+S", "export the current view as PNG"},
    {"Ctrl+O", "open a model folder"},
    {"Ctrl+Shift+S", "export the whole window as PNG"},
    {"Ctrl+= / Ctrl+-", "larger / smaller text (projectors)"},
    {"F11", "fullscreen"},
    {"? or F1", "this help"},
    {"Enter or Esc", "leave the sentence box (keys then work as shortcuts)"},
};

class App {
 public:
  App(const AppOptions& options, GLFWwindow* window);
  ~App();
  void run();

 private:
  // Models and computation.
  void open_model(const std::string& dir);
  void request_compute();
  void take_results();
  void install(ComputeResult result);
  void clamp_state();

  // One frame.
  void frame();
  void rebuild_fonts_if_needed();
  void handle_shortcuts();
  void handle_key(int key, int mods);
  void draw_top_bar();
  void draw_controls(float width);
  void draw_view_tabs();
  void draw_view(ImVec2 size);
  void draw_status_bar();
  void draw_help();
  void draw_open_model_popup();

  // Exports and settings.
  void export_current(ExportFormat format);
  void save_window_png();
  void set_status(const std::string& message, bool error);
  // Where the view and its first matrix are in the window, in framebuffer pixels, as JSON:
  // lets a test check a window capture against the Trace.
  std::string view_description() const;
  void save_settings_if_changed(bool force);
  std::string export_path(ExportFormat format) const;

  AppOptions options_;
  GLFWwindow* window_;
  Settings settings_;
  AppState& state_;
  std::string settings_path_;
  std::string last_saved_settings_;
  Clock::time_point last_settings_check_ = Clock::now();

  std::unique_ptr<Renderer> renderer_;
  std::shared_ptr<const ModelBundle> bundle_;
  std::unique_ptr<Worker> worker_;
  std::vector<std::string> bundled_;
  std::string default_model_;     // the bundled toy-en-fr, "" when there is none
  std::string no_default_model_;  // why there is none

  ComputeResult current_;
  uint64_t trace_id_ = 0;
  uint64_t next_request_ = 1;
  std::string last_request_key_;
  Clock::time_point request_time_;
  bool waiting_for_profile_ = false;

  Scene scene_;
  unsigned view_texture_ = 0;
  bool scene_dirty_ = true;
  ImVec2 scene_size_{0, 0};
  ImVec2 view_origin_{0, 0};                 // where the view's image is in the window
  int view_tab_shown_ = -1;                  // the tab ImGui showed last frame
  int pinned_query_ = -1, pinned_key_ = -1;  // tokens clicked in the links view
  std::tuple<ViewKind, AttentionKind, int, int, HeadMode, bool, int, Colormap, float, bool, float,
             int, int>
      last_view_key_;
  float fonts_scale_ = 0;

  std::string status_;
  bool status_error_ = false;
  std::string settings_warning_;
  bool show_help_ = false;
  bool open_model_popup_ = false;
  std::string open_model_path_;
  std::string open_model_error_;
  bool window_png_requested_ = false;
  bool fullscreen_ = false;
  int windowed_x_ = 0, windowed_y_ = 0, windowed_w_ = 0, windowed_h_ = 0;
  int frames_ = 0;
  std::vector<double> profile_frames_;
  std::vector<double> profile_inputs_;
  bool profile_typed_ = false;
  std::vector<double> profile_computes_;
};

App::App(const AppOptions& options, GLFWwindow* window)
    : options_(options), window_(window), state_(settings_.state) {
  try {
    default_model_ = default_model_dir();
  } catch (const std::exception& e) {
    no_default_model_ = e.what();
  }
  state_.model_dir = default_model_;
  state_.sentence = kDefaultSentence;
  settings_path_ = options.settings_path.empty() ? default_settings_path() : options.settings_path;
  if (options.use_settings) {
    std::string warning;
    if (!load_settings(settings_path_, &settings_, &warning)) settings_warning_ = warning;
  }
  if (!options.model_dir.empty()) state_.model_dir = options.model_dir;
  if (options.has_text) state_.sentence = options.text;
  if (!options.export_dir.empty()) settings_.export_dir = options.export_dir;
  last_saved_settings_ = settings_json(settings_);

  renderer_ = std::make_unique<Renderer>(find_fonts());
  // On screen, lines are smoothed by the shader; multisampling would cost a software OpenGL
  // more than the whole rest of the frame. Exports keep it.
  for (int v = 0; v < kViewCount; ++v)
    renderer_->set_multisample(kViewSlot + v, false);
  bundled_ = bundled_models();
  if (state_.model_dir.empty()) {
    set_status(no_default_model_, true);
  } else {
    open_model(state_.model_dir);
  }
  if (!bundle_ && !default_model_.empty() && state_.model_dir != default_model_) {
    const std::string failed = status_;
    open_model(default_model_);
    set_status(failed + " — opened the bundled model instead", true);
  }
  if (!settings_warning_.empty()) set_status(settings_warning_, true);
}

App::~App() {
  worker_.reset();
  renderer_.reset();
  save_settings_if_changed(true);
}

void App::open_model(const std::string& dir) {
  try {
    auto bundle = std::make_shared<const ModelBundle>(load_model_dir(dir));
    worker_.reset();
    bundle_ = std::move(bundle);
    worker_ = std::make_unique<Worker>(bundle_);
    state_.model_dir = dir;
    current_ = ComputeResult();
    last_request_key_.clear();
    set_status("opened " + dir, false);
    request_compute();
  } catch (const std::exception& e) {
    set_status(std::string("cannot open model: ") + e.what(), true);
  }
}

void App::request_compute() {
  if (!worker_) return;
  // Only a change of what is computed starts a computation.
  const std::string key = state_.sentence + '\x1f' + to_string(state_.decode) + '\x1f' +
                          std::to_string(state_.beam) + '\x1f' +
                          (state_.decode == DecodeMode::kForced ? state_.forced_target : "");
  if (key == last_request_key_) return;
  last_request_key_ = key;
  ComputeRequest request;
  request.id = next_request_++;
  request.sentence = state_.sentence;
  request.decode = state_.decode;
  request.beam = state_.beam;
  request.forced_target = state_.forced_target;
  request_time_ = Clock::now();
  waiting_for_profile_ = true;
  // A small model answers within a fraction of a frame: computing here shows the result in
  // this very frame. A slow one goes to the worker, and typing never waits for it.
  if (current_.id > 0 && current_.milliseconds < kSynchronousMs && !worker_->busy()) {
    install(compute(*bundle_, request));
    return;
  }
  worker_->submit(std::move(request));
}

void App::take_results() {
  if (!worker_) return;
  if (std::optional<ComputeResult> result = worker_->poll()) {
    if (result->id > current_.id) install(std::move(*result));
  }
}

void App::install(ComputeResult result) {
  std::shared_ptr<const Trace> previous = current_.trace;
  current_ = std::move(result);
  if (current_.trace) {
    ++trace_id_;
  } else {
    current_.trace = std::move(previous);  // keep the last picture; the error is shown
  }
  scene_dirty_ = true;
  clamp_state();
}

void App::clamp_state() {
  if (!current_.trace) return;
  const Trace& trace = *current_.trace;
  const int layers = layer_count(trace, state_.kind);
  state_.layer = std::clamp(state_.layer, 0, std::max(0, layers - 1));
  state_.head = std::clamp(state_.head, 0, std::max(0, trace.num_heads() - 1));
  const int steps = static_cast<int>(trace.tgt_ids.size());
  if (state_.step >= steps) state_.step = steps - 1;
  const int queries = static_cast<int>(trace.query_tokens(state_.kind).size());
  const int keys = static_cast<int>(trace.key_tokens(state_.kind).size());
  if (pinned_query_ >= queries) pinned_query_ = -1;
  if (pinned_key_ >= keys) pinned_key_ = -1;
  if (state_.hover_row >= queries || state_.hover_col >= keys)
    state_.hover_row = state_.hover_col = -1;
}

void App::set_status(const std::string& message, bool error) {
  status_ = message;
  status_error_ = error;
  // Also on stderr: a log of what happened, for whoever started the app from a terminal.
  std::fprintf(stderr, "attnscope: %s\n", message.c_str());
}

void App::save_settings_if_changed(bool force) {
  if (!options_.use_settings) return;
  if (!force && ms_since(last_settings_check_) < 1000) return;
  last_settings_check_ = Clock::now();
  if (window_ && !fullscreen_) {
    int w = 0, h = 0;
    glfwGetWindowSize(window_, &w, &h);
    if (w > 0 && h > 0) {
      settings_.window_width = w;
      settings_.window_height = h;
    }
  }
  const std::string json = settings_json(settings_);
  if (json == last_saved_settings_) return;
  try {
    save_settings(settings_path_, settings_);
    last_saved_settings_ = json;
  } catch (const std::exception& e) {
    last_saved_settings_ = json;  // say it once, not every second
    set_status(std::string("settings not saved: ") + e.what(), true);
  }
}

std::string App::export_path(ExportFormat format) const {
  const std::string dir = settings_.export_dir.empty() ? "." : settings_.export_dir;
  return dir + "/" + default_export_name(state_, format);
}

void App::export_current(ExportFormat format) {
  if (!current_.trace || !bundle_) {
    set_status("nothing to export yet", true);
    return;
  }
  ExportJob job;
  job.path = export_path(format);
  job.format = format;
  job.scale = static_cast<float>(settings_.export_scale);
  try {
    export_view(job, renderer_.get(), current_.trace, trace_id_, state_, *bundle_,
                current_.generated);
    set_status("saved " + job.path, false);
  } catch (const std::exception& e) {
    set_status(std::string("export failed: ") + e.what(), true);
  }
}

void App::save_window_png() {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  std::string path = export_path(ExportFormat::kPng);
  path.insert(path.size() - 4, "_window");
  try {
    write_file_atomic(path, encode_png(read_window_pixels(w, h)));
    set_status("saved " + path, false);
  } catch (const std::exception& e) {
    set_status(std::string("export failed: ") + e.what(), true);
  }
}

std::string App::view_description() const {
  const float scale = ImGui::GetIO().DisplayFramebufferScale.x;
  char buffer[512];
  int n = std::snprintf(buffer, sizeof buffer,
                        "{\"view\": {\"x\": %.2f, \"y\": %.2f, \"width\": %.2f, "
                        "\"height\": %.2f}",
                        view_origin_.x * scale, view_origin_.y * scale, scene_size_.x * scale,
                        scene_size_.y * scale);
  std::string out(buffer, n);
  if (!scene_.matrices.empty() && scene_.matrices[0].values) {
    const SceneMatrix& m = scene_.matrices[0];
    n = std::snprintf(buffer, sizeof buffer,
                      ", \"matrix\": {\"x\": %.2f, \"y\": %.2f, \"width\": %.2f, "
                      "\"height\": %.2f, \"rows\": %ld, \"cols\": %ld}",
                      (view_origin_.x + m.x) * scale, (view_origin_.y + m.y) * scale,
                      m.width * scale, m.height * scale, static_cast<long>(m.values->rows()),
                      static_cast<long>(m.values->cols()));
    out.append(buffer, n);
  }
  return out + "}\n";
}

void App::rebuild_fonts_if_needed() {
  if (fonts_scale_ == state_.ui_scale) return;
  fonts_scale_ = state_.ui_scale;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const FontFiles fonts = find_fonts();
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
    builder.AddRanges(io.Fonts->GetGlyphRangesCyrillic());
    static const ImWchar extra[] = {0x0100, 0x024F, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190,
                                    0x21FF, 0x25A0, 0x25FF, 0xFFFD, 0xFFFD, 0};
    builder.AddRanges(extra);
    builder.BuildRanges(&ranges);
  }
  const float size = std::round(kBaseFontSize * state_.ui_scale);
  ImFont* font = nullptr;
  if (std::filesystem::exists(fonts.main))
    font = io.Fonts->AddFontFromFileTTF(fonts.main.c_str(), size, nullptr, ranges.Data);
  if (!font) {
    ImFontConfig config;
    config.SizePixels = size;
    io.Fonts->AddFontDefault(&config);
  } else if (!fonts.cjk.empty()) {
    ImFontConfig merge;
    merge.MergeMode = true;
    // The common ideographs and the kana: thousands of glyphs already, so the atlas stays
    // a few megabytes even at projector sizes (the full Japanese set would double it).
    static ImVector<ImWchar> cjk_ranges;
    if (cjk_ranges.empty()) {
      ImFontGlyphRangesBuilder builder;
      builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
      static const ImWchar kana[] = {0x3000, 0x30FF, 0x31F0, 0x31FF, 0xFF00, 0xFFEF, 0};
      builder.AddRanges(kana);
      builder.BuildRanges(&cjk_ranges);
    }
    io.Fonts->AddFontFromFileTTF(fonts.cjk.c_str(), size, &merge, cjk_ranges.Data);
  }
  io.Fonts->Build();
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  io.Fonts->ClearTexData();  // uploaded: the CPU copies are not needed any more
  ImGuiStyle style;
  if (state_.dark) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  style.FrameRounding = 3;
  style.WindowRounding = 0;
  style.ScaleAllSizes(state_.ui_scale);
  ImGui::GetStyle() = style;
  scene_dirty_ = true;
}

void App::handle_shortcuts() {
  std::vector<KeyPress> presses;
  presses.swap(g_keys.presses);
  for (const KeyPress& press : presses)
    handle_key(press.key, press.mods);
}

void App::handle_key(int key, int mods) {
  const bool ctrl = (mods & GLFW_MOD_CONTROL) != 0, shift = (mods & GLFW_MOD_SHIFT) != 0;
  auto pressed = [key](int k) { return key == k; };
  // Control shortcuts work everywhere, even while typing.
  if (ctrl && pressed(GLFW_KEY_S)) {
    if (shift) {
      window_png_requested_ = true;
    } else {
      export_current(ExportFormat::kPng);
    }
  }
  if (ctrl && (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD)))
    state_.ui_scale = std::min(3.0f, std::round((state_.ui_scale + 0.25f) * 4) / 4);
  if (ctrl && (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT)))
    state_.ui_scale = std::max(0.75f, std::round((state_.ui_scale - 0.25f) * 4) / 4);
  if (pressed(GLFW_KEY_F11)) {
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    if (!fullscreen_ && monitor) {
      glfwGetWindowPos(window_, &windowed_x_, &windowed_y_);
      glfwGetWindowSize(window_, &windowed_w_, &windowed_h_);
      const GLFWvidmode* mode = glfwGetVideoMode(monitor);
      glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
      fullscreen_ = true;
    } else if (fullscreen_) {
      glfwSetWindowMonitor(window_, nullptr, windowed_x_, windowed_y_, windowed_w_, windowed_h_, 0);
      fullscreen_ = false;
    }
  }
  if (ctrl && pressed(GLFW_KEY_O)) {
    open_model_popup_ = true;
    open_model_path_ = state_.model_dir;
    open_model_error_.clear();
  }
  if (pressed(GLFW_KEY_F1)) show_help_ = !show_help_;
  // Plain keys only when no text box has the keyboard: typing never triggers a shortcut.
  if (text_box_active() || ctrl) return;
  const Trace* trace = current_.trace.get();
  const int heads = trace ? trace->num_heads() : 1;
  const int layers = trace ? layer_count(*trace, state_.kind) : 1;
  const int steps = trace ? static_cast<int>(trace->tgt_ids.size()) : 1;
  const int before = state_.layer * 1000 + state_.head;
  if (pressed(GLFW_KEY_RIGHT)) state_.head = (state_.head + 1) % heads;
  if (pressed(GLFW_KEY_LEFT)) state_.head = (state_.head + heads - 1) % heads;
  if (pressed(GLFW_KEY_DOWN)) state_.layer = std::min(layers - 1, state_.layer + 1);
  if (pressed(GLFW_KEY_UP)) state_.layer = std::max(0, state_.layer - 1);
  if (state_.layer * 1000 + state_.head != before) state_.head_mode = HeadMode::kSingle;
  const int step = state_.step < 0 ? steps - 1 : state_.step;
  if (pressed(GLFW_KEY_LEFT_BRACKET)) state_.step = std::max(0, step - 1);
  if (pressed(GLFW_KEY_RIGHT_BRACKET)) state_.step = std::min(steps - 1, step + 1);
  if (pressed(GLFW_KEY_TAB)) {
    state_.kind = static_cast<AttentionKind>((static_cast<int>(state_.kind) + 1) % 3);
    clamp_state();
  }
  if (pressed(GLFW_KEY_M))
    state_.head_mode = static_cast<HeadMode>((static_cast<int>(state_.head_mode) + 1) % 3);
  for (int v = 0; v < kViewCount; ++v) {
    if (pressed(GLFW_KEY_1 + v) && !shift) state_.view = static_cast<ViewKind>(v);
  }
  if (pressed(GLFW_KEY_SLASH) && shift) show_help_ = !show_help_;
  if (pressed(GLFW_KEY_ESCAPE)) {
    show_help_ = false;
    pinned_query_ = pinned_key_ = -1;
  }
}

void App::draw_top_bar() {
  const float model_width = 220 * state_.ui_scale;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Sentence");
  ImGui::SameLine();
  const float input_width = (ImGui::GetContentRegionAvail().x - model_width) * 0.55f;
  ImGui::SetNextItemWidth(input_width);
  // Esc would make ImGui revert the text: leave the box with the text kept instead.
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE) && text_box_active()) ImGui::ClearActiveID();
  ImGui::PushAllowKeyboardFocus(false);  // Tab cycles the attention kind, never into the box
  ImGui::InputTextWithHint("##sentence", "type a sentence to translate", &state_.sentence,
                           ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::PopAllowKeyboardFocus();
  if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
    ImGui::SetTooltip(
        "Every keystroke recomputes the translation and every attention map.\n"
        "Enter or Esc leaves the box so the arrow keys move through heads.");
  ImGui::SameLine();
  ImGui::TextDisabled("→");
  ImGui::SameLine();
  const float translation_width = ImGui::GetContentRegionAvail().x - model_width - 8;
  ImGui::BeginChild("##translation", ImVec2(translation_width, ImGui::GetFrameHeight()), false,
                    ImGuiWindowFlags_NoScrollbar);
  ImGui::AlignTextToFramePadding();
  if (!current_.error.empty()) {
    ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1), "%s", current_.error.c_str());
  } else {
    ImGui::TextUnformatted(current_.translation.c_str());
  }
  ImGui::EndChild();
  if (ImGui::IsItemHovered() && !current_.translation.empty())
    ImGui::SetTooltip("%s", current_.translation.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(model_width);
  const std::string current_name = bundle_ ? model_name(state_.model_dir) : "(no model)";
  if (ImGui::BeginCombo("##model", current_name.c_str())) {
    for (const std::string& dir : bundled_) {
      const bool selected = dir == state_.model_dir;
      if (ImGui::Selectable(model_name(dir).c_str(), selected) && !selected) open_model(dir);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", dir.c_str());
    }
    ImGui::Separator();
    if (ImGui::Selectable("Open model…")) {
      open_model_popup_ = true;
      open_model_path_ = state_.model_dir;
      open_model_error_.clear();
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The model: a bundled one, or any model folder");

  // The token strip: the words as the model sees them, unknown ones marked.
  ImGui::TextDisabled("tokens");
  for (size_t i = 0; i < current_.source.size() && i < 400; ++i) {
    const SourceToken& token = current_.source[i];
    ImGui::SameLine();
    if (token.unknown) {
      ImGui::TextColored(ImVec4(0.9f, 0.35f, 0.1f, 1), "[%s?]", token.text.c_str());
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("'%s' is not in the model's vocabulary: the model sees <unk>",
                          token.text.c_str());
    } else {
      ImGui::TextUnformatted(token.text.c_str());
    }
  }
  if (current_.source.size() > 400) {
    ImGui::SameLine();
    ImGui::TextDisabled("… (%zu words)", current_.source.size());
  }
  if (current_.dropped_tokens > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.9f, 0.35f, 0.1f, 1), "  cut: %d words over the model's %d",
                       current_.dropped_tokens, current_.max_source_tokens);
  }
}

void App::draw_controls(float width) {
  ImGui::BeginChild("##controls", ImVec2(width, 0), true);
  // Tab belongs to the attention kind: it must not step into these controls (ImGui would
  // turn a slider into a text box, and the keys would stop working as shortcuts).
  ImGui::PushAllowKeyboardFocus(false);
  const Trace* trace = current_.trace.get();
  ImGui::TextDisabled("ATTENTION");
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##kind", kind_label(state_.kind))) {
    for (int k = 0; k < 3; ++k) {
      const auto kind = static_cast<AttentionKind>(k);
      if (ImGui::Selectable(kind_label(kind), kind == state_.kind)) {
        state_.kind = kind;
        clamp_state();
      }
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Which attention to look at (Tab cycles)");
  const int layers = trace ? layer_count(*trace, state_.kind) : 1;
  const int heads = trace ? trace->num_heads() : 1;
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##layer", &state_.layer, 0, std::max(0, layers - 1), "layer %d");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Layer (↑ / ↓)");
  static const char* kModes[] = {"One head", "Mean", "Max"};
  for (int m = 0; m < 3; ++m) {
    if (m) ImGui::SameLine();
    if (ImGui::RadioButton(kModes[m], state_.head_mode == static_cast<HeadMode>(m)))
      state_.head_mode = static_cast<HeadMode>(m);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One head, or all heads combined (M cycles)");
  ImGui::BeginDisabled(state_.head_mode != HeadMode::kSingle);
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##head", &state_.head, 0, std::max(0, heads - 1), "head %d");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Head (← / →)");
  ImGui::EndDisabled();
  if (state_.view == ViewKind::kLinks) {
    ImGui::Checkbox("All heads, one colour each", &state_.overlay_heads);
  }
  const int steps = trace ? static_cast<int>(trace->tgt_ids.size()) : 1;
  int step = state_.step < 0 ? steps - 1 : state_.step;
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##step", &step, 0, std::max(0, steps - 1), "step %d")) state_.step = step;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Decoding step: a target position ([ / ])");

  ImGui::Spacing();
  ImGui::TextDisabled("COLOUR");
  static const char* kColormaps[] = {"viridis", "magma", "cividis (colour-blind safe)", "grey"};
  ImGui::SetNextItemWidth(-1);
  int colormap = static_cast<int>(state_.colormap);
  if (ImGui::Combo("##colormap", &colormap, kColormaps, kColormapCount))
    state_.colormap = static_cast<Colormap>(colormap);
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderFloat("##threshold", &state_.threshold, 0.0f, 1.0f, "hide below %.2f");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Hide weak links and blank weak cells");
  bool dark = state_.dark;
  if (ImGui::Checkbox("Dark theme", &dark)) {
    state_.dark = dark;
    fonts_scale_ = 0;  // restyles on the next frame
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderFloat("##scale", &state_.ui_scale, 0.75f, 3.0f, "text %.2fx");
  if (ImGui::IsItemDeactivatedAfterEdit()) fonts_scale_ = 0;

  ImGui::Spacing();
  ImGui::TextDisabled("DECODING");
  static const char* kDecode[] = {"Greedy", "Beam", "Forced"};
  for (int d = 0; d < 3; ++d) {
    if (d) ImGui::SameLine();
    if (ImGui::RadioButton(kDecode[d], state_.decode == static_cast<DecodeMode>(d)))
      state_.decode = static_cast<DecodeMode>(d);
  }
  if (state_.decode == DecodeMode::kBeam) {
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##beam", &state_.beam, 1, 16, "beam width %d");
  }
  if (state_.decode == DecodeMode::kForced) {
    ImGui::SetNextItemWidth(-1);
    ImGui::PushAllowKeyboardFocus(false);
    ImGui::InputTextWithHint("##target", "target to teacher-force", &state_.forced_target);
    ImGui::PopAllowKeyboardFocus();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The decoder reads this target instead of its own output");
  }

  ImGui::Spacing();
  ImGui::TextDisabled("EXPORT");
  static const int kScales[] = {1, 2, 4};
  for (int i = 0; i < 3; ++i) {
    if (i) ImGui::SameLine();
    char label[8];
    std::snprintf(label, sizeof label, "%dx", kScales[i]);
    if (ImGui::RadioButton(label, settings_.export_scale == kScales[i]))
      settings_.export_scale = kScales[i];
  }
  ImGui::SetNextItemWidth(-1);
  ImGui::PushAllowKeyboardFocus(false);
  ImGui::InputTextWithHint("##exportdir", "folder (default: current)", &settings_.export_dir);
  ImGui::PopAllowKeyboardFocus();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Where exports go");
  const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
  if (ImGui::Button("View PNG", ImVec2(half, 0))) export_current(ExportFormat::kPng);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+S: the view, re-rendered at the scale");
  ImGui::SameLine();
  if (ImGui::Button("Window PNG", ImVec2(half, 0))) window_png_requested_ = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+Shift+S: the whole window");
  if (ImGui::Button("SVG", ImVec2(half, 0))) export_current(ExportFormat::kSvg);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The view as vectors, tokens as text");
  ImGui::SameLine();
  if (ImGui::Button("CSV", ImVec2(half, 0))) export_current(ExportFormat::kCsv);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The selected matrix");
  if (ImGui::Button("Trace JSON", ImVec2(-1, 0))) export_current(ExportFormat::kJson);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Every attention matrix of this sentence");
  ImGui::Spacing();
  if (ImGui::Button("Keys (?)", ImVec2(-1, 0))) show_help_ = true;
  ImGui::PopAllowKeyboardFocus();
  ImGui::EndChild();
}

void App::draw_view_tabs() {
  static const char* kViewNames[] = {"Heatmap", "Links", "Grid", "Steps"};
  static const char* kViewTips[] = {
      "Queries as rows, keys as columns, one cell per weight (key 1)",
      "Tokens side by side, one line per weight (key 2); click a token to isolate it",
      "Every layer × head at once (key 3); click a tile to select it",
      "Decoding step by step: the prefix, where it looks, what comes next (key 4)"};
  if (!ImGui::BeginTabBar("##views")) return;
  for (int v = 0; v < kViewCount; ++v) {
    // A tab is selected by the state, so keys and clicks elsewhere move it too.
    const bool current = state_.view == static_cast<ViewKind>(v);
    ImGuiTabItemFlags flags = current && view_tab_shown_ != v ? ImGuiTabItemFlags_SetSelected : 0;
    if (ImGui::BeginTabItem(kViewNames[v], nullptr, flags)) {
      if (view_tab_shown_ == static_cast<int>(state_.view) || current) {
        state_.view = static_cast<ViewKind>(v);
      }
      view_tab_shown_ = v;
      ImGui::EndTabItem();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kViewTips[v]);
  }
  ImGui::EndTabBar();
}

void App::draw_view(ImVec2 size) {
  size.x = std::max(64.0f, std::floor(size.x));
  size.y = std::max(64.0f, std::floor(size.y));
  if (!current_.trace) {
    ImGui::BeginChild("##view", size, true);
    ImGui::TextDisabled(bundle_ ? "computing…" : "open a model to begin");
    ImGui::EndChild();
    return;
  }
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ViewInput in;
  in.trace = current_.trace;
  in.trace_id = trace_id_;
  in.state = &state_;
  in.width = size.x;
  in.height = size.y;
  in.measure = renderer_->measure();
  const Vocab* vocab = &bundle_->tgt_vocab;
  in.target_token = [vocab](int id) {
    return id >= 0 && id < vocab->size() ? vocab->token(id) : "#" + std::to_string(id);
  };
  // Hover: which region of the last scene is under the mouse.
  std::optional<HitRegion> hit;
  const ImVec2 mouse = io.MousePos;
  const float sx = mouse.x - origin.x, sy = mouse.y - origin.y;
  const bool inside = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && sx >= 0 &&
                      sy >= 0 && sx < size.x && sy < size.y &&
                      !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId);
  int hover_row = -1, hover_col = -1;
  if (inside && scene_size_.x == size.x && scene_size_.y == size.y) {
    hit = resolve_hit(scene_, sx, sy);
    if (hit && hit->kind == HitKind::kCell && state_.view == ViewKind::kHeatmap) {
      hover_row = hit->a;
      hover_col = hit->b;
    }
  }
  // The links view shows only one token's links while it is clicked (pinned) or, when none
  // is, while the mouse is over it.
  int focus_query = pinned_query_, focus_key = pinned_key_;
  if (focus_query < 0 && focus_key < 0 && hit && state_.view == ViewKind::kLinks) {
    if (hit->kind == HitKind::kQueryToken) focus_query = hit->a;
    if (hit->kind == HitKind::kKeyToken) focus_key = hit->a;
  }
  state_.focus_query = focus_query;
  state_.focus_key = focus_key;
  if (hover_row != state_.hover_row || hover_col != state_.hover_col) {
    state_.hover_row = hover_row;
    state_.hover_col = hover_col;
    scene_dirty_ = true;
  }
  // What the views read besides the Trace (a new Trace marks the scene dirty itself).
  const auto view_key =
      std::make_tuple(state_.view, state_.kind, state_.layer, state_.head, state_.head_mode,
                      state_.overlay_heads, state_.step, state_.colormap, state_.threshold,
                      state_.dark, state_.ui_scale, state_.focus_query, state_.focus_key);
  if (view_key != last_view_key_) {
    last_view_key_ = view_key;
    scene_dirty_ = true;
  }
  if (scene_dirty_ || scene_size_.x != size.x || scene_size_.y != size.y) {
    try {
      scene_ = build_view(in);
    } catch (const std::exception& e) {
      scene_ = Scene();
      scene_.width = size.x;
      scene_.height = size.y;
      set_status(std::string("cannot draw this view: ") + e.what(), true);
    }
    scene_size_ = size;
    view_texture_ = renderer_->render(scene_, io.DisplayFramebufferScale.x,
                                      kViewSlot + static_cast<int>(state_.view));
    scene_dirty_ = false;
  }
  view_origin_ = origin;
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(view_texture_)), size,
               ImVec2(0, 0), ImVec2(1, 1));
  if (hit) {
    const std::string tip = hit_tooltip(in, *hit);
    if (!tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      switch (hit->kind) {
        case HitKind::kQueryToken:
          pinned_query_ = pinned_query_ == hit->a ? -1 : hit->a;
          pinned_key_ = -1;
          break;
        case HitKind::kKeyToken:
          pinned_key_ = pinned_key_ == hit->a ? -1 : hit->a;
          pinned_query_ = -1;
          break;
        case HitKind::kTile:
          state_.layer = hit->a;
          if (hit->b >= 0) {
            state_.head = hit->b;
            state_.head_mode = HeadMode::kSingle;
          } else {
            state_.head_mode = HeadMode::kMean;
          }
          break;
        case HitKind::kStep:
          state_.step = hit->a;
          break;
        case HitKind::kCell:
          break;
      }
      scene_dirty_ = true;
    }
    if (hit->kind == HitKind::kTile && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
      state_.view = ViewKind::kHeatmap;
  } else if (inside && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    pinned_query_ = pinned_key_ = -1;
  }
}

void App::draw_status_bar() {
  const Trace* trace = current_.trace.get();
  ImGui::Separator();
  ImGui::AlignTextToFramePadding();
  ImGui::Text("%s", bundle_ ? model_name(state_.model_dir).c_str() : "no model");
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  if (trace) {
    ImGui::Text("%zu source · %zu target tokens", trace->src_ids.size(), trace->tgt_ids.size());
  } else {
    ImGui::TextUnformatted("no trace");
  }
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  ImGui::Text("%.1f ms%s", current_.milliseconds,
              worker_ && worker_->busy() ? " (computing…)" : "");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Time of the last recomputation");
  for (const std::string& warning : current_.warnings) {
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.9f, 0.45f, 0.1f, 1), "%s", warning.c_str());
  }
  if (!status_.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    if (status_error_) {
      ImGui::TextColored(ImVec4(0.9f, 0.2f, 0.2f, 1), "%s", status_.c_str());
    } else {
      ImGui::TextUnformatted(status_.c_str());
    }
  }
}

void App::draw_help() {
  if (!show_help_) return;
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always,
                          ImVec2(0.5f, 0.5f));
  if (ImGui::Begin("Keyboard", &show_help_,
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
      for (const Shortcut& s : kShortcuts) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(s.keys);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(s.action);
      }
      ImGui::EndTable();
    }
    ImGui::TextDisabled("Hover a cell or token for its value; click a token to isolate it.");
    ImGui::Separator();
    ImGui::TextUnformatted(version_line("attnscope").c_str());
    const std::string models = bundled_models_dir();
    ImGui::TextDisabled("Bundled models: %s", models.empty() ? "none found" : models.c_str());
  }
  ImGui::End();
}

void App::draw_open_model_popup() {
  if (open_model_popup_) {
    ImGui::OpenPopup("Open model");
    open_model_popup_ = false;
  }
  if (ImGui::BeginPopupModal("Open model", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(
        "A model folder: config.json, model.safetensors, src_vocab.txt, "
        "tgt_vocab.txt");
    ImGui::SetNextItemWidth(520 * state_.ui_scale);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool enter =
        ImGui::InputText("##path", &open_model_path_, ImGuiInputTextFlags_EnterReturnsTrue);
    if (!open_model_error_.empty())
      ImGui::TextColored(ImVec4(0.9f, 0.2f, 0.2f, 1), "%s", open_model_error_.c_str());
    if (ImGui::Button("Open") || enter) {
      const std::string before = state_.model_dir;
      open_model(open_model_path_);
      if (bundle_ && state_.model_dir == open_model_path_) {
        ImGui::CloseCurrentPopup();
      } else {
        open_model_error_ = status_;
        state_.model_dir = before;
      }
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

void App::frame() {
  take_results();
  rebuild_fonts_if_needed();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  handle_shortcuts();

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  // No background of its own: the frame is cleared to the same colour, and not filling the
  // whole window twice matters to a software OpenGL.
  ImGui::Begin("##root", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoBackground);
  draw_top_bar();
  const float status_height = ImGui::GetFrameHeightWithSpacing() + 6;
  const float controls_width = 290 * state_.ui_scale;
  const float body_height = ImGui::GetContentRegionAvail().y - status_height;
  ImGui::BeginChild("##body", ImVec2(0, body_height), false, ImGuiWindowFlags_NoScrollbar);
  draw_controls(controls_width);
  ImGui::SameLine();
  request_compute();  // typed text and decoding changes show in this very frame
  ImGui::BeginGroup();
  draw_view_tabs();
  draw_view(ImGui::GetContentRegionAvail());
  ImGui::EndGroup();
  ImGui::EndChild();
  draw_status_bar();
  ImGui::End();
  draw_help();
  draw_open_model_popup();

  request_compute();
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, w, h);
  const ImVec4 clear = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(clear.x, clear.y, clear.z, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (window_png_requested_) {
    window_png_requested_ = false;
    save_window_png();
  }
  save_settings_if_changed(false);
}

void App::run() {
  while (!glfwWindowShouldClose(window_) && !g_close_requested) {
    const bool busy = worker_ && worker_->busy();
    if (busy || options_.quit_after_frames > 0 || frames_ < 3) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.25);
    }
    if (options_.profile) {
      // Every view redrawn every frame, and a word typed or deleted every 8 frames, so the
      // timings cover building and drawing the scene and the whole path of a keystroke.
      scene_dirty_ = true;
      if (frames_ % 8 == 4 && !(worker_ && worker_->busy())) {
        const std::string word = " again";
        if (profile_typed_) {
          state_.sentence.resize(state_.sentence.size() - word.size());
        } else {
          state_.sentence += word;
        }
        profile_typed_ = !profile_typed_;
      }
    }
    const Clock::time_point start = Clock::now();
    const bool was_waiting = waiting_for_profile_;
    const bool computing = worker_ && worker_->busy();
    const uint64_t shown = trace_id_;
    frame();
    release_late_keys(window_);
    if (options_.profile) {
      glFinish();
      // Frames drawn while the model computes on the other core are not what drawing costs.
      if (!computing && !(worker_ && worker_->busy())) profile_frames_.push_back(ms_since(start));
      if (was_waiting && trace_id_ != shown) {
        waiting_for_profile_ = false;
        profile_inputs_.push_back(ms_since(request_time_));
        profile_computes_.push_back(current_.milliseconds);
      }
    }
    ++frames_;
    if (options_.quit_after_frames > 0 && frames_ >= options_.quit_after_frames) {
      if (!options_.screenshot.empty()) {
        int w = 0, h = 0;
        glfwGetFramebufferSize(window_, &w, &h);
        try {
          write_file_atomic(options_.screenshot, encode_png(read_window_pixels(w, h)));
          write_file_atomic(options_.screenshot + ".json", view_description());
          std::printf("%s\n", options_.screenshot.c_str());
        } catch (const std::exception& e) {
          std::fprintf(stderr, "attnscope: %s\n", e.what());
        }
      }
      glfwSetWindowShouldClose(window_, 1);
    }
    glfwSwapBuffers(window_);
  }
  if (options_.profile) {
    auto report = [](const char* what, std::vector<double> v) {
      if (v.empty()) return;
      std::sort(v.begin(), v.end());
      std::fprintf(stderr, "profile: %-34s %4zu samples, median %7.2f ms, max %7.2f ms\n", what,
                   v.size(), v[v.size() / 2], v.back());
    };
    const Trace* trace = current_.trace.get();
    std::fprintf(stderr, "profile: view %s, %zu source and %zu target tokens\n",
                 to_string(state_.view), trace ? trace->src_ids.size() : 0,
                 trace ? trace->tgt_ids.size() : 0);
    // The first frames build fonts and upload textures once; they are not what a user waits
    // for at each keystroke.
    if (profile_frames_.size() > 10)
      profile_frames_.erase(profile_frames_.begin(), profile_frames_.begin() + 5);
    report("frame (scene built and drawn)", profile_frames_);
    report("keystroke to finished frame", profile_inputs_);
    report("recomputation (tokens to Trace)", profile_computes_);
  }
}

}  // namespace

int run_app(const AppOptions& options) {
  // Font atlases and textures are rebuilt at every text-size change and are megabytes each:
  // a fixed mmap threshold hands such blocks back to the system when they are freed, where
  // glibc's adaptive one would keep them in a fragmenting heap that only grows.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  std::signal(SIGTERM, on_close_signal);
  std::signal(SIGINT, on_close_signal);
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "attnscope: no display (%s).\nRun it on a desktop, or export pictures without "
                 "one: xvfb-run attnscope export --text \"...\" --out view.png\n",
                 glfw_error_text.empty() ? "GLFW cannot start" : glfw_error_text.c_str());
    return 3;
  }
  Settings initial;
  if (options.use_settings) {
    std::string ignored;
    load_settings(options.settings_path.empty() ? default_settings_path() : options.settings_path,
                  &initial, &ignored);
  }
  const int width = options.width > 0 ? options.width : initial.window_width;
  const int height = options.height > 0 ? options.height : initial.window_height;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(width, height, "attnscope", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "attnscope: cannot open a window with OpenGL 3.3 (%s)\n",
                 glfw_error_text.c_str());
    glfwTerminate();
    return 3;
  }
  // The title bar and the task switcher show the menu's icon, drawn by the same code.
  std::vector<IconImage> icons = window_icon_images();
  std::vector<GLFWimage> glfw_icons;
  for (IconImage& icon : icons)
    glfw_icons.push_back(GLFWimage{icon.width, icon.height, icon.rgba.data()});
  glfwSetWindowIcon(window, static_cast<int>(glfw_icons.size()), glfw_icons.data());
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; settings.json keeps the rest
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  g_keys.imgui = glfwSetKeyCallback(window, on_key);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  int status = 0;
  try {
    // The model's matrix products may use every core (the GUI thread mostly waits).
    set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    App app(options, window);
    app.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope: %s\n", e.what());
    status = 1;
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return status;
}

}  // namespace attnscope
