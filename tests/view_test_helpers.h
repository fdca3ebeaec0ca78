// What the view tests share: hand-made Traces, view inputs, and checks of a Scene's geometry
// (text boxes, staying inside the scene, labels by content).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "views/svg.h"
#include "views/views.h"

namespace view_test {

using namespace attnscope;

inline Matrix random_rows(std::mt19937& rng, int rows, int cols, bool causal) {
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  Matrix m = Matrix::Zero(rows, cols);
  for (int r = 0; r < rows; ++r) {
    const int end = causal ? std::min(r + 1, cols) : cols;
    float sum = 0;
    for (int c = 0; c < end; ++c) {
      m(r, c) = std::pow(uniform(rng), 4.0f) + 1e-3f;  // peaked, like trained attention
      sum += m(r, c);
    }
    for (int c = 0; c < end; ++c)
      m(r, c) /= sum;
  }
  return m;
}

inline std::vector<std::string> names(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back(prefix + std::to_string(i));
  return out;
}

// A trace filled by hand: S source and T target tokens, random attention rows that sum to 1.
inline std::shared_ptr<Trace> hand_trace(int S, int T, int layers = 2, int heads = 3,
                                         int vocab = 12, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  auto trace = std::make_shared<Trace>();
  trace->src_tokens = names("s", S);
  trace->tgt_tokens = names("t", T);
  for (int i = 0; i < S; ++i)
    trace->src_ids.push_back(i);
  for (int i = 0; i < T; ++i)
    trace->tgt_ids.push_back(i);
  auto records = [&](int rows, int cols, bool causal) {
    std::vector<AttentionRecord> out(layers);
    for (AttentionRecord& r : out) {
      for (int h = 0; h < heads; ++h)
        r.heads.push_back(random_rows(rng, rows, cols, causal));
    }
    return out;
  };
  trace->encoder_self = records(S, S, false);
  trace->decoder_self = records(T, T, true);
  trace->cross = records(T, S, false);
  trace->probs = random_rows(rng, T, vocab, false);
  trace->logits = trace->probs.array().log();
  for (int t = 0; t < T; ++t) {
    Eigen::Index best = 0;
    trace->probs.row(t).maxCoeff(&best);
    trace->output_ids.push_back(static_cast<int>(best));
  }
  return trace;
}

inline ViewInput input(const std::shared_ptr<const Trace>& trace, const AppState* state,
                       float width = 800, float height = 600) {
  ViewInput in;
  in.trace = trace;
  in.trace_id = 42;
  in.state = state;
  in.width = width;
  in.height = height;
  return in;
}

inline float fallback_width(const std::string& text, float size) {
  int n = 0;
  for (unsigned char c : text)
    n += (c & 0xc0) != 0x80;
  return 0.6f * size * n;
}

struct Box {
  float x0, y0, x1, y1;
};

// The box a text's glyphs can cover (1.15 of the size tall, DejaVu Sans' ascent + descent),
// rotated as the scene says: clockwise on screen for a positive angle.
inline Box text_box(const SceneText& t, const TextMeasure& measure = {}) {
  const float w = measure ? measure(t.text, t.size) : fallback_width(t.text, t.size);
  const float h = 1.15f * t.size;
  const float left = t.align == TextAlign::kLeft ? 0 : t.align == TextAlign::kCenter ? -w / 2 : -w;
  const float a = t.angle * 3.14159265f / 180;
  Box box{1e30f, 1e30f, -1e30f, -1e30f};
  for (float cx : {left, left + w}) {
    for (float cy : {-h / 2, h / 2}) {
      const float x = t.x + cx * std::cos(a) - cy * std::sin(a);
      const float y = t.y + cx * std::sin(a) + cy * std::cos(a);
      box = {std::min(box.x0, x), std::min(box.y0, y), std::max(box.x1, x), std::max(box.y1, y)};
    }
  }
  return box;
}

inline bool overlap(const Box& a, const Box& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

inline bool ends_with(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

// Every primitive and hit region inside the scene (a little slack for rounding).
inline void check_inside(const Scene& scene, const TextMeasure& measure = {}) {
  const float e = 0.5f;
  auto inside = [&](float x0, float y0, float x1, float y1) {
    return x0 >= -e && y0 >= -e && x1 <= scene.width + e && y1 <= scene.height + e;
  };
  for (const SceneMatrix& m : scene.matrices)
    CHECK(inside(m.x, m.y, m.x + m.width, m.y + m.height));
  for (const auto* list : {&scene.rects, &scene.overlay}) {
    for (const SceneRect& r : *list)
      CHECK(inside(r.x, r.y, r.x + r.width, r.y + r.height));
  }
  for (const SceneLine& l : scene.lines) {
    CHECK(inside(std::min(l.x0, l.x1), std::min(l.y0, l.y1) - l.width / 2, std::max(l.x0, l.x1),
                 std::max(l.y0, l.y1) + l.width / 2));
  }
  for (const SceneText& t : scene.texts) {
    const Box b = text_box(t, measure);
    INFO("text '" << t.text << "' at " << t.x << ", " << t.y);
    CHECK(inside(b.x0, b.y0, b.x1, b.y1));
  }
  for (const HitRegion& h : scene.hits)
    CHECK(inside(h.x, h.y, h.x + h.width, h.y + h.height));
}

// Texts whose content is one of `labels`, by content.
inline std::map<std::string, const SceneText*> texts_by_content(const Scene& scene) {
  std::map<std::string, const SceneText*> out;
  for (const SceneText& t : scene.texts)
    out[t.text] = &t;
  return out;
}

// The heatmap's axis labels: left of the matrix (rows) and above it (columns), title and
// subtitle (the first two texts) left out.
inline void axis_labels(const Scene& scene, std::vector<const SceneText*>* rows,
                        std::vector<const SceneText*>* cols) {
  const SceneMatrix& m = scene.matrices.at(0);
  for (size_t i = 2; i < scene.texts.size(); ++i) {
    const SceneText& t = scene.texts[i];
    if (t.x < m.x && t.y >= m.y && t.y <= m.y + m.height) rows->push_back(&t);
    if (t.y < m.y && t.x >= m.x && t.x <= m.x + m.width) cols->push_back(&t);
  }
}

inline std::string hex_of(Rgb8 c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", c.r, c.g, c.b);
  return buffer;
}

}  // namespace view_test
