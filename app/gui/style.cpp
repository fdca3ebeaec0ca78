// Fonts and colours (see style.h).
#include "gui/style.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cmath>
#include <filesystem>

#include "gfx/renderer.h"

namespace attnscope {

namespace {

constexpr float kBaseFontSize = 16.0f;

}  // namespace

void apply_style(float ui_scale, bool dark) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const FontFiles fonts = find_fonts();
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
    builder.AddRanges(io.Fonts->GetGlyphRangesCyrillic());
    // Latin, Greek, punctuation, sub- and superscripts (d_k, W_o), arrows, mathematical
    // operators (√, −, ∞), shapes, the replacement character; ᵀ and ⱼ for Kᵀ and w_j.
    static const ImWchar extra[] = {0x0100, 0x024F, 0x0370, 0x03FF, 0x1D40, 0x1D40,
                                    0x2000, 0x206F, 0x2070, 0x209F, 0x2190, 0x21FF,
                                    0x2200, 0x22FF, 0x25A0, 0x25FF, 0x2C7C, 0x2C7C, 0xFFFD, 0xFFFD, 0};
    builder.AddRanges(extra);
    builder.BuildRanges(&ranges);
  }
  const float size = std::round(kBaseFontSize * ui_scale);
  ImFont* font = nullptr;
  if (std::filesystem::exists(fonts.main))
    font = io.Fonts->AddFontFromFileTTF(fonts.main.c_str(), size, nullptr, ranges.Data);
  if (!font) {
    ImFontConfig config;
    config.SizePixels = size;
    io.Fonts->AddFontDefault(&config);
  } else if (!fonts.cjk.empty()) {
    ImFontConfig merge;
    merge.MergeMode = true;
    // The common ideographs and the kana: thousands of glyphs already, so the atlas stays
    // a few megabytes even at projector sizes (the full Japanese set would double it).
    static ImVector<ImWchar> cjk_ranges;
    if (cjk_ranges.empty()) {
      ImFontGlyphRangesBuilder builder;
      builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
      static const ImWchar kana[] = {0x3000, 0x30FF, 0x31F0, 0x31FF, 0xFF00, 0xFFEF, 0};
      builder.AddRanges(kana);
      builder.BuildRanges(&cjk_ranges);
    }
    io.Fonts->AddFontFromFileTTF(fonts.cjk.c_str(), size, &merge, cjk_ranges.Data);
  }
  io.Fonts->Build();
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  io.Fonts->ClearTexData();  // uploaded: the CPU copies are not needed any more
  ImGuiStyle style;
  if (dark) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  style.FrameRounding = 3;
  style.WindowRounding = 0;
  style.ScaleAllSizes(ui_scale);
  ImGui::GetStyle() = style;
}

bool Style::update(float ui_scale, bool dark) {
  if (applied_scale_ == ui_scale) return false;
  applied_scale_ = ui_scale;
  apply_style(ui_scale, dark);
  return true;
}

}  // namespace attnscope
