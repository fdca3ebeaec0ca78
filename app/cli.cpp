// attnscope-cli: translate, trace and inspect a model from the command line. Every picture the
// desktop app shows comes from the same Trace this tool prints.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "about.h"
#include "args.h"
#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/evaluate.h"
#include "attnscope/explain.h"
#include "attnscope/head_mask.h"
#include "attnscope/model.h"
#include "attnscope/pipeline.h"
#include "attnscope/tasks.h"
#include "views/app_state.h"
#include "views/export_formats.h"

namespace {

using namespace attnscope;
using Json = nlohmann::ordered_json;

const char* kUsage = R"(usage: attnscope-cli COMMAND [options]

commands:
  translate [--model DIR] [--beam K] [--max-length N] "sentence"
      print the translation (greedy unless --beam K > 1)
  trace [--model DIR] (--text "sentence" [--target "forced target"] | --src-ids 4,8,15 [--tgt-ids 2,16,23])
        [--beam K] [--format json|csv] [--kind encoder|decoder|cross] [--layer L]
        [--head H|mean|max]
      print the Trace: tokens, ids and every attention matrix (json), or one matrix (csv):
      one head's, or the mean or max over the layer's heads.
      --src-ids/--tgt-ids are used verbatim; without a target the translation is decoded.
  explain [--model DIR] (--text "sentence" [--target "forced target"] | --src-ids 4,8,15 [--tgt-ids 2,16,23])
        [--beam K] --kind encoder|decoder|cross --layer L --head H --query I [--format text|json]
      how the weights of query I in that head are computed, with the model's numbers:
      q, the keys k_j and values v_j, the scores q·k_j, their scaling by 1/√d_k, the keys
      the mask removes, the softmax weights (the Trace's row), the head's output Σ_j w_j v_j
      and the block's output (all heads' outputs times W_o, plus b_o). text: a worked
      example to read; json: every number, exactly
  info [--model DIR]
      print the config and the parameter count
  init --out DIR [--src-vocab FILE --tgt-vocab FILE] [--d-model N] [--nhead N]
       [--layers N] [--d-ff N] [--max-positions N] [--seed N] [--norm-first] [--f16]
      write a randomly initialised model directory
  eval [--model DIR] --task toy-en-fr|copy|reverse|sort|pairs:FILE --split test|hard|train
       [--count N] [--seed S] [--beam K] [--threads N] [--json]
      translate a task's sentence pairs and score the translations: exact match, BLEU
      (sacreBLEU's default: 13a tokens, exp smoothing) and, when the pairs carry their true
      word alignment, the alignment error rate of each cross-attention head's argmax in a
      teacher-forced pass. --count pairs generated (default 1000; a pairs file is used
      whole), --seed (default 1), --threads sentences translated at once (default 2);
      --json prints the same as one JSON object

options common to all commands:
  --threads N    threads for matrix products (default 1; eval: sentences at once, default 2)
  --model DIR    a model directory (default: the bundled default model)
  --mask-heads kind:layer:head,...
                 translate, trace, explain, eval: switch heads off (e.g. encoder:0:1,cross:1:0;
                 kinds encoder, decoder, cross): a masked head's output is zeroed before the
                 block's output projection; its weights are still computed and shown
  --version      print the version and the commit it was built from
)";

// Parsed command line: the command, then the options (see app/args.h), every one checked
// against the list below so that a mistyped option is an error, never silently ignored.
struct CommandArgs : Args {
  std::string command;

  int get_int(const std::string& key, int fallback) const {
    return static_cast<int>(Args::get_int(key, fallback, -1000000000, 1000000000));
  }
};

const std::set<std::string> kValued = {
    "model",   "beam",  "max-length", "text",  "target",        "src-ids",   "tgt-ids",
    "format",  "kind",  "layer",      "head",  "out",           "src-vocab", "tgt-vocab",
    "d-model", "nhead", "layers",     "d-ff",  "max-positions", "seed",      "vocab",
    "threads", "task",  "split",      "count", "query",         "mask-heads"};
const std::set<std::string> kFlags = {"norm-first", "f16", "json", "help", "version"};

CommandArgs parse_args(int argc, char** argv) {
  if (argc < 2) {
    throw InputError("missing command (translate, trace, explain, info, init or eval)");
  }
  CommandArgs args;
  static_cast<Args&>(args) = Args::parse(argc, argv, 2, kValued, kFlags);
  args.command = argv[1];
  return args;
}

std::vector<int> parse_ids(const std::string& text, const std::string& what) {
  std::vector<int> ids;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    char* end = nullptr;
    const long value = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value < 0 || value > 1 << 30) {
      throw InputError(what + ": '" + item + "' is not a token id (expected e.g. 4,8,15)");
    }
    ids.push_back(static_cast<int>(value));
  }
  if (ids.empty()) throw InputError(what + " is empty");
  return ids;
}

