// A task's data by its command-line name, and the names of the splits (tasks.h).
#include <string>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/tasks.h"
#include "task_common.h"

namespace attnscope {

std::vector<SentencePair> task_pairs(const std::string& task, Split split, int count,
                                     uint64_t seed) {
  if (task == "toy-en-fr") return toy_en_fr(split, count, seed);
  if (task == "copy" || task == "reverse" || task == "sort") {
    return symbol_task(task, split, count, seed);
  }
  if (task.rfind("pairs:", 0) == 0) {
    const std::string path = task.substr(6);
    if (path.empty()) throw InputError("task 'pairs:': expected a file after 'pairs:'");
    if (split == Split::kHard) {
      throw InputError("task '" + task + "' has no hard split: use train or test");
    }
    std::vector<SentencePair> lines = read_pairs_file(path);
    std::vector<SentencePair> pairs;
    for (SentencePair& pair : lines) {
      if (detail::in_test_split(pair.source) == (split == Split::kTest))
        pairs.push_back(std::move(pair));
    }
    return pairs;
  }
  throw InputError("unknown task '" + task +
                   "': expected toy-en-fr, copy, reverse, sort or pairs:FILE");
}

const char* split_name(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kTest:
      return "test";
    case Split::kHard:
      return "hard";
  }
  return "?";
}

Split parse_split(const std::string& name) {
  if (name == "train") return Split::kTrain;
  if (name == "test") return Split::kTest;
  if (name == "hard") return Split::kHard;
  throw InputError("unknown split '" + name + "': expected train, test or hard");
}

}  // namespace attnscope
