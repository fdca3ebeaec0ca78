// The training step: gradients against central finite differences for every parameter of tiny
// models, the loss and every gradient against PyTorch's autograd (fixture train_step), the
// training loss against the inference forward, determinism across threads, and AdamW
// driving a copy task's loss down.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "attnscope/checkpoint.h"
#include "attnscope/error.h"
#include "attnscope/model.h"
#include "attnscope/safetensors.h"
#include "attnscope/train.h"
#include "fixture_ids.h"

using namespace attnscope;

namespace {

const std::string kFixtures = ATTNSCOPE_FIXTURES;
constexpr const char* kRegenerate =
    "regenerate the fixtures with: /usr/bin/python3 tests/reference/make_fixtures.py";

struct Variant {
  const char* name;
  bool norm_first;
  Activation activation;
  bool tie_output;
  Positional positional;
  int layers;  // encoder and decoder layers each
};

Config tiny_config(const Variant& v) {
  Config c;
  c.d_model = 8;
  c.nhead = 2;
  c.num_encoder_layers = v.layers;
  c.num_decoder_layers = v.layers;
  c.dim_feedforward = 16;
  c.activation = v.activation;
  c.norm_first = v.norm_first;
  c.src_vocab_size = 11;
  c.tgt_vocab_size = 13;
  c.max_positions = 8;
  c.positional = v.positional;
  c.tie_output = v.tie_output;
  return c;
}

// Random weights with the query and key projections enlarged so that attention is far from
// uniform and the softmax's gradient matters (as make_fixtures.py does).
Weights peaked_weights(const Config& c, uint64_t seed) {
  Weights w = random_weights(c, seed);
  const int d = c.d_model;
  // in_proj_weight is [W_q; W_k; W_v]^T: the first 2d columns are W_q^T and W_k^T.
  auto sharpen = [&](AttentionWeights& a) { a.in_proj_weight.leftCols(2 * d) *= 2.5f; };
  for (EncoderLayerWeights& l : w.encoder)
    sharpen(l.self_attn);
  for (DecoderLayerWeights& l : w.decoder) {
    sharpen(l.self_attn);
    sharpen(l.multihead_attn);
  }
  return w;
}

// Three pairs of different lengths, so every row but the longest is padded on both sides.
Batch padded_batch(const Config& c) {
  return make_batch({{4, 9, 6, 10, c.eos_id}, {7, 5, c.eos_id}, {8, c.eos_id}},
                    {{5, 11, 4, 12}, {9, 7}, {6}}, c);
}


double loss_of(const Config& c, const Weights& w, const Batch& batch, float smoothing) {
  Weights scratch;
  return loss_and_gradients(c, w, batch, smoothing, scratch).loss;
}

std::vector<std::vector<int>> parse_rows(const std::string& text) {
  std::vector<std::vector<int>> rows;
  std::stringstream stream(text);
  std::string row;
  while (std::getline(stream, row, ';'))
    rows.push_back(parse_ids(row));
  return rows;
}

// A Batch holding rows already padded to equal length, verbatim.
Batch batch_from_rows(const std::vector<std::vector<int>>& src,
                      const std::vector<std::vector<int>>& tgt_in,
                      const std::vector<std::vector<int>>& tgt_out) {
  Batch b;
  b.size = static_cast<int>(src.size());
  b.src_len = static_cast<int>(src.at(0).size());
  b.tgt_len = static_cast<int>(tgt_in.at(0).size());
  for (int r = 0; r < b.size; ++r) {
    b.src.insert(b.src.end(), src[r].begin(), src[r].end());
    b.tgt_in.insert(b.tgt_in.end(), tgt_in[r].begin(), tgt_in[r].end());
    b.tgt_out.insert(b.tgt_out.end(), tgt_out[r].begin(), tgt_out[r].end());
  }
  return b;
}

// Finite differences are accepted when |analytic - numeric| <= kRelTol * max(|a|, |n|) +
// kAbsTol * (largest |gradient| of the model): the absolute part covers float rounding of the
// loss divided by the step. Correct gradients use at most ~70% of this allowance; a backward
// pass missing any one term (LayerNorm's mean or variance path, the softmax's row term, GELU's
// x phi(x), the tied or cross-attention or key/value path, ...) or with the value gradient
// scaled by 0.98 fails it on hundreds of entries.
constexpr double kRelTol = 1e-2;
constexpr double kAbsTol = 2e-4;
constexpr float kStep = 7e-3f;

bool agrees(double analytic, double numeric, double scale) {
  return std::abs(analytic - numeric) <=
         kRelTol * std::max(std::abs(analytic), std::abs(numeric)) + kAbsTol * scale;
}

float largest_gradient(Weights& grads, const Config& c) {
  float scale = 0;
  for (const ParameterRef& g : parameters(grads, c)) {
    for (int64_t i = 0; i < g.count(); ++i)
      scale = std::max(scale, std::abs(g.data[i]));
  }
  return scale;
}

// Central difference of the loss along one parameter entry. A ReLU's kink within the step
// would spoil it, so the step is halved until halving no longer changes the estimate (the
// function is smooth over that step); `refined` counts the entries that needed it.
double numeric_derivative(const Config& c, Weights& w, float& theta, const Batch& batch,
                          float smoothing, double scale, int& refined) {
  const float saved = theta;
  const auto central = [&](float step) {
    theta = saved + step;
    const double up = loss_of(c, w, batch, smoothing);
    theta = saved - step;
    const double down = loss_of(c, w, batch, smoothing);
    theta = saved;
    // The step actually taken, as float rounding leaves it.
    return (up - down) / (static_cast<double>(saved + step) - (saved - step));
  };
  float step = kStep;
  double estimate = central(step);
  for (int halvings = 0; halvings < 4; ++halvings) {
    step /= 2;
    const double finer = central(step);
    // Richardson's extrapolation cancels the step's h^2 error term.
    if (agrees(finer, estimate, scale)) return (4 * finer - estimate) / 3;
    if (halvings == 0) ++refined;
    estimate = finer;
  }
  return estimate;
}

// Compares d loss / d theta with central differences for every entry of every parameter.
// Returns the number of entries checked.
int check_gradients(const Config& c, Weights w, const Batch& batch, float smoothing) {
  Weights grads;
  loss_and_gradients(c, w, batch, smoothing, grads);
  const float scale = largest_gradient(grads, c);
  REQUIRE(scale > 0);
  const std::vector<ParameterRef> params = parameters(w, c);
  const std::vector<ParameterRef> analytic = parameters(grads, c);
  int checked = 0, refined = 0;
  double worst = 0;  // largest |a - n| / (its allowance)
  std::string worst_at;
  for (size_t p = 0; p < params.size(); ++p) {
    for (int64_t i = 0; i < params[p].count(); ++i) {
      const double numeric =
          numeric_derivative(c, w, params[p].data[i], batch, smoothing, scale, refined);
      const double a = analytic[p].data[i];
      const double ratio = std::abs(a - numeric) /
                           (kRelTol * std::max(std::abs(a), std::abs(numeric)) + kAbsTol * scale);
      if (ratio > worst) {
        worst = ratio;
        worst_at = params[p].name + "[" + std::to_string(i) + "]";
      }
      if (!agrees(a, numeric, scale)) {
        FAIL_CHECK(params[p].name << "[" << i << "]: analytic " << a << ", numeric " << numeric);
      }
      ++checked;
    }
  }
  MESSAGE(checked << " entries checked, worst at " << worst_at << " with " << worst
                  << " of its allowance; " << refined << " needed a smaller step (ReLU kinks)");
  // Kinks are rare: a check that refines everything would no longer test the smooth case.
  CHECK(refined <= checked / 20);
  return checked;
}

// Cross-entropy with label smoothing of one logits row, in double.
double smoothed_cross_entropy(const RowVector& z, int target, double eps) {
  const double max = z.cast<double>().maxCoeff();
  const double lse = max + std::log((z.cast<double>().array() - max).exp().sum());
  return (1 - eps) * (lse - z[target]) + eps * (lse - z.cast<double>().mean());
}

struct Relative {
  double error = 0;  // max |a - b| / max |b|
  double scale = 0;  // max |b|
};

Relative relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  Relative r;
  double diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    r.scale = std::max(r.scale, static_cast<double>(std::abs(b[i])));
  }
  r.error = r.scale > 0 ? diff / r.scale : diff;
  return r;
}

