// The desktop window (see app.h): its loop. One ImGui window fills the GLFW window: the top
// bar, the controls on the left, the view in the centre and a status bar below (panels.h,
// view_panel.h); keys are shortcuts (input.h); the model computes on the side (models.h).
#include "gui/app.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "about.h"
#include "attnscope/io.h"
#include "attnscope/model.h"
#include "gui/export.h"
#include "gui/input.h"
#include "gui/models.h"
#include "gui/panels.h"
#include "gui/profiler.h"
#include "gui/settings.h"
#include "gui/style.h"
#include "gui/view_panel.h"
#include "gui/window.h"

namespace attnscope {

namespace {

constexpr const char* kDefaultSentence = "the little black cat does not eat the fish .";

std::string glfw_error_text;

void on_glfw_error(int, const char* description) {
  glfw_error_text = description;
}

// Set by SIGTERM or SIGINT: the window closes as if its close button was pressed, so the
// settings are saved and nothing is cut off mid-write.
volatile std::sig_atomic_t g_close_requested = 0;

void on_close_signal(int) {
  g_close_requested = 1;
}

class App {
 public:
  App(const AppOptions& options, GLFWwindow* window);
  ~App();
  void run();

 private:
  void frame();
  // Opens a model folder: "" when it did, else why not (also the status).
  std::string open_model(const std::string& dir);
  // After a new result: the state kept within the new Trace.
  void take_result();
  void handle_keys();
  void handle(const Requests& requests);
  void export_current(ExportFormat format);
  void save_window_png();
  std::string export_path(ExportFormat format) const;
  void save_settings(bool force);
  void save_screenshot() const;

