// Plain-text tables for a terminal: columns padded to their widest cell,
// counted in characters so that Vietnamese text lines up.
#ifndef HAMLET_CLI_TABLE_H_
#define HAMLET_CLI_TABLE_H_

#include <string>
#include <vector>

namespace hamlet::cli {

// At most n characters (not bytes) of s, with an ellipsis when cut.
std::string Clip(const std::string& s, size_t n);
// The number of characters of UTF-8 text s.
size_t Width(const std::string& s);
// Prints rows to stdout, the first being the header.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_TABLE_H_
