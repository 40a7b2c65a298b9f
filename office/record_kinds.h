// The kinds of record hamlet keeps (dialogues, concerns, models): each is
// described once, field by field, and every record command of the command
// line and every form of the web app is built from that description. Also what those commands share: parsing and
// showing values, the sealed reporter of a denunciation, and finding a record by a prefix of its id.
#ifndef HAMLET_OFFICE_RECORD_KINDS_H_
#define HAMLET_OFFICE_RECORD_KINDS_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hamlet/replica.h"

namespace hamlet::office {

// kCategory is text checked against the workspace's categories (categories.h).
// kYear is a whole number that defaults to this year. kYesNo is typed yes
// or no and kept as a boolean.
enum class Kind { kText, kDate, kCount, kChoice, kCategory, kYear, kYesNo };

struct FieldSpec {
  std::string name;   // Field name; the option is --name with '_' as '-'.
  const char* label;  // Its heading in tables, in English (Tr gives the chosen language's).
  const char* help;   // Its option's help, likewise.
  Kind kind = Kind::kText;
  bool required = false;
  std::vector<std::string> choices;  // For kChoice; the first is the default when not required.
  bool listed = false;               // A column of `list`.
  bool filter = false;               // `list --name VALUE` keeps equal values.
  bool automatic = false;            // Set by hamlet itself, never by an option of add or edit.
  bool confidential = false;         // Sealed to the officers when the concern is a denunciation.
  // For text: whether `search` finds its words, or only list filters its
  // exact value. Other kinds are always found by value only.
  FieldIndex index = FieldIndex::kWords;
};

struct RecordSpec {
  std::string command, collection;
  const char* noun;         // One record, in English (Tr gives the chosen language's): "concern".
  const char* plural;       // Several: "concerns".
  std::string date_field;   // The date a record is filed under, if any.
  std::string title_field;  // The field that names a record in one line.
  std::vector<FieldSpec> fields;
};

// The field of spec named name, or nullptr.
const FieldSpec* FindField(const RecordSpec& spec, const std::string& name);

// Every kind of record, in the order commands list them.
const std::vector<RecordSpec>& Specs();
// The kind of record kept in collection, or nullptr.
const RecordSpec* SpecFor(const std::string& collection);

// Tells the replica what its index keeps of each kind's fields (words of
// free text; exact values of choices, dates, numbers and ids): called on
// every replica the commands open or create.
Status DeclareIndexes(Replica& r);

// A field as people read it: its label in the chosen language, with its
// name after it when they differ ("trạng thái (status)"), for commands that
// take the name. spec may be null (then the name alone).
std::string FieldLabel(const RecordSpec* spec, const std::string& field);

// "--reporter-name" for reporter_name.
std::string OptionName(const std::string& field);
// Parses what the user typed for field f; InvalidArgument names the option.
Status ParseValue(const FieldSpec& f, const std::string& text, Value* out);
// Completes the fields of a new record of spec: InvalidArgument naming the
// option of a required field that is missing; defaults for the others (a
// choice's first word, today for the record's date, this year; a concern
// given a dialogue arrived at one).
Status CompleteNewRecord(const RecordSpec& spec, std::map<std::string, Value>* fields);
// The text of fields[name]; "" when it has none or holds no text.
std::string TextField(const std::map<std::string, Value>& fields, const char* name);
// The date of fields[name] in *out; false when it holds none.
bool DateField(const std::map<std::string, Value>& fields, const char* name, Timestamp* out);
// A value as users read and write it (dates DD/MM/YYYY).
std::string Show(const Value& v);
// A value of field f as people read it in the chosen language: Show, with
// the words of choices (statuses, kinds) and categories as their labels.
std::string ShowField(const FieldSpec& f, const Value& v);
// The label of one choice's word ("in_progress" reads "in progress"), or
// the word itself when it is no choice.
std::string ChoiceLabel(const std::string& word);

// Shown in place of a sealed value this device may not read.
const char* Unreadable();  // "(sealed: only the officers can read it)"
bool IsDenunciation(const std::map<std::string, Value>& fields);
// Every replica takes a concern's confidential field in clear only beside
// the concern's kind in the same write (protocol.md 7.2): when fields holds
// one in clear and no kind, adds the kind of current (the record's fields).
void KeepKindBesideClearConfidential(const RecordSpec& spec, const std::map<std::string, Value>& current,
                                     std::map<std::string, Value>* fields);
// Seals the confidential fields among fields to the workspace's officers
// (protocol.md, "Sealed values"); n_sealed counts them.
Status SealConfidential(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, std::map<std::string, Value>* fields,
                        size_t* n_sealed);
// Replaces the sealed values of rec by their text where this device may read
// them, and by null where it may not, naming those in *unreadable.
void OpenSealedFields(Replica& r, const WorkspaceId& ws, Record* rec, std::vector<std::string>* unreadable);
// A record as JSON, with its sealed values opened where this device may
// and a "sealed" list naming those it may not.
nlohmann::json ReadableJson(Replica& r, const WorkspaceId& ws, Record rec);
// Checks the category among fields against the workspace's list.
Status CheckCategories(Replica& r, const WorkspaceId& ws, const std::map<std::string, Value>& fields,
                       bool include_retired);

// Finds the record of spec whose id starts with prefix (at least 6 digits).
Status FindRecord(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, const std::string& prefix, Record* out);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_RECORD_KINDS_H_
