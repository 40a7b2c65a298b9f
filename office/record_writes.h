// Writing records as cadres and officers do, for the command line and the
// web app alike: what a new record or a change must also carry beyond the
// fields given (defaults, the law's due date, a concern's ticket and signed
// receipt, a denunciation's sealed reporter), the concern workflow (assign,
// resolve, transfer, reject), follow-ups, and parsing what a person typed.
//
// Each Prepare function checks and builds a WriteBatch without committing
// it: the caller commits (the command line after printing the replica's
// warnings). Nothing is written when one returns an error, except that a
// concern's ticket number, once taken, is not given again.
#ifndef HAMLET_OFFICE_RECORD_WRITES_H_
#define HAMLET_OFFICE_RECORD_WRITES_H_

#include <map>
#include <string>
#include <vector>

#include "hamlet/replica.h"
#include "record_kinds.h"

namespace hamlet::office {

// Field name -> text as typed (a form's input, an option's value).
using Typed = std::map<std::string, std::string>;

// Parses typed into values by the fields of spec; a name spec lacks is
// ignored. InvalidArgument names the field of the first bad value.
Status ParseTyped(const RecordSpec& spec, const Typed& typed, std::map<std::string, Value>* out);

// A new record as prepared.
struct NewRecord {
  RecordId id;
  std::map<std::string, Value> fields;  // As written.
  std::string ticket, code;             // A concern's receipt; empty otherwise.
  size_t n_sealed = 0;                  // Sealed values among fields.
};
// Builds in *b the insert of a new record of spec from parsed fields.
Status PrepareNewRecord(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, std::map<std::string, Value> fields,
                        WriteBatch* b, NewRecord* out);

// A change as prepared.
struct RecordChange {
  size_t n_sealed = 0;
  bool became_denunciation = false;  // Its reporter as written before stays in clear in older history.
};
// Builds in *b the change of rec (a record of spec as read, sealed values
// not opened) to the parsed fields. InvalidArgument when fields is empty.
Status PrepareChange(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, const Record& rec,
                     std::map<std::string, Value> fields, WriteBatch* b, RecordChange* out);

// One step of the concern workflow: the status it sets, and the field its
// one input fills ("assigned_to" for assign). Resolve also sets the date.
struct ConcernVerb {
  const char* name;    // "assign", "resolve", "transfer", "reject".
  const char* help;    // In English; Tr gives the chosen language's.
  const char* button;  // Its button in the web app, likewise: "Resolve".
  const char* option;  // The command line's option: "--to", "--resolution", "--reason".
  const char* input;   // What the input is, in English.
  const char* field;
  const char* status;
};
const std::vector<ConcernVerb>& ConcernVerbs();
const ConcernVerb* FindConcernVerb(const std::string& name);
// The typed fields verb sets with value; date (DD/MM/YYYY, empty for
// today) counts only for resolve.
Typed VerbFields(const ConcernVerb& verb, const std::string& value, const std::string& date);

// A concern's follow-ups, oldest first. They are records of their own, so
// that entries made on different devices never overwrite one another.
inline constexpr const char* kFollowupCollection = "followups";
Status Followups(Replica& r, const WorkspaceId& ws, const RecordId& concern, std::vector<Record>* out);
// Checks a follow-up as typed: InvalidArgument for an empty note or a bad
// date (empty means today, given in *date).
Status CheckFollowup(const std::string& note, const std::string& date, Timestamp* when);
// Builds in *b a follow-up of concern, checked as CheckFollowup does.
Status PrepareFollowup(const Record& concern, const std::string& note, const std::string& date, WriteBatch* b);

// Builds in *b the write that settles conflict k: with pick (1 for the
// value that won for now, 2 and on for the others) or, when pick is 0, with
// value as typed (checked and sealed like any write of the field). *chosen
// is the value written. InvalidArgument for a pick out of range.
Status PrepareSettle(Replica& r, const WorkspaceId& ws, const Conflict& k, size_t pick, const std::string& value,
                     WriteBatch* b, Value* chosen);
// A value as a conflict shows it: sealed ones opened where this device may
// read them, "(none)" for a cleared one.
std::string ReadableValue(Replica& r, const WorkspaceId& ws, const Value& v);

// The digest a receipt binds: what a resident said and where, not the
// fields an officer changes later, nor a sealed reporter.
std::string IntakeDigest(const std::map<std::string, Value>& fields);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_RECORD_WRITES_H_
