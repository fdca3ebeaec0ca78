// Invariants of the forward pass and of decoding that need no reference: softmax rows sum to 1,
// the causal future and padding get exactly 0, incremental decoding equals the full pass,
// beam width 1 equals greedy.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/model.h"
#include "small_config.h"

using namespace attnscope;

namespace {

std::vector<int> ids(std::initializer_list<int> list) {
  return std::vector<int>(list);
}

float max_abs_diff(const Matrix& a, const Matrix& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  return a.size() == 0 ? 0.0f : (a - b).cwiseAbs().maxCoeff();
}

void check_rows_sum_to_one(const std::vector<AttentionRecord>& records) {
  for (const AttentionRecord& r : records) {
    for (const Matrix& m : r.heads) {
      for (Eigen::Index i = 0; i < m.rows(); ++i) {
        CHECK(std::abs(m.row(i).sum() - 1.0f) <= 1e-6f);
        CHECK(m.row(i).minCoeff() >= 0.0f);
      }
    }
  }
}

// Every recorded quantity of two traces agrees within `tolerance`.
void check_traces_match(const Trace& a, const Trace& b, float tolerance) {
  REQUIRE(a.decoder_self.size() == b.decoder_self.size());
  for (size_t l = 0; l < a.decoder_self.size(); ++l) {
    for (size_t h = 0; h < a.decoder_self[l].heads.size(); ++h) {
      CHECK(max_abs_diff(a.decoder_self[l].heads[h], b.decoder_self[l].heads[h]) <= tolerance);
      CHECK(max_abs_diff(a.cross[l].heads[h], b.cross[l].heads[h]) <= tolerance);
    }
    for (Matrix AttentionRecord::*block : {&AttentionRecord::queries, &AttentionRecord::keys,
                                           &AttentionRecord::values,
                                           &AttentionRecord::head_outputs,
                                           &AttentionRecord::output}) {
      REQUIRE((a.decoder_self[l].*block).size() > 0);
      REQUIRE((a.cross[l].*block).size() > 0);
      CHECK(max_abs_diff(a.decoder_self[l].*block, b.decoder_self[l].*block) <= tolerance);
      CHECK(max_abs_diff(a.cross[l].*block, b.cross[l].*block) <= tolerance);
    }
  }
  for (size_t l = 0; l < a.encoder_self.size(); ++l) {
    for (size_t h = 0; h < a.encoder_self[l].heads.size(); ++h) {
      CHECK(max_abs_diff(a.encoder_self[l].heads[h], b.encoder_self[l].heads[h]) <= tolerance);
    }
  }
  CHECK(max_abs_diff(a.decoder_output, b.decoder_output) <= tolerance);
  CHECK(max_abs_diff(a.logits, b.logits) <= 10 * tolerance);
  CHECK(max_abs_diff(a.probs, b.probs) <= tolerance);
}

}  // namespace

TEST_CASE("attention rows sum to 1 and the causal future is exactly 0") {
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    const Config c = small_config(norm_first, norm_first ? Activation::kGelu : Activation::kRelu);
    const Model model(c, random_weights(c, 3));
    const Trace t = model.trace(ids({5, 9, 12, 7, 3}), ids({2, 8, 14, 20}));
    REQUIRE(t.encoder_self.size() == 2);
    REQUIRE(t.decoder_self.size() == 2);
    REQUIRE(t.cross.size() == 2);
    CHECK(t.encoder_self[0].heads.size() == 3);
    CHECK(t.encoder_self[0].heads[0].rows() == 5);
    CHECK(t.decoder_self[1].heads[2].cols() == 4);
    CHECK(t.cross[1].heads[2].rows() == 4);
    CHECK(t.cross[1].heads[2].cols() == 5);
    CHECK(t.logits.rows() == 4);
    CHECK(t.logits.cols() == 33);
    check_rows_sum_to_one(t.encoder_self);
    check_rows_sum_to_one(t.decoder_self);
    check_rows_sum_to_one(t.cross);
    for (const AttentionRecord& r : t.decoder_self) {
      for (const Matrix& m : r.heads) {
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
          for (Eigen::Index j = i + 1; j < m.cols(); ++j)
            CHECK(m(i, j) == 0.0f);
          CHECK(m(i, 0) > 0.0f);
        }
      }
    }
    for (Eigen::Index i = 0; i < t.probs.rows(); ++i) {
      CHECK(std::abs(t.probs.row(i).sum() - 1.0f) <= 1e-5f);
    }
    // The recorded q and k reproduce the recorded weights.
    const int dh = c.head_dim();
    const AttentionRecord& r = t.cross[1];
    for (int h = 0; h < c.nhead; ++h) {
      Matrix scores = r.queries.middleCols(h * dh, dh) * r.keys.middleCols(h * dh, dh).transpose() /
                      std::sqrt(static_cast<float>(dh));
      for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        RowVector e = (scores.row(i).array() - scores.row(i).maxCoeff()).exp();
        CHECK(max_abs_diff(e / e.sum(), r.heads[h].row(i)) <= 1e-6f);
      }
    }
  }
}

