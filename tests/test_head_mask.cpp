// Heads switched off (head_mask.h): an empty mask changes nothing, bit for bit; masking a head
// zeroes exactly its output before W_o (a plain loop over the block agrees) and leaves its
// weights and everything computed before it as they were; decoding step by step with a mask
// equals the teacher-forced pass with it; masks are read, written and checked.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/head_mask.h"
#include "attnscope/model.h"
#include "small_config.h"

using namespace attnscope;

namespace {

Config config(bool norm_first) {
  return small_config(norm_first);
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
}

bool same_record(const AttentionRecord& a, const AttentionRecord& b) {
  bool same = a.heads.size() == b.heads.size();
  for (size_t h = 0; same && h < a.heads.size(); ++h)
    same = same_bits(a.heads[h], b.heads[h]);
  return same && same_bits(a.queries, b.queries) && same_bits(a.keys, b.keys) &&
         same_bits(a.values, b.values) && same_bits(a.head_outputs, b.head_outputs) &&
         same_bits(a.output, b.output);
}

const AttentionWeights& block_weights(const Weights& w, AttentionKind kind, int layer) {
  if (kind == AttentionKind::kEncoderSelf) return w.encoder[layer].self_attn;
  if (kind == AttentionKind::kDecoderSelf) return w.decoder[layer].self_attn;
  return w.decoder[layer].multihead_attn;
}

const std::vector<int> kSrc = {5, 9, 12, 7, 3};
const std::vector<int> kTgt = {2, 8, 14, 20, 11};

}  // namespace

TEST_CASE("an empty mask gives the unmasked Trace, bit for bit") {
  const Config c = config(false);
  const Model model(c, random_weights(c, 3));
  HeadMask mask;
  mask.set({AttentionKind::kCross, 1, 2}, true);
  mask.set({AttentionKind::kCross, 1, 2}, false);
  REQUIRE(mask.empty());
  const Trace plain = model.trace(kSrc, kTgt);
  const Trace masked = model.trace(kSrc, kTgt, mask);
  for (AttentionKind kind : kAttentionKinds) {
    for (size_t l = 0; l < plain.records(kind).size(); ++l)
      CHECK(same_record(plain.records(kind)[l], masked.records(kind)[l]));
  }
  CHECK(same_bits(plain.logits, masked.logits));
}

TEST_CASE("masking a head zeroes exactly its output before W_o") {
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    const Config c = config(norm_first);
    const Model model(c, random_weights(c, 7));
    const Trace plain = model.trace(kSrc, kTgt);
    for (AttentionKind kind : kAttentionKinds) {
      for (int layer = 0; layer < 2; ++layer) {
        const std::string kind_name = to_string(kind);
        CAPTURE(kind_name);
        CAPTURE(layer);
        const int head = (layer + static_cast<int>(kind)) % c.nhead;
        HeadMask mask;
        mask.set({kind, layer, head}, true);
        const Trace masked = model.trace(kSrc, kTgt, mask);
        const AttentionRecord& r = masked.record(kind, layer);
        const AttentionRecord& p = plain.record(kind, layer);
        // What the block computed before its output is as without the mask: every head's
        // weights (the masked one's too, still shown), q, k and v.
        for (int h = 0; h < c.nhead; ++h)
          CHECK(same_bits(r.heads[h], p.heads[h]));
        CHECK(same_bits(r.queries, p.queries));
        CHECK(same_bits(r.values, p.values));
        // The masked head's output is zero, the others' as before.
        const int dh = c.head_dim();
        for (int h = 0; h < c.nhead; ++h) {
          if (h == head) {
            CHECK(r.head_outputs.middleCols(h * dh, dh).isZero(0.0f));
          } else {
            CHECK(same_bits(r.head_outputs.middleCols(h * dh, dh),
                            p.head_outputs.middleCols(h * dh, dh)));
          }
        }
        // The block's output: a plain loop over the unmasked Trace's head outputs with the
        // masked head's left out, times W_o^T, plus b_o.
        const AttentionWeights& w = block_weights(model.weights(), kind, layer);
        double worst = 0, scale = 0;
        for (Eigen::Index i = 0; i < r.output.rows(); ++i) {
          for (int o = 0; o < c.d_model; ++o) {
            double s = w.out_proj_bias[o];
            for (int k = 0; k < c.d_model; ++k) {
              if (k / dh == head) continue;
              s += static_cast<double>(p.head_outputs(i, k)) * w.out_proj_weight(k, o);
            }
            worst = std::max(worst, std::abs(s - r.output(i, o)));
            scale = std::max(scale, std::abs(s));
          }
        }
        CHECK(worst <= 1e-6 * scale);
        // It did change the block's output, and what follows.
        CHECK_FALSE(same_bits(r.output, p.output));
        CHECK_FALSE(same_bits(masked.logits, plain.logits));
        // Blocks computed before it are untouched: for a decoder block, the whole encoder.
        if (kind != AttentionKind::kEncoderSelf) {
          for (int l = 0; l < c.num_encoder_layers; ++l)
            CHECK(same_record(masked.encoder_self[l], plain.encoder_self[l]));
        }
      }
    }
  }
}