const Variant kVariants[] = {
    {"post-norm relu, learned positions, 2+2", false, Activation::kRelu, false,
     Positional::kLearned, 2},
    {"pre-norm gelu, tied, 2+2", true, Activation::kGelu, true, Positional::kSinusoidal, 2},
    {"post-norm gelu, tied, learned positions, 1+1", false, Activation::kGelu, true,
     Positional::kLearned, 1},
    {"pre-norm relu, 1+1", true, Activation::kRelu, false, Positional::kSinusoidal, 1},
};

}  // namespace

TEST_CASE("make_batch pads, adds <bos> and <eos>, and refuses bad rows") {
  Config c = tiny_config(kVariants[0]);
  const Batch b = make_batch({{4, 5, 3}, {6, 3}}, {{7, 8}, {9}}, c);
  CHECK(b.size == 2);
  CHECK(b.src_len == 3);
  CHECK(b.tgt_len == 3);
  CHECK(b.src == std::vector<int>{4, 5, 3, 6, 3, 0});
  CHECK(b.tgt_in == std::vector<int>{2, 7, 8, 2, 9, 0});
  CHECK(b.tgt_out == std::vector<int>{7, 8, 3, 9, 3, 0});
  CHECK_THROWS_AS(make_batch({{4}}, {{5}, {6}}, c), InputError);
  CHECK_THROWS_AS(make_batch({{}}, {{5}}, c), InputError);
  CHECK_THROWS_AS(make_batch({{40}}, {{5}}, c), InputError);
  CHECK_THROWS_AS(make_batch({{4, 5, 6, 7, 8, 9, 10, 4, 5}}, {{5}}, c), InputError);
  Weights grads;
  const Weights w = random_weights(c, 1);
  Batch all_pad = make_batch({{4}}, {{5}}, c);
  all_pad.src[0] = c.pad_id;
  CHECK_THROWS_AS(loss_and_gradients(c, w, all_pad, 0.0f, grads), InputError);
  // Without target tokens there is nothing to learn: loss 0, every gradient 0.
  Batch silent = b;
  std::fill(silent.tgt_out.begin(), silent.tgt_out.end(), c.pad_id);
  const LossResult none = loss_and_gradients(c, w, silent, 0.1f, grads);
  CHECK(none.tokens == 0);
  CHECK(none.loss == 0.0);
  CHECK(grads.decoder_norm.weight.cwiseAbs().maxCoeff() == 0.0f);
  CHECK(grads.src_embed.cwiseAbs().maxCoeff() == 0.0f);
  Batch wrong = b;
  wrong.tgt_out.pop_back();
  CHECK_THROWS_AS(loss_and_gradients(c, w, wrong, 0.0f, grads), InputError);
  Config other = c;
  other.d_model = 16;
  CHECK_THROWS_AS(loss_and_gradients(other, w, b, 0.0f, grads), InputError);
}