TEST_CASE("padding never leaks into real tokens") {
  const Config c = small_config(false);
  const Model model(c, random_weights(c, 5));
  const Trace plain = model.trace(ids({5, 9, 12, 7}), ids({2, 8, 14}));
  const Trace padded =
      model.trace(ids({5, 9, 12, 7, c.pad_id, c.pad_id}), ids({2, 8, 14, c.pad_id}));
  for (int l = 0; l < c.num_encoder_layers; ++l) {
    for (int h = 0; h < c.nhead; ++h) {
      const Matrix& m = padded.encoder_self[l].heads[h];
      CHECK(m.col(4).cwiseAbs().maxCoeff() == 0.0f);
      CHECK(m.col(5).cwiseAbs().maxCoeff() == 0.0f);
      CHECK(max_abs_diff(m.topLeftCorner(4, 4), plain.encoder_self[l].heads[h]) <= 1e-6f);
    }
  }
  for (int l = 0; l < c.num_decoder_layers; ++l) {
    for (int h = 0; h < c.nhead; ++h) {
      const Matrix& cross = padded.cross[l].heads[h];
      CHECK(cross.rightCols(2).cwiseAbs().maxCoeff() == 0.0f);
      CHECK(max_abs_diff(cross.topLeftCorner(3, 4), plain.cross[l].heads[h]) <= 1e-6f);
      CHECK(padded.decoder_self[l].heads[h].col(3).cwiseAbs().maxCoeff() == 0.0f);
    }
  }
  CHECK(max_abs_diff(padded.encoder_output.topRows(4), plain.encoder_output) <= 1e-5f);
  CHECK(max_abs_diff(padded.logits.topRows(3), plain.logits) <= 1e-4f);
}

TEST_CASE("incremental greedy decoding equals the teacher-forced pass, step by step") {
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    const Config c = small_config(norm_first);
    const Model model(c, random_weights(c, 9));
    DecodeOptions options;
    options.max_length = 12;
    options.stop_at_eos = false;
    const std::vector<int> src = ids({4, 17, 22, 9, 3});
    const Translation greedy = greedy_decode(model, src, options);
    CHECK(greedy.ids.size() == 12);
    REQUIRE(greedy.trace.tgt_ids.size() == 12);
    CHECK(greedy.trace.tgt_ids[0] == c.bos_id);
    const Trace forced = model.trace(src, greedy.trace.tgt_ids);
    check_traces_match(greedy.trace, forced, 2e-6f);
    // Each generated token is the argmax of the teacher-forced distribution at its step.
    CHECK(forced.output_ids == greedy.trace.output_ids);
    for (size_t t = 1; t < greedy.trace.tgt_ids.size(); ++t) {
      CHECK(greedy.trace.tgt_ids[t] == greedy.trace.output_ids[t - 1]);
    }
  }
}

TEST_CASE("greedy stops at <eos> and reports it") {
  Config c = small_config(false);
  Weights w = random_weights(c, 13);
  // Make <eos> the most likely token everywhere after the first step.
  w.generator_bias.setZero();
  w.generator_bias[c.eos_id] = 50.0f;
  const Model model(c, std::move(w));
  const Translation t = greedy_decode(model, ids({5, 6, 7}));
  CHECK(t.finished);
  CHECK(t.ids.empty());
  CHECK(t.trace.tgt_ids == ids({c.bos_id}));
  CHECK(t.trace.output_ids == ids({c.eos_id}));
}

