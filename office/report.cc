#include "report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "dates.h"
#include "deadlines.h"
#include "hamlet/language.h"
#include "record_kinds.h"
#include "workspace.h"

namespace hamlet::office {

namespace {

int64_t Number(const Record& r, const char* field) {
  auto it = r.fields.find(field);
  return it != r.fields.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : 0;
}

// Every live record of collection in ws, optionally within [from, to) of time_field.
Status FindAll(Replica& r, const WorkspaceId& ws, const std::string& collection, const std::string& time_field,
               Timestamp from, Timestamp to, std::vector<Record>* out) {
  Query q;
  q.workspace = ws;
  q.collection = collection;
  if (!time_field.empty()) {
    q.time_field = time_field;
    q.from = from;
    q.to = to;
  }
  q.limit = 5000;
  out->clear();
  for (q.offset = 0;; q.offset += q.limit) {
    QueryResult res;
    HAMLET_RETURN_IF_ERROR(r.Find(q, &res));
    for (Record& rec : res.records) {
      if (!rec.deleted) out->push_back(std::move(rec));
    }
    if (q.offset + q.limit >= res.total) break;
  }
  return Status::OK();
}

// The commune a workspace stands for: its name, else its id's first digits.
std::string Commune(Replica& r, const WorkspaceId& ws) {
  std::string name = WorkspaceName(r, ws);
  return name.empty() ? Format(Tr("workspace %s"), ws.Hex().substr(0, 8).c_str()) : name;
}

// Why records may be missing here: gaps in devices' hash chains, devices
// never heard from, commits set aside, and a last sync before the period ended.
Status Warnings(Replica& r, const WorkspaceId& ws, const std::string& commune, const ReportRequest& req,
                std::vector<std::string>* out) {
  std::vector<DeviceStatus> devices;
  HAMLET_RETURN_IF_ERROR(r.Devices(ws, &devices));
  for (const DeviceStatus& d : devices) {
    std::string device = d.device.Hex().substr(0, 8);
    if (d.head > d.contiguous) {
      out->push_back(Format(Tr("device %s (%s) of %s is known to hold %llu commits that have not reached this replica"),
                            device.c_str(), RoleLabel(d.role), commune.c_str(),
                            static_cast<unsigned long long>(d.head - d.contiguous)));
    } else if (!d.self && !d.revoked && d.head == 0) {
      out->push_back(Format(Tr("device %s (%s) of %s has sent nothing that reached this replica"), device.c_str(),
                            RoleLabel(d.role), commune.c_str()));
    }
  }
  std::vector<SetAsideCommit> aside;
  HAMLET_RETURN_IF_ERROR(r.SetAside(ws, &aside));
  if (!aside.empty()) {
    out->push_back(Format(TrN("%zu commit of %s was set aside, not counted: forged, unreadable, from a revoked "
                              "device or waiting for a key (hamlet status lists it)",
                              "%zu commits of %s were set aside, not counted: forged, unreadable, from a revoked "
                              "device or waiting for a key (hamlet status lists them)",
                              aside.size()),
                          aside.size(), commune.c_str()));
  }
  std::string last;
  bool synced = false;
  HAMLET_RETURN_IF_ERROR(r.LocalSetting(LastSyncSetting(ws), &last, &synced));
  // Records written elsewhere up to the end of the period (or up to today,
  // for a period not yet over) reach this replica only by a sync.
  int64_t needed = std::min(req.to.millis + kDayMillis, req.today.millis);
  if (!synced) {
    out->push_back(
        Format(Tr("this replica has never synced %s: only records written or imported here count"), commune.c_str()));
  } else if (std::stoll(last) * 1000 < needed) {
    out->push_back(Format(Tr("this replica last synced %s on %s: records written since on other devices are not "
                             "counted"),
                          commune.c_str(), FormatDate(Timestamp{std::stoll(last) * 1000}).c_str()));
  }
  return Status::OK();
}

}  // namespace

int64_t Figures::Concerns() const {
  int64_t n = 0;
  for (const auto& entry : received) n += entry.second;
  return n;
}

int64_t Figures::Resolved() const {
  int64_t n = 0;
  for (const auto& entry : resolved) n += entry.second;
  return n;
}

double Figures::MedianDaysToResolve() const {
  if (days_to_resolve.empty()) return -1;
  std::vector<double> d = days_to_resolve;
  std::sort(d.begin(), d.end());
  size_t n = d.size();
  return n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
}

bool BrokenDown(Source source, const std::string& by) {
  switch (source) {
    case Source::kDialogues:
      return by == "commune" || by == "hamlet";
    case Source::kConcerns:
      return !by.empty();
    case Source::kModels:
      return by == "commune";
  }
  return false;
}

Status BuildReport(Replica& r, const ReportRequest& req, DistrictReport* out) {
  *out = DistrictReport();
  out->request = req;
  std::map<std::string, Figures> groups;
  const std::string& by = req.by;
  Timestamp end{req.to.millis + kDayMillis};
  int first_year = YearOf(req.from), last_year = YearOf(req.to);
  // Adds to the total, and to the record's group when it has the property.
  auto count = [&](const std::string& key, bool has_group, auto&& add) {
    add(out->total);
    if (!by.empty() && has_group) add(groups[key.empty() ? std::string(Tr("(none)")) : key]);
  };
  for (const WorkspaceId& ws : req.workspaces) {
    std::string commune = Commune(r, ws);
    out->communes.push_back(commune);
    std::vector<Record> records;
    HAMLET_RETURN_IF_ERROR(FindAll(r, ws, "dialogues", "date", req.from, end, &records));
    for (const Record& d : records) {
      bool has = BrokenDown(Source::kDialogues, by);
      std::string key = by == "commune" ? commune : TextField(d.fields, "hamlet");
      int64_t attendees = Number(d, "attendees");
      count(key, has, [&](Figures& f) {
        f.dialogues++;
        f.attendees += attendees;
      });
    }
    Settings settings;
    std::map<RecordId, std::vector<Extension>> extensions;
    HAMLET_RETURN_IF_ERROR(LoadSettings(r, ws, &settings));
    HAMLET_RETURN_IF_ERROR(LoadExtensions(r, ws, settings, &extensions));
    HAMLET_RETURN_IF_ERROR(FindAll(r, ws, "concerns", "received", req.from, end, &records));
    std::map<RecordId, int64_t> attached;  // Files per concern, when asked.
    if (req.attachments) {
      std::vector<Attachment> files;
      HAMLET_RETURN_IF_ERROR(r.Attachments(ws, nullptr, &files));
      for (const Attachment& a : files) attached[a.record]++;
    }
    for (const Record& c : records) {
      std::string kind = TextField(c.fields, "kind"), status = TextField(c.fields, "status");
      Deadline deadline = DeadlineOf(c, extensions[c.id]);
      // A concern recorded before the question was asked counts as within.
      auto within_field = c.fields.find("within_jurisdiction");
      bool within = (kind == "complaint" || kind == "denunciation") &&
                    (within_field == c.fields.end() || !std::holds_alternative<bool>(within_field->second) ||
                     std::get<bool>(within_field->second));
      bool letter = TextField(c.fields, "channel") == "letter";
      std::string key = by == "commune" ? commune : by.empty() ? "" : TextField(c.fields, by.c_str());
      Timestamp received, resolved_on;
      bool has_days = status == "resolved" && DateField(c.fields, "received", &received) &&
                      DateField(c.fields, "resolved", &resolved_on);
      double days = has_days ? static_cast<double>(resolved_on.millis - received.millis) / kDayMillis : 0;
      bool open = status == "received" || status == "in_progress";
      bool overdue = open && deadline.has && deadline.due.millis < req.today.millis;
      bool on_time = has_days && deadline.has && resolved_on <= deadline.due;
      bool late = has_days && deadline.has && resolved_on > deadline.due;
      auto files = attached.find(c.id);
      int64_t n_files = files == attached.end() ? 0 : files->second;
      count(key, BrokenDown(Source::kConcerns, by), [&](Figures& f) {
        if (n_files > 0) f.with_attachments++;
        f.attachments += n_files;
        f.received[kind]++;
        if (status == "resolved") f.resolved[kind]++;
        if (letter) f.letters++;
        if (within) f.within_jurisdiction++;
        if (within && status == "resolved") f.resolved_within_jurisdiction++;
        if (on_time) f.resolved_on_time++;
        if (late) f.resolved_late++;
        if (status == "transferred") f.transferred++;
        if (status == "rejected") f.rejected++;
        if (overdue) f.overdue++;
        if (has_days) f.days_to_resolve.push_back(days);
      });
    }
    HAMLET_RETURN_IF_ERROR(FindAll(r, ws, "models", "", {}, {}, &records));
    for (const Record& m : records) {
      int64_t year = Number(m, "year");
      if (year < first_year || year > last_year) continue;
      bool maintained = TextField(m.fields, "status") == "maintained";
      count(commune, BrokenDown(Source::kModels, by),
            [&](Figures& f) { (maintained ? f.models_maintained : f.models_new)++; });
    }
    HAMLET_RETURN_IF_ERROR(Warnings(r, ws, commune, req, &out->warnings));
  }
  for (auto& entry : groups) out->groups.emplace_back(entry.first, std::move(entry.second));
  return Status::OK();
}

namespace {

std::string N(int64_t v) { return std::to_string(v); }

std::string OfKind(const std::map<std::string, int64_t>& m, const char* kind) {
  auto it = m.find(kind);
  return N(it == m.end() ? 0 : it->second);
}

}  // namespace

const std::vector<Metric>& Metrics(bool attachments) {
  static const std::vector<Metric> metrics = {
      {"dialogues", TrMark("Dialogues and receptions held"), Source::kDialogues,
       [](const Figures& f) { return N(f.dialogues); }},
      {"citizens_received", TrMark("Citizens received (attendees)"), Source::kDialogues,
       [](const Figures& f) { return N(f.attendees); }},
      {"concerns", TrMark("Concerns received"), Source::kConcerns, [](const Figures& f) { return N(f.Concerns()); }},
      {"requests", TrMark("  requests and feedback"), Source::kConcerns,
       [](const Figures& f) { return OfKind(f.received, "request"); }},
      {"complaints", TrMark("  complaints"), Source::kConcerns,
       [](const Figures& f) { return OfKind(f.received, "complaint"); }},
      {"denunciations", TrMark("  denunciations"), Source::kConcerns,
       [](const Figures& f) { return OfKind(f.received, "denunciation"); }},
      {"letters", TrMark("Letters received"), Source::kConcerns, [](const Figures& f) { return N(f.letters); }},
      {"resolved", TrMark("Resolved"), Source::kConcerns, [](const Figures& f) { return N(f.Resolved()); }},
      {"resolved_requests", TrMark("  requests and feedback resolved"), Source::kConcerns,
       [](const Figures& f) { return OfKind(f.resolved, "request"); }},
      {"resolved_complaints", TrMark("  complaints resolved"), Source::kConcerns,
       [](const Figures& f) { return OfKind(f.resolved, "complaint"); }},
      {"resolved_denunciations", TrMark("  denunciations resolved"), Source::kConcerns,
       [](const Figures& f) { return OfKind(f.resolved, "denunciation"); }},
      {"resolved_on_time", TrMark("  resolved on time"), Source::kConcerns,
       [](const Figures& f) { return N(f.resolved_on_time); }},
      {"resolved_late", TrMark("  resolved late"), Source::kConcerns,
       [](const Figures& f) { return N(f.resolved_late); }},
      {"within_jurisdiction", TrMark("Complaints and denunciations within jurisdiction"), Source::kConcerns,
       [](const Figures& f) { return N(f.within_jurisdiction); }},
      {"resolved_within_jurisdiction", TrMark("  of them resolved"), Source::kConcerns,
       [](const Figures& f) { return N(f.resolved_within_jurisdiction); }, Metric::Where::kForPrograms},
      {"resolved_of_within_jurisdiction", TrMark("  resolved"), Source::kConcerns,
       [](const Figures& f) {
         return Format(Tr("%lld of %lld"), static_cast<long long>(f.resolved_within_jurisdiction),
                       static_cast<long long>(f.within_jurisdiction));
       },
       Metric::Where::kForPeople},
      {"transferred", TrMark("Transferred to a higher level"), Source::kConcerns,
       [](const Figures& f) { return N(f.transferred); }},
      {"rejected", TrMark("Rejected"), Source::kConcerns, [](const Figures& f) { return N(f.rejected); }},
      {"overdue", TrMark("Overdue (open, past due today)"), Source::kConcerns,
       [](const Figures& f) { return N(f.overdue); }},
      {"median_days_to_resolve", TrMark("Median days to resolve"), Source::kConcerns,
       [](const Figures& f) {
         double m = f.MedianDaysToResolve();
         if (m < 0) return std::string("-");
         char buf[32];
         std::snprintf(buf, sizeof buf, m == static_cast<int64_t>(m) ? "%.0f" : "%.1f", m);
         return std::string(buf);
       }},
      {"models_new", TrMark("Models registered, new"), Source::kModels,
       [](const Figures& f) { return N(f.models_new); }},
      {"models_maintained", TrMark("Models registered, maintained"), Source::kModels,
       [](const Figures& f) { return N(f.models_maintained); }},
  };
  static const std::vector<Metric> with_attachments = [] {
    std::vector<Metric> all = metrics;
    all.push_back({"concerns_with_attachments", TrMark("Concerns with files attached"), Source::kConcerns,
                   [](const Figures& f) { return N(f.with_attachments); }});
    all.push_back({"attachments", TrMark("  files attached"), Source::kConcerns,
                   [](const Figures& f) { return N(f.attachments); }});
    return all;
  }();
  return attachments ? with_attachments : metrics;
}

}  // namespace hamlet::office
