// Plain-text tables for a terminal: columns padded to their widest cell,
// counted in characters so that Vietnamese text lines up (display_text.h).
#ifndef HAMLET_CLI_TABLE_H_
#define HAMLET_CLI_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace hamlet::cli {

// Rows as lines, the first being the header; columns from right_from on are
// aligned right (figures), the others left.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows, size_t right_from = SIZE_MAX);
// Prints FormatTable(rows) to stdout.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_TABLE_H_
