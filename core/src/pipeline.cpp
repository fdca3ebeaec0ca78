// The text -> Trace pipeline (see pipeline.h).
#include "attnscope/pipeline.h"

#include <algorithm>
#include <exception>

#include "attnscope/utf8.h"

namespace attnscope {

namespace {

// The text up to the limit's bytes, cut at a character boundary, with a warning when cut.
std::string first_bytes(const std::string& text, const std::optional<InputLimits>& limits,
                        const char* what, PipelineResult* result) {
  if (!limits || text.size() <= limits->max_bytes) return text;
  result->warnings.push_back(std::string("only the first ") +
                             std::to_string(limits->max_bytes / 1000) + " kB of the " + what +
                             " are read");
  return text.substr(0, utf8_cut(text, limits->max_bytes));
}

std::vector<int> source_of(const ModelBundle& bundle, const PipelineRequest& request,
                           PipelineResult* result) {
  if (request.source_ids) return *request.source_ids;
  const std::string text = first_bytes(request.source_text, request.limits, "sentence", result);
  std::vector<int> src = bundle.source_ids(text, &result->source);
  const Tokenized& tokenized = result->source;
  if (request.limits && static_cast<int>(tokenized.ids.size()) > result->max_source_tokens) {
    result->dropped_source_tokens =
        static_cast<int>(tokenized.ids.size()) - result->max_source_tokens;
    src.erase(src.begin() + result->max_source_tokens, src.end() - 1);  // keeps <eos>
    result->warnings.insert(
        result->warnings.begin(),
        "sentence cut to " + std::to_string(result->max_source_tokens) + " words, the most " +
            (result->max_source_tokens == request.limits->max_tokens ? "attnscope shows"
                                                                     : "this model takes") +
            " (" + std::to_string(result->dropped_source_tokens) + " dropped)");
  }
  if (!tokenized.unknown.empty()) {
    std::string words;
    for (size_t k = 0; k < tokenized.unknown.size() && k < 5; ++k)
      words += (k ? ", " : "") + tokenized.tokens[tokenized.unknown[k]];
    if (tokenized.unknown.size() > 5) words += ", …";
    result->warnings.push_back(std::to_string(tokenized.unknown.size()) + " unknown word" +
                               (tokenized.unknown.size() == 1 ? "" : "s") + ": " + words);
  }
  if (tokenized.invalid_bytes > 0) {
    result->warnings.push_back(std::to_string(tokenized.invalid_bytes) +
                               " bytes of invalid UTF-8 replaced by �");
  }
  return src;
}

std::vector<int> target_of(const ModelBundle& bundle, const PipelineRequest& request,
                           PipelineResult* result) {
  if (request.target_ids) return *request.target_ids;
  const Config& config = bundle.model.config();
  std::vector<int> tgt = bundle.target_ids(
      first_bytes(request.target_text, request.limits, "forced target", result), &result->target);
  if (request.limits) {
    const int max_target = std::min(config.max_positions, request.limits->max_tokens);
    if (static_cast<int>(tgt.size()) > max_target) {
      const int dropped = static_cast<int>(tgt.size()) - max_target;
      tgt.resize(max_target);
      result->warnings.push_back("forced target cut to " + std::to_string(max_target - 1) +
                                 " words (" + std::to_string(dropped) + " dropped)");
    }
  }
  if (!result->target.unknown.empty()) {
    result->warnings.push_back(std::to_string(result->target.unknown.size()) +
                               " unknown word(s) in the forced target");
  }
  return tgt;
}

}  // namespace

PipelineResult run_pipeline(const ModelBundle& bundle, const PipelineRequest& request) {
  PipelineResult result;
  const Config& config = bundle.model.config();
  // The source is the words and <eos>; a decoder input needs at least <bos>.
  if (request.limits) {
    result.max_source_tokens = std::clamp(config.max_positions - 1, 0, request.limits->max_tokens);
  }
  try {
    const std::vector<int> src = source_of(bundle, request, &result);
    Trace trace;
    if (request.forced) {
      const std::vector<int> tgt = target_of(bundle, request, &result);
      trace = bundle.model.trace(src, tgt, request.decode.mask);
      result.generated = false;
      result.translation = bundle.detokenize_target(trace.output_ids);
    } else {
      DecodeOptions options = request.decode;
      if (request.limits) {
        options.max_length =
            std::min(effective_max_length(config, static_cast<int>(src.size()), options),
                     request.limits->max_tokens);
      }
      Translation translation = translate_ids(bundle.model, src, options);
      result.generated = true;
      result.finished = translation.finished;
      result.translation = bundle.detokenize_target(translation.ids);
      trace = std::move(translation.trace);
      if (!translation.finished) {
        result.warnings.push_back("translation stopped at the length limit before <eos>");
      }
    }
    bundle.label(trace);
    result.trace = std::make_shared<const Trace>(std::move(trace));
  } catch (const std::exception& e) {
    result.trace.reset();
    result.error = e.what();
  }
  return result;
}

}  // namespace attnscope