  AppOptions options_;
  GLFWwindow* window_;
  Settings settings_;
  AppState& state_;                                  // settings_.state
  std::unique_ptr<SettingsWriter> settings_writer_;  // null with --no-settings
  std::unique_ptr<Renderer> renderer_;
  LiveModel model_;
  std::vector<std::string> bundled_;
  std::unique_ptr<ViewPanel> view_;
  OpenModelDialog open_model_dialog_;
  Style style_;
  Status status_;
  Fullscreen fullscreen_;
  bool show_help_ = false;
  bool window_png_requested_ = false;
  int frames_ = 0;
  Profiler profiler_;
};

App::App(const AppOptions& options, GLFWwindow* window)
    : options_(options), window_(window), state_(settings_.state) {
  std::string default_model, no_default_model;  // the bundled toy-en-fr, or why there is none
  try {
    default_model = default_model_dir();
  } catch (const std::exception& e) {
    no_default_model = e.what();
  }
  state_.model_dir = default_model;
  state_.sentence = kDefaultSentence;
  const std::string settings_path =
      options.settings_path.empty() ? default_settings_path() : options.settings_path;
  std::string settings_warning;
  if (options.use_settings) {
    std::string warning;
    if (!load_settings(settings_path, &settings_, &warning)) settings_warning = warning;
  }
  if (!options.model_dir.empty()) state_.model_dir = options.model_dir;
  if (options.has_text) state_.sentence = options.text;
  if (!options.export_dir.empty()) settings_.export_dir = options.export_dir;
  if (options.use_settings)
    settings_writer_ = std::make_unique<SettingsWriter>(settings_path, settings_);

  renderer_ = std::make_unique<Renderer>(find_fonts());
  view_ = std::make_unique<ViewPanel>(renderer_.get());
  bundled_ = bundled_models();
  if (state_.model_dir.empty()) {
    status_.set(no_default_model, true);
  } else {
    open_model(state_.model_dir);
  }
  if (!model_.has_model() && !default_model.empty() && state_.model_dir != default_model) {
    const std::string failed = status_.text;
    open_model(default_model);
    status_.set(failed + " — opened the bundled model instead", true);
  }
  if (!settings_warning.empty()) status_.set(settings_warning, true);
}

App::~App() {
  model_ = LiveModel();  // stops the worker first
  view_.reset();
  renderer_.reset();
  save_settings(true);
}

std::string App::open_model(const std::string& dir) {
  try {
    model_.open(dir);
  } catch (const std::exception& e) {
    status_.set(std::string("cannot open model: ") + e.what(), true);
    return status_.text;
  }
  state_.model_dir = dir;
  status_.set("opened " + dir, false);
  if (model_.request(state_)) take_result();
  return "";
}

void App::take_result() {
  if (model_.current().trace) clamp_to_trace(&state_, *model_.current().trace);
  view_->invalidate();
}

void App::handle_keys() {
  for (const KeyPress& press : take_key_presses()) {
    const Shortcut shortcut = shortcut_for(press, text_box_active());
    if (apply_to_state(shortcut, &state_, model_.current().trace.get())) continue;
    switch (shortcut.action) {
      case Action::kExportView:
        export_current(ExportFormat::kPng);
        break;
      case Action::kExportWindow:
        window_png_requested_ = true;
        break;
      case Action::kFullscreen:
        fullscreen_.toggle(window_);
        break;
      case Action::kOpenModel:
        open_model_dialog_.show(state_.model_dir);
        break;
      case Action::kToggleHelp:
        show_help_ = !show_help_;
        break;
      case Action::kEscape:
        show_help_ = false;
        state_.focus_query = state_.focus_key = -1;
        break;
      default:
        break;
    }
  }
}

void App::handle(const Requests& requests) {
  if (!requests.open_model.empty()) open_model(requests.open_model);
  if (requests.open_model_dialog) open_model_dialog_.show(state_.model_dir);
  if (requests.export_view) export_current(*requests.export_view);
  if (requests.export_window) window_png_requested_ = true;
  if (requests.show_help) show_help_ = true;
  if (requests.restyle) style_.invalidate();
}

std::string App::export_path(ExportFormat format) const {
  const std::string dir = settings_.export_dir.empty() ? "." : settings_.export_dir;
  return dir + "/" + default_export_name(state_, format);
}

void App::export_current(ExportFormat format) {
  if (!model_.current().trace || !model_.has_model()) {
    status_.set("nothing to export yet", true);
    return;
  }
  ExportJob job;
  job.path = export_path(format);
  job.format = format;
  job.scale = static_cast<float>(settings_.export_scale);
  try {
    export_view(job, renderer_.get(), model_.current().trace, model_.trace_id(), state_,
                *model_.bundle(), model_.current().generated);
    status_.set("saved " + job.path, false);
  } catch (const std::exception& e) {
    status_.set(std::string("export failed: ") + e.what(), true);
  }
}

void App::save_window_png() {
  std::string path = export_path(ExportFormat::kPng);
  path.insert(path.size() - 4, "_window");
  try {
    write_file_atomic(path, window_png(window_));
    status_.set("saved " + path, false);
  } catch (const std::exception& e) {
    status_.set(std::string("export failed: ") + e.what(), true);
  }
}

void App::save_settings(bool force) {
  if (!settings_writer_) return;
  if (window_ && !fullscreen_.on()) {
    int w = 0, h = 0;
    glfwGetWindowSize(window_, &w, &h);
    if (w > 0 && h > 0) {
      settings_.window_width = w;
      settings_.window_height = h;
    }
  }
  const std::string error = settings_writer_->write_if_changed(settings_, force);
  if (!error.empty()) status_.set("settings not saved: " + error, true);
}

void App::frame() {
  if (model_.poll()) take_result();
  if (style_.update(state_.ui_scale, state_.dark)) view_->invalidate();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  handle_keys();

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  // No background of its own: the frame is cleared to the same colour, and not filling the
  // whole window twice matters to a software OpenGL.
  ImGui::Begin("##root", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoBackground);
  Requests top;
  draw_top_bar(&state_, model_, bundled_, &top);
  handle(top);
  const float status_height = ImGui::GetFrameHeightWithSpacing() + 6;
  const float controls_width = 290 * state_.ui_scale;
  const float body_height = ImGui::GetContentRegionAvail().y - status_height;
  ImGui::BeginChild("##body", ImVec2(0, body_height), false, ImGuiWindowFlags_NoScrollbar);
  Requests controls;
  draw_controls(controls_width, &settings_, model_.current().trace.get(), &controls);
  handle(controls);
  ImGui::SameLine();
  // Typed text and decoding changes show in this very frame.
  if (model_.request(state_)) take_result();
  ImGui::BeginGroup();
  view_->draw_tabs(&state_);
  view_->draw(ImGui::GetContentRegionAvail(), &state_, model_, &status_);
  ImGui::EndGroup();
  ImGui::EndChild();
  draw_status_bar(state_, model_, status_);
  ImGui::End();
  draw_help(&show_help_);
  open_model_dialog_.draw(state_.ui_scale,
                          [this](const std::string& dir) { return open_model(dir); });

  if (model_.request(state_)) take_result();
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
  save_settings(false);
}

// --screenshot: the window as PNG, and where the view and the translation are in it as JSON
// beside it.
void App::save_screenshot() const {
  try {
    write_file_atomic(options_.screenshot, window_png(window_));
    std::string description = view_->description();  // one JSON object
    description.insert(description.rfind('}'), ", \"translation\": " + top_bar_description());
    write_file_atomic(options_.screenshot + ".json", description);
    std::printf("%s\n", options_.screenshot.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope: %s\n", e.what());
  }
}

void App::run() {
  while (!glfwWindowShouldClose(window_) && !g_close_requested) {
    if (model_.busy() || options_.quit_after_frames > 0 || frames_ < 3) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.25);
    }
    if (options_.profile) {
      view_->invalidate();  // every view drawn again every frame
      profiler_.before_frame(frames_, &state_, model_);
    }
    frame();
    release_late_keys(window_);
    if (options_.profile) profiler_.after_frame(model_);
    ++frames_;
    if (options_.quit_after_frames > 0 && frames_ >= options_.quit_after_frames) {
      if (!options_.screenshot.empty()) save_screenshot();
      glfwSetWindowShouldClose(window_, 1);
    }
    glfwSwapBuffers(window_);
  }
  if (options_.profile) profiler_.report(state_, model_);
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
  GLFWwindow* window = open_window(options.width > 0 ? options.width : initial.window_width,
                                   options.height > 0 ? options.height : initial.window_height);
  if (!window) {
    std::fprintf(stderr, "attnscope: cannot open a window with OpenGL 3.3 (%s)\n",
                 glfw_error_text.c_str());
    glfwTerminate();
    return 3;
  }
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; settings.json keeps the rest
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  install_key_queue(window);
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
