// The view builders and hit testing: layouts checked as geometry (cells map back to their
// row, column and value; labels fit, never overlap, never leave the scene), texture keys,
// and the contents of the links, grid and steps views. (SVG and the bundled model's views:
// test_views_svg.cpp.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "attnscope/error.h"
#include "view_test_helpers.h"

using namespace attnscope;
using namespace view_test;

TEST_CASE("selected_matrix: one head shared, mean and max cell by cell, ranges checked") {
  auto trace = hand_trace(4, 5, 2, 3);
  std::shared_ptr<const Trace> shared = trace;
  const long before = shared.use_count();
  auto single = selected_matrix(shared, AttentionKind::kCross, 1, HeadMode::kSingle, 2);
  CHECK(single.get() == &trace->cross[1].heads[2]);  // no copy
  CHECK(shared.use_count() == before + 1);           // and it keeps the trace alive

  auto mean = selected_matrix(shared, AttentionKind::kCross, 1, HeadMode::kMean, 0);
  auto max = selected_matrix(shared, AttentionKind::kCross, 1, HeadMode::kMax, 0);
  REQUIRE(mean->rows() == 5);
  REQUIRE(mean->cols() == 4);
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 4; ++c) {
      const float a = trace->cross[1].heads[0](r, c), b = trace->cross[1].heads[1](r, c),
                  d = trace->cross[1].heads[2](r, c);
      CHECK((*mean)(r, c) == doctest::Approx((a + b + d) / 3).epsilon(1e-6));
      CHECK((*max)(r, c) == std::max({a, b, d}));
    }
  }
  CHECK(layer_count(*trace, AttentionKind::kEncoderSelf) == 2);
  CHECK(layer_count(*trace, AttentionKind::kCross) == 2);

  CHECK_THROWS_WITH_AS(selected_matrix(shared, AttentionKind::kCross, 2, HeadMode::kSingle, 0),
                       doctest::Contains("[0, 2)"), InputError);
  CHECK_THROWS_WITH_AS(selected_matrix(shared, AttentionKind::kCross, -1, HeadMode::kMean, 0),
                       doctest::Contains("[0, 2)"), InputError);
  CHECK_THROWS_WITH_AS(
      selected_matrix(shared, AttentionKind::kDecoderSelf, 0, HeadMode::kSingle, 3),
      doctest::Contains("[0, 3)"), InputError);
  AppState state;
  state.head = 5;
  CHECK_THROWS_AS(build_heatmap(input(shared, &state)), InputError);
  CHECK_THROWS_AS(build_links(input(shared, &state)), InputError);
}

