// Text handling for search: folding and word splitting.
//
// Folding makes "Đất đai", "đất đai" typed in NFD, and "dat dai" equal: it
// applies compatibility decomposition, strips combining marks, folds case
// (utf8proc) and maps đ to d, which has no decomposition. Stored values are
// never folded; they round-trip byte for byte. Thread safe.
#ifndef HAMLET_TEXT_H_
#define HAMLET_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hamlet {

bool IsValidUtf8(std::string_view s);

// Decodes the code point at s[pos] into *cp; returns its length in bytes, or
// 0 for an invalid or truncated sequence.
size_t DecodeUtf8(std::string_view s, size_t pos, int32_t* cp);

// The number of code points in s; bytes of an invalid sequence count one each.
size_t CountCodePoints(std::string_view s);

// The folded words of s, in order, duplicates kept. Invalid UTF-8 gives none.
std::vector<std::string> SearchWords(std::string_view s);

// The fold of one code point: its folded UTF-8 bytes (empty for marks and
// separators), and whether it belongs to a word.
struct FoldedCodePoint {
  std::string bytes;
  bool word = false;
};
const FoldedCodePoint& Fold(int32_t code_point);

// Calls fn with each folded word of s, in order; the view lives until fn
// returns. Stops at the first invalid UTF-8 sequence.
template <class Fn>
void ForEachSearchWord(std::string_view s, Fn&& fn) {
  std::string word;
  size_t i = 0;
  while (i < s.size()) {
    int32_t cp;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) break;
    i += n;
    const FoldedCodePoint& f = Fold(cp);
    if (f.word) {
      word += f.bytes;
    } else if (!word.empty()) {
      fn(std::string_view(word));
      word.clear();
    }
  }
  if (!word.empty()) fn(std::string_view(word));
}

}  // namespace hamlet

#endif  // HAMLET_TEXT_H_