TEST_CASE("beam width 1 equals greedy; a wider beam's score is its tokens' log-probability") {
  const Config c = small_config(true);
  const Model model(c, random_weights(c, 21));
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> dist(4, c.src_vocab_size - 1);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<int> src(3 + trial);
    for (int& id : src)
      id = dist(rng);
    DecodeOptions options;
    options.max_length = 10;
    const Translation greedy = greedy_decode(model, src, options);
    options.beam = 1;
    const Translation beam1 = beam_decode(model, src, options);
    CHECK(beam1.ids == greedy.ids);
    CHECK(beam1.finished == greedy.finished);
    CHECK(std::abs(beam1.log_prob - greedy.log_prob) <= 1e-4f);
    check_traces_match(beam1.trace, greedy.trace, 2e-6f);

    options.beam = 4;
    const Translation beam4 = beam_decode(model, src, options);
    std::vector<int> expected_out = beam4.ids;
    if (beam4.finished) expected_out.push_back(c.eos_id);
    CHECK(beam4.trace.output_ids == expected_out);
    // The hypothesis' score is the log-probability the teacher-forced pass gives its tokens.
    double log_prob = 0;
    for (size_t t = 0; t < expected_out.size(); ++t) {
      log_prob += std::log(static_cast<double>(beam4.trace.probs(t, expected_out[t])));
    }
    CHECK(std::abs(log_prob - beam4.log_prob) <= 1e-3);
  }
}

TEST_CASE("bad requests raise InputError with the reason") {
  const Config c = small_config(false);
  const Model model(c, random_weights(c, 1));
  CHECK_THROWS_WITH_AS(model.trace({}, ids({2})), "source is empty", InputError);
  CHECK_THROWS_WITH_AS(model.trace(ids({4, 30}), ids({2})),
                       "source id 30 at position 1 is outside the vocabulary [0, 30)", InputError);
  CHECK_THROWS_WITH_AS(model.trace(ids({4}), ids({-1})),
                       "target id -1 at position 0 is outside the vocabulary [0, 33)", InputError);
  CHECK_THROWS_WITH_AS(model.trace(std::vector<int>(41, 5), ids({2})),
                       "source has 41 tokens, the model's maximum is 40", InputError);
  const Trace t = model.trace(ids({4}), ids({2}));
  CHECK_THROWS_WITH_AS(t.attention(AttentionKind::kCross, 2, 0),
                       "decoder.cross: layer 2 out of range [0, 2)", InputError);
  CHECK_THROWS_WITH_AS(t.attention(AttentionKind::kEncoderSelf, 0, 3),
                       "encoder.self: head 3 out of range [0, 3)", InputError);
}

TEST_CASE("sinusoidal positions are the paper's") {
  const Matrix pe = sinusoidal_positions(50, 10);
  CHECK(pe(0, 0) == 0.0f);
  CHECK(pe(0, 1) == 1.0f);
  CHECK(pe(7, 0) == doctest::Approx(std::sin(7.0)));
  CHECK(pe(7, 1) == doctest::Approx(std::cos(7.0)));
  CHECK(pe(33, 4) == doctest::Approx(std::sin(33.0 / std::pow(10000.0, 4.0 / 10))));
  CHECK(pe(33, 5) == doctest::Approx(std::cos(33.0 / std::pow(10000.0, 4.0 / 10))));
  const Matrix odd = sinusoidal_positions(3, 5);  // the last even column has no cos partner
  CHECK(odd(2, 4) == doctest::Approx(std::sin(2.0 / std::pow(10000.0, 4.0 / 5))));
}

