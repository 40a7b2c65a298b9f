#include "deadlines.h"

#include <algorithm>
#include <cassert>

#include "dates.h"
#include "hamlet/language.h"
#include "record_kinds.h"

namespace hamlet::office {

namespace {

// Settings live in the workspace collection, which only officers and the
// admin may write (protocol.md 7.2): one record per setting, named by it.
constexpr char kSettingsCollection[] = "workspace";
constexpr char kSettingPrefix[] = "setting:";

bool YesOf(const std::map<std::string, Value>& fields, const char* name) {
  auto it = fields.find(name);
  return it != fields.end() && std::holds_alternative<bool>(it->second) && std::get<bool>(it->second);
}

Status MayChangeSettings(Replica& r, const WorkspaceId& ws) {
  std::vector<DeviceStatus> devices;
  HAMLET_RETURN_IF_ERROR(r.Devices(ws, &devices));
  for (const DeviceStatus& d : devices) {
    if (d.self && !d.revoked && (d.role == Role::kAdmin || d.role == Role::kOfficer)) return Status::OK();
  }
  return Status::PermissionDenied(Tr("only officers change the workspace's settings"));
}

}  // namespace

const std::vector<SettingSpec>& SettingSpecs() {
  static const std::vector<SettingSpec> specs = {
      {"remote_area", TrMark("The commune is in a remote area (longer deadlines for complaints)"), true, 0, 1},
      {"complaint_days", TrMark("Days to settle a complaint, from acceptance"), false, 30, 365},
      {"complaint_complex_days", TrMark("Days to settle a complex complaint"), false, 45, 365},
      {"complaint_remote_days", TrMark("Days to settle a complaint in a remote area"), false, 45, 365},
      {"complaint_remote_complex_days", TrMark("Days to settle a complex complaint in a remote area"), false, 60, 365},
      {"denunciation_days", TrMark("Days to settle a denunciation, from acceptance"), false, 30, 365},
      {"extension_days", TrMark("Days one extension of a denunciation adds"), false, 30, 365},
      {"max_extensions", TrMark("Times a denunciation may be extended"), false, 2, 10},
      {"request_days", TrMark("Days to answer a request or feedback"), false, 15, 365},
  };
  return specs;
}

int64_t Settings::Get(const std::string& name) const {
  auto it = values.find(name);
  assert(it != values.end());
  return it == values.end() ? 0 : it->second;
}

Status LoadSettings(Replica& r, const WorkspaceId& ws, Settings* out) {
  out->values.clear();
  for (const SettingSpec& s : SettingSpecs()) {
    out->values[s.name] = s.default_value;
  }
  Query q;
  q.workspace = ws;
  q.collection = kSettingsCollection;
  q.limit = 1000;
  QueryResult res;
  HAMLET_RETURN_IF_ERROR(r.Find(q, &res));
  for (const Record& rec : res.records) {
    std::string name = TextField(rec.fields, "setting");
    auto value = rec.fields.find("value");
    auto spec = std::find_if(SettingSpecs().begin(), SettingSpecs().end(),
                             [&name](const SettingSpec& s) { return s.name == name; });
    // A setting this version does not know, or a value out of its range
    // (written by another version), leaves the default.
    if (name.empty() || rec.deleted || spec == SettingSpecs().end() || value == rec.fields.end() ||
        !std::holds_alternative<int64_t>(value->second)) {
      continue;
    }
    int64_t v = std::get<int64_t>(value->second);
    if (v < 0 || v > spec->max_value) continue;
    out->values[name] = v;
  }
  return Status::OK();
}

Status ChangeSetting(Replica& r, const WorkspaceId& ws, const std::string& name, const std::string& value,
                     WriteBatch* b) {
  auto spec = std::find_if(SettingSpecs().begin(), SettingSpecs().end(),
                           [&name](const SettingSpec& s) { return s.name == name; });
  if (spec == SettingSpecs().end()) {
    std::string all;
    for (const SettingSpec& s : SettingSpecs()) all += (all.empty() ? "" : ", ") + s.name;
    return Status::InvalidArgument(Format(Tr("no setting '%s': the settings are %s"), name.c_str(), all.c_str()));
  }
  int64_t v = -1;
  if (spec->yes_no) {
    if (value == "yes" || value == "1" || value == "true") v = 1;
    if (value == "no" || value == "0" || value == "false") v = 0;
    if (v < 0) return Status::InvalidArgument(Format(Tr("%s is yes or no, not '%s'"), name.c_str(), value.c_str()));
  } else {
    size_t used = 0;
    try {
      v = std::stoll(value, &used);
    } catch (...) {
      used = 0;
    }
    if (used != value.size() || value.empty() || v < 1 || v > spec->max_value) {
      return Status::InvalidArgument(Format(Tr("%s takes a whole number from 1 to %lld, not '%s'"), name.c_str(),
                                            static_cast<long long>(spec->max_value), value.c_str()));
    }
  }
  HAMLET_RETURN_IF_ERROR(MayChangeSettings(r, ws));
  RecordId id = Replica::NamedRecordId(ws, kSettingsCollection, kSettingPrefix + name);
  Record existing;
  Status s = r.Get(id, &existing);
  if (s.ok()) {
    b->Update(id, {{"value", v}});
    if (existing.deleted) b->Restore(id);
    return Status::OK();
  }
  if (s.code() != Code::kNotFound) return s;
  b->InsertWithId(id, kSettingsCollection, {{"setting", name}, {"value", v}});
  return Status::OK();
}

int64_t DaysAllowed(const Settings& settings, const std::map<std::string, Value>& fields) {
  std::string kind = TextField(fields, "kind");
  if (kind == "complaint") {
    bool remote = settings.Get("remote_area") != 0, complex = YesOf(fields, "complex");
    return settings.Get(remote ? (complex ? "complaint_remote_complex_days" : "complaint_remote_days")
                               : (complex ? "complaint_complex_days" : "complaint_days"));
  }
  if (kind == "denunciation") return settings.Get("denunciation_days");
  if (kind == "request") return settings.Get("request_days");
  return 0;
}

void UpdateDue(const Settings& settings, const std::map<std::string, Value>& current,
               std::map<std::string, Value>* changes) {
  auto given = changes->find("due");
  bool by_law_asked = given != changes->end() && TextField(*changes, "due") == kDueByLaw;
  if (given != changes->end() && !by_law_asked) {
    (*changes)["due_source"] = std::string(kDueByHand);
    return;
  }
  if (by_law_asked) changes->erase(given);
  std::string source = TextField(current, "due_source");
  bool had_due = current.count("due") != 0;
  bool follows_law = source == kDueByLaw || (source.empty() && !had_due);
  if (!by_law_asked && !follows_law) return;
  static const char* const kCountedFrom[] = {"kind", "received", "accepted", "complex"};
  bool touched = current.empty() || by_law_asked || source.empty();
  for (const char* name : kCountedFrom) touched = touched || changes->count(name) != 0;
  if (!touched) return;
  std::map<std::string, Value> after = current;
  for (const auto& [name, value] : *changes) after[name] = value;
  Timestamp from;
  int64_t days = DaysAllowed(settings, after);
  if (days <= 0 || !(DateField(after, "accepted", &from) || DateField(after, "received", &from))) return;
  (*changes)["due"] = Timestamp{from.millis + days * kDayMillis};
  (*changes)["due_source"] = std::string(kDueByLaw);
}

void ApplyConcernRules(const Settings& settings, const std::map<std::string, Value>& current,
                       std::map<std::string, Value>* changes) {
  if (current.empty() && !changes->count("within_jurisdiction")) (*changes)["within_jurisdiction"] = true;
  UpdateDue(settings, current, changes);
}

Status LoadExtensions(Replica& r, const WorkspaceId& ws, const Settings& settings,
                      std::map<RecordId, std::vector<Extension>>* out, const RecordId* concern) {
  out->clear();
  Query q;
  q.workspace = ws;
  q.collection = kExtensionCollection;
  if (concern != nullptr) q.equals.emplace_back("concern", concern->Hex());
  q.limit = 5000;
  for (q.offset = 0;; q.offset += q.limit) {
    QueryResult res;
    HAMLET_RETURN_IF_ERROR(r.Find(q, &res));
    for (const Record& rec : res.records) {
      auto of = RecordId::FromHex(TextField(rec.fields, "concern"));
      auto days = rec.fields.find("days");
      Extension e;
      if (rec.deleted || !of || !DateField(rec.fields, "date", &e.date) || days == rec.fields.end() ||
          !std::holds_alternative<int64_t>(days->second)) {
        continue;
      }
      e.id = rec.id;
      e.recorded = rec.updated_millis;
      e.reason = TextField(rec.fields, "reason");
      e.days = std::get<int64_t>(days->second);
      (*out)[*of].push_back(std::move(e));
    }
    if (q.offset + q.limit >= res.total) break;
  }
  int64_t max = settings.Get("max_extensions");
  for (auto& [concern, list] : *out) {
    std::sort(list.begin(), list.end(), [](const Extension& a, const Extension& b) {
      if (a.date != b.date) return a.date < b.date;
      return a.recorded != b.recorded ? a.recorded < b.recorded : a.id < b.id;
    });
    for (size_t i = 0; i < list.size(); i++) list[i].counted = static_cast<int64_t>(i) < max;
  }
  return Status::OK();
}

bool IsOpen(const Record& rec) {
  std::string status = TextField(rec.fields, "status");
  return status.empty() || status == "received" || status == "in_progress";
}

Status ExtendDeadline(const Settings& settings, const Record& rec, const std::vector<Extension>& extensions,
                      const std::string& reason, Timestamp date, WriteBatch* b) {
  if (reason.empty()) return Status::InvalidArgument(Format(Tr("%s is empty"), "--reason"));
  if (TextField(rec.fields, "kind") != "denunciation") {
    return Status::FailedPrecondition(
        Tr("the law allows extending only a denunciation's deadline; a complex complaint is marked --complex yes"));
  }
  if (!IsOpen(rec)) return Status::FailedPrecondition(Tr("the denunciation is no longer open"));
  if (!rec.fields.count("due")) return Status::FailedPrecondition(Tr("the denunciation has no due date to extend"));
  int64_t counted = std::count_if(extensions.begin(), extensions.end(), [](const Extension& e) { return e.counted; });
  int64_t max = settings.Get("max_extensions");
  if (counted >= max) {
    return Status::FailedPrecondition(
        Format(TrN("the deadline has been extended %lld time already, the most allowed",
                   "the deadline has been extended %lld times already, the most allowed", counted),
               static_cast<long long>(counted)));
  }
  b->Insert(kExtensionCollection,
            {{"concern", rec.id.Hex()}, {"date", date}, {"reason", reason}, {"days", settings.Get("extension_days")}});
  return Status::OK();
}

void KeepByDeadline(const std::map<RecordId, std::vector<Extension>>& extensions, bool overdue, int64_t due_within,
                    std::vector<Record>* records) {
  Timestamp today = Today();
  std::vector<std::pair<int64_t, Record>> kept;
  for (Record& rec : *records) {
    auto extended = extensions.find(rec.id);
    static const std::vector<Extension> kNone;
    Deadline d = DeadlineOf(rec, extended == extensions.end() ? kNone : extended->second);
    if (!IsOpen(rec) || !d.has) continue;
    bool late = d.due < today;
    bool soon = !late && due_within >= 0 && d.due.millis <= today.millis + due_within * kDayMillis;
    if ((overdue && late) || soon) kept.emplace_back(d.due.millis, std::move(rec));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  records->clear();
  for (auto& entry : kept) records->push_back(std::move(entry.second));
}

std::string DueText(const Deadline& d) {
  if (d.extensions == 0) return FormatDate(d.due);
  return Format(TrN("%s (extended %d time)", "%s (extended %d times)", d.extensions), FormatDate(d.due).c_str(),
                d.extensions);
}

std::string ExtensionLabel(const Extension& e) { return Format(Tr("extended %s:"), FormatDate(e.date).c_str()); }

std::string ExtensionText(const Extension& e) {
  std::string said =
      Format(TrN("by %lld day: %s", "by %lld days: %s", e.days), static_cast<long long>(e.days), e.reason.c_str());
  if (!e.counted) said += " " + std::string(Tr("(not counted: the most extensions allowed were made before it)"));
  return said;
}

Deadline DeadlineOf(const Record& rec, const std::vector<Extension>& extensions) {
  Deadline d;
  if (!DateField(rec.fields, "due", &d.due)) return d;
  d.has = true;
  for (const Extension& e : extensions) {
    if (!e.counted) continue;
    d.due.millis += e.days * kDayMillis;
    d.extensions++;
  }
  return d;
}

}  // namespace hamlet::office
