// The step-by-step computation of one attention row (explain.h) is the model's: for every
// kind, layer, head and query of the bundled models and of random configs, the weights are
// the Trace's row, the head's output is Σ_j w_j v_j and the block's output is all heads'
// outputs times W_o plus b_o, both checked against plain loops over the model's weights; the
// scores give the weights through a softmax; the mask is the causal future and <pad>. Bad
// ranges are named. attnscope-cli explain prints the same numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/explain.h"
#include "attnscope/model.h"
#include "small_config.h"
#include "tool_run.h"

using namespace attnscope;

namespace {

const std::string kModels = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/";

// Largest |a - b| relative to the largest |b| (or absolute when b is 0).
double relative(const RowVector& a, const RowVector& b) {
  REQUIRE(a.size() == b.size());
  double diff = 0, scale = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

const AttentionWeights& block_weights(const Weights& w, AttentionKind kind, int layer) {
  switch (kind) {
    case AttentionKind::kEncoderSelf:
      return w.encoder[layer].self_attn;
    case AttentionKind::kDecoderSelf:
      return w.decoder[layer].self_attn;
    default:
      return w.decoder[layer].multihead_attn;
  }
}

// Checks every explanation of `trace` against plain loops; returns how many were checked.
int check_trace(const Trace& trace, const Model& model) {
  const Config& c = model.config();
  const int dh = c.head_dim();
  int checked = 0;
  for (AttentionKind kind : kAttentionKinds) {
    const std::string kind_name = to_string(kind);
    CAPTURE(kind_name);
    for (int layer = 0; layer < static_cast<int>(trace.records(kind).size()); ++layer) {
      CAPTURE(layer);
      const AttentionRecord& record = trace.record(kind, layer);
      const AttentionWeights& w = block_weights(model.weights(), kind, layer);
      const int queries = static_cast<int>(record.heads[0].rows());
      const int keys = static_cast<int>(record.heads[0].cols());
      for (int query = 0; query < queries; ++query) {
        CAPTURE(query);
        // The block's output by plain loops: each head's Σ_j w_j v_j, then W_o and b_o.
        std::vector<double> concat(c.d_model, 0.0);
        for (int head = 0; head < c.nhead; ++head) {
          const Explanation e = explain(trace, kind, layer, head, query, c.pad_id);
          REQUIRE(e.k.rows() == keys);
          REQUIRE(e.v.rows() == keys);
          REQUIRE(e.q.size() == dh);
          CHECK(std::memcmp(e.weights.data(), record.heads[head].row(query).data(),
                            sizeof(float) * keys) == 0);
          RowVector sum = RowVector::Zero(dh);
          for (int d = 0; d < dh; ++d) {
            double s = 0;
            for (int j = 0; j < keys; ++j)
              s += static_cast<double>(e.weights[j]) * e.v(j, d);
            sum[d] = static_cast<float>(s);
            concat[head * dh + d] = s;
          }
          CHECK(relative(e.output, sum) <= 1e-6);
          // The softmax of the scaled scores over the keys not masked is the weights.
          double largest = -INFINITY, total = 0;
          for (int j = 0; j < keys; ++j) {
            CHECK(e.scaled[j] == e.scores[j] * e.scale);
            if (!e.masked[j]) largest = std::max(largest, static_cast<double>(e.scaled[j]));
          }
          for (int j = 0; j < keys; ++j)
            if (!e.masked[j]) total += std::exp(e.scaled[j] - largest);
          for (int j = 0; j < keys; ++j) {
            if (e.masked[j]) {
              CHECK(e.weights[j] == 0.0f);
            } else {
              CHECK(std::abs(std::exp(e.scaled[j] - largest) / total - e.weights[j]) <= 1e-5);
            }
          }
          if (kind == AttentionKind::kDecoderSelf) {
            for (int j = query + 1; j < keys; ++j)
              CHECK(e.masked[j]);
          }
          ++checked;
        }
        RowVector block(c.d_model);
        for (int o = 0; o < c.d_model; ++o) {
          double s = w.out_proj_bias[o];
          for (int i = 0; i < c.d_model; ++i)
            s += concat[i] * w.out_proj_weight(i, o);  // W_o^T is (in, out)
          block[o] = static_cast<float>(s);
        }
        const Explanation any = explain(trace, kind, layer, 0, query, c.pad_id);
        CHECK(relative(any.block_output, block) <= 1e-5);
      }
      // The values are the block's input projected by W_v: for cross-attention that input is
      // the encoder's output, which the Trace holds.
      if (kind == AttentionKind::kCross) {
        const Eigen::Index d = c.d_model;
        for (int j = 0; j < keys; ++j) {
          RowVector v(d);
          for (Eigen::Index o = 0; o < d; ++o) {
            double s = w.in_proj_bias[2 * d + o];
            for (Eigen::Index i = 0; i < d; ++i)
              s += static_cast<double>(trace.encoder_output(j, i)) * w.in_proj_weight(i, 2 * d + o);
            v[o] = static_cast<float>(s);
          }
          CHECK(relative(record.values.row(j), v) <= 1e-5);
        }
      }
    }
  }
  return checked;
}

Config random_config(bool norm_first, bool tie_output) {
  Config c = small_config(norm_first, norm_first ? Activation::kGelu : Activation::kRelu);
  c.tie_output = tie_output;
  return c;
}

}  // namespace

TEST_CASE("every explanation of the bundled models is the model's computation") {
  for (const char* name : {"toy-en-fr", "reverse", "random-en-fr"}) {
    CAPTURE(name);
    const ModelBundle bundle = load_model_dir(kModels + name);
    const std::string text = std::string(name) == "reverse" ? "a b c d e" : "the cat sees a dog .";
    Translation decoded = greedy_decode(bundle.model, bundle.source_ids(text));
    bundle.label(decoded.trace);
    CHECK(check_trace(decoded.trace, bundle.model) > 0);
    Trace forced = bundle.model.trace(bundle.source_ids(text), decoded.trace.tgt_ids);
    bundle.label(forced);
    CHECK(check_trace(forced, bundle.model) > 0);
  }
}

TEST_CASE("explanations of random configs, post-norm and pre-norm, with padding") {
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    const Config c = random_config(norm_first, norm_first);
    const Model model(c, random_weights(c, 23));
    // A <pad> key in the source and in the target: masked, weight exactly 0.
    const Trace trace = model.trace({5, 9, c.pad_id, 12, 3}, {2, 8, c.pad_id, 14, 20});
    CHECK(check_trace(trace, model) == 3 * (5 + 5 + 5) * 2);
    const Explanation e = explain(trace, AttentionKind::kCross, 1, 2, 3, c.pad_id);
    CHECK(e.masked == std::vector<bool>{false, false, true, false, false});
    CHECK(e.weights[2] == 0.0f);
    const Explanation self = explain(trace, AttentionKind::kDecoderSelf, 0, 1, 3, c.pad_id);
    CHECK(self.masked == std::vector<bool>{false, false, true, false, true});
  }
}

