// Text handling for search: folding and word splitting.
//
// Folding makes "Đất đai", "đất đai" typed in NFD, and "dat dai" equal: it
// applies compatibility decomposition, strips combining marks, folds case
// (utf8proc) and maps đ to d, which has no decomposition. Stored values are
// never folded; they round-trip byte for byte. Thread safe.
#ifndef HAMLET_TEXT_H_
#define HAMLET_TEXT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hamlet {

bool IsValidUtf8(std::string_view s);

// The folded words of s, in order, duplicates kept. Invalid UTF-8 gives none.
std::vector<std::string> SearchWords(std::string_view s);

// Calls fn with each folded word of s, in order; the view lives until fn
// returns. Invalid UTF-8 gives none.
void ForEachSearchWord(std::string_view s, const std::function<void(std::string_view)>& fn);

}  // namespace hamlet

#endif  // HAMLET_TEXT_H_