TEST_CASE("heatmap: the matrix, its cells and their hit regions agree") {
  auto trace = hand_trace(7, 5);
  AppState state;
  state.kind = AttentionKind::kCross;
  state.layer = 1;
  state.head = 2;
  state.row_labels = RowLabels::kInput;  // rows named "t0".. (see "row labels" below)
  ViewInput in = input(trace, &state);
  in.target_token = [](int id) { return "v" + std::to_string(id); };
  const Scene scene = build_heatmap(in);
  CHECK(scene.width == 800);
  CHECK(scene.height == 600);
  CHECK(scene.background.r == 1.0f);    // light theme: white
  REQUIRE(scene.matrices.size() == 2);  // the heatmap, then the colour bar
  const SceneMatrix& m = scene.matrices[0];
  REQUIRE(m.values);
  CHECK(m.values.get() == &trace->cross[1].heads[2]);
  CHECK(m.width / 7 == doctest::Approx(m.height / 5));  // square cells
  CHECK(m.key != 0);
  CHECK(scene.texts.at(0).text == "cross-attention \xc2\xb7 layer 1 \xc2\xb7 head 2");

  int cells = 0;
  for (const HitRegion& h : scene.hits) {
    if (h.kind != HitKind::kCell) continue;
    ++cells;
    CHECK(h.x == doctest::Approx(m.x + h.b * m.width / 7));
    CHECK(h.y == doctest::Approx(m.y + h.a * m.height / 5));
    const float cx = h.x + h.width / 2, cy = h.y + h.height / 2;
    int row = -1, col = -1;
    REQUIRE(heatmap_cell_at(scene, cx, cy, &row, &col));
    CHECK(row == h.a);
    CHECK(col == h.b);
    const HitRegion* found = scene.hit(cx, cy);
    REQUIRE(found);
    CHECK(found->a == h.a);
    CHECK(found->b == h.b);
    const std::string tip = hit_tooltip(in, h);
    CHECK(tip.find("query 't" + std::to_string(h.a) + "' (" + std::to_string(h.a) + ")") == 0);
    char value[16];
    std::snprintf(value, sizeof value, "%.3f", trace->cross[1].heads[2](h.a, h.b));
    CHECK(ends_with(tip, std::string(": ") + value));
  }
  CHECK(cells == 35);
  int row = -1, col = -1;
  CHECK_FALSE(heatmap_cell_at(scene, m.x - 1, m.y + 1, &row, &col));
  CHECK_FALSE(heatmap_cell_at(scene, m.x + m.width, m.y + 1, &row, &col));

  // Token regions over the labels.
  const HitRegion* q = scene.hit(m.x - 10, m.y + 2.5f * m.height / 5);
  REQUIRE(q);
  CHECK(q->kind == HitKind::kQueryToken);
  CHECK(q->a == 2);
  CHECK(q->tooltip == "step 2 reads 't2', writes 'v" + std::to_string(trace->output_ids[2]) + "'");
  const HitRegion* k = scene.hit(m.x + 3.5f * m.width / 7, m.y - 5);
  REQUIRE(k);
  CHECK(k->kind == HitKind::kKeyToken);
  CHECK(k->a == 3);

  // Mean mode says so in the title and the tooltip.
  state.head_mode = HeadMode::kMean;
  const Scene mean = build_heatmap(in);
  CHECK(mean.texts.at(0).text == "cross-attention \xc2\xb7 layer 1 \xc2\xb7 mean of 3 heads");
  HitRegion cell;
  cell.kind = HitKind::kCell;
  cell.a = 1;
  cell.b = 2;
  CHECK(ends_with(hit_tooltip(in, cell), "(mean of 3 heads)"));
}

TEST_CASE("heatmap: a large matrix has one cell region and heatmap_cell_at finds the cell") {
  auto trace = hand_trace(300, 260, 1, 2);
  AppState state;
  ViewInput in = input(trace, &state, 900, 800);
  in.target_token = [](int id) { return "v" + std::to_string(id); };
  const Scene scene = build_heatmap(in);
  const SceneMatrix& m = scene.matrices.at(0);
  int cell_regions = 0;
  for (const HitRegion& h : scene.hits) {
    if (h.kind != HitKind::kCell) continue;
    ++cell_regions;
    CHECK(h.a == -1);
    CHECK(h.b == -1);
  }
  CHECK(cell_regions == 1);
  const float x = m.x + (123 + 0.5f) * m.width / 300, y = m.y + (201 + 0.5f) * m.height / 260;
  int row = -1, col = -1;
  REQUIRE(heatmap_cell_at(scene, x, y, &row, &col));
  CHECK(row == 201);
  CHECK(col == 123);
  const std::optional<HitRegion> hit = resolve_hit(scene, x, y);
  REQUIRE(hit);
  CHECK(hit->kind == HitKind::kCell);
  CHECK(hit->a == 201);
  CHECK(hit->b == 123);
  // Rows named by the word written (the default): the tooltip names the step by it.
  CHECK(hit_tooltip(in, *hit).find("the step writing 'v" + std::to_string(trace->output_ids[201]) +
                                   "' (201) \xe2\x86\x92 key 's123' (123): ") == 0);
  state.row_labels = RowLabels::kInput;
  CHECK(hit_tooltip(in, *hit).find("query 't201' (201) \xe2\x86\x92 key 's123' (123): ") == 0);
  check_inside(scene);
}

