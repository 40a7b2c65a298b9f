#include "dates.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "hamlet/language.h"

namespace hamlet::office {

namespace {

constexpr int64_t kDayMs = kDayMillis;

std::chrono::year_month_day DateOf(Timestamp t) {
  int64_t days = t.millis >= 0 ? t.millis / kDayMs : (t.millis - kDayMs + 1) / kDayMs;
  return std::chrono::year_month_day{std::chrono::sys_days(std::chrono::days(days))};
}

bool ToTimestamp(int y, unsigned m, unsigned d, Timestamp* out) {
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok() || y < 1900 || y > 2200) return false;
  out->millis = static_cast<int64_t>(std::chrono::sys_days(ymd).time_since_epoch().count()) * kDayMs;
  return true;
}

}  // namespace

Status ParseDate(const std::string& text, Timestamp* out) {
  int a = 0, b = 0, c = 0;
  char s1 = 0, s2 = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c%d%n", &a, &s1, &b, &s2, &c, &used) == 5 &&
      static_cast<size_t>(used) == text.size() && a > 0 && b > 0 && c > 0) {
    if (s1 == '/' && s2 == '/' && ToTimestamp(c, static_cast<unsigned>(b), static_cast<unsigned>(a), out)) {
      return Status::OK();
    }
    if (s1 == '-' && s2 == '-' && ToTimestamp(a, static_cast<unsigned>(b), static_cast<unsigned>(c), out)) {
      return Status::OK();
    }
  }
  return Status::InvalidArgument(Format(Tr("'%s' is not a date: write DD/MM/YYYY or YYYY-MM-DD"), text.c_str()));
}

std::string FormatDate(Timestamp t) {
  std::chrono::year_month_day ymd = DateOf(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                static_cast<int>(ymd.year()));
  return buf;
}

Timestamp Today() {
  auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Timestamp{static_cast<int64_t>(days.time_since_epoch().count()) * kDayMs};
}

std::string FormatLocalTime(int64_t unix_seconds) {
  char when[64];
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::strftime(when, sizeof when, "%d/%m/%Y %H:%M", std::localtime(&t));
  return when;
}

int YearOf(Timestamp t) { return static_cast<int>(DateOf(t).year()); }

Timestamp FirstOfMonth(Timestamp t) {
  std::chrono::year_month_day ymd = DateOf(t);
  Timestamp out;
  ToTimestamp(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), 1, &out);
  return out;
}

}  // namespace hamlet::office
