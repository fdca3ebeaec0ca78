// The window's model (see models.h).
#include "gui/models.h"

#include <algorithm>
#include <filesystem>

#include "about.h"

namespace attnscope {

namespace {

// Recomputations faster than this run on the GUI thread (see LiveModel::request).
constexpr double kSynchronousMs = 4.0;

}  // namespace

std::vector<std::string> bundled_models() {
  std::vector<std::string> out;
  const std::string models = bundled_models_dir();
  if (models.empty()) return out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(models, ec)) {
    if (entry.is_directory(ec) && std::filesystem::exists(entry.path() / "config.json", ec))
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string model_name(const std::string& dir) {
  std::string name = std::filesystem::path(dir).filename().string();
  if (name.empty()) name = std::filesystem::path(dir).parent_path().filename().string();
  return name.empty() ? dir : name;
}

void LiveModel::open(const std::string& dir) {
  auto bundle = std::make_shared<const ModelBundle>(load_model_dir(dir));
  worker_.reset();
  bundle_ = std::move(bundle);
  worker_ = std::make_unique<Worker>(bundle_);
  current_ = ComputeResult();
  last_request_key_.clear();
}

bool LiveModel::request(const AppState& state) {
  if (!worker_) return false;
  // Only a change of what is computed starts a computation.
  const std::string key = state.sentence + '\x1f' + to_string(state.decode) + '\x1f' +
                          std::to_string(state.beam) + '\x1f' +
                          (state.decode == DecodeMode::kForced ? state.forced_target : "");
  if (key == last_request_key_) return false;
  last_request_key_ = key;
  ComputeRequest request;
  request.id = next_request_++;
  request.sentence = state.sentence;
  request.decode = state.decode;
  request.beam = state.beam;
  request.forced_target = state.forced_target;
  request_time_ = Clock::now();
  if (current_.id > 0 && current_.milliseconds < kSynchronousMs && !worker_->busy()) {
    install(compute(*bundle_, request));
    return true;
  }
  worker_->submit(std::move(request));
  return false;
}

bool LiveModel::poll() {
  if (!worker_) return false;
  std::optional<ComputeResult> result = worker_->poll();
  if (!result || result->id <= current_.id) return false;
  install(std::move(*result));
  return true;
}

void LiveModel::install(ComputeResult result) {
  std::shared_ptr<const Trace> previous = current_.trace;
  current_ = std::move(result);
  if (current_.trace) {
    ++trace_id_;
  } else {
    current_.trace = std::move(previous);  // keep the last picture; the error is shown
  }
}

}  // namespace attnscope