TEST_CASE("heatmap: every token labelled, long tokens shortened to their gutter") {
  auto trace = hand_trace(6, 5);
  const std::string long_token = "supercalifragilisticexpialidocious-antidisestablishmentarianism";
  trace->tgt_tokens[3] = long_token;
  trace->src_tokens[0] = "";
  AppState state;
  state.row_labels = RowLabels::kInput;
  // A measure that is not the fallback: wide letters and narrow ones.
  const TextMeasure measure = [](const std::string& text, float size) {
    float w = 0;
    for (unsigned char c : text) {
      if ((c & 0xc0) == 0x80) continue;
      w += (c == 'i' || c == 'l' || c == '.') ? 0.3f : (c >= 'a' && c <= 'z') ? 0.55f : 0.8f;
    }
    return w * size;
  };
  ViewInput in = input(trace, &state);
  in.measure = measure;
  const Scene scene = build_heatmap(in);
  std::vector<const SceneText*> rows, cols;
  axis_labels(scene, &rows, &cols);
  REQUIRE(rows.size() == 5);
  REQUIRE(cols.size() == 6);
  CHECK(cols[0]->text == "\xe2\x88\x85");  // an empty token still shows
  for (int j = 1; j < 6; ++j)
    CHECK(cols[j]->text == "s" + std::to_string(j));
  const SceneMatrix& m = scene.matrices[0];
  for (int i = 0; i < 5; ++i) {
    if (i == 3) continue;
    CHECK(rows[i]->text == "t" + std::to_string(i));
  }
  const SceneText& shortened = *rows[3];
  CHECK(shortened.text != long_token);
  CHECK(ends_with(shortened.text, "\xe2\x80\xa6"));
  CHECK(long_token.compare(0, shortened.text.size() - 3, shortened.text, 0,
                           shortened.text.size() - 3) == 0);
  const Box box = text_box(shortened, measure);
  CHECK(box.x1 <= m.x);  // ends before the matrix
  CHECK(box.x0 >= 16);   // and starts inside the margin
  CHECK(box.x1 - box.x0 <= 0.28f * 800 + 0.01f);
  check_inside(scene, measure);
}

TEST_CASE("heatmap: labels never overlap, rotated or thinned out as tokens multiply") {
  for (int n : {8, 40, 90, 200, 512}) {
    CAPTURE(n);
    auto trace = hand_trace(n, n, 1, 1);
    for (int i = 0; i < n; ++i)
      trace->src_tokens[i] = (i % 3 == 0 ? "word" : "w") + std::to_string(i);
    AppState state;
    state.kind = AttentionKind::kEncoderSelf;
    ViewInput in = input(trace, &state, 1000, 760);
    in.hover.row = n / 2 + 1;  // a hovered label shows even when thinned out
    in.hover.col = n / 3;
    const Scene scene = build_heatmap(in);
    std::vector<const SceneText*> rows, cols;
    axis_labels(scene, &rows, &cols);
    REQUIRE(rows.size() >= 2);
    REQUIRE(cols.size() >= 2);
    if (n <= 40) {
      CHECK(rows.size() == static_cast<size_t>(n));
      CHECK(cols.size() == static_cast<size_t>(n));
    } else {
      CHECK(rows.size() < static_cast<size_t>(n));
    }
    bool rotated = false;
    for (const auto* labels : {&rows, &cols}) {
      for (size_t i = 0; i + 1 < labels->size(); ++i) {
        const Box a = text_box(*(*labels)[i]), b = text_box(*(*labels)[i + 1]);
        INFO("'" << (*labels)[i]->text << "' and '" << (*labels)[i + 1]->text << "'");
        CHECK_FALSE(overlap(a, b));
        CHECK((*labels)[i]->size >= 9.0f);
      }
      for (const SceneText* t : *labels)
        rotated = rotated || t->angle == -90;
    }
    CHECK(rotated == (n >= 40));
    bool hovered_row = false, hovered_col = false;
    for (const SceneText* t : rows)
      hovered_row = hovered_row || t->text == trace->src_tokens[n / 2 + 1];
    for (const SceneText* t : cols)
      hovered_col = hovered_col || t->text == trace->src_tokens[n / 3];
    CHECK(hovered_row);
    CHECK(hovered_col);
    CHECK(scene.overlay.size() == 4);  // two rings each for the hovered row and column
    check_inside(scene);
  }
}

