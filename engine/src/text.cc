#include "text.h"

#include <utf8proc.h>

#include <array>
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

size_t DecodeUtf8(std::string_view s, size_t pos, int32_t* cp) {
  auto b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  utf8proc_int32_t c;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                                        static_cast<utf8proc_ssize_t>(s.size() - pos), &c);
  if (n <= 0) return 0;
  *cp = c;
  return static_cast<size_t>(n);
}

namespace {

constexpr utf8proc_option_t kFoldOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);

FoldedCodePoint FoldOne(utf8proc_int32_t cp) {
  FoldedCodePoint f;
  utf8proc_int32_t out[32];
  int boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(cp, out, 32, kFoldOptions, &boundclass);
  if (n < 0) return f;
  for (utf8proc_ssize_t i = 0; i < n; i++) {
    utf8proc_int32_t c = out[i] == 0x0111 ? 'd' : out[i];  // đ has no decomposition.
    utf8proc_category_t cat = utf8proc_category(c);
    bool part = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
    if (!part) continue;
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t m = utf8proc_encode_char(c, buf);
    f.bytes.append(reinterpret_cast<char*>(buf), static_cast<size_t>(m));
  }
  // A combining mark folds to nothing but does not end a word: "a" followed
  // by U+0302 U+0301 (NFD of "ấ") must stay one word.
  utf8proc_category_t own = utf8proc_category(cp);
  f.word = !f.bytes.empty() || own == UTF8PROC_CATEGORY_MN || own == UTF8PROC_CATEGORY_MC ||
           own == UTF8PROC_CATEGORY_ME;
  return f;
}

// The fold of every code point below kTableSize (Latin, Vietnamese, Greek,
// Cyrillic and the combining marks among them), computed once with utf8proc.
constexpr int32_t kTableSize = 0x3000;
const std::array<FoldedCodePoint, kTableSize>& Table() {
  static const auto* table = [] {
    auto* t = new std::array<FoldedCodePoint, kTableSize>();
    for (int32_t cp = 0; cp < kTableSize; cp++) (*t)[cp] = FoldOne(cp);
    return t;
  }();
  return *table;
}

}  // namespace

const FoldedCodePoint& Fold(int32_t code_point) {
  if (code_point >= 0 && code_point < kTableSize) return Table()[code_point];
  thread_local FoldedCodePoint other;
  other = FoldOne(code_point);
  return other;
}

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); n++) {
    int32_t cp;
    size_t len = DecodeUtf8(s, i, &cp);
    i += len ? len : 1;
  }
  return n;
}

std::vector<std::string> SearchWords(std::string_view s) {
  std::vector<std::string> words;
  if (!IsValidUtf8(s)) return words;
  ForEachSearchWord(s, [&](std::string_view w) { words.emplace_back(w); });
  return words;
}

}  // namespace hamlet
