// --profile (see profiler.h).
#include "gui/profiler.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace attnscope {

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

void Profiler::before_frame(int frame, AppState* state, const LiveModel& model) {
  if (frame % 8 == 4 && !model.busy()) {
    const std::string word = " again";
    if (typed_) {
      state->sentence.resize(state->sentence.size() - word.size());
    } else {
      state->sentence += word;
    }
    typed_ = !typed_;
  }
  start_ = Clock::now();
  waiting_ = model.last_request() != timed_request_;
  computing_ = model.busy();
  shown_trace_ = model.trace_id();
}

void Profiler::after_frame(const LiveModel& model) {
  glFinish();
  // Frames drawn while the model computes on the other core are not what drawing costs.
  if (!computing_ && !model.busy()) frames_.push_back(ms_since(start_));
  if (waiting_ && model.trace_id() != shown_trace_) {
    timed_request_ = model.last_request();
    inputs_.push_back(ms_since(model.last_request_time()));
    computes_.push_back(model.current().milliseconds);
  }
}

void Profiler::report(const AppState& state, const LiveModel& model) const {
  auto report = [](const char* what, std::vector<double> v) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    std::fprintf(stderr, "profile: %-34s %4zu samples, median %7.2f ms, max %7.2f ms\n", what,
                 v.size(), v[v.size() / 2], v.back());
  };
  const Trace* trace = model.current().trace.get();
  std::fprintf(stderr, "profile: view %s, %zu source and %zu target tokens\n",
               to_string(state.view), trace ? trace->src_ids.size() : 0,
               trace ? trace->tgt_ids.size() : 0);
  // The first frames build fonts and upload textures once; they are not what a user waits
  // for at each keystroke.
  std::vector<double> frames = frames_;
  if (frames.size() > 10) frames.erase(frames.begin(), frames.begin() + 5);
  report("frame (scene built and drawn)", frames);
  report("keystroke to finished frame", inputs_);
  report("recomputation (tokens to Trace)", computes_);
}

}  // namespace attnscope
