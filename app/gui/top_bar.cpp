// The top bar (see panels.h): the sentence box, the translation beside it, the model picker,
// and under them the words as the model sees them, unknown ones marked.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include "gui/input.h"
#include "gui/panels.h"

namespace attnscope {

void draw_top_bar(AppState* state, const LiveModel& model, const std::vector<std::string>& bundled,
                  Requests* requests) {
  const ComputeResult& current = model.current();
  const float model_width = 220 * state->ui_scale;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Sentence");
  ImGui::SameLine();
  const float input_width = (ImGui::GetContentRegionAvail().x - model_width) * 0.55f;
  ImGui::SetNextItemWidth(input_width);
  // Esc would make ImGui revert the text: leave the box with the text kept instead.
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE) && text_box_active()) ImGui::ClearActiveID();
  ImGui::PushAllowKeyboardFocus(false);  // Tab cycles the attention kind, never into the box
  ImGui::InputTextWithHint("##sentence", "type a sentence to translate", &state->sentence,
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
  if (!current.error.empty()) {
    ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1), "%s", current.error.c_str());
  } else {
    ImGui::TextUnformatted(current.translation.c_str());
  }
  ImGui::EndChild();
  if (ImGui::IsItemHovered() && !current.translation.empty())
    ImGui::SetTooltip("%s", current.translation.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(model_width);
  const std::string current_name = model.has_model() ? model_name(state->model_dir) : "(no model)";
  if (ImGui::BeginCombo("##model", current_name.c_str())) {
    for (const std::string& dir : bundled) {
      const bool selected = dir == state->model_dir;
      if (ImGui::Selectable(model_name(dir).c_str(), selected) && !selected)
        requests->open_model = dir;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", dir.c_str());
    }
    ImGui::Separator();
    if (ImGui::Selectable("Open model…")) requests->open_model_dialog = true;
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The model: a bundled one, or any model folder");

  // The token strip: the words as the model sees them, unknown ones marked.
  ImGui::TextDisabled("tokens");
  for (size_t i = 0; i < current.source.size() && i < 400; ++i) {
    const SourceToken& token = current.source[i];
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
  if (current.source.size() > 400) {
    ImGui::SameLine();
    ImGui::TextDisabled("… (%zu words)", current.source.size());
  }
  if (current.dropped_tokens > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.9f, 0.35f, 0.1f, 1), "  cut: %d words over the model's %d",
                       current.dropped_tokens, current.max_source_tokens);
  }
}

}  // namespace attnscope