void warn_unknown(const Tokenized& tokenized, const char* side) {
  if (tokenized.unknown.empty()) return;
  std::string words;
  for (int i : tokenized.unknown)
    words += (words.empty() ? "" : ", ") + tokenized.tokens[i];
  std::fprintf(stderr, "warning: %zu unknown %s word%s mapped to <unk>: %s\n",
               tokenized.unknown.size(), side, tokenized.unknown.size() == 1 ? "" : "s",
               words.c_str());
}

DecodeOptions decode_options(const CommandArgs& args) {
  DecodeOptions options;
  options.beam = args.get_int("beam", 1);
  options.max_length = args.get_int("max-length", 0);
  if (options.beam < 1 || options.beam > 64) {
    throw InputError("--beam must be between 1 and 64, got " + std::to_string(options.beam));
  }
  options.mask = parse_head_mask(args.get("mask-heads", ""));
  return options;
}

// --model, or the bundled default model (see about.h for where it is looked for).
std::string model_argument(const CommandArgs& args) {
  return args.has("model") ? args.get("model") : default_model_dir();
}

std::string sentence_argument(const CommandArgs& args) {
  if (args.has("text")) return args.get("text");
  if (args.positional.empty()) throw InputError("missing the sentence to translate");
  std::string text;
  for (const std::string& word : args.positional)
    text += (text.empty() ? "" : " ") + word;
  return text;
}

// Runs the pipeline; prints the unknown words of the texts it tokenized to stderr, then
// throws its error if it has one.
PipelineResult run(const ModelBundle& bundle, const PipelineRequest& request) {
  PipelineResult result = run_pipeline(bundle, request);
  warn_unknown(result.source, "source");
  warn_unknown(result.target, "target");
  if (!result.error.empty()) throw Error(result.error);
  return result;
}

int cmd_translate(const CommandArgs& args) {
  const ModelBundle bundle = load_model_dir(model_argument(args));
  PipelineRequest request;
  request.source_text = sentence_argument(args);
  request.decode = decode_options(args);
  const PipelineResult result = run(bundle, request);
  std::printf("%s\n", result.translation.c_str());
  if (!result.finished) {
    std::fprintf(stderr, "warning: stopped at the maximum length before <eos>\n");
  }
  return 0;
}

// --head: a head's number, or "mean" or "max" for every head combined.
void head_argument(const CommandArgs& args, HeadMode* mode, int* head) {
  const std::string text = args.get("head", "0");
  *head = 0;
  if (text == "mean" || text == "max") {
    parse_head_mode(text, mode);
  } else {
    *mode = HeadMode::kSingle;
    *head = args.get_int("head", 0);
  }
}

AttentionKind kind_argument(const CommandArgs& args) {
  AttentionKind kind = AttentionKind::kCross;
  if (args.has("kind") && !parse_attention_kind(args.get("kind"), &kind)) {
    throw InputError("--kind must be " + attention_kind_choices() + ", got '" + args.get("kind") +
                     "'");
  }
  return kind;
}

void print_csv(const Trace& trace, const CommandArgs& args) {
  const AttentionKind kind = kind_argument(args);
  HeadMode mode = HeadMode::kSingle;
  int head = 0;
  head_argument(args, &mode, &head);
  const Matrix m = aggregate_heads(trace, kind, args.get_int("layer", 0), mode, head);
  std::fputs(matrix_csv(m, trace.query_tokens(kind), trace.key_tokens(kind)).c_str(), stdout);
}