TEST_CASE("every gradient matches central finite differences") {
  int seed = 100;
  for (const Variant& v : kVariants) {
    CAPTURE(std::string(v.name));
    const Config c = tiny_config(v);
    const int checked = check_gradients(c, peaked_weights(c, ++seed), padded_batch(c), 0.1f);
    CHECK(checked == parameter_count(c));
  }
}

TEST_CASE("the gradient check rejects gradients a few percent off") {
  // The finite-difference tolerance must be able to fail: a gradient scaled by 0.95 or 1.05 (what
  // a forgotten small term in the backward pass looks like at best) is rejected for the larger
  // entries of a real model.
  const Config c = tiny_config(kVariants[1]);
  const Weights w = peaked_weights(c, 7);
  const Batch batch = padded_batch(c);
  Weights grads;
  loss_and_gradients(c, w, batch, 0.1f, grads);
  const float scale = largest_gradient(grads, c);
  Eigen::Index row = 0, col = 0;
  grads.decoder[0].ff.linear1_weight.cwiseAbs().maxCoeff(&row, &col);
  const double a = grads.decoder[0].ff.linear1_weight(row, col);
  Weights plus = w, minus = w;
  plus.decoder[0].ff.linear1_weight(row, col) += kStep;
  minus.decoder[0].ff.linear1_weight(row, col) -= kStep;
  const double numeric =
      (loss_of(c, plus, batch, 0.1f) - loss_of(c, minus, batch, 0.1f)) / (2 * kStep);
  CHECK(agrees(a, numeric, scale));
  CHECK_FALSE(agrees(0.95 * a, numeric, scale));
  CHECK_FALSE(agrees(1.05 * a, numeric, scale));
}