TEST_CASE("config round-trips through config.json and rejects bad values") {
  Config c = small_config(true, Activation::kGelu);
  c.positional = Positional::kLearned;
  c.tie_output = true;
  c.layer_norm_eps = 1e-6;
  const Config back = config_from_json(config_to_json(c));
  CHECK(config_to_json(back) == config_to_json(c));
  CHECK(back.norm_first);
  CHECK(back.activation == Activation::kGelu);
  CHECK(back.positional == Positional::kLearned);
  CHECK(back.layer_norm_eps == 1e-6);
  CHECK_THROWS_WITH_AS(config_from_json("{\"src_vocab_size\": 10}", "m/config.json"),
                       "m/config.json: missing required key 'tgt_vocab_size'", CheckpointError);
  CHECK_THROWS_WITH_AS(
      config_from_json(R"({"src_vocab_size": 10, "tgt_vocab_size": 10, "d_model": 30, "nhead": 4})",
                       "c.json"),
      "c.json: config: d_model 30 is not divisible by nhead 4", CheckpointError);
  CHECK_THROWS_WITH_AS(
      config_from_json(R"({"src_vocab_size": 10, "tgt_vocab_size": 10, "activation": "tanh"})",
                       "c.json"),
      "c.json: key 'activation' is 'tanh', expected \"relu\" or \"gelu\"", CheckpointError);
  CHECK_THROWS_WITH_AS(
      config_from_json(
          R"({"src_vocab_size": 10, "tgt_vocab_size": 10, "num_encoder_layers": 1000000000000})",
          "c.json"),
      "c.json: key 'num_encoder_layers' is 1000000000000, expected an integer in [1, 64]",
      CheckpointError);
  CHECK_THROWS_AS(config_from_json("{not json", "c.json"), CheckpointError);
}

TEST_CASE("parameter_count matches the parameter table") {
  for (bool tie : {false, true}) {
    Config c = small_config(false);
    c.tie_output = tie;
    c.positional = tie ? Positional::kLearned : Positional::kSinusoidal;
    Weights w = allocate_weights(c);
    int64_t visited = 0;
    for (const ParameterRef& p : parameters(w, c)) {
      int64_t n = 1;
      for (int64_t d : p.shape)
        n *= d;
      visited += n;
    }
    CHECK(parameter_count(c) == visited);
  }
}

TEST_CASE("two threads compute what one thread computes") {
  Config c;
  c.d_model = 256;  // large enough for the threaded paths: split products and heads
  c.nhead = 4;
  c.num_encoder_layers = 1;
  c.num_decoder_layers = 2;
  c.dim_feedforward = 512;
  c.src_vocab_size = 1100;
  c.tgt_vocab_size = 1100;
  c.max_positions = 64;
  const Model model(c, random_weights(c, 17));
  std::vector<int> src(40), tgt(30);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = 4 + static_cast<int>(i * 7 % 1000);
  for (size_t i = 0; i < tgt.size(); ++i)
    tgt[i] = 4 + static_cast<int>(i * 13 % 1000);
  DecodeOptions options;
  options.max_length = 8;
  options.stop_at_eos = false;
  set_num_threads(1);
  const Trace one = model.trace(src, tgt);
  const Translation greedy_one = greedy_decode(model, src, options);
  set_num_threads(2);
  const Trace two = model.trace(src, tgt);
  const Translation greedy_two = greedy_decode(model, src, options);
  set_num_threads(1);
  check_traces_match(one, two, 1e-5f);
  CHECK(greedy_one.ids == greedy_two.ids);
  check_traces_match(greedy_one.trace, greedy_two.trace, 1e-5f);
}

TEST_CASE("a model refuses weights that do not fit its config") {
  const Config c = small_config(false);
  Weights w = random_weights(c, 2);
  // Held as W^T (weights.h): PyTorch's [24,39] is (39, 24) here; messages speak PyTorch's shapes.
  w.decoder[1].ff.linear2_weight = Matrix::Zero(39, 24);
  CHECK_THROWS_WITH_AS(Model(c, w),
                       "tensor 'transformer.decoder.layers.1.linear2.weight': shape [24,39], "
                       "expected [24,40]",
                       CheckpointError);
  w = random_weights(c, 2);
  w.encoder.pop_back();
  CHECK_THROWS_WITH_AS(Model(c, w), "weights have 1+2 layers, config says 2+2", CheckpointError);
  // What goes in comes back out, in PyTorch's layout.
  const Weights original = random_weights(c, 2);
  const Weights back = Model(c, original).weights();
  CHECK(back.encoder[0].self_attn.in_proj_weight == original.encoder[0].self_attn.in_proj_weight);
  CHECK(back.generator_weight == original.generator_weight);
}
