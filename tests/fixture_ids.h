// Token ids as the reference fixtures' metadata writes them: "4,8,15".
#pragma once

#include <sstream>
#include <string>
#include <vector>

inline std::vector<int> parse_ids(const std::string& text) {
  std::vector<int> ids;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    ids.push_back(std::stoi(item));
  return ids;
}
