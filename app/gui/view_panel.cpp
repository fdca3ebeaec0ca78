// The view panel (see view_panel.h).
#include "gui/view_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "gui/export.h"

namespace attnscope {

namespace {

// Each view renders into its own framebuffer: slot kViewSlot + the view's number.
constexpr int kViewSlot = 0;
static_assert(kViewSlot + kViewCount <= kExportSlot, "the views' framebuffers and the export's");

}  // namespace

ViewPanel::ViewPanel(Renderer* renderer) : renderer_(renderer) {
  // On screen, lines are smoothed by the shader; multisampling would cost a software OpenGL
  // more than the whole rest of the frame. Exports keep it.
  for (int v = 0; v < kViewCount; ++v)
    renderer_->set_multisample(kViewSlot + v, false);
}

void ViewPanel::draw_tabs(AppState* state) {
  if (!ImGui::BeginTabBar("##views")) return;
  for (const ViewInfo& view : kViews) {
    const int v = static_cast<int>(view.kind);
    const bool current = state->view == view.kind;
    ImGuiTabItemFlags flags = current && tab_shown_ != v ? ImGuiTabItemFlags_SetSelected : 0;
    if (ImGui::BeginTabItem(view.title, nullptr, flags)) {
      if (tab_shown_ == static_cast<int>(state->view) || current) state->view = view.kind;
      tab_shown_ = v;
      ImGui::EndTabItem();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", view.tooltip);
  }
  ImGui::EndTabBar();
}

void ViewPanel::draw(ImVec2 size, AppState* state, const LiveModel& model, Status* status) {
  size.x = std::max(64.0f, std::floor(size.x));
  size.y = std::max(64.0f, std::floor(size.y));
  const ComputeResult& current = model.current();
  if (!current.trace) {
    ImGui::BeginChild("##view", size, true);
    ImGui::TextDisabled(model.has_model() ? "computing…" : "open a model to begin");
    ImGui::EndChild();
    return;
  }
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ViewInput in;
  in.trace = current.trace;
  in.trace_id = model.trace_id();
  in.state = state;
  in.width = size.x;
  in.height = size.y;
  in.measure = renderer_->measure();
  const Vocab* vocab = &model.bundle()->tgt_vocab;
  in.target_token = [vocab](int id) {
    return id >= 0 && id < vocab->size() ? vocab->token(id) : "#" + std::to_string(id);
  };
  in.pad_id = model.bundle()->model.config().pad_id;
  // Hover: which region of the last scene is under the mouse.
  std::optional<HitRegion> hit;
  const ImVec2 mouse = io.MousePos;
  const float sx = mouse.x - origin.x, sy = mouse.y - origin.y;
  const bool inside = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && sx >= 0 &&
                      sy >= 0 && sx < size.x && sy < size.y &&
                      !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId);
  if (inside && size_.x == size.x && size_.y == size.y) hit = resolve_hit(scene_, sx, sy);
  // The heatmap outlines the cell under the pointer; the links view, while no token is
  // clicked, shows the links of the token under it only.
  if (hit && state->view == ViewKind::kHeatmap && hit->kind == HitKind::kCell) {
    in.hover.row = hit->a;
    in.hover.col = hit->b;
  }
  if (hit && state->view == ViewKind::kLinks) {
    if (hit->kind == HitKind::kQueryToken) in.hover.query = hit->a;
    if (hit->kind == HitKind::kKeyToken) in.hover.key = hit->a;
  }
  // The explain view shows the largest terms of the score under the pointer.
  if (hit && state->view == ViewKind::kExplain && hit->kind == HitKind::kKeyToken)
    in.hover.key = hit->a;
  const ViewParams& params = *state;
  if (dirty_ || size_.x != size.x || size_.y != size.y || trace_id_ != in.trace_id ||
      params_ != params || hover_ != in.hover) {
    try {
      scene_ = build_view(in);
    } catch (const std::exception& e) {
      scene_ = Scene();
      scene_.width = size.x;
      scene_.height = size.y;
      status->set(std::string("cannot draw this view: ") + e.what(), true);
    }
    size_ = size;
    trace_id_ = in.trace_id;
    params_ = params;
    hover_ = in.hover;
    texture_ = renderer_->render(scene_, io.DisplayFramebufferScale.x,
                                 kViewSlot + static_cast<int>(state->view));
    dirty_ = false;
  }
  origin_ = origin;
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)), size, ImVec2(0, 0),
               ImVec2(1, 1));
  if (hit) {
    const std::string tip = hit_tooltip(in, *hit);
    if (!tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      // A clicked query row (heatmap) or query token (links view) is the one the explain view
      // explains.
      if (state->view != ViewKind::kExplain &&
          (hit->kind == HitKind::kQueryToken || hit->kind == HitKind::kCell) && hit->a >= 0 &&
          state->query != hit->a) {
        state->query = hit->a;
        state->revealed = false;
      }
      switch (hit->kind) {
        case HitKind::kQueryToken:
          state->focus_query = state->focus_query == hit->a ? -1 : hit->a;
          state->focus_key = -1;
          break;
        case HitKind::kKeyToken:
          if (state->view == ViewKind::kExplain) break;
          state->focus_key = state->focus_key == hit->a ? -1 : hit->a;
          state->focus_query = -1;
          break;
        case HitKind::kTile:
          state->layer = hit->a;
          if (hit->b >= 0) {
            state->head = hit->b;
            state->head_mode = HeadMode::kSingle;
          } else {
            state->head_mode = HeadMode::kMean;
          }
          break;
        case HitKind::kStep:
          state->step = hit->a;
          break;
        case HitKind::kCell:
          break;
      }
      dirty_ = true;
    }
    if (hit->kind == HitKind::kTile && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
      state->view = ViewKind::kHeatmap;
  } else if (inside && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    state->focus_query = state->focus_key = -1;
  }
}

std::string ViewPanel::description() const {
  const float scale = ImGui::GetIO().DisplayFramebufferScale.x;
  char buffer[512];
  int n = std::snprintf(buffer, sizeof buffer,
                        "{\"view\": {\"x\": %.2f, \"y\": %.2f, \"width\": %.2f, "
                        "\"height\": %.2f}",
                        origin_.x * scale, origin_.y * scale, size_.x * scale, size_.y * scale);
  std::string out(buffer, n);
  if (!scene_.matrices.empty() && scene_.matrices[0].values) {
    const SceneMatrix& m = scene_.matrices[0];
    n = std::snprintf(buffer, sizeof buffer,
                      ", \"matrix\": {\"x\": %.2f, \"y\": %.2f, \"width\": %.2f, "
                      "\"height\": %.2f, \"rows\": %ld, \"cols\": %ld}",
                      (origin_.x + m.x) * scale, (origin_.y + m.y) * scale, m.width * scale,
                      m.height * scale, static_cast<long>(m.values->rows()),
                      static_cast<long>(m.values->cols()));
    out.append(buffer, n);
  }
  return out + "}\n";
}

}  // namespace attnscope