// The Trace's source and target from --text/--src-ids and --target/--tgt-ids (decoded when
// no target is given), for `command`.
PipelineRequest trace_request(const CommandArgs& args, const std::string& command) {
  PipelineRequest request;
  if (args.has("src-ids")) {
    request.source_ids = parse_ids(args.get("src-ids"), "--src-ids");
  } else if (args.has("text")) {
    request.source_text = args.get("text");
  } else {
    throw InputError(command + " needs --text \"sentence\" or --src-ids 4,8,15");
  }
  request.decode = decode_options(args);
  if (args.has("tgt-ids") || args.has("target")) {
    request.forced = true;
    if (args.has("tgt-ids")) {
      request.target_ids = parse_ids(args.get("tgt-ids"), "--tgt-ids");
    } else {
      request.target_text = args.get("target");
    }
  }
  return request;
}

int cmd_explain(const CommandArgs& args) {
  const std::string format = args.get("format", "text");
  if (format != "text" && format != "json") {
    throw InputError("--format must be text or json, got '" + format + "'");
  }
  if (!args.has("query")) throw InputError("explain needs --query I (a row of the matrix)");
  const ModelBundle bundle = load_model_dir(model_argument(args));
  const PipelineResult result = run(bundle, trace_request(args, "explain"));
  const Explanation e =
      explain(*result.trace, kind_argument(args), args.get_int("layer", 0), args.get_int("head", 0),
              args.get_int("query", 0), bundle.model.config().pad_id);
  std::cout << (format == "json" ? explanation_json(e) + "\n" : explanation_text(e));
  return 0;
}

int cmd_trace(const CommandArgs& args) {
  const ModelBundle bundle = load_model_dir(model_argument(args));
  const PipelineRequest request = trace_request(args, "trace");
  const PipelineResult result = run(bundle, request);

  const std::string format = args.get("format", "json");
  if (format == "csv") {
    print_csv(*result.trace, args);
    return 0;
  }
  if (format != "json") throw InputError("--format must be json or csv, got '" + format + "'");
  std::cout << trace_json(*result.trace, bundle, result.generated, request.decode.mask) << "\n";
  return 0;
}

int cmd_info(const CommandArgs& args) {
  const ModelBundle bundle = load_model_dir(model_argument(args));
  const Config& c = bundle.model.config();
  std::printf("model       %s\n", bundle.dir.c_str());
  std::printf("layers      %d encoder + %d decoder, %s\n", c.num_encoder_layers,
              c.num_decoder_layers, c.norm_first ? "pre-norm" : "post-norm");
  std::printf("heads       %d x %d (d_model %d)\n", c.nhead, c.head_dim(), c.d_model);
  std::printf("feedforward %d, %s\n", c.dim_feedforward, to_string(c.activation));
  std::printf("positions   %s, at most %d tokens\n", to_string(c.positional), c.max_positions);
  std::printf("vocabulary  %d source, %d target%s\n", c.src_vocab_size, c.tgt_vocab_size,
              c.tie_output ? ", output tied to the target embedding" : "");
  const long long params = parameter_count(c);
  std::printf("parameters  %lld (%.2f M)\n", params, params / 1e6);
  std::printf("\nconfig.json:\n%s", config_to_json(c).c_str());
  return 0;
}

int cmd_init(const CommandArgs& args) {
  if (!args.has("out")) throw InputError("init needs --out DIR");
  Config c;
  c.d_model = args.get_int("d-model", 64);
  c.nhead = args.get_int("nhead", 4);
  c.num_encoder_layers = args.get_int("layers", 2);
  c.num_decoder_layers = c.num_encoder_layers;
  c.dim_feedforward = args.get_int("d-ff", 4 * c.d_model);
  c.max_positions = args.get_int("max-positions", 128);
  c.norm_first = args.has("norm-first");
  Vocab src = args.has("src-vocab") ? Vocab::load(args.get("src-vocab"))
                                    : placeholder_vocab(args.get_int("vocab", 100), "s");
  Vocab tgt = args.has("tgt-vocab") ? Vocab::load(args.get("tgt-vocab"))
                                    : placeholder_vocab(args.get_int("vocab", 100), "t");
  c.src_vocab_size = src.size();
  c.tgt_vocab_size = tgt.size();
  c.validate();
  const Model model(c, random_weights(c, static_cast<uint64_t>(args.get_int("seed", 1))));
  save_model_dir(args.get("out"), model, src, tgt, args.has("f16") ? DType::kF16 : DType::kF32);
  std::printf("wrote %s (%lld parameters)\n", args.get("out").c_str(),
              static_cast<long long>(parameter_count(c)));
  return 0;
}

