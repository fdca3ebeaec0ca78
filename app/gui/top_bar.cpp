// The top bar (see panels.h): the sentence box and the model picker, the translation on a line
// of its own under them, and the words as the model sees them, unknown ones marked. The
// translation and the words wrap instead of running off the window, so the whole of them can
// be read at any text size.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/input.h"
#include "gui/panels.h"

namespace attnscope {

namespace {

// Where the translation was drawn in the last frame, for --screenshot's description.
struct TranslationLayout {
  std::string text;           // what was drawn
  ImVec2 min, max;            // the text as laid out, wrapped lines included
  ImVec2 clip_min, clip_max;  // what of the window shows it
  float line_height = 0;      // one line of it
  bool drawn = false;
} g_translation;

// The token strip takes at most this many lines; the rest are counted after an ellipsis.
constexpr int kMaxTokenLines = 3;

}  // namespace

void draw_top_bar(AppState* state, const LiveModel& model, const std::vector<std::string>& bundled,
                  Requests* requests) {
  const ComputeResult& current = model.current();
  const ImGuiStyle& style = ImGui::GetStyle();
  // The model picker as wide as its name needs, up to 220 units and a third of the bar: the
  // sentence box gets the rest.
  const std::string current_name = model.has_model() ? model_name(state->model_dir) : "(no model)";
  const float model_width =
      std::min({ImGui::CalcTextSize(current_name.c_str()).x + ImGui::GetFrameHeight() +
                    2 * style.FramePadding.x + 24 * state->ui_scale,
                220 * state->ui_scale, ImGui::GetContentRegionAvail().x / 3});
  // The labels on the left are one column, so the sentence, its translation and its words
  // start at the same x.
  const char* kSentence = "Sentence";
  const char* kTranslation = "Translation";
  const char* kTokens = "tokens";
  const float label_w =
      std::max({ImGui::CalcTextSize(kSentence).x, ImGui::CalcTextSize(kTranslation).x,
                ImGui::CalcTextSize(kTokens).x}) +
      style.ItemSpacing.x;
  const float left = ImGui::GetCursorPosX();
  const float indent = left + label_w;

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(kSentence);
  ImGui::SameLine(indent);
  ImGui::SetNextItemWidth(
      std::max(ImGui::GetContentRegionAvail().x - model_width - style.ItemSpacing.x, 40.0f));
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
  ImGui::SetNextItemWidth(model_width);
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

  // The translation, whole: wrapped at the window's edge, its lines under one another.
  ImGui::TextDisabled("%s", kTranslation);
  ImGui::SameLine(indent);
  const bool error = !current.error.empty();
  const std::string& shown = error ? current.error : current.translation;
  ImGui::PushTextWrapPos(0.0f);
  if (error) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.85f, 0.2f, 0.2f, 1));
  ImGui::TextUnformatted(shown.c_str(), shown.c_str() + shown.size());
  if (error) ImGui::PopStyleColor();
  ImGui::PopTextWrapPos();
  g_translation.text = shown;
  g_translation.min = ImGui::GetItemRectMin();
  g_translation.max = ImGui::GetItemRectMax();
  g_translation.clip_min = ImGui::GetWindowDrawList()->GetClipRectMin();
  g_translation.clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
  g_translation.line_height = ImGui::GetTextLineHeight();
  g_translation.drawn = true;
  if (!error && ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "What the model writes for the sentence (greedy, beam or forced: see "
        "DECODING)");

  // The token strip: the words as the model sees them, unknown ones marked, wrapped like the
  // translation over at most kMaxTokenLines lines; what does not fit is counted after "…".
  ImGui::TextDisabled("%s", kTokens);
  const size_t total = current.source.size();
  std::vector<std::string> texts(total);
  std::vector<float> starts(total);  // x from the indent
  std::vector<int> lines(total);
  const float room = ImGui::GetWindowContentRegionMax().x - indent;
  const float space = ImGui::CalcTextSize(" ").x;
  size_t fit = total;
  float x = 0;
  for (size_t i = 0, line = 0; i < total; ++i) {
    const SourceToken& token = current.source[i];
    texts[i] = token.unknown ? "[" + token.text + "?]" : token.text;
    const float w = ImGui::CalcTextSize(texts[i].c_str()).x;
    if (x > 0 && x + space + w > room) {
      ++line;
      x = 0;
    }
    if (line == kMaxTokenLines) {
      fit = i;
      break;
    }
    starts[i] = x > 0 ? x + space : 0;
    lines[i] = static_cast<int>(line);
    x = starts[i] + w;
  }
  char more[64];
  std::snprintf(more, sizeof more, "\xe2\x80\xa6 (%zu words)", total);
  if (fit < total) {
    // The count goes on the last line, after as many of its words as leave room for it.
    const float more_w = ImGui::CalcTextSize(more).x;
    while (fit > 1 && lines[fit - 1] == kMaxTokenLines - 1 && starts[fit - 1] > 0 &&
           starts[fit - 1] + ImGui::CalcTextSize(texts[fit - 1].c_str()).x + space + more_w >
               room) {
      --fit;
    }
  }
  for (size_t i = 0; i < fit; ++i) {
    if (i > 0 && lines[i] != lines[i - 1]) {
      ImGui::SetCursorPosX(indent);
    } else {
      ImGui::SameLine(i == 0 ? indent : 0.0f, i == 0 ? -1.0f : space);
    }
    const SourceToken& token = current.source[i];
    if (token.unknown) {
      ImGui::TextColored(ImVec4(0.9f, 0.35f, 0.1f, 1), "%s", texts[i].c_str());
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("'%s' is not in the model's vocabulary: the model sees <unk>",
                          token.text.c_str());
    } else {
      ImGui::TextUnformatted(texts[i].c_str());
    }
  }
  if (fit < total) {
    ImGui::SameLine(0.0f, space);
    ImGui::TextDisabled("%s", more);
  }
  if (current.dropped_tokens > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.9f, 0.35f, 0.1f, 1), "  cut: %d words over the model's %d",
                       current.dropped_tokens, current.max_source_tokens);
  }
}

std::string top_bar_description() {
  if (!g_translation.drawn) return "null";
  const float scale = ImGui::GetIO().DisplayFramebufferScale.x;
  std::string text;
  for (char c : g_translation.text) {
    if (c == '"' || c == '\\') {
      text += '\\';
      text += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      text += escaped;
    } else {
      text += c;
    }
  }
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                "\"x\": %.2f, \"y\": %.2f, \"width\": %.2f, \"height\": %.2f, "
                "\"clip\": {\"x\": %.2f, \"y\": %.2f, \"width\": %.2f, \"height\": %.2f}, "
                "\"line_height\": %.2f",
                g_translation.min.x * scale, g_translation.min.y * scale,
                (g_translation.max.x - g_translation.min.x) * scale,
                (g_translation.max.y - g_translation.min.y) * scale,
                g_translation.clip_min.x * scale, g_translation.clip_min.y * scale,
                (g_translation.clip_max.x - g_translation.clip_min.x) * scale,
                (g_translation.clip_max.y - g_translation.clip_min.y) * scale,
                g_translation.line_height * scale);
  return "{\"text\": \"" + text + "\", " + buffer + "}";
}

}  // namespace attnscope
