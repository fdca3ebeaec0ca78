// Fonts and colours of the window: the text size and the theme of the AppState.
#pragma once

namespace attnscope {

// Builds the fonts at `ui_scale` (with the CJK glyphs when a CJK font is installed), uploads
// them, and sets ImGui's light or dark style, scaled.
void apply_style(float ui_scale, bool dark);

// Applies the style when the text size changed since it was last applied, or invalidate()
// asked for it (a new theme, the text size slider let go).
class Style {
 public:
  // True when it applied the style now.
  bool update(float ui_scale, bool dark);
  void invalidate() { applied_scale_ = 0; }

 private:
  float applied_scale_ = 0;
};

}  // namespace attnscope
