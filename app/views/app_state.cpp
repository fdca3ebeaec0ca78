// Names of the AppState enums, as settings files and the command line spell them; comparing
// ViewParams; keeping the state within a Trace.
#include "views/app_state.h"

#include <algorithm>
#include <tuple>

#include "views/views.h"

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

// Every field of ViewParams, for comparing. The structured binding must name each field:
// with one added to the struct and not here, it does not compile.
auto fields(const ViewParams& p) {
  const auto& [view, kind, layer, head, head_mode, overlay_heads, step, colormap, threshold, dark,
               ui_scale, row_labels, focus_query, focus_key, query, explain_stage, compare_unscaled,
               predict_first, revealed] = p;
  return std::tie(view, kind, layer, head, head_mode, overlay_heads, step, colormap, threshold,
                  dark, ui_scale, row_labels, focus_query, focus_key, query, explain_stage,
                  compare_unscaled, predict_first, revealed);
}

}  // namespace

bool operator==(const ViewParams& a, const ViewParams& b) {
  return fields(a) == fields(b);
}

void clamp_to_trace(AppState* state, const Trace& trace) {
  const int layers = static_cast<int>(trace.records(state->kind).size());
  state->layer = std::clamp(state->layer, 0, std::max(0, layers - 1));
  state->head = std::clamp(state->head, 0, std::max(0, trace.num_heads() - 1));
  const int steps = static_cast<int>(trace.tgt_ids.size());
  if (state->step >= steps) state->step = steps - 1;
  if (state->focus_query >= static_cast<int>(trace.query_tokens(state->kind).size()))
    state->focus_query = -1;
  if (state->focus_key >= static_cast<int>(trace.key_tokens(state->kind).size()))
    state->focus_key = -1;
  const int queries = static_cast<int>(trace.query_tokens(state->kind).size());
  if (state->query >= queries) state->query = queries - 1;
  if (state->query < -1) state->query = -1;
  state->explain_stage = std::clamp(state->explain_stage, 0, kExplainStages - 1);
}

namespace {

// The views' names straight from view_list.h, so that reading and writing them needs none of
// the builders (the settings reader is also built on its own, for fuzzing).
#define ATTNSCOPE_VIEW_NAME(id, name, title, key, build, tooltip) name,
constexpr const char* kViewNames[kViewCount] = {ATTNSCOPE_VIEWS(ATTNSCOPE_VIEW_NAME)};
#undef ATTNSCOPE_VIEW_NAME

}  // namespace

const char* to_string(ViewKind view) {
  const int v = static_cast<int>(view);
  return kViewNames[v >= 0 && v < kViewCount ? v : 0];
}

bool parse_view_kind(const std::string& text, ViewKind* view) {
  for (int v = 0; v < kViewCount; ++v) {
    if (text == kViewNames[v]) {
      *view = static_cast<ViewKind>(v);
      return true;
    }
  }
  return false;
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

const char* to_string(RowLabels labels) {
  switch (labels) {
    case RowLabels::kInput:
      return "input";
    case RowLabels::kOutput:
      return "output";
  }
  return "?";
}

bool parse_row_labels(const std::string& text, RowLabels* labels) {
  static const RowLabels values[] = {RowLabels::kInput, RowLabels::kOutput};
  return parse_name(text, values, labels);
}

}  // namespace attnscope