TEST_CASE("decoding with a mask equals the teacher-forced pass with it") {
  const Config c = config(true);
  const Model model(c, random_weights(c, 11));
  DecodeOptions options;
  options.stop_at_eos = false;
  options.max_length = 6;
  options.mask = parse_head_mask("encoder:0:1,decoder:1:0,cross:0:2");
  const Translation decoded = greedy_decode(model, kSrc, options);
  const Trace forced = model.trace(kSrc, decoded.trace.tgt_ids, options.mask);
  for (AttentionKind kind : kAttentionKinds) {
    for (size_t l = 0; l < forced.records(kind).size(); ++l) {
      const AttentionRecord& a = decoded.trace.records(kind)[l];
      const AttentionRecord& b = forced.records(kind)[l];
      CHECK((a.output - b.output).cwiseAbs().maxCoeff() <= 2e-6f);
      CHECK((a.head_outputs - b.head_outputs).cwiseAbs().maxCoeff() <= 2e-6f);
    }
  }
  CHECK((decoded.trace.probs - forced.probs).cwiseAbs().maxCoeff() <= 2e-6f);
  CHECK(decoded.trace.output_ids == forced.output_ids);
  // The mask made a difference to what was decoded or how likely it was.
  DecodeOptions none = options;
  none.mask.clear();
  const Translation unmasked = greedy_decode(model, kSrc, none);
  CHECK((unmasked.ids != decoded.ids || unmasked.log_prob != decoded.log_prob));
}

TEST_CASE("head masks are read, written and checked against the model") {
  const HeadMask mask = parse_head_mask("cross:1:0,encoder:0:1,dec:1:2,cross:1:0");
  CHECK(to_string(mask) == "encoder:0:1,decoder:1:2,cross:1:0");
  CHECK(parse_head_mask(to_string(mask)) == mask);
  CHECK(mask.masked(AttentionKind::kDecoderSelf, 1, 2));
  CHECK_FALSE(mask.masked(AttentionKind::kDecoderSelf, 1, 1));
  CHECK(parse_head_mask("").empty());
  CHECK_THROWS_WITH_AS(parse_head_mask("cross:1"),
                       "head mask item 'cross:1': expected kind:layer:head with kind encoder, "
                       "decoder or cross (e.g. encoder:0:1,cross:1:0)",
                       InputError);
  CHECK_THROWS_AS(parse_head_mask("attic:0:0"), InputError);
  CHECK_THROWS_AS(parse_head_mask("cross:-1:0"), InputError);
  const Config c = config(false);
  const Model model(c, random_weights(c, 1));
  CHECK_THROWS_WITH_AS(model.trace(kSrc, kTgt, parse_head_mask("cross:2:0")),
                       "head mask cross:2:0: layer out of range [0, 2)", InputError);
  CHECK_THROWS_WITH_AS(model.trace(kSrc, kTgt, parse_head_mask("encoder:0:3")),
                       "head mask encoder:0:3: head out of range [0, 3)", InputError);
}

#ifdef ATTNSCOPE_CLI
#include <nlohmann/json.hpp>

#include "tool_run.h"

TEST_CASE("attnscope-cli takes --mask-heads in translate, trace and eval") {
  const std::string model = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
  const std::string sentence = "'the little black cat does not eat the fish .'";
  const std::string all_cross_0 = "cross:0:0,cross:0:1,cross:0:2,cross:0:3";
  const ToolRun plain = run_tool(ATTNSCOPE_CLI, "translate --model '" + model + "' " + sentence);
  const ToolRun masked = run_tool(ATTNSCOPE_CLI, "translate --model '" + model + "' --mask-heads " +
                                                     all_cross_0 + " " + sentence);
  REQUIRE(plain.status == 0);
  REQUIRE(masked.status == 0);
  CHECK(plain.out != masked.out);
  // The trace's weights are those of the model with the mask.
  const ModelBundle bundle = load_model_dir(model);
  DecodeOptions options;
  options.mask = parse_head_mask(all_cross_0);
  const Translation direct = greedy_decode(
      bundle.model, bundle.source_ids("the little black cat does not eat the fish ."), options);
  const ToolRun trace = run_tool(ATTNSCOPE_CLI, "trace --model '" + model + "' --mask-heads " +
                                                    all_cross_0 + " --text " + sentence);
  REQUIRE(trace.status == 0);
  const nlohmann::json json = nlohmann::json::parse(trace.out);
  CHECK(json["output_ids"].get<std::vector<int>>() == direct.trace.output_ids);
  CHECK(json["mask_heads"] == all_cross_0);
  CHECK(json["attention"]["decoder.1.cross"][2][1].get<std::vector<float>>().at(0) ==
        direct.trace.cross[1].heads[2](1, 0));

  const ToolRun eval =
      run_tool(ATTNSCOPE_CLI, "eval --model '" + model +
                                  "' --task toy-en-fr --split test --count 20 --json "
                                  "--mask-heads cross:1:2");
  REQUIRE(eval.status == 0);
  CHECK(nlohmann::json::parse(eval.out)["mask_heads"] == "cross:1:2");

  const ToolRun bad =
      run_tool(ATTNSCOPE_CLI, "translate --model '" + model + "' --mask-heads cross:5:0 the cat");
  CHECK(bad.status == 1);
  CHECK(bad.err.find("head mask cross:5:0: layer out of range [0, 2)") != std::string::npos);
}
#endif  // ATTNSCOPE_CLI