TEST_CASE("loss and every gradient match PyTorch's autograd (fixture train_step)") {
  const std::string dir = kFixtures + "/train_step";
  const ModelBundle bundle = load_model_dir(dir);
  const SafetensorsFile expected = SafetensorsFile::read(dir + "/expected.safetensors");
  const auto& meta = expected.metadata();
  REQUIRE_MESSAGE((meta.count("format") && meta.at("format") == "attnscope-train-step"),
                  "not a train-step fixture; " << kRegenerate);
  REQUIRE_MESSAGE(meta.at("version") == "1", "fixture format version " << meta.at("version")
                                                                       << ", tests expect 1; "
                                                                       << kRegenerate);
  const Config& c = bundle.model.config();
  REQUIRE(std::stoi(meta.at("ignore_index")) == c.pad_id);
  const float smoothing = std::stof(meta.at("label_smoothing"));
  const Batch batch = batch_from_rows(parse_rows(meta.at("src")), parse_rows(meta.at("tgt_in")),
                                      parse_rows(meta.at("tgt_out")));
  Weights weights = bundle.model.weights();
  Weights grads;
  const LossResult result = loss_and_gradients(c, weights, batch, smoothing, grads);
  const float want_loss = expected.read_floats("loss").at(0);
  MESSAGE("loss " << result.loss << ", PyTorch " << want_loss << " over " << result.tokens
                  << " tokens");
  CHECK(std::abs(result.loss - want_loss) <= 1e-5 * std::abs(want_loss));
  int compared = 0;
  double worst = 0;
  for (const ParameterRef& g : parameters(grads, c)) {
    CAPTURE(g.name);
    const std::string name = "grad." + g.name;
    REQUIRE_MESSAGE(expected.contains(name), "fixture lacks '" << name << "'; " << kRegenerate);
    REQUIRE(expected.info(name).shape == g.shape);
    // Compared in the file's layout (PyTorch's), which write_to gives whatever the memory's.
    std::vector<float> got(static_cast<size_t>(g.count()));
    g.write_to(got.data());
    const Relative r = relative_difference(got, expected.read_floats(name));
    MESSAGE(g.name << ": relative error " << r.error << " (max |grad| " << r.scale << ")");
    CHECK(r.error <= 1e-3);
    worst = std::max(worst, r.error);
    ++compared;
  }
  CHECK(compared + 1 == static_cast<int>(expected.names().size()));
  MESSAGE("worst relative error over " << compared << " tensors: " << worst);
}

TEST_CASE("the training loss is the cross-entropy of Model::trace's logits") {
  for (const Variant& v : kVariants) {
    CAPTURE(std::string(v.name));
    Config c = tiny_config(v);
    c.max_positions = 16;
    const Weights w = peaked_weights(c, 31);
    const Model model(c, w);
    const Batch batch = make_batch(
        {{4, 9, 6, 10, 5, 7, c.eos_id}, {7, 5, c.eos_id}, {8, c.eos_id}, {9, 9, 4, c.eos_id}},
        {{5, 11, 4, 12, 6}, {9, 7}, {6}, {12, 4, 4, 8, 7, 5, 10, 9}}, c);
    const float smoothing = 0.1f;
    double sum = 0;
    int tokens = 0;
    for (int b = 0; b < batch.size; ++b) {
      // Each row padded as in the batch: the pads are masked keys, as in training.
      const std::vector<int> src(batch.src.begin() + b * batch.src_len,
                                 batch.src.begin() + (b + 1) * batch.src_len);
      const std::vector<int> tgt_in(batch.tgt_in.begin() + b * batch.tgt_len,
                                    batch.tgt_in.begin() + (b + 1) * batch.tgt_len);
      const Trace trace = model.trace(src, tgt_in);
      for (int t = 0; t < batch.tgt_len; ++t) {
        const int y = batch.tgt_out[b * batch.tgt_len + t];
        if (y == c.pad_id) continue;
        sum += smoothed_cross_entropy(trace.logits.row(t), y, smoothing);
        ++tokens;
      }
    }
    Weights grads;
    const LossResult result = loss_and_gradients(c, w, batch, smoothing, grads);
    CHECK(result.tokens == tokens);
    CHECK(std::abs(result.loss - sum / tokens) <= 2e-6 * (sum / tokens));
  }
}

