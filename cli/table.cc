#include "table.h"

#include <algorithm>
#include <cstdio>

#include "hamlet/display_text.h"

namespace hamlet::cli {

std::string FormatTable(const std::vector<std::vector<std::string>>& rows, size_t right_from) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); i++) widths[i] = std::max(widths[i], CharacterCount(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); i++) {
      std::string pad(widths[i] - CharacterCount(row[i]), ' ');
      bool last = i + 1 == row.size();
      line += i >= right_from ? pad + row[i] : row[i] + (last ? "" : pad);
      if (!last) line += "  ";
    }
    // An empty last column (a mark most rows lack) leaves no spaces behind.
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::fputs(FormatTable(rows).c_str(), stdout);
}

}  // namespace hamlet::cli
