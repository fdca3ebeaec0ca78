// The explain view, built from the bundled toy model's Trace: its strips are q, k, v and the
// outputs on the diverging colormap, its bars are as long as explain()'s numbers, masked keys
// are struck out, the stages and "predict first" hide what comes later, the unscaled softmax
// comes with both entropies, and the hovered score lists its largest terms q_d·k_jd.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <string>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/explain.h"
#include "view_test_helpers.h"
#include "views/view_common.h"

using namespace view_test;
using namespace attnscope::view_detail;

namespace {

struct Toy {
  ModelBundle bundle;
  std::shared_ptr<const Trace> trace;
};

const Toy& toy() {
  static const Toy instance = [] {
    Toy t{load_model_dir(ATTNSCOPE_SOURCE_DIR "/assets/models/toy-en-fr"), nullptr};
    Translation translation =
        greedy_decode(t.bundle.model, t.bundle.source_ids("the little black cat eats the fish ."));
    t.bundle.label(translation.trace);
    t.trace = std::make_shared<const Trace>(std::move(translation.trace));
    return t;
  }();
  return instance;
}

ViewInput explain_input(const AppState& state, float width = 1280, float height = 800) {
  ViewInput in = input(toy().trace, &state, width, height);
  in.pad_id = toy().bundle.model.config().pad_id;
  in.target_token = [](int id) { return toy().bundle.tgt_vocab.token(id); };
  return in;
}

Explanation explained(const AppState& state) {
  const Trace& trace = *toy().trace;
  return explain(trace, state.kind, state.layer, explain_head(trace, state),
                 explain_query(trace, state), toy().bundle.model.config().pad_id);
}

bool same_color(const Color& a, const Color& b) {
  return std::abs(a.r - b.r) < 1e-6f && std::abs(a.g - b.g) < 1e-6f &&
         std::abs(a.b - b.b) < 1e-6f && std::abs(a.a - b.a) < 1e-6f;
}

// The filled rects of one colour, in the order the view added them.
std::vector<SceneRect> rects_of(const Scene& scene, const Color& fill) {
  std::vector<SceneRect> out;
  for (const SceneRect& r : scene.rects)
    if (r.fill.a > 0 && same_color(r.fill, fill)) out.push_back(r);
  return out;
}

std::vector<const SceneMatrix*> strips(const Scene& scene) {
  std::vector<const SceneMatrix*> out;
  for (const SceneMatrix& m : scene.matrices)
    if (m.colormap == Colormap::kDiverging) out.push_back(&m);
  return out;
}

int count_texts(const Scene& scene, const std::string& text) {
  int n = 0;
  for (const SceneText& t : scene.texts)
    n += t.text == text;
  return n;
}

bool has_text_starting(const Scene& scene, const std::string& start) {
  for (const SceneText& t : scene.texts)
    if (t.text.rfind(start, 0) == 0) return true;
  return false;
}

const std::string kMinusInfinity = "\xe2\x88\x92\xe2\x88\x9e";

}  // namespace

TEST_CASE("explain view: q and k strips on the diverging colormap, centred on 0") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  state.layer = 1;
  state.head = 2;
  state.query = 3;
  const Explanation e = explained(state);
  const Scene scene = build_view(explain_input(state));
  check_inside(scene);
  const auto m = strips(scene);
  REQUIRE(m.size() == 7);  // q, K, V, w·V, the head's output, all heads, the block's output
  const int dk = e.head_dim;
  const int keys = static_cast<int>(e.key_tokens.size());
  REQUIRE(m[0]->values->rows() == 1);
  REQUIRE(m[0]->values->cols() == dk);
  REQUIRE(m[1]->values->rows() == keys);
  REQUIRE(m[1]->values->cols() == dk);
  const float range = std::max(e.q.cwiseAbs().maxCoeff(), e.k.cwiseAbs().maxCoeff());
  for (int d = 0; d < dk; ++d) {
    CHECK((*m[0]->values)(0, d) == doctest::Approx(0.5f + 0.5f * e.q[d] / range));
    // Positive components on the red side, negative on the blue side.
    const Rgb8 c = colormap_rgb(Colormap::kDiverging, (*m[0]->values)(0, d));
    if (e.q[d] > 0.1f * range) CHECK(c.r > c.b);
    if (e.q[d] < -0.1f * range) CHECK(c.b > c.r);
    for (int j = 0; j < keys; ++j)
      CHECK((*m[1]->values)(j, d) == doctest::Approx(0.5f + 0.5f * e.k(j, d) / range));
  }
  // v and w_j·v_j share one range, the head's output is Σ_j w_j v_j on it.
  const float v_range = std::max(e.v.cwiseAbs().maxCoeff(), e.output.cwiseAbs().maxCoeff());
  for (int j = 0; j < keys; ++j) {
    for (int d = 0; d < dk; ++d) {
      CHECK((*m[2]->values)(j, d) == doctest::Approx(diverging_value(e.v(j, d), v_range)));
      CHECK((*m[3]->values)(j, d) ==
            doctest::Approx(diverging_value(e.weights[j] * e.v(j, d), v_range)));
    }
  }
  for (int d = 0; d < dk; ++d)
    CHECK((*m[4]->values)(0, d) == doctest::Approx(diverging_value(e.output[d], v_range)));
  CHECK(m[6]->values->cols() == e.block_output.size());
  // The strips are labelled with their tokens.
  const auto by_text = texts_by_content(scene);
  for (const std::string& token : e.key_tokens)
    CHECK(by_text.count(token));
  // The query is named as the heatmap names its row: by the word its step writes, or (with
  // rows named by the decoder input) by its token.
  const std::string written =
      toy().bundle.tgt_vocab.token(toy().trace->output_ids[state.query]);
  CHECK(by_text.count("q: \xe2\x86\x92 " + written));
  state.row_labels = RowLabels::kInput;
  CHECK(texts_by_content(build_view(explain_input(state))).count("q: " + e.query_token));
}