TEST_CASE("every view stays inside its scene, in both themes and at several sizes") {
  auto trace = hand_trace(11, 12, 2, 4, 40);
  trace->src_tokens[4] = "an-extraordinarily-long-source-token";
  for (bool dark : {false, true}) {
    for (auto size : {std::pair<float, float>{800, 600}, {480, 360}, {1400, 500}, {500, 900}}) {
      AppState state;
      state.dark = dark;
      state.focus_query = 3;
      state.step = 5;
      for (int v = 0; v < kViewCount; ++v) {
        state.view = static_cast<ViewKind>(v);
        CAPTURE(v);
        CAPTURE(size.first);
        CAPTURE(dark);
        ViewInput in = input(trace, &state, size.first, size.second);
        in.hover.row = 2;
        in.hover.col = 4;
        const Scene scene = build_view(in);
        CHECK(scene.background.r == (dark ? doctest::Approx(0x1e / 255.0) : doctest::Approx(1)));
        check_inside(scene);
      }
      state.overlay_heads = true;
      state.view = ViewKind::kLinks;
      check_inside(build_view(input(trace, &state, size.first, size.second)));
    }
  }
  AppState state;
  state.ui_scale = 2;
  for (int v = 0; v < kViewCount; ++v) {
    state.view = static_cast<ViewKind>(v);
    check_inside(build_view(input(trace, &state, 1600, 1200)));
  }
  ViewInput none;
  none.state = &state;
  CHECK_FALSE(build_view(none).texts.empty());  // no trace yet: a message, not a crash
}

TEST_CASE("matrix keys: equal for the same matrix, different otherwise") {
  auto trace = hand_trace(5, 6, 2, 3);
  AppState state;
  state.layer = 1;
  state.head = 2;
  ViewInput in = input(trace, &state);
  auto key = [&](ViewInput v) { return build_heatmap(v).matrices.at(0).key; };
  const uint64_t base = key(in);
  CHECK(base != 0);
  CHECK(key(in) == base);
  state.head = 1;
  const uint64_t other_head = key(in);
  CHECK(other_head != base);
  state.layer = 0;
  CHECK(key(in) != other_head);
  state.layer = 1;
  state.kind = AttentionKind::kDecoderSelf;
  CHECK(key(in) != other_head);
  state.kind = AttentionKind::kCross;
  state.head_mode = HeadMode::kMean;
  const uint64_t mean = key(in);
  CHECK(mean != other_head);
  state.head = 0;
  CHECK(key(in) == mean);  // the head does not matter for an aggregate
  state.head_mode = HeadMode::kMax;
  CHECK(key(in) != mean);
  state.head_mode = HeadMode::kSingle;
  state.head = 2;
  in.trace_id = 43;
  CHECK(key(in) != base);
  in.trace_id = 42;

  // The grid's tiles reuse the heatmap's keys; the colour bar has its own.
  const Scene grid = build_grid(in);
  const Scene heatmap = build_heatmap(in);
  CHECK(grid.matrices.at(1 * 4 + 2).key == heatmap.matrices.at(0).key);
  CHECK(heatmap.matrices.at(1).key != 0);
  CHECK(heatmap.matrices.at(1).key != heatmap.matrices.at(0).key);
  state.head_mode = HeadMode::kMean;
  CHECK(grid.matrices.at(1 * 4 + 3).key == build_heatmap(in).matrices.at(0).key);
}

