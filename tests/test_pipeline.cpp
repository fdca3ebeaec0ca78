// The text -> Trace pipeline gives exactly the Trace of the model calls it wraps, cuts input
// only when asked to and otherwise fails as the model does; the head aggregates of a Trace
// equal plain loops over its heads, and attnscope-cli prints them; one table names the
// attention kinds.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/pipeline.h"
#include "attnscope/trace.h"
#include "tool_run.h"

using namespace attnscope;

namespace {

const std::string kModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/toy-en-fr";
const std::string kSentence = "the little black cat does not eat the fish .";

const ModelBundle& toy_model() {
  static const ModelBundle bundle = load_model_dir(kModel);
  return bundle;
}

bool same_bits(const Matrix& a, const Matrix& b) {
  // An empty matrix has no data to compare (and data() may be null).
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
}

// Every field of two Traces equal, every number bit for bit.
void check_same_trace(const Trace& a, const Trace& b) {
  CHECK(a.src_ids == b.src_ids);
  CHECK(a.tgt_ids == b.tgt_ids);
  CHECK(a.src_tokens == b.src_tokens);
  CHECK(a.tgt_tokens == b.tgt_tokens);
  CHECK(a.output_ids == b.output_ids);
  CHECK(same_bits(a.encoder_output, b.encoder_output));
  CHECK(same_bits(a.decoder_output, b.decoder_output));
  CHECK(same_bits(a.logits, b.logits));
  CHECK(same_bits(a.probs, b.probs));
  for (AttentionKind kind : kAttentionKinds) {
    const std::string kind_name = to_string(kind);
    CAPTURE(kind_name);
    REQUIRE(a.records(kind).size() == b.records(kind).size());
    for (size_t l = 0; l < a.records(kind).size(); ++l) {
      const AttentionRecord& x = a.records(kind)[l];
      const AttentionRecord& y = b.records(kind)[l];
      REQUIRE(x.heads.size() == y.heads.size());
      for (size_t h = 0; h < x.heads.size(); ++h)
        CHECK(same_bits(x.heads[h], y.heads[h]));
      CHECK(same_bits(x.queries, y.queries));
      CHECK(same_bits(x.keys, y.keys));
      CHECK(same_bits(x.values, y.values));
      CHECK(same_bits(x.head_outputs, y.head_outputs));
      CHECK(same_bits(x.output, y.output));
    }
  }
}

PipelineRequest text_request(const std::string& text) {
  PipelineRequest request;
  request.source_text = text;
  return request;
}

// The message of what `f` throws; "" when it throws nothing.
template <typename F>
std::string thrown_by(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

Config small_config(int max_positions) {
  Config c;
  c.d_model = 16;
  c.nhead = 2;
  c.num_encoder_layers = c.num_decoder_layers = 1;
  c.dim_feedforward = 32;
  c.src_vocab_size = c.tgt_vocab_size = 50;
  c.max_positions = max_positions;
  return c;
}

}  // namespace

TEST_CASE("decoding a sentence gives the Trace of tokenize, translate_ids and label") {
  const ModelBundle& bundle = toy_model();
  for (int beam : {1, 3}) {
    CAPTURE(beam);
    PipelineRequest request = text_request(kSentence + " zyzzyva");
    request.decode.beam = beam;
    request.decode.max_length = 30;
    const PipelineResult result = run_pipeline(bundle, request);
    REQUIRE(result.trace);
    CHECK(result.error.empty());
    CHECK(result.generated);

    Tokenized tokenized;
    const std::vector<int> src = bundle.source_ids(kSentence + " zyzzyva", &tokenized);
    Translation direct = translate_ids(bundle.model, src, request.decode);
    bundle.label(direct.trace);
    check_same_trace(*result.trace, direct.trace);
    CHECK(result.translation == bundle.detokenize_target(direct.ids));
    CHECK(result.finished == direct.finished);
    CHECK(result.source.tokens == tokenized.tokens);
    CHECK(result.source.unknown == tokenized.unknown);
    CHECK(result.source.unknown.size() == 1);
    CHECK(result.target.tokens.empty());
    REQUIRE(result.warnings.size() == 1);
    CHECK(result.warnings[0] == "1 unknown word: zyzzyva");
  }
}

TEST_CASE("teacher forcing gives the Trace of Model::trace on the target's tokens") {
  const ModelBundle& bundle = toy_model();
  PipelineRequest request = text_request("the cat eats the fish .");
  request.forced = true;
  request.target_text = "le chat mange le zzz .";
  const PipelineResult result = run_pipeline(bundle, request);
  REQUIRE(result.trace);
  CHECK_FALSE(result.generated);

  Tokenized target;
  Trace direct = bundle.model.trace(bundle.source_ids("the cat eats the fish ."),
                                    bundle.target_ids("le chat mange le zzz .", &target));
  bundle.label(direct);
  check_same_trace(*result.trace, direct);
  CHECK(result.translation == bundle.detokenize_target(direct.output_ids));
  CHECK(result.target.tokens == target.tokens);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0] == "1 unknown word(s) in the forced target");
}