TEST_CASE("explain view: bars as long as the scores, the scaled scores and the weights") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  state.layer = 0;
  state.head = 1;
  state.query = 2;
  const Explanation e = explained(state);
  const int keys = static_cast<int>(e.key_tokens.size());
  const Scene scene = build_view(explain_input(state));
  const Theme theme = make_theme(false);
  // Scores first, then the scaled scores: the same blue, the same units.
  const auto blue = rects_of(scene, with_alpha(theme.link, 0.75f));
  REQUIRE(blue.size() == static_cast<size_t>(2 * keys));
  const float per_unit = blue[0].width / std::abs(e.scores[0]);
  for (int j = 0; j < keys; ++j) {
    CAPTURE(j);
    CHECK(blue[j].width == doctest::Approx(std::abs(e.scores[j]) * per_unit).epsilon(1e-4));
    CHECK(blue[keys + j].width ==
          doctest::Approx(std::abs(e.scaled[j]) * per_unit).epsilon(1e-4));
    CHECK(blue[keys + j].width == doctest::Approx(blue[j].width * e.scale).epsilon(1e-4));
    // Negative scores grow to the left of the axis, positive ones to the right.
    if (j > 0 && (e.scores[j] > 0) == (e.scores[0] > 0)) {
      CHECK((e.scores[j] > 0 ? blue[j].x : blue[j].x + blue[j].width) ==
            doctest::Approx(e.scores[0] > 0 ? blue[0].x : blue[0].x + blue[0].width));
    }
  }
  // Weights: from 0 on one axis, as long as the weight.
  const auto orange = rects_of(scene, theme.accent);
  REQUIRE(orange.size() == static_cast<size_t>(keys));
  const float per_weight = orange[0].width / e.weights[0];
  for (int j = 0; j < keys; ++j) {
    CHECK(orange[j].x == doctest::Approx(orange[0].x));
    CHECK(orange[j].width == doctest::Approx(e.weights[j] * per_weight).epsilon(1e-4));
  }
  // With the numbers written beside them.
  for (int j = 0; j < keys; ++j)
    CHECK(count_texts(scene, format_value(e.weights[j], 2)) >= 1);
}

TEST_CASE("explain view: decoder self-attention strikes out the future keys") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kDecoderSelf;
  state.layer = 1;
  state.query = 2;
  const Explanation e = explained(state);
  const int masked = static_cast<int>(std::count(e.masked.begin(), e.masked.end(), true));
  REQUIRE(masked == static_cast<int>(e.key_tokens.size()) - 3);
  const Scene scene = build_view(explain_input(state));
  CHECK(count_texts(scene, kMinusInfinity) == masked);
  const Theme theme = make_theme(false);
  int strikes = 0;
  for (const SceneLine& l : scene.lines)
    strikes += same_color(l.color, theme.accent) && l.y0 == l.y1;
  CHECK(strikes == masked);
  // Before the masking stage the scaled scores are all shown as numbers.
  state.explain_stage = 2;
  const Scene scaled = build_view(explain_input(state));
  CHECK(count_texts(scaled, kMinusInfinity) == 0);
}