TEST_CASE("threads split the batch deterministically") {
  Config c = tiny_config(kVariants[1]);
  c.d_model = 32;
  c.nhead = 4;
  c.dim_feedforward = 64;
  c.src_vocab_size = 40;
  c.tgt_vocab_size = 50;
  c.max_positions = 32;
  const Weights w = peaked_weights(c, 3);
  std::mt19937 rng(11);
  std::vector<std::vector<int>> src, tgt;
  for (int b = 0; b < 24; ++b) {
    std::vector<int> s(2 + rng() % 10), t(1 + rng() % 10);
    for (int& id : s)
      id = 4 + static_cast<int>(rng() % (c.src_vocab_size - 4));
    for (int& id : t)
      id = 4 + static_cast<int>(rng() % (c.tgt_vocab_size - 4));
    s.push_back(c.eos_id);
    src.push_back(s);
    tgt.push_back(t);
  }
  const Batch batch = make_batch(src, tgt, c);
  Weights one, two_a, two_b;
  const LossResult r1 = loss_and_gradients(c, w, batch, 0.1f, one, 1);
  const LossResult r2a = loss_and_gradients(c, w, batch, 0.1f, two_a, 2);
  const LossResult r2b = loss_and_gradients(c, w, batch, 0.1f, two_b, 2);
  CHECK(r2a.loss == r2b.loss);
  CHECK(r1.tokens == r2a.tokens);
  CHECK(std::abs(r1.loss - r2a.loss) <= 1e-6 * r1.loss);
  const std::vector<ParameterRef> g1 = parameters(one, c);
  const std::vector<ParameterRef> ga = parameters(two_a, c);
  const std::vector<ParameterRef> gb = parameters(two_b, c);
  for (size_t p = 0; p < g1.size(); ++p) {
    CAPTURE(g1[p].name);
    CHECK(std::memcmp(ga[p].data, gb[p].data, ga[p].count() * sizeof(float)) == 0);
    const std::vector<float> reference(g1[p].data, g1[p].data + g1[p].count());
    CHECK(relative_difference(std::vector<float>(ga[p].data, ga[p].data + ga[p].count()), reference)
              .error <= 1e-5);
  }
}

TEST_CASE("clip_gradients returns the norm and scales to max_norm") {
  const Config c = tiny_config(kVariants[3]);
  Weights g = allocate_weights(c);
  for (const ParameterRef& p : parameters(g, c))
    std::fill(p.data, p.data + p.count(), 0.0f);
  g.encoder[0].ff.linear1_weight(2, 3) = 3.0f;
  g.decoder_norm.bias[1] = -4.0f;
  CHECK(clip_gradients(g, c, 10.0f) == doctest::Approx(5.0f));
  CHECK(g.encoder[0].ff.linear1_weight(2, 3) == 3.0f);  // under the limit: untouched
  CHECK(clip_gradients(g, c, 1.0f) == doctest::Approx(5.0f));
  CHECK(g.encoder[0].ff.linear1_weight(2, 3) == doctest::Approx(0.6f));
  CHECK(g.decoder_norm.bias[1] == doctest::Approx(-0.8f));
  CHECK(clip_gradients(g, c, 1.0f) == doctest::Approx(1.0f));
}

