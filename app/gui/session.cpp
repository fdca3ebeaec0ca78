// What a sentence becomes (see session.h).
#include "gui/session.h"

#include <algorithm>
#include <chrono>

#include "attnscope/pipeline.h"

namespace attnscope {

ComputeResult compute(const ModelBundle& bundle, const ComputeRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  PipelineRequest pipeline;
  pipeline.source_text = request.sentence;
  pipeline.forced = request.decode == DecodeMode::kForced;
  pipeline.target_text = request.forced_target;
  pipeline.decode.beam = request.decode == DecodeMode::kBeam ? std::max(1, request.beam) : 1;
  pipeline.limits = InputLimits{kMaxInputBytes, kMaxInputTokens};
  PipelineResult out = run_pipeline(bundle, pipeline);

  ComputeResult result;
  result.id = request.id;
  result.trace = std::move(out.trace);
  result.generated = out.generated;
  result.translation = std::move(out.translation);
  result.finished = out.finished;
  const Tokenized& source = out.source;
  for (size_t i = 0; i + out.dropped_source_tokens < source.tokens.size(); ++i)
    result.source.push_back({source.tokens[i], false});
  for (int i : source.unknown) {
    if (i < static_cast<int>(result.source.size())) result.source[i].unknown = true;
  }
  result.dropped_tokens = out.dropped_source_tokens;
  result.max_source_tokens = out.max_source_tokens;
  result.invalid_bytes = source.invalid_bytes;
  result.warnings = std::move(out.warnings);
  result.error = std::move(out.error);
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Worker::Worker(std::shared_ptr<const ModelBundle> bundle, ComputeFunction function)
    : bundle_(std::move(bundle)), compute_(std::move(function)), thread_([this] { run(); }) {}

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
    ComputeResult result = compute_(*bundle_, request);
    lock.lock();
    running_ = false;
    if (!done_ || done_->id < result.id) done_ = std::move(result);
  }
}

}  // namespace attnscope
