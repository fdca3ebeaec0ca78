// The window's panels besides the view (view_panel.h), one file each: the top bar with the
// sentence and the model, the controls on the left, the status bar, the help window and the
// dialog that opens a model folder. They draw with ImGui and change the AppState directly;
// what else they want done, the window does right after drawing them (Requests).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gui/export.h"
#include "gui/models.h"
#include "gui/settings.h"

namespace attnscope {

// What a panel asks of the window besides a change of the AppState.
struct Requests {
  std::string open_model;          // a model folder to open, "" for none
  bool open_model_dialog = false;  // ask for a model folder
  std::optional<ExportFormat> export_view;
  bool export_window = false;  // the whole window as PNG, once the frame is drawn
  bool show_help = false;
  bool restyle = false;  // fonts and colours again: the theme or the text size changed
};

// The last thing that happened, shown in the status bar.
struct Status {
  std::string text;
  bool error = false;
  // Also writes it to stderr: a log for whoever started the app from a terminal.
  void set(const std::string& message, bool is_error);
};

// The sentence box, the translation, the model picker and the source tokens.
void draw_top_bar(AppState* state, const LiveModel& model, const std::vector<std::string>& bundled,
                  Requests* requests);
// Where the last frame drew the translation, as a JSON object in framebuffer pixels: its text,
// the box the text took as laid out (x, y, width, height: wrapped lines included), the part of
// the window that shows it (clip) and the height of one line; "null" before the first frame.
std::string top_bar_description();

// The controls on the left, `width` wide: attention, colour, decoding and export.
void draw_controls(float width, Settings* settings, const Trace* trace, Requests* requests);

// The model, the trace's size, the time of the last computation, warnings and the status.
void draw_status_bar(const AppState& state, const LiveModel& model, const Status& status);

// The list of keys, centred, while *open; its close button clears *open.
void draw_help(bool* open);

// A modal dialog asking for a model folder.
class OpenModelDialog {
 public:
  // Opens on the next frame, with `dir` filled in; when it is open already, keeps what is
  // typed (its text field may be active: changing its text under it would break its state).
  void show(const std::string& dir);
  // `open_model(dir)` opens a model folder: "" when it did, else why not (shown in the
  // dialog, which stays open).
  void draw(float ui_scale, const std::function<std::string(const std::string&)>& open_model);

 private:
  bool pending_ = false;
  bool visible_ = false;  // drawn last frame
  std::string path_;
  std::string error_;
};

}  // namespace attnscope