TEST_CASE("ids are used verbatim") {
  const ModelBundle& bundle = toy_model();
  PipelineRequest request;
  request.source_ids = std::vector<int>{5, 9, 12};  // no <eos> added
  request.source_text = "ignored when ids are given";
  request.forced = true;
  request.target_ids = std::vector<int>{7, 8};  // no <bos> added
  PipelineResult result = run_pipeline(bundle, request);
  REQUIRE(result.trace);
  Trace direct = bundle.model.trace({5, 9, 12}, {7, 8});
  bundle.label(direct);
  check_same_trace(*result.trace, direct);
  CHECK(result.source.tokens.empty());
  CHECK(result.warnings.empty());

  request.forced = false;
  result = run_pipeline(bundle, request);
  REQUIRE(result.trace);
  Translation decoded = translate_ids(bundle.model, {5, 9, 12});
  bundle.label(decoded.trace);
  check_same_trace(*result.trace, decoded.trace);
}

TEST_CASE("limits change nothing for input that fits them") {
  const ModelBundle& bundle = toy_model();
  for (bool forced : {false, true}) {
    CAPTURE(forced);
    PipelineRequest request = text_request(kSentence);
    request.forced = forced;
    request.target_text = "le petit chat noir ne mange pas le poisson .";
    const PipelineResult whole = run_pipeline(bundle, request);
    request.limits = InputLimits{100000, 1024};
    const PipelineResult limited = run_pipeline(bundle, request);
    REQUIRE(whole.trace);
    REQUIRE(limited.trace);
    check_same_trace(*whole.trace, *limited.trace);
    CHECK(limited.dropped_source_tokens == 0);
    CHECK(limited.max_source_tokens == bundle.model.config().max_positions - 1);
    CHECK(limited.warnings.empty());
  }
}

TEST_CASE("without limits, input the model cannot take fails as the model does") {
  const ModelBundle& bundle = toy_model();
  std::string long_text = "zyzzyva";
  for (int i = 0; i < 300; ++i)
    long_text += " cat";
  const std::vector<int> long_src = bundle.source_ids(long_text);
  const std::string model_error = thrown_by([&] { translate_ids(bundle.model, long_src); });
  REQUIRE(model_error == "source has 302 tokens, the model's maximum is 64");

  PipelineResult result = run_pipeline(bundle, text_request(long_text));
  CHECK_FALSE(result.trace);
  CHECK(result.error == model_error);
  // What was found before the failure is kept.
  CHECK(result.source.tokens.size() == 301);
  REQUIRE(result.source.unknown.size() == 1);
  CHECK(result.warnings == std::vector<std::string>{"1 unknown word: zyzzyva"});

  PipelineRequest ids;
  ids.source_ids = std::vector<int>{4, 99999};
  ids.forced = true;
  ids.target_ids = std::vector<int>{2};
  result = run_pipeline(bundle, ids);
  CHECK_FALSE(result.trace);
  CHECK(result.error == thrown_by([&] { bundle.model.trace({4, 99999}, {2}); }));
  CHECK(result.error == "source id 99999 at position 1 is outside the vocabulary [0, 669)");

  PipelineRequest target = text_request("the cat");
  target.forced = true;
  target.target_text = long_text;
  result = run_pipeline(bundle, target);
  CHECK_FALSE(result.trace);
  CHECK(result.error == thrown_by([&] {
          bundle.model.trace(bundle.source_ids("the cat"), bundle.target_ids(long_text));
        }));
  CHECK_FALSE(result.error.empty());
}

