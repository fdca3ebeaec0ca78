// What a sentence becomes (see session.h).
#include "gui/session.h"

#include <algorithm>
#include <chrono>

#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/tokenizer.h"

namespace attnscope {

namespace {

// The text up to kMaxInputBytes, cut at a character boundary, with a warning when cut.
std::string first_bytes(const std::string& text, ComputeResult* result, const char* what) {
  if (text.size() <= kMaxInputBytes) return text;
  size_t cut = kMaxInputBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  result->warnings.push_back(std::string("only the first ") +
                             std::to_string(kMaxInputBytes / 1000) + " kB of the " + what +
                             " are read");
  return text.substr(0, cut);
}

}  // namespace

ComputeResult compute(const ModelBundle& bundle, const ComputeRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  ComputeResult result;
  result.id = request.id;
  const Config& config = bundle.model.config();
  // The source is the words and <eos>; a decoder input needs at least <bos>.
  result.max_source_tokens = std::clamp(config.max_positions - 1, 0, kMaxInputTokens);
  try {
    const std::string sentence = first_bytes(request.sentence, &result, "sentence");
    Tokenized tokenized;
    std::vector<int> src = bundle.source_ids(sentence, &tokenized);
    result.invalid_bytes = tokenized.invalid_bytes;
    for (size_t i = 0; i < tokenized.tokens.size(); ++i)
      result.source.push_back({tokenized.tokens[i], false});
    for (int i : tokenized.unknown)
      result.source[i].unknown = true;
    if (static_cast<int>(tokenized.ids.size()) > result.max_source_tokens) {
      result.dropped_tokens = static_cast<int>(tokenized.ids.size()) - result.max_source_tokens;
      src.erase(src.begin() + result.max_source_tokens, src.end() - 1);  // keeps <eos>
      result.source.resize(result.max_source_tokens);
      result.warnings.insert(
          result.warnings.begin(),
          "sentence cut to " + std::to_string(result.max_source_tokens) + " words, the most " +
              (result.max_source_tokens == kMaxInputTokens ? "attnscope shows"
                                                           : "this model takes") +
              " (" + std::to_string(result.dropped_tokens) + " dropped)");
    }
    if (!tokenized.unknown.empty()) {
      std::string words;
      for (size_t k = 0; k < tokenized.unknown.size() && k < 5; ++k)
        words += (k ? ", " : "") + tokenized.tokens[tokenized.unknown[k]];
      if (tokenized.unknown.size() > 5) words += ", …";
      result.warnings.push_back(std::to_string(tokenized.unknown.size()) + " unknown word" +
                                (tokenized.unknown.size() == 1 ? "" : "s") + ": " + words);
    }
    if (result.invalid_bytes > 0) {
      result.warnings.push_back(std::to_string(result.invalid_bytes) +
                                " bytes of invalid UTF-8 replaced by �");
    }
    Trace trace;
    if (request.decode == DecodeMode::kForced) {
      Tokenized target_tokens;
      std::vector<int> tgt = bundle.target_ids(
          first_bytes(request.forced_target, &result, "forced target"), &target_tokens);
      const int max_target = std::min(config.max_positions, kMaxInputTokens);
      if (static_cast<int>(tgt.size()) > max_target) {
        const int dropped = static_cast<int>(tgt.size()) - max_target;
        tgt.resize(max_target);
        result.warnings.push_back("forced target cut to " + std::to_string(max_target - 1) +
                                  " words (" + std::to_string(dropped) + " dropped)");
      }
      if (!target_tokens.unknown.empty()) {
        result.warnings.push_back(std::to_string(target_tokens.unknown.size()) +
                                  " unknown word(s) in the forced target");
      }
      trace = bundle.model.trace(src, tgt);
      result.generated = false;
      result.translation = bundle.detokenize_target(trace.output_ids);
    } else {
      DecodeOptions options;
      options.beam = request.decode == DecodeMode::kBeam ? std::max(1, request.beam) : 1;
      options.max_length = std::min(
          effective_max_length(config, static_cast<int>(src.size()), options), kMaxInputTokens);
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
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Worker::Worker(std::shared_ptr<const ModelBundle> bundle)
    : bundle_(std::move(bundle)), thread_([this] { run(); }) {}

Worker::~Worker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Worker::submit(ComputeRequest request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(request);
  }
  wake_.notify_all();
}

std::optional<ComputeResult> Worker::poll() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<ComputeResult> out = std::move(done_);
  done_.reset();
  return out;
}

bool Worker::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ || pending_.has_value();
}

void Worker::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || pending_.has_value(); });
    if (stop_) return;
    ComputeRequest request = std::move(*pending_);
    pending_.reset();
    running_ = true;
    lock.unlock();
    ComputeResult result = compute(*bundle_, request);
    lock.lock();
    running_ = false;
    if (!done_ || done_->id < result.id) done_ = std::move(result);
  }
}

}  // namespace attnscope
