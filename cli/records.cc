#include "commands.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <vector>

#include "hamlet/display_text.h"
#include "hamlet/json.h"
#include "hamlet/language.h"
#include "office/categories.h"
#include "office/dates.h"
#include "office/deadlines.h"
#include "office/record_kinds.h"
#include "office/record_writes.h"
#include "table.h"

namespace hamlet::cli {

namespace {

using nlohmann::json;

using Given = Typed;  // Field -> text given on the command line.

// A confidential field given as "-" is read from standard input, one line
// each in field order, so that a reporter's name never enters the shell's
// history; at a terminal each is asked for.
Status ReadConfidentialInput(const RecordSpec& spec, Given* given) {
  for (const FieldSpec& f : spec.fields) {
    auto it = given->find(f.name);
    if (!f.confidential || it == given->end() || it->second != "-") continue;
    if (isatty(STDIN_FILENO)) {
      std::fprintf(stderr, "%s ", Format(Tr("%s (kept from the shell's history):"), Tr(f.label)).c_str());
    }
    std::string line;
    if (!std::getline(std::cin, line)) {
      return Status::InvalidArgument(
          Format(Tr("%s - reads a line from standard input, and there is none"), OptionName(f.name).c_str()));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return Status::InvalidArgument(Format(Tr("%s is empty"), OptionName(f.name).c_str()));
    it->second = line;
  }
  return Status::OK();
}

// The concerns of ws whose ticket is ticket, each with the device its
// proof checks out for, if one does.
struct Verified {
  Record record;
  bool genuine = false;
  bool changed = false;  // Its content differs from what was received.
};

int VerifyReceipt(const Context& c, const std::string& ticket, const std::string& code, bool as_json) {
  const std::string what = "receipt verify";
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  Status s = c.PickWorkspace(*r, &ws);
  Query q;
  q.workspace = ws;
  q.collection = "concerns";
  q.equals.emplace_back("ticket", ticket);
  q.limit = 100;
  QueryResult res;
  std::vector<DeviceStatus> devices;
  if (s.ok()) s = r->Find(q, &res);
  if (s.ok()) s = r->Devices(ws, &devices);
  if (!s.ok()) return Refuse(what, s);
  if (res.records.empty()) {
    Complain("receipt verify: " + Format(Tr("no concern with ticket %s here (perhaps not synced yet)"), ticket.c_str()));
    return kExitError;
  }
  // The ticket names its device by the first digits of its id; of all the
  // concerns that carry the ticket (a copy by another device cannot hide
  // the genuine one), the one whose proof that device signed counts.
  std::string prefix = ticket.substr(0, ticket.find('-'));
  for (char& ch : prefix) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::optional<Verified> found;
  for (const Record& rec : res.records) {
    auto field = [&](const char* name) {
      auto it = rec.fields.find(name);
      return it != rec.fields.end() && std::holds_alternative<std::string>(it->second) ? std::get<std::string>(it->second)
                                                                                        : std::string();
    };
    for (const DeviceStatus& d : devices) {
      if (d.device.Hex().rfind(prefix, 0) != 0) continue;
      if (r->VerifyReceipt(ws, d.device, ticket, rec.id, field("receipt_digest"), field("receipt_proof"), code).ok()) {
        found = Verified{rec, true, IntakeDigest(rec.fields) != field("receipt_digest")};
      }
    }
  }
  if (!found) {
    Complain("receipt verify: " +
             Format(Tr("the code does not match ticket %s: this receipt is not genuine"), ticket.c_str()));
    return kExitError;
  }
  const Record& rec = found->record;
  auto field = [&](const char* name) {
    auto it = rec.fields.find(name);
    return it == rec.fields.end() ? std::string("-") : Show(it->second);
  };
  if (as_json) {
    json out{{"ticket", ticket},
             {"genuine", true},
             {"concern", rec.id.Hex()},
             {"received", field("received")},
             {"status", field("status")},
             {"changed_since_received", found->changed}};
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  Say(Format(Tr("Receipt %s is genuine: concern %s, received %s, now %s."), ticket.c_str(), rec.id.Hex().c_str(),
             field("received").c_str(), ChoiceLabel(field("status")).c_str()));
  if (found->changed) {
    Say(Tr("Note: what was recorded when it was received (summary, details, kind, category, hamlet or date) "
           "has been changed since."));
  }
  return kExitOk;
}

int Add(const Context& c, const RecordSpec& spec, Given given, bool as_json) {
  const std::string what = spec.command + " add";
  std::map<std::string, Value> fields;
  Status s = ReadConfidentialInput(spec, &given);
  if (s.ok()) s = ParseTyped(spec, given, &fields);
  if (s.ok()) s = CompleteNewRecord(spec, &fields);
  if (!s.ok()) return Refuse(what, s);
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  WriteBatch b;
  NewRecord added;
  s = PrepareNewRecord(*o.replica, o.ws, spec, std::move(fields), &b, &added);
  if (s.ok()) s = WriteWithWarnings(*o.replica, o.ws, b);
  if (!s.ok()) return Refuse(what, s);
  const RecordId& id = added.id;
  const std::string& ticket = added.ticket;
  const std::string& code = added.code;
  if (as_json) {
    json out{{"id", id.Hex()}};
    if (!ticket.empty()) out["receipt"] = {{"ticket", ticket}, {"code", code}};
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  Say(Format(Tr("Recorded %s %s."), Tr(spec.noun), id.Hex().c_str()));
  if (added.n_sealed) {
    Say(Tr("The reporter's details are sealed to the officers: from now on only their devices can read them."));
  }
  if (!ticket.empty()) {
    Say(Tr("Receipt for the resident:"));
    PrintTable({{"  " + std::string(Tr("Ticket:")), ticket},
                {"  " + std::string(Tr("Received:")), Show(added.fields["received"])},
                {"  " + std::string(Tr("Verification code:")), code}});
  }
  return kExitOk;
}

// Sets the given fields of one record; what names the command in messages.
int Change(const Context& c, const RecordSpec& spec, const std::string& id, Given given, const std::string& what) {
  if (given.empty()) return Refuse(what, Status::InvalidArgument(Tr("nothing to change: give a field option")));
  std::map<std::string, Value> fields;
  Status s = ReadConfidentialInput(spec, &given);
  if (s.ok()) s = ParseTyped(spec, given, &fields);
  if (!s.ok()) return Refuse(what, s);
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  Record rec;
  WriteBatch b;
  RecordChange changed;
  s = FindRecord(*o.replica, o.ws, spec, id, &rec);
  if (s.ok()) s = PrepareChange(*o.replica, o.ws, spec, rec, std::move(fields), &b, &changed);
  if (s.ok()) s = WriteWithWarnings(*o.replica, o.ws, b);
  if (!s.ok()) return Refuse(what, s);
  Say(Format(Tr("Changed %s %s."), Tr(spec.noun), rec.id.Hex().c_str()));
  if (changed.n_sealed) Say(Tr("The reporter's details are sealed to the officers."));
  if (changed.became_denunciation && changed.n_sealed) {
    Say(Tr("Note: the reporter's earlier, unsealed values remain in the history of the devices that hold it."));
  }
  return kExitOk;
}

int ShowOne(const Context& c, const RecordSpec& spec, const std::string& id, bool as_json) {
  Opened o;
  if (int rc = Open(c, spec.command + " show", &o); rc != kExitOk) return rc;
  Record rec;
  Status s = FindRecord(*o.replica, o.ws, spec, id, &rec);
  if (!s.ok()) return Refuse(spec.command + " show", s);
  if (as_json) {
    std::printf("%s\n", ReadableJson(*o.replica, o.ws, rec).dump().c_str());
    return kExitOk;
  }
  std::vector<std::string> unreadable;
  OpenSealedFields(*o.replica, o.ws, &rec, &unreadable);
  std::vector<Record> followups;
  std::map<RecordId, std::vector<Extension>> extensions;
  if (spec.collection == "concerns") {
    Settings settings;
    s = Followups(*o.replica, o.ws, rec.id, &followups);
    if (s.ok()) s = LoadSettings(*o.replica, o.ws, &settings);
    if (s.ok()) s = LoadExtensions(*o.replica, o.ws, settings, &extensions, &rec.id);
    if (!s.ok()) return Refuse(spec.command + " show", s);
  }
  const std::vector<Extension>& extended = extensions[rec.id];
  Say(std::string(Tr(spec.noun)) + " " + rec.id.Hex() + (rec.deleted ? " " + std::string(Tr("(deleted)")) : ""));
  std::vector<std::vector<std::string>> rows;
  for (const FieldSpec& f : spec.fields) {
    auto it = rec.fields.find(f.name);
    if (it == rec.fields.end()) continue;
    bool sealed = std::find(unreadable.begin(), unreadable.end(), f.name) != unreadable.end();
    std::string shown = sealed ? Unreadable() : ShowField(f, it->second);
    if (f.name == "due" && !extended.empty()) shown = DueText(DeadlineOf(rec, extended));
    rows.push_back({"  " + std::string(Tr(f.label)) + ":", shown});
    if (auto conflict = rec.conflicts.find(f.name); conflict != rec.conflicts.end()) {
      for (const Value& v : conflict->second) {
        rows.push_back({"", Format(Tr("also: %s (concurrent edit)"), ShowField(f, v).c_str())});
      }
    }
  }
  for (const Extension& e : extended) rows.push_back({"  " + ExtensionLabel(e), ExtensionText(e)});
  for (const Record& f : followups) {
    auto date = f.fields.find("date");
    auto note = f.fields.find("note");
    rows.push_back({"  " + Format(Tr("follow-up %s:"), date == f.fields.end() ? "-" : Show(date->second).c_str()),
                    note == f.fields.end() ? "" : Show(note->second)});
  }
  PrintTable(rows);
  return kExitOk;
}

// Extends a denunciation's deadline, recorded with its reason.
int Extend(const Context& c, const RecordSpec& spec, const std::string& id, const std::string& reason,
           const std::string& date) {
  const std::string what = "concern extend";
  Timestamp when = Today();
  Status s = date.empty() ? Status::OK() : ParseDate(date, &when);
  if (!s.ok()) return Refuse(what, s.WithContext("--date: "));
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  Record rec;
  Settings settings;
  std::map<RecordId, std::vector<Extension>> extensions;
  WriteBatch b;
  s = FindRecord(*o.replica, o.ws, spec, id, &rec);
  if (s.ok()) s = LoadSettings(*o.replica, o.ws, &settings);
  if (s.ok()) s = LoadExtensions(*o.replica, o.ws, settings, &extensions, &rec.id);
  if (s.ok()) s = ExtendDeadline(settings, rec, extensions[rec.id], reason, when, &b);
  if (s.ok()) s = WriteWithWarnings(*o.replica, o.ws, b);
  if (!s.ok()) return Refuse(what, s);
  // ExtendDeadline took it only while fewer than the most allowed count, so it counts too.
  Deadline d = DeadlineOf(rec, extensions[rec.id]);
  d.due.millis += settings.Get("extension_days") * kDayMillis;
  d.extensions++;
  Say(Format(Tr("Extended the deadline of denunciation %s to %s (extension %d of %lld)."), rec.id.Hex().c_str(),
             FormatDate(d.due).c_str(), d.extensions, static_cast<long long>(settings.Get("max_extensions"))));
  return kExitOk;
}

int AddFollowup(const Context& c, const RecordSpec& spec, const std::string& id, const std::string& note,
                const std::string& date) {
  const std::string what = "concern followup";
  Timestamp when;
  if (Status s = CheckFollowup(note, date, &when); !s.ok()) return Refuse(what, s);
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  Record rec;
  WriteBatch b;
  Status s = FindRecord(*o.replica, o.ws, spec, id, &rec);
  if (s.ok()) s = PrepareFollowup(rec, note, date, &b);
  if (s.ok()) s = WriteWithWarnings(*o.replica, o.ws, b);
  if (!s.ok()) return Refuse(what, s);
  Say(Format(Tr("Added a follow-up to concern %s."), rec.id.Hex().c_str()));
  return kExitOk;
}

// Seals the reporters of denunciations again for the officers this replica
// knows now, so that an officer admitted after a denunciation was recorded
// can read it too. Only a device that can read a value can seal it again.
int Reseal(const Context& c, const RecordSpec& spec) {
  const std::string what = "concern reseal";
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  std::vector<DeviceStatus> devices;
  Status s = o.replica->Devices(o.ws, &devices);
  if (!s.ok()) return Refuse(what, s);
  std::set<DeviceId> officers;
  for (const DeviceStatus& d : devices) {
    if ((d.role == Role::kAdmin || d.role == Role::kOfficer) && !d.revoked) officers.insert(d.device);
  }
  Query q;
  q.workspace = o.ws;
  q.collection = spec.collection;
  q.equals.emplace_back("kind", std::string("denunciation"));
  q.limit = 1000;
  WriteBatch b;
  size_t unreadable = 0;
  for (q.offset = 0;; q.offset += q.limit) {
    QueryResult res;
    if (!(s = o.replica->Find(q, &res)).ok()) return Refuse(what, s);
    for (const Record& rec : res.records) {
      std::map<std::string, Value> fields;
      bool skipped = false;
      for (const FieldSpec& f : spec.fields) {
        auto it = rec.fields.find(f.name);
        if (!f.confidential || it == rec.fields.end()) continue;
        const auto* sealed = std::get_if<std::string>(&it->second);
        std::vector<DeviceId> readers;
        if (!sealed || !Replica::SealedReaders(*sealed, &readers).ok()) continue;
        if (std::all_of(officers.begin(), officers.end(), [&readers](const DeviceId& d) {
              return std::find(readers.begin(), readers.end(), d) != readers.end();
            })) {
          continue;
        }
        std::string text, again;
        if (!o.replica->Unseal(o.ws, *sealed, &text).ok()) {
          skipped = true;
          continue;
        }
        if (!(s = o.replica->SealForOfficers(o.ws, text, &again)).ok()) return Refuse(what, s);
        fields[f.name] = again;
      }
      unreadable += skipped;
      if (!fields.empty()) b.Update(rec.id, fields);
    }
    if (q.offset + q.limit >= res.total) break;
  }
  if (!b.empty() && !(s = WriteWithWarnings(*o.replica, o.ws, b)).ok()) return Refuse(what, s);
  Say(Format(TrN("Sealed the reporters of %zu denunciation again, for the %zu officer devices known now.",
                  "Sealed the reporters of %zu denunciations again, for the %zu officer devices known now.", b.size()),
             b.size(), officers.size()));
  if (unreadable) {
    Say(Format(Tr("%zu could not be read on this device; a device that reads them can seal them again."), unreadable));
  }
  return kExitOk;
}

// assign, resolve, transfer, reject: each sets the status and one field
// from its option (and resolve the resolution date).
void AddConcernVerbs(CLI::App* cmd, const Context* c, const RecordSpec* sp) {
  for (const ConcernVerb& v : ConcernVerbs()) {
    auto id = std::make_shared<std::string>();
    auto value = std::make_shared<std::string>();
    auto date = std::make_shared<std::string>();
    CLI::App* verb = cmd->add_subcommand(v.name, Tr(v.help));
    verb->add_option("id", *id, Tr("Its id, or its first 6 or more digits"))->required();
    verb->add_option(v.option, *value, Tr(v.input))->required();
    if (std::string(v.name) == "resolve") verb->add_option("--date", *date, Tr("When (DD/MM/YYYY; default today)"));
    const ConcernVerb* vp = &v;
    OnRun(verb, [c, sp, vp, id, value, date] {
      return Change(*c, *sp, *id, VerbFields(*vp, *value, *date), std::string("concern ") + vp->name);
    });
  }
  auto id = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  auto date = std::make_shared<std::string>();
  CLI::App* reseal = cmd->add_subcommand(
      "reseal", Tr("Seal denunciation reporters again for the officers known now (as an officer who can read them)"));
  OnRun(reseal, [c, sp] { return Reseal(*c, *sp); });
  auto extend_id = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto extend_date = std::make_shared<std::string>();
  CLI::App* extend = cmd->add_subcommand(
      "extend", Tr("Extend a denunciation's deadline, at most twice by 30 days (hamlet settings), with the reason"));
  extend->add_option("id", *extend_id, Tr("Its id, or its first 6 or more digits"))->required();
  extend->add_option("--reason", *reason, Tr("Why it needs longer"))->required();
  extend->add_option("--date", *extend_date, Tr("When it was decided (DD/MM/YYYY; default today)"));
  OnRun(extend, [c, sp, extend_id, reason, extend_date] { return Extend(*c, *sp, *extend_id, *reason, *extend_date); });
  CLI::App* followup =
      cmd->add_subcommand("followup", Tr("Add a follow-up entry to a concern (entries are never changed)"));
  followup->add_option("id", *id, Tr("Its id, or its first 6 or more digits"))->required();
  followup->add_option("--note", *note, Tr("What happened"))->required();
  followup->add_option("--date", *date, Tr("When (DD/MM/YYYY; default today)"));
  OnRun(followup, [c, sp, id, note, date] { return AddFollowup(*c, *sp, *id, *note, *date); });
}

struct ListArgs {
  Given equals;
  std::string search, from, to;
  bool overdue = false, as_json = false;
  int64_t due_within = -1;  // Days; -1 when not asked.
  size_t limit = 50;
};

int List(const Context& c, const RecordSpec& spec, const ListArgs& a) {
  Query q;
  q.collection = spec.collection;
  q.text = a.search;
  bool by_deadline = a.overdue || a.due_within >= 0;
  q.limit = by_deadline ? 100000 : a.limit;
  Status s;
  for (const auto& filter : a.equals) {
    const std::string& name = filter.first;
    const FieldSpec& f = *FindField(spec, name);  // A filter option of one of spec's fields.
    Value v;
    s = ParseValue(f, filter.second, &v);
    if (!s.ok()) return Refuse(spec.command + " list", s);
    q.equals.emplace_back(name, v);
  }
  if (!a.from.empty() || !a.to.empty()) {
    if (spec.date_field.empty()) {
      return Refuse(spec.command + " list", Status::InvalidArgument(Format(Tr("%s have no date"), Tr(spec.plural))));
    }
    q.time_field = spec.date_field;
    Timestamp t;
    if (!a.from.empty()) {
      if (!(s = ParseDate(a.from, &t)).ok()) return Refuse(spec.command + " list", s.WithContext("--from: "));
      q.from = t;
    }
    if (!a.to.empty()) {
      if (!(s = ParseDate(a.to, &t)).ok()) return Refuse(spec.command + " list", s.WithContext("--to: "));
      q.to = Timestamp{t.millis + 86400000};  // --to is inclusive of its day.
    }
  }
  Opened o;
  if (int rc = Open(c, spec.command + " list", &o); rc != kExitOk) return rc;
  q.workspace = o.ws;
  QueryResult res;
  for (const auto& condition : q.equals) {
    if (condition.first == "category" && s.ok()) s = CheckCategory(*o.replica, o.ws, Show(condition.second), true);
  }
  if (s.ok()) s = o.replica->Find(q, &res);
  if (!s.ok()) return Refuse(spec.command + " list", s);
  if (s.ok() && by_deadline) {
    // Open concerns late or about to be, soonest due first.
    Settings settings;
    std::map<RecordId, std::vector<Extension>> extensions;
    s = LoadSettings(*o.replica, o.ws, &settings);
    if (s.ok()) s = LoadExtensions(*o.replica, o.ws, settings, &extensions);
    KeepByDeadline(extensions, a.overdue, a.due_within, &res.records);
    res.total = res.records.size();
    if (res.records.size() > a.limit) res.records.resize(a.limit);
  }
  if (!s.ok()) return Refuse(spec.command + " list", s);
  if (a.as_json) {
    json records = json::array();
    for (const Record& r : res.records) records.push_back(ReadableJson(*o.replica, o.ws, r));
    std::printf("%s\n", json{{"total", res.total}, {"records", records}}.dump().c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{Tr("ID")}};
  for (const FieldSpec& f : spec.fields) {
    if (f.listed) rows[0].push_back(UpperCase(Tr(f.label)));
  }
  for (const Record& r : res.records) {
    rows.push_back({r.id.Hex().substr(0, 8)});
    for (const FieldSpec& f : spec.fields) {
      if (!f.listed) continue;
      auto it = r.fields.find(f.name);
      rows.back().push_back(it == r.fields.end() ? "-" : ClipCharacters(ShowField(f, it->second), 40));
    }
  }
  PrintTable(rows);
  Say(Format(Tr("%zu of %zu %s."), res.records.size(), res.total, Tr(spec.plural)));
  return kExitOk;
}

// Adds an option for each field, collecting what is given into *given.
enum class Use { kAdd, kEdit, kFilter };

void FieldOptions(CLI::App* cmd, const RecordSpec& spec, std::shared_ptr<Given> given, Use use) {
  bool only_filters = use == Use::kFilter;
  for (const FieldSpec& f : spec.fields) {
    if (only_filters && !f.filter) continue;
    if (!only_filters && f.automatic) continue;
    std::string help = Tr(f.help);
    if (f.kind == Kind::kChoice) {
      help += " (";
      for (size_t i = 0; i < f.choices.size(); i++) {
        help += (i ? ", " : "") + f.choices[i];
        if (ChoiceLabel(f.choices[i]) != f.choices[i]) help += ": " + ChoiceLabel(f.choices[i]);
      }
      help += ")";
    }
    if (f.required && use == Use::kAdd) help += std::string("; ") + Tr("required");
    std::string name = f.name;
    cmd->add_option_function<std::string>(
        OptionName(f.name), [given, name](const std::string& v) { (*given)[name] = v; }, help);
  }
}

}  // namespace

void AddRecordCommands(CLI::App* app, const Context* c) {
  for (const RecordSpec& spec : Specs()) {
    const RecordSpec* sp = &spec;
    CLI::App* cmd = app->add_subcommand(spec.command, Format(Tr("Record and read %s"), Tr(spec.plural)));
    cmd->require_subcommand(1);

    auto add_given = std::make_shared<Given>();
    auto add_json = std::make_shared<bool>(false);
    CLI::App* add = cmd->add_subcommand("add", Format(Tr("Record a %s"), Tr(spec.noun)));
    FieldOptions(add, spec, add_given, Use::kAdd);
    add->add_flag("--json", *add_json, Tr("Print the new id as JSON"));
    OnRun(add, [c, sp, add_given, add_json] { return Add(*c, *sp, *add_given, *add_json); });

    auto list_args = std::make_shared<ListArgs>();
    auto filters = std::make_shared<Given>();
    CLI::App* list = cmd->add_subcommand("list", Format(Tr("List %s, most recently changed first"), Tr(spec.plural)));
    FieldOptions(list, spec, filters, Use::kFilter);
    list->add_option("--search", list_args->search, Tr("Words that must all occur (accents optional)"));
    if (!spec.date_field.empty()) {
      list->add_option("--from", list_args->from,
                       Format(Tr("From this date (DD/MM/YYYY), by %s"), OptionName(spec.date_field).c_str()));
      list->add_option("--to", list_args->to, Tr("Up to this date, included"));
    }
    if (spec.collection == "concerns") {
      list->add_flag("--overdue", list_args->overdue, Tr("Open and past their due date, soonest due first"));
      list->add_option("--due-within", list_args->due_within,
                       Tr("Open and due within this many days from today, soonest due first"))
          ->check(CLI::Range(0, 3650));
    }
    list->add_option("--limit", list_args->limit, Tr("At most this many"))
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    list->add_flag("--json", list_args->as_json, Tr("Print JSON"));
    OnRun(list, [c, sp, list_args, filters] {
      ListArgs a = *list_args;
      a.equals = *filters;
      return List(*c, *sp, a);
    });

    auto show_id = std::make_shared<std::string>();
    auto show_json = std::make_shared<bool>(false);
    CLI::App* show = cmd->add_subcommand("show", Format(Tr("Show one %s"), Tr(spec.noun)));
    show->add_option("id", *show_id, Tr("Its id, or its first 6 or more digits"))->required();
    show->add_flag("--json", *show_json, Tr("Print JSON"));
    OnRun(show, [c, sp, show_id, show_json] { return ShowOne(*c, *sp, *show_id, *show_json); });

    auto edit_id = std::make_shared<std::string>();
    auto edit_given = std::make_shared<Given>();
    CLI::App* edit = cmd->add_subcommand("edit", Format(Tr("Change fields of a %s"), Tr(spec.noun)));
    edit->add_option("id", *edit_id, Tr("Its id, or its first 6 or more digits"))->required();
    FieldOptions(edit, spec, edit_given, Use::kEdit);
    OnRun(edit, [c, sp, edit_id, edit_given] { return Change(*c, *sp, *edit_id, *edit_given, sp->command + " edit"); });
    if (spec.collection == "concerns") AddConcernVerbs(cmd, c, sp);
    AddAttachCommand(cmd, c, sp);
  }
  auto ticket = std::make_shared<std::string>();
  auto code = std::make_shared<std::string>();
  CLI::App* receipt = app->add_subcommand("receipt", Tr("Check a resident's receipt"));
  receipt->require_subcommand(1);
  CLI::App* verify = receipt->add_subcommand("verify", Tr("Check that a receipt's code belongs to its ticket"));
  verify->add_option("ticket", *ticket, Tr("The ticket, e.g. A3F29C-7"))->required();
  verify->add_option("code", *code, Tr("The verification code, e.g. 1234-5678"))->required();
  auto verify_json = std::make_shared<bool>(false);
  verify->add_flag("--json", *verify_json, Tr("Print JSON (a receipt that is not genuine still exits 1)"));
  OnRun(verify, [c, ticket, code, verify_json] { return VerifyReceipt(*c, *ticket, *code, *verify_json); });
}

}  // namespace hamlet::cli
