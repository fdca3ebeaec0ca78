// Font files, atlases and text layout with Dear ImGui's ImFontAtlas (stb_truetype inside).
#include "gfx/fonts.h"

#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8
#include <stb_truetype.h>

#include <sys/stat.h>

#include "attnscope/error.h"
#include "attnscope/io.h"

namespace attnscope {

namespace {

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

FontFiles find_fonts() {
  FontFiles files;
  files.main = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  // The CJK fonts of the usual Debian packages: fonts-noto-cjk, fonts-wqy-microhei,
  // fonts-wqy-zenhei, fonts-arphic-uming, fonts-droid-fallback.
  for (const char* path : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                           "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                           "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                           "/usr/share/fonts/truetype/arphic/uming.ttc",
                           "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"}) {
    if (is_file(path)) {
      files.cjk = path;
      break;
    }
  }
  return files;
}

namespace gfx {

namespace {

// Scripts a token label is likely to use, drawn with the main font (DejaVu Sans covers them).
// The list must outlive every atlas built from it, hence static.
const ImWchar kMainRanges[] = {
    0x0020, 0x00FF,  // Basic Latin, Latin-1 Supplement
    0x0100, 0x024F,  // Latin Extended-A and -B (GPT-2's byte-level tokens use U+0120 etc.)
    0x0370, 0x03FF,  // Greek and Coptic
    0x0400, 0x052F,  // Cyrillic and its supplement
    0x1D40, 0x1D40,  // modifier capital T: Kᵀ
    0x2000, 0x206F,  // General Punctuation
    0x2070, 0x209F,  // Superscripts and Subscripts: d_k, W_o
    0x20A0, 0x20CF,  // Currency Symbols
    0x2190, 0x21FF,  // Arrows
    0x2200, 0x22FF,  // Mathematical Operators: √, −, ∞
    0x2400, 0x243F,  // Control Pictures (visible whitespace such as U+2423)
    0x2580, 0x259F,  // Block Elements (SentencePiece's word marker U+2581)
    0x2C7C, 0x2C7C,  // subscript j: w_j
    0xFFFD, 0xFFFD,  // the replacement character: the fallback glyph, and what bad UTF-8 shows
    0,
};

// True for data stb_truetype can open. ImFontAtlas asserts (aborts) on a bad font, so the
// files are checked here first.
bool usable_font(const std::string& bytes) {
  if (bytes.size() < 12) return false;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const int offset = stbtt_GetFontOffsetForIndex(data, 0);
  if (offset < 0) return false;
  stbtt_fontinfo info;
  return stbtt_InitFont(&info, data, offset) != 0;
}

}  // namespace

std::shared_ptr<const FontBytes> load_fonts(const FontFiles& files) {
  auto fonts = std::make_shared<FontBytes>();
  try {
    fonts->main = read_file(files.main);
  } catch (const Error& e) {
    throw Error(std::string("cannot read the main font: ") + e.what() +
                " (on Debian or Ubuntu, install the package fonts-dejavu-core)");
  }
  if (!usable_font(fonts->main)) {
    throw Error("the main font '" + files.main + "' is not a TrueType or OpenType font");
  }
  if (!files.cjk.empty()) {
    try {
      fonts->cjk = read_file(files.cjk);
    } catch (const Error&) {
      fonts->cjk.clear();
    }
    if (!usable_font(fonts->cjk)) fonts->cjk.clear();
  }
  return fonts;
}

FontAtlas::FontAtlas(std::shared_ptr<const FontBytes> fonts, int pixels)
    : fonts_(std::move(fonts)), atlas_(std::make_unique<ImFontAtlas>()), pixels_(pixels) {
  atlas_->Flags |= ImFontAtlasFlags_NoMouseCursors | ImFontAtlasFlags_NoBakedLines;
  ImFontConfig config;
  config.FontDataOwnedByAtlas = false;  // fonts_ owns the bytes
  // Horizontal oversampling lets a glyph sit at a fractional x without blurring, so text
  // advances stay exactly linear in the size; from about 48 pixels up a pixel is small
  // against the glyph and the extra atlas memory buys nothing visible.
  config.OversampleH = pixels < 48 ? 2 : 1;
  config.OversampleV = 1;
  // ImGui never writes to the font data; it only wants a non-const pointer.
  font_ = atlas_->AddFontFromMemoryTTF(const_cast<char*>(fonts_->main.data()),
                                       static_cast<int>(fonts_->main.size()),
                                       static_cast<float>(pixels), &config, kMainRanges);
  if (!fonts_->cjk.empty()) {
    ImFontConfig cjk = config;
    cjk.MergeMode = true;  // glyphs the main font has keep the main font's design
    cjk.OversampleH = 1;   // thousands of ideographs: keep the atlas small
    // About 2500 common simplified Chinese ideographs plus kana and full-width forms: the
    // full CJK ranges would make an atlas of tens of megabytes per size.
    atlas_->AddFontFromMemoryTTF(const_cast<char*>(fonts_->cjk.data()),
                                 static_cast<int>(fonts_->cjk.size()), static_cast<float>(pixels),
                                 &cjk, atlas_->GetGlyphRangesChineseSimplifiedCommon());
  }
  if (font_ == nullptr || !atlas_->Build()) {
    throw Error("cannot build a font atlas of " + std::to_string(pixels) + " pixels");
  }
}

FontAtlas::~FontAtlas() = default;

const unsigned char* FontAtlas::alpha(int* width, int* height) {
  unsigned char* pixels = nullptr;
  atlas_->GetTexDataAsAlpha8(&pixels, width, height);
  return pixels;
}

void FontAtlas::release_pixels() {
  atlas_->ClearTexData();
}

namespace {

// Calls visit(glyph, x) for each character of `text` with x its pen position, the way ImGui
// decodes text: invalid UTF-8 gives U+FFFD for the bytes it spans. Returns the advance.
template <typename Visit>
float walk_glyphs(const ImFont& font, const std::string& text, Visit&& visit) {
  float x = 0;
  const char* s = text.data();
  const char* const end = s + text.size();
  while (s < end) {
    unsigned int c = 0;
    const int bytes = ImTextCharFromUtf8(&c, s, end);
    s += bytes > 0 ? bytes : 1;
    if (c > IM_UNICODE_CODEPOINT_MAX) c = IM_UNICODE_CODEPOINT_INVALID;
    const ImFontGlyph* glyph = font.FindGlyph(static_cast<ImWchar>(c));  // or the fallback
    if (glyph == nullptr) continue;
    visit(*glyph, x);
    x += glyph->AdvanceX;
  }
  return x;
}

}  // namespace

float FontAtlas::advance(const std::string& text) const {
  return walk_glyphs(*font_, text, [](const ImFontGlyph&, float) {});
}

float FontAtlas::layout(const std::string& text, std::vector<GlyphQuad>* quads) const {
  return walk_glyphs(*font_, text, [quads](const ImFontGlyph& g, float x) {
    if (!g.Visible) return;
    quads->push_back({x + g.X0, g.Y0, x + g.X1, g.Y1, g.U0, g.V0, g.U1, g.V1});
  });
}

}  // namespace gfx
}  // namespace attnscope
