// The controls on the left (see panels.h): which attention, its colours, the decoding and
// the exports. Tab never steps into them: it cycles the attention kind.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gui/panels.h"
#include "views/views.h"

namespace attnscope {

void draw_controls(float width, Settings* settings, const Trace* trace, Requests* requests) {
  AppState& state = settings->state;
  ImGui::BeginChild("##controls", ImVec2(width, 0), true);
  // Tab belongs to the attention kind: it must not step into these controls (ImGui would
  // turn a slider into a text box, and the keys would stop working as shortcuts).
  ImGui::PushAllowKeyboardFocus(false);
  ImGui::TextDisabled("ATTENTION");
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##kind", names_of(state.kind).label)) {
    for (int k = 0; k < 3; ++k) {
      const auto kind = static_cast<AttentionKind>(k);
      if (ImGui::Selectable(names_of(kind).label, kind == state.kind)) {
        state.kind = kind;
        if (trace) clamp_to_trace(&state, *trace);
      }
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Which attention to look at (Tab cycles)");
  const int layers = trace ? layer_count(*trace, state.kind) : 1;
  const int heads = trace ? trace->num_heads() : 1;
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##layer", &state.layer, 0, std::max(0, layers - 1), "layer %d");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Layer (↑ / ↓)");
  static const char* kModes[] = {"One head", "Mean", "Max"};
  for (int m = 0; m < 3; ++m) {
    if (m) ImGui::SameLine();
    if (ImGui::RadioButton(kModes[m], state.head_mode == static_cast<HeadMode>(m)))
      state.head_mode = static_cast<HeadMode>(m);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One head, or all heads combined (M cycles)");
  ImGui::BeginDisabled(state.head_mode != HeadMode::kSingle);
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##head", &state.head, 0, std::max(0, heads - 1), "head %d");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Head (← / →)");
  ImGui::EndDisabled();
  if (state.view == ViewKind::kLinks) {
    ImGui::Checkbox("All heads, one colour each", &state.overlay_heads);
  }
  const int steps = trace ? static_cast<int>(trace->tgt_ids.size()) : 1;
  int step = state.step < 0 ? steps - 1 : state.step;
  if (state.view == ViewKind::kExplain) {
    ImGui::Spacing();
    ImGui::TextDisabled("EXPLAIN");
    const int rows = trace ? static_cast<int>(trace->query_tokens(state.kind).size()) : 1;
    int query = trace ? std::max(0, explain_query(*trace, state)) : std::max(0, state.query);
    std::string token;  // in a format string: every % doubled
    if (trace && query < rows) {
      for (char c : trace->query_tokens(state.kind)[query])
        token += c == '%' ? std::string("%%") : std::string(1, c);
    }
    const std::string query_format = "query %d: " + token;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##query", &query, 0, std::max(0, rows - 1), query_format.c_str())) {
      if (query != state.query) state.revealed = false;
      state.query = query;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The word whose weights are explained (↑ / ↓, or click a heatmap row)");
    int stage = state.explain_stage;
    const std::string stage_format =
        "stage %d: " + std::string(explain_stage_name(state.explain_stage));
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##stage", &stage, 0, kExplainStages - 1, stage_format.c_str()))
      state.explain_stage = stage;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("How much of the computation is shown (Space / Shift+Space)");
    ImGui::Checkbox("Without 1/√d_k too", &state.compare_unscaled);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The softmax of the unscaled scores beside the real one, with the "
                        "entropy of both (U)");
    if (ImGui::Checkbox("Predict first", &state.predict_first)) state.revealed = false;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Hide the weights so the class can guess where the word looks (P)");
    if (state.predict_first) {
      ImGui::SameLine();
      if (ImGui::Button(state.revealed ? "Hide" : "Reveal")) state.revealed = !state.revealed;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show or hide the weights (W)");
    }
  }
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##step", &step, 0, std::max(0, steps - 1), "step %d")) state.step = step;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Decoding step: a target position ([ / ])");
  bool by_output = state.row_labels == RowLabels::kOutput;
  if (ImGui::Checkbox("Rows: the word written (\xe2\x86\x92)", &by_output))
    state.row_labels = by_output ? RowLabels::kOutput : RowLabels::kInput;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Cross and decoder self-attention: each row is a step that reads one word of the\n"
        "decoder input and writes the next. On: rows are named by the word written\n"
        "(\xe2\x86\x92 chat); off: by the word read (le). Key: R");

  ImGui::Spacing();
  ImGui::TextDisabled("COLOUR");
  static const char* kColormaps[] = {"viridis", "magma", "cividis (colour-blind safe)", "grey"};
  ImGui::SetNextItemWidth(-1);
  int colormap = static_cast<int>(state.colormap);
  if (ImGui::Combo("##colormap", &colormap, kColormaps, kWeightColormapCount))
    state.colormap = static_cast<Colormap>(colormap);
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderFloat("##threshold", &state.threshold, 0.0f, 1.0f, "hide below %.2f");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Hide weak links and blank weak cells");
  bool dark = state.dark;
  if (ImGui::Checkbox("Dark theme", &dark)) {
    state.dark = dark;
    requests->restyle = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderFloat("##scale", &state.ui_scale, 0.75f, 3.0f, "text %.2fx");
  if (ImGui::IsItemDeactivatedAfterEdit()) requests->restyle = true;

  ImGui::Spacing();
  ImGui::TextDisabled("DECODING");
  static const char* kDecode[] = {"Greedy", "Beam", "Forced"};
  for (int d = 0; d < 3; ++d) {
    if (d) ImGui::SameLine();
    if (ImGui::RadioButton(kDecode[d], state.decode == static_cast<DecodeMode>(d)))
      state.decode = static_cast<DecodeMode>(d);
  }
  if (state.decode == DecodeMode::kBeam) {
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##beam", &state.beam, 1, 16, "beam width %d");
  }
  if (state.decode == DecodeMode::kForced) {
    ImGui::SetNextItemWidth(-1);
    ImGui::PushAllowKeyboardFocus(false);
    ImGui::InputTextWithHint("##target", "target to teacher-force", &state.forced_target);
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
    if (ImGui::RadioButton(label, settings->export_scale == kScales[i]))
      settings->export_scale = kScales[i];
  }
  ImGui::SetNextItemWidth(-1);
  ImGui::PushAllowKeyboardFocus(false);
  ImGui::InputTextWithHint("##exportdir", "folder (default: current)", &settings->export_dir);
  ImGui::PopAllowKeyboardFocus();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Where exports go");
  const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
  if (ImGui::Button("View PNG", ImVec2(half, 0))) requests->export_view = ExportFormat::kPng;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+S: the view, re-rendered at the scale");
  ImGui::SameLine();
  if (ImGui::Button("Window PNG", ImVec2(half, 0))) requests->export_window = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+Shift+S: the whole window");
  if (ImGui::Button("SVG", ImVec2(half, 0))) requests->export_view = ExportFormat::kSvg;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The view as vectors, tokens as text");
  ImGui::SameLine();
  if (ImGui::Button("CSV", ImVec2(half, 0))) requests->export_view = ExportFormat::kCsv;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The selected matrix");
  const bool explain_view = state.view == ViewKind::kExplain;
  if (ImGui::Button(explain_view ? "Numbers JSON" : "Trace JSON", ImVec2(-1, 0)))
    requests->export_view = ExportFormat::kJson;
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(explain_view ? "The explained row's numbers: q, k, v, scores, weights, "
                                     "outputs (as attnscope-cli explain --format json)"
                                   : "Every attention matrix of this sentence");
  }
  ImGui::Spacing();
  if (ImGui::Button("Keys (?)", ImVec2(-1, 0))) requests->show_help = true;
  ImGui::PopAllowKeyboardFocus();
  ImGui::EndChild();
}

}  // namespace attnscope