TEST_CASE("links: one line per pair above the threshold, monotonic width and opacity") {
  auto trace = hand_trace(9, 8, 2, 3);
  AppState state;
  state.row_labels = RowLabels::kInput;  // queries named "t0".. as the decoder input
  state.view = ViewKind::kLinks;
  state.layer = 1;
  state.head = 1;
  const Matrix& w = trace->cross[1].heads[1];
  for (float threshold : {0.0f, 0.2f}) {
    state.threshold = threshold;
    const Scene scene = build_links(input(trace, &state));
    const int expected = static_cast<int>((w.array() >= std::max(threshold, 0.01f)).count());
    CHECK(static_cast<int>(scene.lines.size()) == expected);
  }
  state.threshold = 0;
  const Scene scene = build_links(input(trace, &state));
  const auto by_text = texts_by_content(scene);
  // Every token labelled: keys on the left, queries on the right.
  for (int k = 0; k < 9; ++k)
    REQUIRE(by_text.count("s" + std::to_string(k)));
  for (int q = 0; q < 8; ++q)
    REQUIRE(by_text.count("t" + std::to_string(q)));
  CHECK(by_text.at("s0")->x < by_text.at("t0")->x);
  // Map each line back to its pair through the label rows it joins.
  auto nearest = [&](const std::string& prefix, int n, float y) {
    int best = 0;
    for (int i = 1; i < n; ++i) {
      if (std::abs(by_text.at(prefix + std::to_string(i))->y - y) <
          std::abs(by_text.at(prefix + std::to_string(best))->y - y)) {
        best = i;
      }
    }
    return best;
  };
  std::vector<std::pair<float, const SceneLine*>> weighted;
  float previous = -1;
  for (const SceneLine& line : scene.lines) {
    const int k = nearest("s", 9, line.y0), q = nearest("t", 8, line.y1);
    CHECK(line.y0 == doctest::Approx(by_text.at("s" + std::to_string(k))->y));
    CHECK(line.x0 > by_text.at("s0")->x);  // from the keys' right edge
    CHECK(line.x1 < by_text.at("t0")->x);  // to the queries' left edge
    CHECK(w(q, k) >= previous);            // stronger lines drawn later
    previous = w(q, k);
    weighted.push_back({w(q, k), &line});
  }
  for (size_t i = 1; i < weighted.size(); ++i) {
    if (weighted[i].first > weighted[i - 1].first + 1e-4f) {
      CHECK(weighted[i].second->width > weighted[i - 1].second->width);
      CHECK(weighted[i].second->color.a > weighted[i - 1].second->color.a);
    }
  }
  CHECK(weighted.front().second->width >= 0.5f);
  CHECK(weighted.back().second->width <= 6.0f);

  // Hit regions on every label.
  int query_regions = 0, key_regions = 0;
  for (const HitRegion& h : scene.hits) {
    query_regions += h.kind == HitKind::kQueryToken;
    key_regions += h.kind == HitKind::kKeyToken;
  }
  CHECK(query_regions == 8);
  CHECK(key_regions == 9);
  const SceneText* s3 = by_text.at("s3");
  const HitRegion* hit = scene.hit(s3->x - 2, s3->y);
  REQUIRE(hit);
  CHECK(hit->kind == HitKind::kKeyToken);
  CHECK(hit->a == 3);
}

TEST_CASE("links: focus keeps one token's links, overlay colours each head") {
  auto trace = hand_trace(9, 8, 2, 4);
  AppState state;
  state.row_labels = RowLabels::kInput;
  state.layer = 0;
  state.head = 0;
  state.focus_query = 5;
  const Scene focused = build_links(input(trace, &state));
  const auto by_text = texts_by_content(focused);
  const float query_y = by_text.at("t5")->y;
  const Matrix& w = trace->cross[0].heads[0];
  CHECK(static_cast<int>(focused.lines.size()) == (w.row(5).array() >= 0.01f).count());
  for (const SceneLine& line : focused.lines)
    CHECK(line.y1 == doctest::Approx(query_y));
  // The focused label is highlighted: accent colour, unlike its neighbours.
  CHECK(by_text.at("t5")->color.r != by_text.at("t4")->color.r);

  state.focus_query = -1;
  state.focus_key = 2;
  const Scene by_key = build_links(input(trace, &state));
  CHECK(static_cast<int>(by_key.lines.size()) == (w.col(2).array() >= 0.01f).count());
  for (const SceneLine& line : by_key.lines)
    CHECK(line.y0 == doctest::Approx(texts_by_content(by_key).at("s2")->y));

  state.focus_key = -1;
  state.overlay_heads = true;
  const Scene overlay = build_links(input(trace, &state));
  int expected = 0;
  for (const Matrix& head : trace->cross[0].heads)
    expected += static_cast<int>((head.array() >= 0.01f).count());
  CHECK(static_cast<int>(overlay.lines.size()) == expected);
  auto rgb = [](Color c) { return std::make_tuple(c.r, c.g, c.b); };
  std::set<std::tuple<float, float, float>> colours;
  for (const SceneLine& line : overlay.lines)
    colours.insert(rgb(line.color));
  CHECK(colours.size() == 4);
  // The legend names each head next to a swatch of its colour.
  const auto legend = texts_by_content(overlay);
  std::set<std::tuple<float, float, float>> swatches;
  for (int h = 0; h < 4; ++h) {
    REQUIRE(legend.count("head " + std::to_string(h)));
    for (const SceneRect& r : overlay.rects) {
      if (std::abs(r.y + r.height / 2 - legend.at("head " + std::to_string(h))->y) < 1 &&
          r.x < legend.at("head " + std::to_string(h))->x &&
          r.x > legend.at("head " + std::to_string(h))->x - 20) {
        swatches.insert(rgb(r.fill));
      }
    }
  }
  CHECK(swatches == colours);
}