TEST_CASE("with limits, input too long is cut with a warning") {
  const ModelBundle& bundle = toy_model();
  std::string long_text;
  for (int i = 0; i < 300; ++i)
    long_text += "cat ";
  PipelineRequest request = text_request(long_text + "zyzzyva");
  request.limits = InputLimits{100000, 1024};
  PipelineResult result = run_pipeline(bundle, request);
  REQUIRE(result.trace);
  CHECK(result.max_source_tokens == 63);
  CHECK(result.dropped_source_tokens == 301 - 63);
  CHECK(result.trace->src_ids.size() == 64);
  CHECK(result.trace->src_ids.back() == bundle.model.config().eos_id);
  CHECK(result.warnings == std::vector<std::string>{
                               "sentence cut to 63 words, the most this model takes (238 dropped)",
                               "1 unknown word: zyzzyva",
                               "translation stopped at the length limit before <eos>"});

  // The caller's limit, when lower than the model's, is named as attnscope's.
  request.limits = InputLimits{100000, 10};
  result = run_pipeline(bundle, request);
  REQUIRE(result.trace);
  CHECK(result.trace->src_ids.size() == 11);
  CHECK(result.trace->tgt_ids.size() <= 10);  // decoding stops there too
  REQUIRE(!result.warnings.empty());
  CHECK(result.warnings[0] == "sentence cut to 10 words, the most attnscope shows (291 dropped)");

  // A forced target is cut after <bos> and max_tokens - 1 words.
  PipelineRequest forced = text_request("the cat eats the fish .");  // 6 words and <eos>
  forced.forced = true;
  forced.target_text = "le chat mange le poisson .";  // <bos> and 6 words
  forced.limits = InputLimits{100000, 6};
  result = run_pipeline(bundle, forced);
  REQUIRE(result.trace);
  CHECK(result.trace->src_ids.size() == 7);
  CHECK(result.trace->tgt_ids.size() == 6);
  CHECK(result.warnings == std::vector<std::string>{"forced target cut to 5 words (1 dropped)"});

  // Text past max_bytes is not read, and the cut never splits a character.
  std::string accents;
  for (int i = 0; i < 1000; ++i)
    accents += "\xC3\xA9";  // é
  PipelineRequest bytes = text_request(accents);
  bytes.limits = InputLimits{1001, 1024};
  result = run_pipeline(bundle, bytes);
  REQUIRE(result.trace);
  REQUIRE(result.source.tokens.size() == 1);
  CHECK(result.source.tokens[0].size() == 1000);
  CHECK(result.source.invalid_bytes == 0);
  CHECK(result.warnings[0] == "only the first 1 kB of the sentence are read");
}

TEST_CASE("a decode stopped by the length limit says so") {
  PipelineRequest request = text_request(kSentence);
  request.decode.max_length = 2;
  const PipelineResult result = run_pipeline(toy_model(), request);
  REQUIRE(result.trace);
  CHECK_FALSE(result.finished);
  CHECK(result.warnings ==
        std::vector<std::string>{"translation stopped at the length limit before <eos>"});
}

TEST_CASE("invalid UTF-8 is replaced and counted") {
  const PipelineResult result = run_pipeline(toy_model(), text_request("the \xff cat"));
  REQUIRE(result.trace);
  CHECK(result.source.invalid_bytes == 1);
  CHECK(result.warnings.back() == "1 bytes of invalid UTF-8 replaced by \xEF\xBF\xBD");
}

