// The deadlines the law sets for concerns, and the workspace settings they
// are computed from.
//
// A concern's due date is the day its handling must be finished: counted
// from the day it was accepted (thụ lý), or received when no acceptance is
// recorded, by the number of days its kind takes. Complaints take 30 days,
// 45 when complex; in remote areas 45 and 60. Denunciations take 30 days
// and may be extended at most twice by 30 days. Requests and feedback take
// a workspace default. Every figure is a workspace setting an officer can
// change (`hamlet settings set`); each setting is a record of its own in
// the workspace collection, which only officers may write (protocol.md
// 7.2), so changes made on different devices merge.
//
// The due date is written into the concern when it is recorded, and again
// when what it is counted from changes (kind, dates, complexity), unless
// an officer set it by hand ("due_source" says which). Extensions are
// records of their own in the "extensions" collection, never changed, so
// that two devices extending at once lose neither; only the first
// max_extensions of them (by date, then when recorded) count towards the due date.
#ifndef HAMLET_OFFICE_DEADLINES_H_
#define HAMLET_OFFICE_DEADLINES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hamlet/replica.h"

namespace hamlet::office {

// One setting: its name as typed, its label, and its default.
struct SettingSpec {
  std::string name;
  const char* label;  // In English; Tr gives the chosen language's.
  bool yes_no;        // A yes/no setting (value 0 or 1); else a number of days or times.
  int64_t default_value;
  int64_t max_value;
};
// Every setting, in the order they are listed.
const std::vector<SettingSpec>& SettingSpecs();

// The settings of a workspace as they stand on this replica.
struct Settings {
  std::map<std::string, int64_t> values;  // Every name of SettingSpecs().
  int64_t Get(const std::string& name) const;
  // Whether an officer set it to other than its default.
  bool Changed(const SettingSpec& spec) const { return Get(spec.name) != spec.default_value; }
};
Status LoadSettings(Replica& r, const WorkspaceId& ws, Settings* out);

// Builds in *b the change that sets name to the value typed (a number of
// days or times, or yes/no for a yes/no setting); the caller commits b.
// PermissionDenied for a cadre's device; InvalidArgument naming the choices
// for an unknown name or a value out of range.
Status ChangeSetting(Replica& r, const WorkspaceId& ws, const std::string& name, const std::string& value,
                     WriteBatch* b);

// How a concern's due date came to be (its "due_source" field).
inline constexpr const char* kDueByLaw = "law";
inline constexpr const char* kDueByHand = "hand";

// The number of days a concern of these fields takes under settings: 0 when
// it has no deadline (an unknown kind).
int64_t DaysAllowed(const Settings& settings, const std::map<std::string, Value>& fields);

// Brings the due date of a concern up to date in *changes, the fields a
// write is about to set (current holds the concern's fields before it, empty
// for a new one). A due date given in changes is by hand; "due" given as
// the text "law" (ParseValue never makes it otherwise) asks for the law's
// date again. Otherwise, when the due date follows the law (or the concern
// has none yet) and changes touch what it is counted from, the law's date
// is written. A concern that had a due date before due_source existed is
// taken as set by hand.
void UpdateDue(const Settings& settings, const std::map<std::string, Value>& current,
               std::map<std::string, Value>* changes);

// What a write to a concern must also set: on a new concern (current
// empty) that it is within the commune's jurisdiction unless said
// otherwise; and its due date brought up to date (UpdateDue).
void ApplyConcernRules(const Settings& settings, const std::map<std::string, Value>& current,
                       std::map<std::string, Value>* changes);

// One extension of a concern's deadline.
struct Extension {
  RecordId id;
  Timestamp date;
  std::string reason;
  int64_t days = 0;
  int64_t recorded = 0;  // The recording device's clock, which orders extensions of one day.
  bool counted = false;  // Among the first max_extensions; later ones do not move the due date.
};
inline constexpr const char* kExtensionCollection = "extensions";

// The extensions in ws, oldest first, by concern id: of every concern, or
// of concern alone when it is given (one concern's page need not read all).
Status LoadExtensions(Replica& r, const WorkspaceId& ws, const Settings& settings,
                      std::map<RecordId, std::vector<Extension>>* out, const RecordId* concern = nullptr);

// Builds in *b an extension of the denunciation rec by the workspace's
// extension days, recorded with reason and date; the caller commits b.
// FailedPrecondition when rec is no open denunciation, has no due date, or
// has been extended the most times allowed; InvalidArgument for an empty
// reason.
Status ExtendDeadline(const Settings& settings, const Record& rec, const std::vector<Extension>& extensions,
                      const std::string& reason, Timestamp date, WriteBatch* b);

// A concern's deadline as it stands: its due date with the counted
// extensions added. has is false when it has no due date.
struct Deadline {
  bool has = false;
  Timestamp due;
  int extensions = 0;  // Counted ones.
};
Deadline DeadlineOf(const Record& rec, const std::vector<Extension>& extensions);

// Keeps the open concerns among records that are past their deadline
// (overdue) or due within due_within days from today (due_within >= 0),
// soonest due first.
void KeepByDeadline(const std::map<RecordId, std::vector<Extension>>& extensions, bool overdue, int64_t due_within,
                    std::vector<Record>* records);

// A deadline as people read it: "08/02/2027", or "08/02/2027 (extended 2
// times)".
std::string DueText(const Deadline& d);
// An extension as people read it: its label ("extended 20/11/2026:") and
// what it says ("by 30 days: reason", marked when it does not count).
std::string ExtensionLabel(const Extension& e);
std::string ExtensionText(const Extension& e);

// Whether a concern is still being handled (received or in progress).
bool IsOpen(const Record& rec);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_DEADLINES_H_
