// The help window (see panels.h): the keys, the version and where the bundled models are.
#include <imgui.h>

#include "about.h"
#include "gui/input.h"
#include "gui/panels.h"

namespace attnscope {

void draw_help(bool* open) {
  if (!*open) return;
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always,
                          ImVec2(0.5f, 0.5f));
  if (ImGui::Begin("Keyboard", open,
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
      for (const KeyHelp& k : key_help()) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(k.keys.c_str());
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(k.action.c_str());
      }
      ImGui::EndTable();
    }
    ImGui::TextDisabled("Hover a cell or token for its value; click a token to isolate it.");
    ImGui::TextDisabled("Click a heatmap row or a query token: the Explain view (5) explains it;");
    ImGui::TextDisabled("there, hover a score for the largest terms of its dot product.");
    ImGui::Separator();
    ImGui::TextUnformatted(version_line("attnscope").c_str());
    const std::string models = bundled_models_dir();
    ImGui::TextDisabled("Bundled models: %s", models.empty() ? "none found" : models.c_str());
  }
  ImGui::End();
}

}  // namespace attnscope
