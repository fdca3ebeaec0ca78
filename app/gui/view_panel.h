// The view panel: the tabs choosing the view, and the view itself, a Scene drawn by the
// Renderer into a framebuffer and shown as an image. The scene is built again only when what
// it shows changed: the Trace, the ViewParams, what is under the pointer, or the size. The
// pointer shows tooltips and highlights (Hover); a click isolates a token, selects a tile's
// layer and head, or a decoding step.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>

#include "gfx/renderer.h"
#include "gui/models.h"
#include "gui/panels.h"
#include "views/views.h"

namespace attnscope {

class ViewPanel {
 public:
  explicit ViewPanel(Renderer* renderer);

  // One tab per view (view_list.h); the selected tab follows state->view, so keys and clicks
  // elsewhere move it too.
  void draw_tabs(AppState* state);
  // The view of `model`'s current Trace in `size` (ImGui units) at the cursor.
  void draw(ImVec2 size, AppState* state, const LiveModel& model, Status* status);
  // Builds the scene again at the next draw.
  void invalidate() { dirty_ = true; }

  // Where the view and its first matrix are in the window, in framebuffer pixels, as JSON:
  // lets a test check a window capture against the Trace.
  std::string description() const;

 private:
  Renderer* renderer_;
  Scene scene_;
  unsigned texture_ = 0;
  bool dirty_ = true;
  // What the scene shows: the scene is built again when one of these changes.
  ImVec2 size_{0, 0};
  uint64_t trace_id_ = 0;
  ViewParams params_;
  Hover hover_;
  ImVec2 origin_{0, 0};  // where the view's image is in the window
  int tab_shown_ = -1;   // the tab ImGui showed last frame
};

}  // namespace attnscope