TEST_CASE("row labels: decoder rows named by the token their step writes, or by the one read") {
  auto trace = hand_trace(6, 5);
  AppState state;
  ViewInput in = input(trace, &state);
  in.target_token = [](int id) { return "v" + std::to_string(id); };
  const std::string arrow = "\xe2\x86\x92 ";
  auto heatmap_rows = [&](std::string* subtitle) {
    const Scene scene = build_heatmap(in);
    *subtitle = scene.texts.at(1).text;
    std::vector<const SceneText*> rows, cols;
    axis_labels(scene, &rows, &cols);
    std::vector<std::string> out;
    for (const SceneText* t : rows)
      out.push_back(t->text);
    return out;
  };
  auto written = [&](int t) { return arrow + "v" + std::to_string(trace->output_ids[t]); };
  for (AttentionKind kind : {AttentionKind::kCross, AttentionKind::kDecoderSelf}) {
    CAPTURE(std::string(to_string(kind)));
    state.kind = kind;
    std::string subtitle;
    state.row_labels = RowLabels::kOutput;
    std::vector<std::string> rows = heatmap_rows(&subtitle);
    REQUIRE(rows.size() == 5);
    for (int t = 0; t < 5; ++t)
      CHECK(rows[t] == written(t));
    CHECK(subtitle.find("rows: " + arrow + "the word each step writes") == 0);
    // The links view names its queries the same way, under a header that says so.
    state.view = ViewKind::kLinks;
    auto links = texts_by_content(build_links(in));
    for (int t = 0; t < 5; ++t)
      CHECK(links.count(written(t)));
    CHECK(links.count("queries \xc2\xb7 word written"));
    if (kind == AttentionKind::kCross) CHECK_FALSE(links.count("t1"));  // no target key

    state.row_labels = RowLabels::kInput;
    rows = heatmap_rows(&subtitle);
    REQUIRE(rows.size() == 5);
    for (int t = 0; t < 5; ++t)
      CHECK(rows[t] == "t" + std::to_string(t));
    CHECK(subtitle.find("rows: decoder input") == 0);
    CHECK(subtitle.find("writes") == std::string::npos);
    links = texts_by_content(build_links(in));
    for (int t = 0; t < 5; ++t)
      CHECK(links.count("t" + std::to_string(t)));
    CHECK(links.count("queries \xc2\xb7 decoder input"));
    state.view = ViewKind::kHeatmap;
  }

  // Encoder rows are source tokens whatever the setting.
  state.kind = AttentionKind::kEncoderSelf;
  for (RowLabels labels : {RowLabels::kOutput, RowLabels::kInput}) {
    state.row_labels = labels;
    std::string subtitle;
    const std::vector<std::string> rows = heatmap_rows(&subtitle);
    REQUIRE(rows.size() == 6);
    for (int s = 0; s < 6; ++s)
      CHECK(rows[s] == "s" + std::to_string(s));
    CHECK(subtitle.find("source tokens") == 0);
  }

  // Rows past the outputs the Trace has fall back to the input token; without target_token the
  // token written is the next input when that is the same id, else its id.
  state.kind = AttentionKind::kCross;
  state.row_labels = RowLabels::kOutput;
  trace->output_ids = {trace->tgt_ids[1], 11, trace->tgt_ids[3]};
  in.target_token = nullptr;
  std::string subtitle;
  const std::vector<std::string> rows = heatmap_rows(&subtitle);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == arrow + "t1");
  CHECK(rows[1] == arrow + "#11");
  CHECK(rows[2] == arrow + "t3");
  CHECK(rows[3] == "t3");
  CHECK(rows[4] == "t4");

  // The steps view names the step by the token it writes when rows are.
  in.target_token = [](int id) { return "v" + std::to_string(id); };
  state.view = ViewKind::kSteps;
  state.step = 1;
  CHECK(
      texts_by_content(build_steps(in)).count("where the step writing 'v11' looks in the source"));
  state.row_labels = RowLabels::kInput;
  CHECK(texts_by_content(build_steps(in)).count("where 't1' looks in the source"));
}

