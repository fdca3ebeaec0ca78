// The vocabulary of one side of a corpus (tasks.h).
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "attnscope/tasks.h"
#include "attnscope/tokenizer.h"

namespace attnscope {

std::vector<std::string> build_vocabulary(const std::vector<SentencePair>& pairs,
                                          bool target_side) {
  std::unordered_map<std::string, int64_t> counts;
  for (const SentencePair& pair : pairs)
    for (const std::string& token : Tokenizer::split(target_side ? pair.target : pair.source, true))
      ++counts[token];
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  // No token can be a special one: the tokenizer splits '<' and '>' off.
  std::vector<std::string> vocabulary = {"<pad>", "<unk>", "<bos>", "<eos>"};
  for (const auto& entry : sorted)
    vocabulary.push_back(entry.first);
  return vocabulary;
}

}  // namespace attnscope
