// The status bar (see panels.h).
#include <imgui.h>

#include <cstdio>

#include "gui/panels.h"

namespace attnscope {

void Status::set(const std::string& message, bool is_error) {
  text = message;
  error = is_error;
  std::fprintf(stderr, "attnscope: %s\n", message.c_str());
}

void draw_status_bar(const AppState& state, const LiveModel& model, const Status& status) {
  const ComputeResult& current = model.current();
  const Trace* trace = current.trace.get();
  ImGui::Separator();
  ImGui::AlignTextToFramePadding();
  ImGui::Text("%s", model.has_model() ? model_name(state.model_dir).c_str() : "no model");
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
  ImGui::Text("%.1f ms%s", current.milliseconds, model.busy() ? " (computing…)" : "");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Time of the last recomputation");
  for (const std::string& warning : current.warnings) {
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.9f, 0.45f, 0.1f, 1), "%s", warning.c_str());
  }
  if (!status.text.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    if (status.error) {
      ImGui::TextColored(ImVec4(0.9f, 0.2f, 0.2f, 1), "%s", status.text.c_str());
    } else {
      ImGui::TextUnformatted(status.text.c_str());
    }
  }
}

}  // namespace attnscope