TEST_CASE("a model whose positions fit few words cuts the source to them") {
  const Config config = small_config(6);
  const ModelBundle bundle{"small", Model(config, random_weights(config, 5)),
                           placeholder_vocab(50, "w"), placeholder_vocab(50, "w")};
  PipelineRequest request = text_request("w5 w6 w7 w8 w9 w10 w11 w12");
  request.limits = InputLimits{100000, 1024};
  const PipelineResult result = run_pipeline(bundle, request);
  REQUIRE(result.trace);
  CHECK(result.trace->src_ids.size() == 6);
  CHECK(result.trace->tgt_ids.size() <= 6);
  CHECK(result.dropped_source_tokens == 3);
}

namespace {

// Mean and max over the heads of one layer, written out cell by cell: heads added in order
// 0, 1, 2, ... and the sum divided by their number.
void direct_aggregates(const std::vector<Matrix>& heads, Matrix* mean, Matrix* max) {
  const Eigen::Index rows = heads[0].rows(), cols = heads[0].cols();
  mean->resize(rows, cols);
  max->resize(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) {
      float sum = heads[0](r, c), top = heads[0](r, c);
      for (size_t h = 1; h < heads.size(); ++h) {
        sum += heads[h](r, c);
        if (heads[h](r, c) > top) top = heads[h](r, c);
      }
      (*mean)(r, c) = sum / static_cast<float>(heads.size());
      (*max)(r, c) = top;
    }
  }
}

}  // namespace

TEST_CASE("head aggregates equal direct loops over the heads, matrix, row and cell alike") {
  // The toy model's four heads, and three heads, whose mean no multiplication by a power of
  // two gives.
  Config three_heads = small_config(64);
  three_heads.d_model = 12;
  three_heads.nhead = 3;
  const ModelBundle small{"three heads", Model(three_heads, random_weights(three_heads, 7)),
                          placeholder_vocab(50, "w"), placeholder_vocab(50, "w")};
  for (const ModelBundle* bundle : {&toy_model(), &small}) {
    CAPTURE(bundle->dir);
    PipelineRequest request = text_request(kSentence);
    if (bundle == &small) {  // forced: a random model may stop decoding at once
      request = text_request("w5 w9 w11 w30 w7");
      request.forced = true;
      request.target_text = "w8 w9 w10 w12";
    }
    const PipelineResult result = run_pipeline(*bundle, request);
    REQUIRE(result.trace);
    const Trace& trace = *result.trace;
    REQUIRE(trace.num_heads() == bundle->model.config().nhead);
    int checked = 0;
    for (AttentionKind kind : kAttentionKinds) {
      for (int layer = 0; layer < static_cast<int>(trace.records(kind).size()); ++layer) {
        const std::string kind_name = to_string(kind);
        CAPTURE(kind_name);
        CAPTURE(layer);
        const std::vector<Matrix>& heads = trace.record(kind, layer).heads;
        Matrix mean, max;
        direct_aggregates(heads, &mean, &max);
        CHECK(same_bits(aggregate_heads(trace, kind, layer, HeadMode::kMean), mean));
        CHECK(same_bits(aggregate_heads(trace, kind, layer, HeadMode::kMax), max));
        CHECK(same_bits(aggregate_heads(trace, kind, layer, HeadMode::kSingle, 1), heads[1]));
        // The aggregates are not one of the heads.
        CHECK_FALSE(same_bits(mean, heads[0]));
        CHECK_FALSE(same_bits(max, heads[0]));
        for (HeadMode mode : {HeadMode::kSingle, HeadMode::kMean, HeadMode::kMax}) {
          const Matrix whole = aggregate_heads(trace, kind, layer, mode, 1);
          for (int r = 0; r < whole.rows(); ++r) {
            const RowVector row = aggregate_heads_row(trace, kind, layer, mode, 1, r);
            CHECK(std::memcmp(row.data(), whole.row(r).data(), sizeof(float) * row.size()) == 0);
            for (int c = 0; c < whole.cols(); ++c) {
              const float cell = aggregate_heads_at(trace, kind, layer, mode, 1, r, c);
              CHECK(std::memcmp(&cell, &whole(r, c), sizeof(float)) == 0);
            }
          }
        }
        ++checked;
      }
    }
    CHECK(checked == 2 * bundle->model.config().num_encoder_layers +
                         bundle->model.config().num_decoder_layers);
  }
}

