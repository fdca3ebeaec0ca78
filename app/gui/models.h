// The window's model: the bundled models to choose from, the one open, and what it computed
// for the sentence on screen.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gui/session.h"

namespace attnscope {

// Model directories bundled with the app: every folder with a config in the installed models
// folder, or in a build tree's assets/models (see about.h), sorted.
std::vector<std::string> bundled_models();

// How the window names a model directory: its last component.
std::string model_name(const std::string& dir);

// The open model and its latest result. A computation runs on the GUI thread when the last one
// took under a few milliseconds, so that the result shows in the same frame; a slower one
// runs on a Worker and typing never waits for it.
class LiveModel {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens the model in `dir`, dropping the result of the one before; throws Error, keeping
  // the model it has, when `dir` holds no usable model.
  void open(const std::string& dir);
  bool has_model() const { return bundle_ != nullptr; }
  const ModelBundle* bundle() const { return bundle_.get(); }

  // Starts computing what `state` asks for (sentence, decoding) when that changed since the
  // last request. True when the result was computed at once and is current() now.
  bool request(const AppState& state);
  // True when a result came from the worker and is current() now.
  bool poll();
  // The latest result. When it failed, its trace is still the last one that was computed.
  const ComputeResult& current() const { return current_; }
  // Different for every Trace computed, whatever the model (0 before the first).
  uint64_t trace_id() const { return trace_id_; }
  // True while the worker computes or has a request waiting.
  bool busy() const { return worker_ && worker_->busy(); }

  // The latest request (0 before the first) and when it was made: for the profiler.
  uint64_t last_request() const { return next_request_ - 1; }
  Clock::time_point last_request_time() const { return request_time_; }

 private:
  void install(ComputeResult result);

  std::shared_ptr<const ModelBundle> bundle_;
  std::unique_ptr<Worker> worker_;
  ComputeResult current_;
  uint64_t trace_id_ = 0;
  uint64_t next_request_ = 1;
  std::string last_request_key_;
  Clock::time_point request_time_;
};

}  // namespace attnscope
