// A loaded model and what it computes for the sentence on screen. compute() turns the
// AppState's sentence and decoding mode into a Trace through the pipeline (pipeline.h),
// within the window's limits; Worker runs it off the GUI thread so that typing never waits
// for a large model (the newest request wins).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "attnscope/checkpoint.h"
#include "views/app_state.h"

namespace attnscope {

// What the window computes at most, whatever the model allows: the work and the memory of a
// Trace grow with the square of the length, and a sentence of 1,024 words is already far
// beyond what a view can show legibly. Longer input is cut, with a notice.
constexpr int kMaxInputTokens = 1024;
// The longest sentence (in bytes) tokenized at all; the rest is dropped before splitting.
constexpr size_t kMaxInputBytes = 100000;

struct ComputeRequest {
  uint64_t id = 0;  // increasing; a result carries the id of its request
  std::string sentence;
  DecodeMode decode = DecodeMode::kGreedy;
  int beam = 4;
  std::string forced_target;
};

// One typed word as the model sees it.
struct SourceToken {
  std::string text;      // as split (and lowercased) by the tokenizer
  bool unknown = false;  // not in the source vocabulary: the model sees <unk>
};

struct ComputeResult {
  uint64_t id = 0;
  std::shared_ptr<const Trace> trace;  // null when nothing could be computed
  bool generated = false;              // decoded (greedy or beam) rather than forced
  std::string translation;             // the generated target as text
  bool finished = true;                // decoding reached <eos> before the length limit
  std::vector<SourceToken> source;     // the sentence's words, marked when unknown
  int dropped_tokens = 0;              // words cut because the model's maximum was reached
  int max_source_tokens = 0;           // the most words taken: the model's and our limit
  int invalid_bytes = 0;               // bytes of invalid UTF-8 replaced
  double milliseconds = 0;             // tokenizing, encoding and decoding
  std::vector<std::string> warnings;   // for the status bar, most important first
  std::string error;                   // set when trace is null
};

// Computes synchronously; never throws (problems go into warnings or error).
ComputeResult compute(const ModelBundle& bundle, const ComputeRequest& request);

using ComputeFunction =
    std::function<ComputeResult(const ModelBundle& bundle, const ComputeRequest& request)>;

// One background thread computing requests for one model; submit() replaces any request
// not yet started, so a burst of keystrokes costs one computation, not one each.
class Worker {
 public:
  // `function` computes each request: compute() unless another is given (one that counts or
  // holds requests, say).
  explicit Worker(std::shared_ptr<const ModelBundle> bundle, ComputeFunction function = compute);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void submit(ComputeRequest request);
  // The newest finished result not yet taken, if any.
  std::optional<ComputeResult> poll();
  // True while a request is queued or running.
  bool busy() const;
  const ModelBundle& bundle() const { return *bundle_; }

 private:
  void run();

  std::shared_ptr<const ModelBundle> bundle_;
  ComputeFunction compute_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<ComputeRequest> pending_;
  std::optional<ComputeResult> done_;
  bool running_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace attnscope
