// Names of the AppState enums, as settings files and the command line spell them.
#include "views/app_state.h"

namespace attnscope {

namespace {

template <typename Enum, size_t N>
bool parse_name(const std::string& text, const Enum (&values)[N], Enum* out) {
  for (Enum value : values) {
    if (text == to_string(value)) {
      *out = value;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* to_string(ViewKind view) {
  switch (view) {
    case ViewKind::kHeatmap:
      return "heatmap";
    case ViewKind::kLinks:
      return "links";
    case ViewKind::kGrid:
      return "grid";
    case ViewKind::kSteps:
      return "steps";
  }
  return "?";
}

bool parse_view_kind(const std::string& text, ViewKind* view) {
  static const ViewKind values[] = {ViewKind::kHeatmap, ViewKind::kLinks, ViewKind::kGrid,
                                    ViewKind::kSteps};
  return parse_name(text, values, view);
}

const char* to_string(HeadMode mode) {
  switch (mode) {
    case HeadMode::kSingle:
      return "single";
    case HeadMode::kMean:
      return "mean";
    case HeadMode::kMax:
      return "max";
  }
  return "?";
}

bool parse_head_mode(const std::string& text, HeadMode* mode) {
  static const HeadMode values[] = {HeadMode::kSingle, HeadMode::kMean, HeadMode::kMax};
  return parse_name(text, values, mode);
}

const char* to_string(DecodeMode mode) {
  switch (mode) {
    case DecodeMode::kGreedy:
      return "greedy";
    case DecodeMode::kBeam:
      return "beam";
    case DecodeMode::kForced:
      return "forced";
  }
  return "?";
}

bool parse_decode_mode(const std::string& text, DecodeMode* mode) {
  static const DecodeMode values[] = {DecodeMode::kGreedy, DecodeMode::kBeam, DecodeMode::kForced};
  return parse_name(text, values, mode);
}

}  // namespace attnscope
