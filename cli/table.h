// Plain-text tables for a terminal: columns padded to their widest cell,
// counted in characters so that Vietnamese text lines up.
#ifndef HAMLET_CLI_TABLE_H_
#define HAMLET_CLI_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace hamlet::cli {

// At most n characters (not bytes) of s, with an ellipsis when cut.
std::string Clip(const std::string& s, size_t n);
// UTF-8 text s in capitals ("tóm tắt" reads "TÓM TẮT"); bytes that are not
// UTF-8 are kept as they are.
std::string Upper(const std::string& s);
// The number of characters of UTF-8 text s.
size_t Width(const std::string& s);
// Rows as lines, the first being the header; columns from right_from on are
// aligned right (figures), the others left.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows, size_t right_from = SIZE_MAX);
// Prints FormatTable(rows) to stdout.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_TABLE_H_