TEST_CASE("AdamW: schedule values and one update as torch.optim.AdamW computes it") {
  const Config c = tiny_config(kVariants[3]);
  AdamWOptions o;
  o.lr = 1e-3f;
  o.warmup_steps = 10;
  o.total_steps = 110;
  o.weight_decay = 0.1f;
  Weights w = random_weights(c, 5);
  AdamW adam(c, w, o);
  CHECK(adam.learning_rate(1) == doctest::Approx(1e-4f));
  CHECK(adam.learning_rate(5) == doctest::Approx(5e-4f));
  CHECK(adam.learning_rate(10) == doctest::Approx(1e-3f));
  CHECK(adam.learning_rate(60) == doctest::Approx(0.55e-3f));  // half-way down the cosine
  CHECK(adam.learning_rate(110) == doctest::Approx(1e-4f));
  CHECK(adam.learning_rate(1000) == doctest::Approx(1e-4f));
  CHECK(adam.learning_rate(30) > adam.learning_rate(31));

  Weights g = allocate_weights(c);
  for (const ParameterRef& p : parameters(g, c))
    std::fill(p.data, p.data + p.count(), 0.5f);
  g.encoder[0].ff.linear1_weight(0, 0) = -2.0f;
  const float matrix_before = w.encoder[0].ff.linear1_weight(0, 0);
  const float bias_before = w.encoder[0].ff.linear1_bias[0];
  const float gain_before = w.encoder[0].norm1.weight[0];
  adam.step(w, g);
  CHECK(adam.steps_taken() == 1);
  // First step: the bias-corrected m / sqrt(v) is sign(g); lr = 1e-4 at step 1.
  const float lr = 1e-4f;
  CHECK(w.encoder[0].ff.linear1_weight(0, 0) ==
        doctest::Approx(matrix_before * (1 - lr * 0.1f) + lr).epsilon(1e-6));
  CHECK(w.encoder[0].ff.linear1_bias[0] == doctest::Approx(bias_before - lr).epsilon(1e-6));
  CHECK(w.encoder[0].norm1.weight[0] == doctest::Approx(gain_before - lr).epsilon(1e-6));
}

namespace {

// Copy task: the target is the source's symbols (ids 4..11), 3 to 5 of them.
Batch copy_batch(const Config& c, std::mt19937& rng, int size) {
  std::vector<std::vector<int>> src, tgt;
  for (int b = 0; b < size; ++b) {
    std::vector<int> s(3 + rng() % 3);
    for (int& id : s)
      id = 4 + static_cast<int>(rng() % (c.tgt_vocab_size - 4));
    tgt.push_back(s);
    s.push_back(c.eos_id);
    src.push_back(s);
  }
  return make_batch(src, tgt, c);
}

struct TrainingRun {
  double first_loss = 0;
  double last_loss = 0;  // mean over the last 10 steps
  Weights weights;
};

TrainingRun train_copy_task(int steps, int threads) {
  Config c;
  c.d_model = 32;
  c.nhead = 2;
  c.num_encoder_layers = 2;
  c.num_decoder_layers = 2;
  c.dim_feedforward = 64;
  c.src_vocab_size = 12;
  c.tgt_vocab_size = 12;
  c.max_positions = 16;
  TrainingRun run;
  run.weights = random_weights(c, 42);
  AdamWOptions o;
  o.lr = 3e-3f;
  o.warmup_steps = 30;
  o.total_steps = steps;
  AdamW adam(c, run.weights, o);
  std::mt19937 rng(7);
  Weights grads;
  for (int step = 0; step < steps; ++step) {
    const Batch batch = copy_batch(c, rng, 32);
    const LossResult r = loss_and_gradients(c, run.weights, batch, 0.0f, grads, threads);
    if (step == 0) run.first_loss = r.loss;
    if (step >= steps - 10) run.last_loss += r.loss / 10;
    clip_gradients(grads, c, 1.0f);
    adam.step(run.weights, grads);
  }
  return run;
}

}  // namespace

TEST_CASE("AdamW learns a copy task") {
  const TrainingRun run = train_copy_task(300, 2);
  MESSAGE("copy task: loss " << run.first_loss << " -> " << run.last_loss << " in 300 steps");
  CHECK(run.first_loss > 2.0);
  CHECK(run.last_loss < 0.3);
  // Training is deterministic for the seed and the thread count.
  const TrainingRun a = train_copy_task(20, 2), b = train_copy_task(20, 2);
  CHECK(a.last_loss == b.last_loss);
  CHECK(a.weights.decoder[1].ff.linear2_weight == b.weights.decoder[1].ff.linear2_weight);
}
