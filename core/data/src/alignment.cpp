// Alignments as text: "0-0 1-2 2-1" (tasks.h).
#include <string>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/tasks.h"

namespace attnscope {
namespace {

std::string alignment_error(const std::string& link, size_t number) {
  return "alignment link " + std::to_string(number) + " '" + link +
         "': expected i-j with i and j non-negative integers, as in \"0-0 1-2 2-1\"";
}

}  // namespace

std::string format_alignment(const std::vector<std::pair<int, int>>& alignment) {
  std::string text;
  for (const auto& [source, target] : alignment) {
    if (!text.empty()) text += ' ';
    text += std::to_string(source) + "-" + std::to_string(target);
  }
  return text;
}

std::vector<std::pair<int, int>> parse_alignment(const std::string& text) {
  std::vector<std::pair<int, int>> alignment;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t pos = 0;
  while (pos < text.size()) {
    if (space(text[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < text.size() && !space(text[end]))
      ++end;
    const std::string link = text.substr(pos, end - pos);
    pos = end;
    // Digits, a dash, digits; at most 9 digits each so that the value fits an int.
    const size_t dash = link.find('-');
    auto number = [](const std::string& digits, int* value) {
      if (digits.empty() || digits.size() > 9) return false;
      for (char c : digits)
        if (c < '0' || c > '9') return false;
      *value = std::stoi(digits);
      return true;
    };
    int source = 0, target = 0;
    if (dash == std::string::npos || !number(link.substr(0, dash), &source) ||
        !number(link.substr(dash + 1), &target)) {
      throw InputError(alignment_error(link, alignment.size() + 1));
    }
    alignment.emplace_back(source, target);
  }
  return alignment;
}

}  // namespace attnscope