TEST_CASE("explain view: each stage shows what came before it and hides what comes after") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  state.layer = 1;
  state.query = 1;
  const Explanation e = explained(state);
  const int keys = static_cast<int>(e.key_tokens.size());
  const Theme theme = make_theme(false);
  const size_t expected_strips[kExplainStages] = {2, 2, 2, 2, 2, 4, 5, 6, 7};
  for (int stage = 0; stage < kExplainStages; ++stage) {
    CAPTURE(stage);
    state.explain_stage = stage;
    const Scene scene = build_view(explain_input(state));
    check_inside(scene);
    CHECK(strips(scene).size() == expected_strips[stage]);
    const size_t blue = rects_of(scene, with_alpha(theme.link, 0.75f)).size();
    CHECK(blue == static_cast<size_t>(stage == 0 ? 0 : stage == 1 ? keys : 2 * keys));
    CHECK(rects_of(scene, theme.accent).size() == static_cast<size_t>(stage >= 4 ? keys : 0));
    // The current stage is named in the accent colour.
    bool named = false;
    for (const SceneText& t : scene.texts)
      named |= t.text == explain_stage_name(stage) && same_color(t.color, theme.accent);
    CHECK(named);
  }
  // Predict first: the weights and what follows from them stay hidden until revealed.
  state.explain_stage = kExplainStages - 1;
  state.predict_first = true;
  const Scene hidden = build_view(explain_input(state));
  CHECK(rects_of(hidden, theme.accent).empty());
  CHECK(count_texts(hidden, "?") == keys);
  CHECK(strips(hidden).size() == 3);  // q, K, V
  for (int j = 0; j < keys; ++j)
    CHECK(count_texts(hidden, format_value(e.weights[j], 2)) == 0);
  state.revealed = true;
  CHECK(rects_of(build_view(explain_input(state)), theme.accent).size() ==
        static_cast<size_t>(keys));
}

TEST_CASE("explain view: without 1/sqrt(d_k), the softmax of the raw scores and both entropies") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kEncoderSelf;
  state.layer = 0;
  state.head = 3;
  state.query = 4;
  state.compare_unscaled = true;
  const Explanation e = explained(state);
  const int keys = static_cast<int>(e.key_tokens.size());
  const Scene scene = build_view(explain_input(state));
  check_inside(scene);
  const Theme theme = make_theme(false);
  const auto grey = rects_of(scene, with_alpha(theme.muted, 0.8f));
  REQUIRE(grey.size() == static_cast<size_t>(keys));
  // A plain softmax of the scores, in double.
  const double top = e.scores.maxCoeff();
  double sum = 0;
  for (int j = 0; j < keys; ++j)
    sum += std::exp(e.scores[j] - top);
  double h_scaled = 0, h_raw = 0;
  const float full = grey[0].width / static_cast<float>(std::exp(e.scores[0] - top) / sum);
  for (int j = 0; j < keys; ++j) {
    const double p = std::exp(e.scores[j] - top) / sum;
    CHECK(grey[j].width == doctest::Approx(p * full).epsilon(1e-3));
    if (p > 0) h_raw -= p * std::log2(p);
    if (e.weights[j] > 0) h_scaled -= e.weights[j] * std::log2(e.weights[j]);
  }
  const std::string want = "entropy: " + format_value(static_cast<float>(h_scaled), 2) +
                           " bits with 1/\xe2\x88\x9a" "d\xe2\x82\x96,  " +
                           format_value(static_cast<float>(h_raw), 2) + " bits without";
  CHECK(count_texts(scene, want) == 1);
  // Without the scaling the softmax is sharper: less entropy.
  CHECK(h_raw < h_scaled);
  state.compare_unscaled = false;
  CHECK_FALSE(has_text_starting(build_view(explain_input(state)), "entropy:"));
}

