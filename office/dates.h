// Dates as the users write them: DD/MM/YYYY (also D/M/YYYY) or ISO
// YYYY-MM-DD. A date is stored as the timestamp of its midnight, UTC.
#ifndef HAMLET_OFFICE_DATES_H_
#define HAMLET_OFFICE_DATES_H_

#include <string>

#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet::office {

inline constexpr int64_t kDayMillis = 86400000;

Status ParseDate(const std::string& text, Timestamp* out);
// DD/MM/YYYY.
std::string FormatDate(Timestamp t);
// Today's date on this machine's clock.
Timestamp Today();
// A moment given in Unix seconds, as DD/MM/YYYY HH:MM in local time.
std::string FormatLocalTime(int64_t unix_seconds);
// The calendar year, and the first day of the month, of t.
int YearOf(Timestamp t);
Timestamp FirstOfMonth(Timestamp t);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_DATES_H_
