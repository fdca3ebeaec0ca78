// --profile: the window redraws its view every frame and types or deletes a word every 8
// frames, timing the frames and each keystroke until its result is drawn; the medians and
// maxima go to stderr when the window closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "gui/models.h"

namespace attnscope {

class Profiler {
 public:
  // Before frame number `frame`: types or deletes a word in state->sentence every 8 frames
  // (while the model is idle), and starts the frame's clock.
  void before_frame(int frame, AppState* state, const LiveModel& model);
  // After it: waits for OpenGL to finish and records the frame's time, and the time from the
  // last keystroke when its result came.
  void after_frame(const LiveModel& model);
  // Prints the timings to stderr.
  void report(const AppState& state, const LiveModel& model) const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  bool computing_ = false;      // the model computed when the frame began
  bool waiting_ = false;        // a keystroke's result had not come when the frame began
  uint64_t shown_trace_ = 0;    // the Trace shown when the frame began
  uint64_t timed_request_ = 0;  // the last request whose result was timed
  bool typed_ = false;          // the word is there
  std::vector<double> frames_, inputs_, computes_;
};

}  // namespace attnscope
