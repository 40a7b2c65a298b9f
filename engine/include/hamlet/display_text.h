// Text as it is shown to people, for the programs built on the engine (the
// command line, the hub's pages, the officer's web app): HTML escaping, and
// lengths and capitals counted in characters so that Vietnamese text lines up.
// All functions are pure and thread safe; bytes that are not UTF-8 are kept
// as they are and count one character each.
#ifndef HAMLET_DISPLAY_TEXT_H_
#define HAMLET_DISPLAY_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "hamlet/export.h"

namespace hamlet {

// text with &, <, >, " and ' written as character references: safe inside
// an element and inside a quoted attribute value.
HAMLET_EXPORT std::string EscapeHtml(std::string_view text);
// The number of characters (code points) of UTF-8 text.
HAMLET_EXPORT size_t CharacterCount(std::string_view text);
// At most n characters of text, with an ellipsis ("…") in place of the rest
// when cut.
HAMLET_EXPORT std::string ClipCharacters(std::string_view text, size_t n);
// text in capitals ("tóm tắt" reads "TÓM TẮT").
HAMLET_EXPORT std::string UpperCase(std::string_view text);

}  // namespace hamlet

#endif  // HAMLET_DISPLAY_TEXT_H_
