#include "hamlet/language.h"

#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#if HAMLET_NLS
#include <libintl.h>
#include <clocale>
#include <sys/stat.h>
#endif

namespace hamlet {

namespace {

std::atomic<Language> chosen{Language::kEnglish};

// The first of the environment variables gettext itself would consult that
// is set and not empty; "" when none is.
std::string LocaleFromEnvironment() {
  for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return "";
}

#if HAMLET_NLS
bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string CatalogueDirectory() {
  if (const char* dir = std::getenv("HAMLET_LOCALEDIR"); dir != nullptr && dir[0] != '\0') return dir;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    std::string path(exe, static_cast<size_t>(n));
    size_t slash = path.rfind('/');
    if (slash != std::string::npos) {
      std::string beside = path.substr(0, slash) + "/../share/locale";
      if (IsDirectory(beside + "/vi/LC_MESSAGES")) return beside;
    }
  }
  return "/usr/share/locale";
}
#endif

}  // namespace

const char* Tr(const char* msgid) {
#if HAMLET_NLS
  return dgettext(kTextDomain, msgid);
#else
  return msgid;
#endif
}

const char* TrN(const char* singular, const char* plural, unsigned long n) {
#if HAMLET_NLS
  return dngettext(kTextDomain, singular, plural, n);
#else
  return n == 1 ? singular : plural;
#endif
}

std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out;
  if (n > 0) {
    out.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data(), out.size(), format, again);
    out.resize(static_cast<size_t>(n));
  }
  va_end(again);
  return out;
}

Language SetUpLanguage() {
  Language language = Language::kEnglish;
  const char* forced = std::getenv("HAMLET_LANG");
  if (forced != nullptr && forced[0] != '\0') {
    language = std::strncmp(forced, "vi", 2) == 0 ? Language::kVietnamese : Language::kEnglish;
  } else {
    language = LocaleFromEnvironment().rfind("vi", 0) == 0 ? Language::kVietnamese : Language::kEnglish;
  }
#if HAMLET_NLS
  // A Vietnamese locale is rarely installed on a server or a fresh system;
  // C.UTF-8 always is, and with it gettext follows LANGUAGE.
  // gettext ignores LANGUAGE under the plain C locale.
  for (int category : {LC_CTYPE, LC_MESSAGES}) {
    const char* set = std::setlocale(category, "");
    if (set == nullptr || std::strcmp(set, "C") == 0 || std::strcmp(set, "POSIX") == 0) {
      std::setlocale(category, "C.UTF-8");
    }
  }
  setenv("LANGUAGE", LanguageCode(language), 1);
  bindtextdomain(kTextDomain, CatalogueDirectory().c_str());
  bind_textdomain_codeset(kTextDomain, "UTF-8");
#endif
  chosen.store(language);
  return language;
}

Language CurrentLanguage() { return chosen.load(); }

const char* LanguageCode(Language language) { return language == Language::kVietnamese ? "vi" : "en"; }

}  // namespace hamlet
