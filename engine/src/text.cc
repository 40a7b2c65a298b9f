#include "text.h"

#include <utf8proc.h>

#include <cstdlib>

namespace hamlet {

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

std::vector<std::string> SearchWords(std::string_view s) {
  std::vector<std::string> words;
  utf8proc_uint8_t* folded = nullptr;
  utf8proc_ssize_t len = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD));
  if (len < 0) return words;
  std::string word;
  const utf8proc_uint8_t* p = folded;
  utf8proc_ssize_t left = len;
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) break;
    if (cp == 0x0111) cp = 'd';  // đ (Đ case-folds to it).
    utf8proc_category_t cat = utf8proc_category(cp);
    bool part = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
    if (part) {
      utf8proc_uint8_t buf[4];
      utf8proc_ssize_t m = utf8proc_encode_char(cp, buf);
      word.append(reinterpret_cast<char*>(buf), static_cast<size_t>(m));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
    p += n;
    left -= n;
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::free(folded);
  return words;
}

}  // namespace hamlet