TEST_CASE("an explanation out of range names the valid range") {
  const Config c = random_config(false, false);
  const Model model(c, random_weights(c, 5));
  const Trace trace = model.trace({5, 9, 12}, {2, 8});
  CHECK_THROWS_WITH_AS(explain(trace, AttentionKind::kCross, 0, 0, 2, c.pad_id),
                       "query 2 is out of range: decoder.cross has queries 0 to 1", InputError);
  CHECK_THROWS_WITH_AS(explain(trace, AttentionKind::kCross, 0, 3, 0, c.pad_id),
                       "decoder.cross: head 3 out of range [0, 3)", InputError);
  CHECK_THROWS_WITH_AS(explain(trace, AttentionKind::kEncoderSelf, 2, 0, 0, c.pad_id),
                       "encoder.self: layer 2 out of range [0, 2)", InputError);
  CHECK_THROWS_AS(explain(trace, AttentionKind::kCross, 0, 0, -1, c.pad_id), InputError);
}

#ifdef ATTNSCOPE_CLI
TEST_CASE(
    "attnscope-cli explain prints the explanation's numbers, as JSON and as a worked example") {
  const std::string model = kModels + "toy-en-fr";
  const ModelBundle bundle = load_model_dir(model);
  Translation decoded = greedy_decode(bundle.model, bundle.source_ids("the little cat sleeps ."));
  bundle.label(decoded.trace);
  const std::string base = "explain --model '" + model + "' --text 'the little cat sleeps .' ";
  for (const char* kind : {"encoder", "decoder", "cross"}) {
    CAPTURE(kind);
    AttentionKind k;
    REQUIRE(parse_attention_kind(kind, &k));
    const ToolRun run = run_tool(ATTNSCOPE_CLI, base + "--kind " + kind +
                                                    " --layer 1 --head 2 --query 2 "
                                                    "--format json");
    INFO(run.err);
    REQUIRE(run.status == 0);
    const nlohmann::json json = nlohmann::json::parse(run.out);
    const Explanation e = explain(decoded.trace, k, 1, 2, 2, bundle.model.config().pad_id);
    CHECK(json["query_token"] == e.query_token);
    CHECK(json["key_tokens"] == e.key_tokens);
    CHECK(json["scale"].get<float>() == e.scale);
    CHECK(json["masked"].get<std::vector<bool>>() == e.masked);
    for (const char* field : {"q", "scores", "scaled", "weights", "output", "block_output"}) {
      CAPTURE(field);
      const std::vector<float> printed = json[field].get<std::vector<float>>();
      const RowVector& want = std::string(field) == "q"         ? e.q
                              : std::string(field) == "scores"  ? e.scores
                              : std::string(field) == "scaled"  ? e.scaled
                              : std::string(field) == "weights" ? e.weights
                              : std::string(field) == "output"  ? e.output
                                                                : e.block_output;
      REQUIRE(printed.size() == static_cast<size_t>(want.size()));
      CHECK(std::memcmp(printed.data(), want.data(), sizeof(float) * printed.size()) == 0);
    }
    CHECK(json["v"].size() == e.key_tokens.size());
    CHECK(json["v"][1].get<std::vector<float>>().at(0) == e.v(1, 0));
  }
  const ToolRun text = run_tool(ATTNSCOPE_CLI, base + "--kind cross --layer 1 --head 2 --query 2");
  REQUIRE(text.status == 0);
  CHECK(text.out.find("softmax(q · Kᵀ / √d_k)") != std::string::npos);
  CHECK(text.out.find("how \"petit\" (query 2)") != std::string::npos);
  CHECK(text.out.find("\ncat ") != std::string::npos);
  const ToolRun masked = run_tool(ATTNSCOPE_CLI, base + "--kind decoder --layer 0 --query 1");
  CHECK(masked.out.find("masked") != std::string::npos);

  const ToolRun bad = run_tool(ATTNSCOPE_CLI, base + "--kind cross --query 40");
  CHECK(bad.status == 1);
  CHECK(bad.err.find("query 40 is out of range: decoder.cross has queries 0 to") !=
        std::string::npos);
  const ToolRun none = run_tool(ATTNSCOPE_CLI, base + "--kind cross");
  CHECK(none.status == 1);
  CHECK(none.err.find("--query") != std::string::npos);
}
#endif  // ATTNSCOPE_CLI