TEST_CASE("grid: a tile per layer and head plus the aggregate, the selection outlined") {
  auto trace = hand_trace(6, 7, 3, 4);
  AppState state;
  state.kind = AttentionKind::kDecoderSelf;
  state.layer = 2;
  state.head = 1;
  const Scene scene = build_grid(input(trace, &state, 900, 640));
  REQUIRE(scene.matrices.size() == 3 * 5);
  std::set<std::pair<int, int>> tiles;
  for (const HitRegion& h : scene.hits) {
    REQUIRE(h.kind == HitKind::kTile);
    tiles.insert({h.a, h.b});
    const std::string expected = h.b >= 0
                                     ? "layer " + std::to_string(h.a) + " \xc2\xb7 head " +
                                           std::to_string(h.b) + " \xe2\x80\x94 click to select"
                                     : "layer " + std::to_string(h.a) +
                                           " \xc2\xb7 mean of 4 heads \xe2\x80\x94 click to select";
    CHECK(h.tooltip == expected);
  }
  CHECK(tiles.size() == 15);
  for (int l = 0; l < 3; ++l) {
    for (int b = -1; b < 4; ++b)
      CHECK(tiles.count({l, b}));
  }
  for (const SceneMatrix& m : scene.matrices)
    CHECK(m.width == doctest::Approx(m.height));  // square tiles
  const SceneMatrix& selected = scene.matrices[2 * 5 + 1];
  CHECK(selected.values.get() == &trace->decoder_self[2].heads[1]);
  REQUIRE(scene.overlay.size() == 1);
  const SceneRect& outline = scene.overlay[0];
  CHECK(outline.x < selected.x);
  CHECK(outline.y < selected.y);
  CHECK(outline.x + outline.width > selected.x + selected.width);
  CHECK(outline.y + outline.height > selected.y + selected.height);
  CHECK(outline.x + outline.width / 2 == doctest::Approx(selected.x + selected.width / 2));
  CHECK(outline.y + outline.height / 2 == doctest::Approx(selected.y + selected.height / 2));
  const HitRegion* hit = scene.hit(selected.x + 1, selected.y + 1);
  REQUIRE(hit);
  CHECK(hit->a == 2);
  CHECK(hit->b == 1);
  // The aggregate column holds the mean and is selected in mean mode.
  const SceneMatrix& mean = scene.matrices[1 * 5 + 4];
  CHECK((*mean.values)(3, 2) ==
        doctest::Approx(
            (trace->decoder_self[1].heads[0](3, 2) + trace->decoder_self[1].heads[1](3, 2) +
             trace->decoder_self[1].heads[2](3, 2) + trace->decoder_self[1].heads[3](3, 2)) /
            4));
  state.head_mode = HeadMode::kMean;
  const Scene mean_selected = build_grid(input(trace, &state, 900, 640));
  const SceneMatrix& aggregate = mean_selected.matrices[2 * 5 + 4];
  CHECK(mean_selected.overlay.at(0).x + mean_selected.overlay.at(0).width / 2 ==
        doctest::Approx(aggregate.x + aggregate.width / 2));
  // Many heads: labels thin out but stay apart.
  auto many = hand_trace(5, 5, 6, 16);
  const Scene crowded = build_grid(input(many, &state, 700, 500));
  check_inside(crowded);
  std::vector<Box> column_labels;
  for (const SceneText& t : crowded.texts) {
    if (t.y < crowded.matrices[0].y && t.y > crowded.texts[1].y + 5)
      column_labels.push_back(text_box(t));
  }
  REQUIRE(column_labels.size() >= 3);
  for (size_t i = 0; i + 1 < column_labels.size(); ++i)
    CHECK_FALSE(overlap(column_labels[i], column_labels[i + 1]));
}

