// The symbol tasks copy, reverse and sort (tasks.h).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/random.h"
#include "attnscope/tasks.h"
#include "task_common.h"

namespace attnscope {

std::vector<SentencePair> symbol_task(const std::string& name, Split split, int count,
                                      uint64_t seed) {
  if (name != "copy" && name != "reverse" && name != "sort") {
    throw InputError("unknown symbol task '" + name + "': expected copy, reverse or sort");
  }
  if (count < 0) {
    throw InputError("symbol_task: count " + std::to_string(count) + ", expected 0 or more");
  }
  detail::Rng rng(
      splitmix64(seed ^ splitmix64(detail::fnv1a(name) + static_cast<uint64_t>(split))));
  std::vector<SentencePair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  while (pairs.size() < static_cast<size_t>(count)) {
    const int length = split == Split::kHard ? 13 + rng.below(4) : 2 + rng.below(11);
    std::vector<std::string> symbols;
    for (int i = 0; i < length; ++i)
      symbols.push_back(std::string(1, static_cast<char>('a' + rng.below(26))));
    SentencePair pair;
    pair.source = detail::join(symbols);
    if (split != Split::kHard && detail::in_test_split(pair.source) != (split == Split::kTest))
      continue;

    std::vector<int> order(length);  // order[k]: the source position of output position k
    for (int i = 0; i < length; ++i)
      order[i] = i;
    if (name == "reverse") {
      std::reverse(order.begin(), order.end());
    } else if (name == "sort") {
      std::stable_sort(order.begin(), order.end(),
                       [&](int a, int b) { return symbols[a] < symbols[b]; });
    }
    std::vector<std::string> output;
    for (int k = 0; k < length; ++k) {
      output.push_back(symbols[order[k]]);
      pair.alignment.emplace_back(order[k], k);
    }
    std::sort(pair.alignment.begin(), pair.alignment.end());
    pair.target = detail::join(output);
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

}  // namespace attnscope
