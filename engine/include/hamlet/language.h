// The language people read: Vietnamese or English, through GNU gettext.
//
// Every sentence the engine, the command line, the hub and the web app show a
// person is written in English in the source, marked with Tr (or TrN for a
// count, TrMark for a table of texts translated where they are shown), and
// translated through the message catalogue of the "hamlet" text domain
// (po/vi.po, built into share/locale/vi/LC_MESSAGES/hamlet.mo). Sentences
// with values are printf formats given to Format, so that a translation may
// reorder them ("%1$s", "%2$s").
//
// A program chooses the language once, at start, with SetUpLanguage; a
// library embedded in an app that never calls it speaks the language of the
// process's locale when the catalogue is installed, English otherwise.
// Built without gettext (HAMLET_NLS off, as on Android), every text is the
// English one.
#ifndef HAMLET_LANGUAGE_H_
#define HAMLET_LANGUAGE_H_

#include <string>

#include "hamlet/export.h"

namespace hamlet {

// The gettext text domain of all of Hamlet's programs and of libhamlet.
inline constexpr const char* kTextDomain = "hamlet";

enum class Language { kEnglish, kVietnamese };

// The translation of msgid in the chosen language, or msgid itself. The
// returned text is owned by the catalogue (or is msgid) and lives as long as
// the process. Thread-safe.
HAMLET_EXPORT const char* Tr(const char* msgid) __attribute__((format_arg(1)));
// The form of a sentence about n things: singular for n == 1 in English,
// as the language's plural rule says otherwise. Thread-safe.
HAMLET_EXPORT const char* TrN(const char* singular, const char* plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
// Marks a text for the catalogue without translating it: for tables of
// texts that are translated with Tr where they are shown.
constexpr const char* TrMark(const char* msgid) { return msgid; }

// printf into a string. The format's arguments are checked by the compiler,
// also through Tr.
HAMLET_EXPORT std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));

// Chooses this process's language from its environment, once, before other
// threads start (it sets the C library's locale and environment):
//   HAMLET_LANG=vi or en forces it; otherwise the first of LANGUAGE, LC_ALL,
//   LC_MESSAGES and LANG that is set decides (Vietnamese when it begins with
//   "vi", as LANG=vi_VN.UTF-8 does), whether or not the system has that
//   locale installed.
// The catalogue is looked for in HAMLET_LOCALEDIR when set, else in
// share/locale beside the program (its folder's ../share/locale, which holds
// for an installed program and in the build tree alike), else in
// /usr/share/locale. Only the character type and message categories of the
// locale are taken from the environment: numbers and dates printed by the
// programs keep one form (a machine reads them too).
// Returns the language chosen. Not thread-safe.
HAMLET_EXPORT Language SetUpLanguage();

// The language chosen by SetUpLanguage (English before it is called).
HAMLET_EXPORT Language CurrentLanguage();

// "vi" or "en".
HAMLET_EXPORT const char* LanguageCode(Language language);

}  // namespace hamlet

#endif  // HAMLET_LANGUAGE_H_
