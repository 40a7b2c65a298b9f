#include "table.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdio>

namespace hamlet::cli {

std::string Clip(const std::string& s, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == n) return s.substr(0, i) + "\u2026";
  }
  return s;
}

std::string Upper(const std::string& s) {
  std::string out;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return out + std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(left));
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_toupper(cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
    p += n;
    left -= n;
  }
  return out;
}

size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows, size_t right_from) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); i++) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); i++) {
      std::string pad(widths[i] - Width(row[i]), ' ');
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
