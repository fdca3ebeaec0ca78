// The selected matrix, view dispatch, and what is under the pointer: the parts of views.h
// that are not one view's layout (those are in view_*.cpp).
#include "views/views.h"

#include <algorithm>
#include <cmath>

#include "attnscope/error.h"
#include "views/view_common.h"

namespace attnscope {

using namespace view_detail;

std::shared_ptr<const Matrix> selected_matrix(const std::shared_ptr<const Trace>& trace,
                                              AttentionKind kind, int layer, HeadMode mode,
                                              int head) {
  if (!trace) throw InputError("no trace to select attention from");
  if (mode == HeadMode::kSingle) {
    // The aliasing constructor: the matrix lives as long as anyone holds the trace.
    return std::shared_ptr<const Matrix>(trace, &trace->attention(kind, layer, head));
  }
  return std::make_shared<const Matrix>(aggregate_heads(*trace, kind, layer, mode));
}

int layer_count(const Trace& trace, AttentionKind kind) {
  return static_cast<int>(trace.records(kind).size());
}

#define ATTNSCOPE_VIEW_INFO(id, name, title, key, build, tooltip) \
  {ViewKind::id, name, title, key, build, tooltip},
const ViewInfo kViews[kViewCount] = {ATTNSCOPE_VIEWS(ATTNSCOPE_VIEW_INFO)};
#undef ATTNSCOPE_VIEW_INFO

const ViewInfo& view_info(ViewKind view) {
  const int v = static_cast<int>(view);
  return kViews[v >= 0 && v < kViewCount ? v : 0];
}

Scene build_view(const ViewInput& in) {
  return view_info(state_of(in).view).build(in);
}

bool heatmap_cell_at(const Scene& scene, float x, float y, int* row, int* col) {
  if (scene.matrices.empty()) return false;
  const SceneMatrix& m = scene.matrices.front();
  if (!m.values || m.values->size() == 0 || !(m.width > 0) || !(m.height > 0)) return false;
  if (!(x >= m.x && x < m.x + m.width && y >= m.y && y < m.y + m.height)) return false;
  const int rows = static_cast<int>(m.values->rows());
  const int cols = static_cast<int>(m.values->cols());
  // Clamped because x just below the right edge can round up to `cols`.
  *row = std::clamp(static_cast<int>(std::floor((y - m.y) * rows / m.height)), 0, rows - 1);
  *col = std::clamp(static_cast<int>(std::floor((x - m.x) * cols / m.width)), 0, cols - 1);
  return true;
}

std::string hit_tooltip(const ViewInput& in, const HitRegion& region) {
  if (!region.tooltip.empty() || !in.trace) return region.tooltip;
  const Trace& trace = *in.trace;
  const AppState& state = state_of(in);
  const auto& keys = trace.key_tokens(state.kind);
  // A tooltip is never worth an exception: a region from an older state gets none.
  try {
    switch (region.kind) {
      case HitKind::kCell: {
        const AttentionRecord& record = trace.record(state.kind, state.layer);
        if (record.heads.empty() || region.a < 0 || region.b < 0 ||
            region.a >= record.heads[0].rows() || region.b >= record.heads[0].cols()) {
          return "";
        }
        const float value = aggregate_heads_at(trace, state.kind, state.layer, state.head_mode,
                                               state.head, region.a, region.b);
        std::string text = row_name(in, state.kind, region.a) + " (" + std::to_string(region.a) +
                           ") \xe2\x86\x92 key " + quoted_token(keys, region.b) + ": " +
                           format_value(value);
        if (state.head_mode != HeadMode::kSingle) {
          text +=
              " (" + heads_title(state.head_mode, 0, static_cast<int>(record.heads.size())) + ")";
        }
        return text;
      }
      case HitKind::kQueryToken:
        return row_tooltip(in, state.kind, region.a);
      case HitKind::kKeyToken:
        return "key " + quoted_token(keys, region.a);
      case HitKind::kTile:
        return "layer " + std::to_string(region.a) + " \xc2\xb7 " +
               (region.b >= 0 ? "head " + std::to_string(region.b) : std::string("all heads")) +
               " \xe2\x80\x94 click to select";
      case HitKind::kStep:
        return "step " + std::to_string(region.a) + ": " + quoted_token(trace.tgt_tokens, region.a);
    }
  } catch (const Error&) {
    return "";
  }
  return "";
}

std::optional<HitRegion> resolve_hit(const Scene& scene, float x, float y) {
  const HitRegion* found = scene.hit(x, y);
  if (!found) return std::nullopt;
  HitRegion region = *found;
  if (region.kind == HitKind::kCell && (region.a < 0 || region.b < 0)) {
    int row = -1, col = -1;
    if (heatmap_cell_at(scene, x, y, &row, &col)) {
      region.a = row;
      region.b = col;
    }
  }
  return region;
}

}  // namespace attnscope