TEST_CASE("head aggregates name what is out of range") {
  const PipelineResult result = run_pipeline(toy_model(), text_request("the cat"));
  REQUIRE(result.trace);
  const Trace& trace = *result.trace;
  CHECK(thrown_by([&] { aggregate_heads(trace, AttentionKind::kCross, 9, HeadMode::kMean); }) ==
        "decoder.cross: layer 9 out of range [0, 2)");
  CHECK(thrown_by([&] {
          aggregate_heads_row(trace, AttentionKind::kDecoderSelf, -1, HeadMode::kMax, 0, 0);
        }) == "decoder.self: layer -1 out of range [0, 2)");
  CHECK(thrown_by([&] {
          aggregate_heads_at(trace, AttentionKind::kEncoderSelf, 0, HeadMode::kSingle, 4, 0, 0);
        }) == "encoder.self: head 4 out of range [0, 4)");
  Trace headless = trace;
  headless.cross[1].heads.clear();
  for (HeadMode mode : {HeadMode::kMean, HeadMode::kMax}) {
    CHECK(thrown_by([&] { aggregate_heads(headless, AttentionKind::kCross, 1, mode); }) ==
          "decoder.cross: layer 1 has no heads");
    CHECK(thrown_by([&] {
            aggregate_heads_at(headless, AttentionKind::kCross, 1, mode, 0, 0, 0);
          }) == "decoder.cross: layer 1 has no heads");
  }
}

TEST_CASE("one table names the attention kinds") {
  CHECK(std::string(to_string(AttentionKind::kEncoderSelf)) == "encoder.self");
  CHECK(std::string(to_string(AttentionKind::kDecoderSelf)) == "decoder.self");
  CHECK(std::string(to_string(AttentionKind::kCross)) == "decoder.cross");
  CHECK(std::string(names_of(AttentionKind::kCross).name) == "cross");
  CHECK(std::string(names_of(AttentionKind::kDecoderSelf).title) == "decoder self-attention");
  CHECK(std::string(names_of(AttentionKind::kEncoderSelf).label) == "Encoder self");
  CHECK(attention_kind_choices() == "encoder, decoder or cross");
  const std::pair<const char*, AttentionKind> kSpellings[] = {
      {"encoder", AttentionKind::kEncoderSelf},
      {"enc", AttentionKind::kEncoderSelf},
      {"encoder-self", AttentionKind::kEncoderSelf},
      {"encoder.self", AttentionKind::kEncoderSelf},
      {"decoder", AttentionKind::kDecoderSelf},
      {"dec", AttentionKind::kDecoderSelf},
      {"decoder-self", AttentionKind::kDecoderSelf},
      {"decoder.self", AttentionKind::kDecoderSelf},
      {"cross", AttentionKind::kCross},
      {"decoder.cross", AttentionKind::kCross},
      {"encoder-decoder", AttentionKind::kCross}};
  for (const auto& [text, expected] : kSpellings) {
    CAPTURE(text);
    AttentionKind kind =
        expected == AttentionKind::kCross ? AttentionKind::kEncoderSelf : AttentionKind::kCross;
    CHECK(parse_attention_kind(text, &kind));
    CHECK(kind == expected);
  }
  for (AttentionKind kind : kAttentionKinds) {
    AttentionKind back = kind;
    CHECK_FALSE(parse_attention_kind(names_of(kind).title, &back));
    CHECK_FALSE(parse_attention_kind(names_of(kind).label, &back));
    CHECK(back == kind);
  }
  AttentionKind untouched = AttentionKind::kDecoderSelf;
  CHECK_FALSE(parse_attention_kind("", &untouched));
  CHECK_FALSE(parse_attention_kind("Cross", &untouched));
  CHECK(untouched == AttentionKind::kDecoderSelf);
}

#ifdef ATTNSCOPE_CLI