TEST_CASE("steps: prefix boxes, step clamped, the cross row, top-5 sorted from probs") {
  auto trace = hand_trace(6, 8, 2, 3, 30);
  AppState state;
  state.layer = 1;
  state.head = 2;
  ViewInput in = input(trace, &state);
  in.target_token = [](int id) { return "v" + std::to_string(id); };
  auto steps_shown = [](const Scene& scene) {
    std::vector<int> steps;
    for (const HitRegion& h : scene.hits) {
      if (h.kind == HitKind::kStep) steps.push_back(h.a);
    }
    return steps;
  };
  for (int step : {-1, 99, 7}) {
    state.step = step;
    const Scene scene = build_steps(in);
    CHECK(steps_shown(scene) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(scene.texts.at(0).text.find("step 7 ") == 0);
  }
  state.step = 2;
  // The chosen token at step 2 made unlikely, so it is not in the top 5.
  trace->output_ids[2] = 17;
  trace->probs(2, 17) = 0;
  const Scene scene = build_steps(in);
  CHECK(steps_shown(scene) == std::vector<int>{0, 1, 2});
  CHECK(scene.texts.at(0).text ==
        "step 2 \xc2\xb7 cross-attention \xc2\xb7 layer 1 \xc2\xb7 head 2");
  // The highlighted box is the one of step 2.
  const SceneRect* current = nullptr;
  for (const SceneRect& r : scene.rects) {
    if (r.stroke_width > 0) current = &r;
  }
  REQUIRE(current);
  const HitRegion* at =
      scene.hit(current->x + current->width / 2, current->y + current->height / 2);
  REQUIRE(at);
  CHECK(at->kind == HitKind::kStep);
  CHECK(at->a == 2);

  // Cross-attention bars: one key region per source token with its weight.
  int keys = 0;
  for (const HitRegion& h : scene.hits) {
    if (h.kind != HitKind::kKeyToken) continue;
    ++keys;
    char value[16];
    std::snprintf(value, sizeof value, ": %.3f", trace->cross[1].heads[2](2, h.a));
    CHECK(h.tooltip.find(value) != std::string::npos);
  }
  CHECK(keys == 6);

  // Top 5: the percentages, top to bottom, are the five largest probabilities, descending,
  // named by target_token; then the chosen one with its rank.
  std::vector<int> order(30);
  for (int i = 0; i < 30; ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return trace->probs(2, a) > trace->probs(2, b); });
  std::vector<const SceneText*> percents;
  for (const SceneText& t : scene.texts) {
    if (t.text.find('%') != std::string::npos) percents.push_back(&t);
  }
  std::sort(percents.begin(), percents.end(),
            [](const SceneText* a, const SceneText* b) { return a->y < b->y; });
  REQUIRE(percents.size() == 6);
  const auto by_text = texts_by_content(scene);
  for (int i = 0; i < 5; ++i) {
    CHECK(std::abs(std::atof(percents[i]->text.c_str()) - 100 * trace->probs(2, order[i])) <=
          0.051);
    const std::string name = "v" + std::to_string(order[i]);
    REQUIRE(by_text.count(name));
    CHECK(by_text.at(name)->y == doctest::Approx(percents[i]->y));
    if (i > 0) CHECK(percents[i]->y > percents[i - 1]->y);
  }
  CHECK(percents[5]->text.find("(rank 30)") != std::string::npos);
  CHECK(by_text.at("v17")->y == doctest::Approx(percents[5]->y));

  // Encoder self-attention has no steps: the decoder layer's cross row, clamped, and said so.
  state.kind = AttentionKind::kEncoderSelf;
  state.layer = 5;
  const Scene encoder = build_steps(in);
  CHECK(encoder.texts.at(0).text.find("decoder layer 1") != std::string::npos);
  CHECK(encoder.texts.at(1).text.find("encoder layers have no decoding steps") == 0);
  // Without target_token, ids are shown as #id.
  in.target_token = nullptr;
  const auto plain = texts_by_content(build_steps(in));
  CHECK(plain.count("#" + std::to_string(order[0])));
}

TEST_CASE("steps: with many source tokens the strongest are labelled, labels apart") {
  auto trace = hand_trace(300, 4, 1, 1);
  Matrix& row = trace->cross[0].heads[0];
  row.row(3).setConstant(0.2f / 297);
  row(3, 137) = 0.5f;  // one strong key away from any stride position
  row(3, 139) = 0.2f;  // and one too close to it to be labelled as well
  row(3, 250) = 0.1f;
  AppState state;
  state.step = 3;
  const Scene scene = build_steps(input(trace, &state, 900, 600));
  check_inside(scene);
  const auto by_text = texts_by_content(scene);
  CHECK(by_text.count("s137"));
  CHECK(by_text.count("s250"));
  CHECK_FALSE(by_text.count("s139"));
  std::vector<const SceneText*> labels;
  for (const SceneText& t : scene.texts) {
    if (t.text.size() > 1 && t.text[0] == 's' &&
        std::isdigit(static_cast<unsigned char>(t.text[1])))
      labels.push_back(&t);
  }
  REQUIRE(labels.size() >= 10);
  CHECK(labels.size() < 300);
  for (size_t i = 0; i + 1 < labels.size(); ++i)
    CHECK_FALSE(overlap(text_box(*labels[i]), text_box(*labels[i + 1])));
}