TEST_CASE("explain view: the hovered score shows its largest terms; exports never do") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  state.layer = 1;
  state.query = 2;
  const Explanation e = explained(state);
  const Scene plain = build_view(explain_input(state));
  CHECK_FALSE(has_text_starting(plain, "largest terms"));
  // The hit region of key 1's bars names it.
  const HitRegion* region = nullptr;
  for (const HitRegion& r : plain.hits)
    if (r.kind == HitKind::kKeyToken && r.a == 1) region = &r;
  REQUIRE(region != nullptr);
  ViewInput in = explain_input(state);
  in.hover.key = 1;
  const Scene hovered = build_view(in);
  const int dk = e.head_dim;
  std::vector<int> dims(dk);
  std::iota(dims.begin(), dims.end(), 0);
  std::sort(dims.begin(), dims.end(), [&](int a, int b) {
    return std::abs(e.q[a] * e.k(1, a)) > std::abs(e.q[b] * e.k(1, b));
  });
  const SceneText* terms = nullptr;
  for (const SceneText& t : hovered.texts)
    if (t.text.rfind("largest terms", 0) == 0) terms = &t;
  REQUIRE(terms != nullptr);
  CAPTURE(terms->text);
  // The four largest products, largest first.
  size_t at = 0;
  for (int t = 0; t < 4; ++t) {
    const std::string term = "q" + std::to_string(dims[t]) + "\xc2\xb7k" + std::to_string(dims[t]);
    const size_t found = terms->text.find(term + " (");
    CHECK(found != std::string::npos);
    CHECK(found >= at);
    at = found;
  }
  // Their cells outlined in q and k_1.
  int outlined = 0;
  for (const SceneRect& r : hovered.overlay)
    outlined += r.stroke_width > 0 && r.fill.a == 0;
  CHECK(outlined >= 8);
}

TEST_CASE("explain view: the query defaults to the last row and follows the head modes") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  const Trace& trace = *toy().trace;
  const int rows = static_cast<int>(trace.query_tokens(state.kind).size());
  CHECK(explain_query(trace, state) == rows - 1);
  state.query = 1000;
  CHECK(explain_query(trace, state) == rows - 1);
  clamp_to_trace(&state, trace);
  CHECK(state.query == rows - 1);
  state.explain_stage = 40;
  clamp_to_trace(&state, trace);
  CHECK(state.explain_stage == kExplainStages - 1);
  // Mean and max: the view explains one head, and says so.
  state.head_mode = HeadMode::kMean;
  state.head = 1;
  const Scene scene = build_view(explain_input(state));
  bool said = false;
  for (const SceneText& t : scene.texts)
    said |= t.text.find("one head explained (head 1)") != std::string::npos;
  CHECK(said);
  // A Trace without q, k and v gets a message, not an exception.
  auto bare = hand_trace(5, 6);
  ViewInput in = input(bare, &state);
  const Scene message = build_view(in);
  CHECK(message.matrices.empty());
  CHECK_FALSE(message.texts.empty());
}

TEST_CASE("explain view: the formula's symbol of the current stage, or of a hovered score, lit") {
  AppState state;
  state.view = ViewKind::kExplain;
  state.kind = AttentionKind::kCross;
  state.layer = 1;
  state.query = 2;
  const Theme theme = make_theme(false);
  auto lit = [&](const Scene& scene, const std::string& piece) {
    for (const SceneText& t : scene.texts)
      if (t.text == piece) return same_color(t.color, theme.accent);
    FAIL("no formula piece " << piece);
    return false;
  };
  const std::string qk = "q\xc2\xb7K\xe1\xb5\x80", scale = " / \xe2\x88\x9a" "d\xe2\x82\x96";
  state.explain_stage = 2;  // scaled
  Scene scene = build_view(explain_input(state));
  CHECK(lit(scene, scale));
  CHECK_FALSE(lit(scene, qk));
  CHECK_FALSE(lit(scene, "softmax"));
  state.explain_stage = 4;  // weights
  scene = build_view(explain_input(state));
  CHECK(lit(scene, "softmax"));
  CHECK_FALSE(lit(scene, scale));
  ViewInput in = explain_input(state);
  in.hover.key = 0;
  CHECK(lit(build_view(in), qk));
}

TEST_CASE("explain view: inside its scene at every size and text size, both themes") {
  AppState state;
  state.view = ViewKind::kExplain;
  for (AttentionKind kind : kAttentionKinds) {
    state.kind = kind;
    for (float scale : {1.0f, 1.75f, 3.0f}) {
      for (auto size : {std::pair<float, float>{1280, 800}, {560, 460}, {480, 360}, {500, 900}}) {
        for (bool unscaled : {false, true}) {
          // A view too small for the text size says so instead (checked below).
          if ((scale >= 3 && size.first < 1000) || (scale > 1 && size.first < 500)) continue;
          CAPTURE(to_string(kind));
          CAPTURE(scale);
          CAPTURE(size.first);
          state.ui_scale = scale;
          state.compare_unscaled = unscaled;
          state.dark = unscaled;
          ViewInput in = explain_input(state, size.first, size.second);
          in.hover.key = 1;
          check_inside(build_view(in));
        }
      }
    }
  }
  // Too small for its text: a message, inside the scene.
  state.ui_scale = 3;
  const Scene tiny = build_view(explain_input(state, 480, 360));
  check_inside(tiny);
  CHECK(tiny.matrices.empty());
  CHECK(has_text_starting(tiny, "Too small"));
}
