// A user's corpus of tab-separated sentence pairs (tasks.h).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/tasks.h"
#include "attnscope/tokenizer.h"

namespace attnscope {

std::vector<SentencePair> read_pairs_file(const std::string& path) {
  std::string data;
  try {
    data = read_file(path);
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(e.what());
  }
  return parse_pairs(data, path);
}

std::vector<SentencePair> parse_pairs(const std::string& contents, const std::string& path) {
  const std::vector<std::string> lines = split_lines(contents);
  if (lines.empty()) {
    throw InputError(path + ": empty file, expected one sentence pair a line: source<TAB>target");
  }
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  auto trim = [&](const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && blank(s[b]))
      ++b;
    while (e > b && blank(s[e - 1]))
      --e;
    return s.substr(b, e - b);
  };
  std::vector<SentencePair> pairs;
  int line = 0;
  for (const std::string& text : lines) {
    ++line;
    if (trim(text).empty()) continue;
    const std::string where = path + ": line " + std::to_string(line) + ": ";
    if (!is_valid_utf8(text)) {
      throw InputError(where + "invalid UTF-8 in '" + sanitize_utf8(text) + "'");
    }
    const size_t tabs = static_cast<size_t>(std::count(text.begin(), text.end(), '\t'));
    if (tabs == 0) throw InputError(where + "no tab, expected source<TAB>target");
    if (tabs > 1) {
      throw InputError(where + std::to_string(tabs) +
                       " tabs, expected one, between source and target");
    }
    const size_t tab = text.find('\t');
    SentencePair pair;
    pair.source = trim(text.substr(0, tab));
    pair.target = trim(text.substr(tab + 1));
    if (Tokenizer::split(pair.source, false).empty()) {
      throw InputError(where + "empty source side, before the tab");
    }
    if (Tokenizer::split(pair.target, false).empty()) {
      throw InputError(where + "empty target side, after the tab");
    }
    pairs.push_back(std::move(pair));
  }
  if (pairs.empty()) {
    throw InputError(path +
                     ": only blank lines, expected one sentence pair a line: source<TAB>target");
  }
  return pairs;
}

}  // namespace attnscope