// The head whose argmax agrees best with the true alignment: (layer, head), lowest AER, the
// first one on ties.
std::pair<int, int> best_head(const EvalReport& report) {
  std::pair<int, int> best{0, 0};
  for (size_t l = 0; l < report.head_aer.size(); ++l) {
    for (size_t h = 0; h < report.head_aer[l].size(); ++h) {
      if (report.head_aer[l][h] < report.head_aer[best.first][best.second]) {
        best = {static_cast<int>(l), static_cast<int>(h)};
      }
    }
  }
  return best;
}

Json eval_json(const EvalReport& r, const ModelBundle& bundle, const CommandArgs& args, Split split,
               const EvalOptions& options) {
  Json out;
  out["model"] = bundle.dir;
  out["task"] = args.get("task");
  out["split"] = split_name(split);
  out["seed"] = args.get_int("seed", 1);
  out["beam"] = options.beam;
  if (!options.mask.empty()) out["mask_heads"] = to_string(options.mask);
  out["threads"] = options.threads;
  out["sentences"] = r.sentences;
  out["exact"] = r.exact;
  out["exact_match"] = r.exact_match;
  out["unknown_references"] = r.unknown_references;
  const BleuScore& b = r.bleu;
  Json& bleu = out["bleu"];
  bleu["score"] = b.score;
  bleu["precisions"] = b.precisions;
  bleu["brevity_penalty"] = b.brevity_penalty;
  bleu["ratio"] = b.ratio;
  bleu["hyp_len"] = b.hyp_len;
  bleu["ref_len"] = b.ref_len;
  bleu["matches"] = b.matches;
  bleu["totals"] = b.totals;
  if (r.has_alignments) {
    const auto [layer, head] = best_head(r);
    out["aer"] = {{"heads", r.head_aer},
                  {"layer_mean", r.layer_mean_aer},
                  {"best", {{"layer", layer}, {"head", head}, {"aer", r.head_aer[layer][head]}}}};
  } else {
    out["aer"] = nullptr;
  }
  out["failures"] = r.failures;
  out["seconds"] = r.seconds;
  return out;
}

void print_eval(const EvalReport& r, const ModelBundle& bundle, const CommandArgs& args,
                Split split, const EvalOptions& options) {
  std::printf("model      %s\n", bundle.dir.c_str());
  const std::string task = args.get("task");
  const std::string seed =
      task.rfind("pairs:", 0) == 0 ? "" : " (seed " + std::to_string(args.get_int("seed", 1)) + ")";
  std::printf("task       %s, %s split, %d sentence%s%s\n", task.c_str(), split_name(split),
              r.sentences, r.sentences == 1 ? "" : "s", seed.c_str());
  if (options.beam > 1) {
    std::printf("decoding   beam search, width %d\n", options.beam);
  } else {
    std::printf("decoding   greedy\n");
  }
  if (!options.mask.empty()) {
    std::printf("masked     %s\n", to_string(options.mask).c_str());
  }
  std::printf("exact      %d of %d (%.1f%%)\n", r.exact, r.sentences, 100.0 * r.exact_match);
  const BleuScore& b = r.bleu;
  std::printf(
      "BLEU       %.2f  %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld "
      "ref_len = %lld)\n",
      b.score, b.precisions[0], b.precisions[1], b.precisions[2], b.precisions[3],
      b.brevity_penalty, b.ratio, static_cast<long long>(b.hyp_len),
      static_cast<long long>(b.ref_len));
  if (r.unknown_references > 0) {
    std::printf(
        "unknown    %d reference%s hold%s words the target vocabulary lacks (never exact)\n",
        r.unknown_references, r.unknown_references == 1 ? "" : "s",
        r.unknown_references == 1 ? "s" : "");
  }

  if (r.has_alignments) {
    std::printf(
        "\nalignment error rate (%%, lower is better) of each cross-attention head's "
        "argmax,\nteacher-forced; mean: the argmax of the layer's mean over heads\n");
    std::string line = "layer";
    const size_t heads = r.head_aer.empty() ? 0 : r.head_aer.front().size();
    char cell[32];
    for (size_t h = 0; h < heads; ++h) {
      std::snprintf(cell, sizeof cell, "  head %zu", h);
      line += cell;
    }
    std::printf("%s      mean\n", line.c_str());
    for (size_t l = 0; l < r.head_aer.size(); ++l) {
      std::snprintf(cell, sizeof cell, "%-5zu", l);
      line = cell;
      for (double aer : r.head_aer[l]) {
        std::snprintf(cell, sizeof cell, "  %6.1f", 100.0 * aer);
        line += cell;
      }
      std::snprintf(cell, sizeof cell, "  %8.1f", 100.0 * r.layer_mean_aer[l]);
      std::printf("%s%s\n", line.c_str(), cell);
    }
    const auto [layer, head] = best_head(r);
    std::printf("best head  layer %d, head %d: AER %.1f%%\n", layer, head,
                100.0 * r.head_aer[layer][head]);
  } else {
    std::printf("\nalignment  no AER: not every pair carries its true word alignment\n");
  }

  if (!r.failures.empty()) {
    std::printf("\nfailures (source => got | expected), first %zu of %d:\n", r.failures.size(),
                r.sentences - r.exact);
    for (const std::string& failure : r.failures)
      std::printf("  %s\n", failure.c_str());
  }
  std::printf("\ntime       %.2f s, %d thread%s\n", r.seconds, options.threads,
              options.threads == 1 ? "" : "s");
}

