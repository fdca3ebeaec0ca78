// The dialog that opens a model folder (see panels.h).
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/panels.h"

namespace attnscope {

void OpenModelDialog::show(const std::string& dir) {
  if (visible_) return;
  pending_ = true;
  path_ = dir;
  error_.clear();
}

void OpenModelDialog::draw(float ui_scale,
                           const std::function<std::string(const std::string&)>& open_model) {
  if (pending_) {
    ImGui::OpenPopup("Open model");
    pending_ = false;
  }
  visible_ = ImGui::BeginPopupModal("Open model", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
  if (!visible_) return;
  ImGui::TextUnformatted(
      "A model folder: config.json, model.safetensors, src_vocab.txt, "
      "tgt_vocab.txt");
  ImGui::SetNextItemWidth(520 * ui_scale);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool enter = ImGui::InputText("##path", &path_, ImGuiInputTextFlags_EnterReturnsTrue);
  if (!error_.empty()) ImGui::TextColored(ImVec4(0.9f, 0.2f, 0.2f, 1), "%s", error_.c_str());
  if (ImGui::Button("Open") || enter) {
    error_ = open_model(path_);
    if (error_.empty()) ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

}  // namespace attnscope