namespace {

// The numbers of a CSV matrix as matrix_csv prints them (no token holds a comma or a quote).
Matrix csv_numbers(const std::string& csv) {
  std::stringstream lines(csv);
  std::string line;
  std::getline(lines, line);  // the key tokens
  std::vector<std::vector<float>> rows;
  while (std::getline(lines, line)) {
    const size_t end_of_label = line.find("\",");
    REQUIRE(end_of_label != std::string::npos);
    std::stringstream cells(line.substr(end_of_label + 2));
    std::string cell;
    rows.emplace_back();
    while (std::getline(cells, cell, ','))
      rows.back().push_back(std::strtof(cell.c_str(), nullptr));
  }
  Matrix m(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (size_t r = 0; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == static_cast<size_t>(m.cols()));
    for (size_t c = 0; c < rows[r].size(); ++c)
      m(r, c) = rows[r][c];
  }
  return m;
}

}  // namespace

TEST_CASE("attnscope-cli trace --head mean|max prints the aggregate of the layer's heads") {
  const PipelineResult result = run_pipeline(toy_model(), text_request(kSentence));
  REQUIRE(result.trace);
  const std::string base =
      "trace --model '" + kModel + "' --text '" + kSentence + "' --format csv ";
  const std::pair<const char*, HeadMode> kModes[] = {{"mean", HeadMode::kMean},
                                                     {"max", HeadMode::kMax}};
  for (const char* kind : {"encoder", "decoder", "cross"}) {
    AttentionKind k;
    REQUIRE(parse_attention_kind(kind, &k));
    for (const auto& [name, mode] : kModes) {
      CAPTURE(kind);
      CAPTURE(name);
      const ToolRun run =
          run_tool(ATTNSCOPE_CLI, base + "--kind " + kind + " --layer 1 --head " + name);
      INFO(run.err);
      REQUIRE(run.status == 0);
      CHECK(run.err.empty());
      const Matrix printed = csv_numbers(run.out);
      CHECK(same_bits(printed, aggregate_heads(*result.trace, k, 1, mode)));
      CHECK_FALSE(same_bits(printed, result.trace->attention(k, 1, 0)));
    }
  }
  // A number still picks one head.
  const ToolRun one = run_tool(ATTNSCOPE_CLI, base + "--kind cross --layer 1 --head 2");
  REQUIRE(one.status == 0);
  CHECK(same_bits(csv_numbers(one.out), result.trace->attention(AttentionKind::kCross, 1, 2)));

  const ToolRun bad = run_tool(ATTNSCOPE_CLI, base + "--head median");
  CHECK(bad.status == 1);
  CHECK(bad.err ==
        "attnscope-cli: error: --head expects an integer from -1000000000 to 1000000000, got "
        "'median'\n");
  const ToolRun layer = run_tool(ATTNSCOPE_CLI, base + "--layer 5 --head max");
  CHECK(layer.status == 1);
  CHECK(layer.err == "attnscope-cli: error: decoder.cross: layer 5 out of range [0, 2)\n");
}

TEST_CASE("attnscope-cli reports the pipeline's errors and unknown words as before") {
  const ToolRun too_long = run_tool(
      ATTNSCOPE_CLI, "trace --model '" + kModel + "' --text 'zyzzyva" + [] {
        std::string words;
        for (int i = 0; i < 300; ++i)
          words += " cat";
        return words;
      }() + "' --target 'le qqq'");
  CHECK(too_long.status == 1);
  CHECK(too_long.out.empty());
  CHECK(too_long.err ==
        "warning: 1 unknown source word mapped to <unk>: zyzzyva\n"
        "warning: 1 unknown target word mapped to <unk>: qqq\n"
        "attnscope-cli: error: source has 302 tokens, the model's maximum is 64\n");
  const ToolRun translate =
      run_tool(ATTNSCOPE_CLI, "translate --model '" + kModel + "' --max-length 3 the zyzzyva");
  CHECK(translate.status == 0);
  CHECK(translate.err ==
        "warning: 1 unknown source word mapped to <unk>: zyzzyva\n"
        "warning: stopped at the maximum length before <eos>\n");
}

#endif  // ATTNSCOPE_CLI