int cmd_eval(const CommandArgs& args) {
  if (!args.has("task")) {
    throw InputError("eval needs --task (toy-en-fr, copy, reverse, sort or pairs:FILE)");
  }
  if (!args.has("split")) throw InputError("eval needs --split (test, hard or train)");
  const Split split = parse_split(args.get("split"));
  const int count = args.get_int("count", 1000);
  if (count < 1) throw InputError("--count must be at least 1, got " + std::to_string(count));
  const int seed = args.get_int("seed", 1);
  if (seed < 0) throw InputError("--seed must not be negative, got " + std::to_string(seed));
  EvalOptions options;
  options.beam = args.get_int("beam", 1);
  if (options.beam < 1 || options.beam > 64) {
    throw InputError("--beam must be between 1 and 64, got " + std::to_string(options.beam));
  }
  options.mask = parse_head_mask(args.get("mask-heads", ""));
  options.threads = args.get_int("threads", 2);
  if (options.threads < 1 || options.threads > 256) {
    throw InputError("--threads must be between 1 and 256, got " + std::to_string(options.threads));
  }

  const ModelBundle bundle = load_model_dir(model_argument(args));
  const std::string task = args.get("task");
  const std::vector<SentencePair> pairs =
      task_pairs(task, split, count, static_cast<uint64_t>(seed));
  if (pairs.empty()) {
    throw InputError("task '" + task + "' has no pairs in its " + split_name(split) + " split");
  }
  const EvalReport report = evaluate(bundle, pairs, options);
  if (args.has("json")) {
    std::cout << eval_json(report, bundle, args, split, options).dump() << "\n";
  } else {
    print_eval(report, bundle, args, split, options);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const CommandArgs args = parse_args(argc, argv);
    if (args.command == "--version" || args.has("version")) {
      std::printf("%s\n", version_line("attnscope-cli").c_str());
      return 0;
    }
    if (args.command == "help" || args.command == "--help" || args.command == "-h" ||
        args.has("help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    set_num_threads(args.get_int("threads", 1));
    if (args.command == "translate") return cmd_translate(args);
    if (args.command == "trace") return cmd_trace(args);
    if (args.command == "explain") return cmd_explain(args);
    if (args.command == "info") return cmd_info(args);
    if (args.command == "init") return cmd_init(args);
    if (args.command == "eval") return cmd_eval(args);
    throw InputError("unknown command '" + args.command +
                     "' (expected translate, trace, explain, info, init or eval; see --help)");
  } catch (const std::exception& e) {
    std::string message = e.what();
    for (char& c : message) {
      if (c == '\n') c = ' ';
    }
    std::fprintf(stderr, "attnscope-cli: error: %s\n", message.c_str());
    return 1;
  }
}
