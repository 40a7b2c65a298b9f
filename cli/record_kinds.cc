#include "record_kinds.h"

#include <algorithm>

#include "categories.h"
#include "dates.h"
#include "hamlet/json.h"

namespace hamlet::cli {

using nlohmann::json;

const std::vector<RecordSpec>& Specs() {
  static const std::vector<RecordSpec> specs = {
      {"dialogue",
       "dialogues",
       "dialogue",
       "date",
       "topics",
       {
           {"date", "When it was held (DD/MM/YYYY)", Kind::kDate, true, {}, true, false},
           {"kind", "What it was", Kind::kChoice, false,
            {"dialogue", "citizen_reception", "voter_contact", "working_visit"}, true, true},
           {"commune", "Commune", Kind::kText, false, {}, false, true},
           {"hamlet", "Hamlet", Kind::kText, true, {}, true, true},
           {"chaired_by", "Who chaired it", Kind::kText, false, {}, false, false},
           {"attendees", "How many citizens attended", Kind::kCount, false, {}, true, false},
           {"topics", "Topics raised", Kind::kText, false, {}, true, false},
           {"notes", "Notes", Kind::kText, false, {}, false, false},
           {"commitments", "Commitments made", Kind::kText, false, {}, false, false},
       }},
      {"concern",
       "concerns",
       "concern",
       "received",
       "summary",
       {
           {"ticket", "The receipt's ticket", Kind::kText, false, {}, false, true, true, false, FieldIndex::kExact},
           {"received", "When it was received (DD/MM/YYYY; default today)", Kind::kDate, false, {}, true, false},
           {"kind", "What it is", Kind::kChoice, true, {"request", "complaint", "denunciation"}, true, true},
           {"category", "Its category (hamlet categories lists them)", Kind::kCategory, true, {}, true, true},
           {"summary", "One line", Kind::kText, true, {}, true, false},
           {"details", "Details", Kind::kText, false, {}, false, false},
           {"reporter_name", "Who raised it (sealed to the officers for a denunciation; - reads it from stdin)", Kind::kText, false, {},
            false, false, false, true},
           {"reporter_contact", "How to reach them (sealed likewise; - reads it from stdin)", Kind::kText, false, {}, false, false, false,
            true, FieldIndex::kExact},
           {"hamlet", "Hamlet", Kind::kText, false, {}, true, true},
           {"dialogue", "The dialogue it came from (id)", Kind::kText, false, {}, false, false, false, false,
            FieldIndex::kExact},
           {"status", "Where it stands", Kind::kChoice, false,
            {"received", "in_progress", "resolved", "transferred", "rejected"}, true, true},
           {"assigned_to", "Who handles it", Kind::kText, false, {}, false, true},
           {"resolution", "How it was resolved, or why it was rejected", Kind::kText, false, {}, false, false},
           {"resolved", "When it was resolved (DD/MM/YYYY)", Kind::kDate, false, {}, false, false},
           {"transferred_to", "The agency it went to", Kind::kText, false, {}, false, false},
           {"due", "When it is due (DD/MM/YYYY)", Kind::kDate, false, {}, false, false},
       }},
      {"model",
       "models",
       "model",
       "",
       "name",
       {
           {"name", "The initiative's name", Kind::kText, true, {}, true, false},
           {"field", "Its field", Kind::kText, false, {}, true, true},
           {"unit", "The unit that runs it", Kind::kText, false, {}, false, true},
           {"year", "Year (default this year)", Kind::kYear, false, {}, true, true},
           {"status", "New this year or maintained", Kind::kChoice, false, {"new", "maintained"}, true, true},
           {"results", "Results", Kind::kText, false, {}, false, false},
       }},
  };
  return specs;
}

Status DeclareIndexes(Replica& r) {
  for (const RecordSpec& spec : Specs()) {
    IndexSpec index;
    for (const FieldSpec& f : spec.fields) {
      index.fields[f.name] = f.kind == Kind::kText ? f.index : FieldIndex::kExact;
    }
    HAMLET_RETURN_IF_ERROR(r.SetIndex(spec.collection, index));
  }
  return Status::OK();
}

std::string OptionName(const std::string& field) {
  std::string o = "--" + field;
  std::replace(o.begin(), o.end(), '_', '-');
  return o;
}

Status ParseValue(const FieldSpec& f, const std::string& text, Value* out) {
  switch (f.kind) {
    case Kind::kDate: {
      Timestamp t;
      HAMLET_RETURN_IF_ERROR(ParseDate(text, &t).WithContext(OptionName(f.name) + ": "));
      *out = t;
      return Status::OK();
    }
    case Kind::kCount:
    case Kind::kYear: {
      try {
        size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used == text.size() && v >= 0) {
          *out = static_cast<int64_t>(v);
          return Status::OK();
        }
      } catch (...) {
      }
      return Status::InvalidArgument(OptionName(f.name) + " takes a whole number, not '" + text + "'");
    }
    case Kind::kChoice:
      if (std::find(f.choices.begin(), f.choices.end(), text) == f.choices.end()) {
        std::string all;
        for (const std::string& c : f.choices) all += (all.empty() ? "" : ", ") + c;
        return Status::InvalidArgument(OptionName(f.name) + " is one of " + all + ", not '" + text + "'");
      }
      *out = text;
      return Status::OK();
    case Kind::kCategory:
      if (text.empty()) return Status::InvalidArgument(OptionName(f.name) + " is empty");
      *out = text;
      return Status::OK();
    case Kind::kText:
      if (Replica::IsSealed(text)) {
        return Status::InvalidArgument(OptionName(f.name) + " cannot begin with '" + text.substr(0, text.find(':') + 1) +
                                       "', the mark of a sealed value");
      }
      *out = text;
      return Status::OK();
  }
  return Status::Internal("unknown field kind");
}

std::string Show(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "yes" : "no";
  if (auto* t = std::get_if<Timestamp>(&v)) return FormatDate(*t);
  return "";
}

bool IsDenunciation(const std::map<std::string, Value>& fields) {
  auto it = fields.find("kind");
  return it != fields.end() && Show(it->second) == "denunciation";
}

// Seals the confidential fields among fields to the workspace's officers
// (protocol.md, "Sealed values"); n_sealed counts them.
Status SealConfidential(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, std::map<std::string, Value>* fields,
                        size_t* n_sealed) {
  *n_sealed = 0;
  for (const FieldSpec& f : spec.fields) {
    auto it = fields->find(f.name);
    if (!f.confidential || it == fields->end()) continue;
    const auto* text = std::get_if<std::string>(&it->second);
    if (!text || Replica::IsSealed(*text)) continue;
    std::string sealed;
    HAMLET_RETURN_IF_ERROR(r.SealForOfficers(ws, *text, &sealed));
    it->second = sealed;
    ++*n_sealed;
  }
  return Status::OK();
}

// Replaces the sealed values of rec by their text where this device may read
// them, and by null where it may not, naming those in *unreadable.
void OpenSealedFields(Replica& r, const WorkspaceId& ws, Record* rec, std::vector<std::string>* unreadable) {
  unreadable->clear();
  auto open = [&](const std::string& name, Value* v) {
    const auto* sealed = std::get_if<std::string>(v);
    if (!sealed || !Replica::IsSealed(*sealed)) return;
    std::string text;
    if (r.Unseal(ws, *sealed, &text).ok()) {
      *v = text;
    } else {
      *v = std::monostate{};
      if (std::find(unreadable->begin(), unreadable->end(), name) == unreadable->end()) unreadable->push_back(name);
    }
  };
  for (auto& [name, value] : rec->fields) open(name, &value);
  for (auto& [name, values] : rec->conflicts) {
    for (Value& v : values) open(name, &v);
  }
}

// A record as JSON, with its sealed values opened where this device may.
json ReadableJson(Replica& r, const WorkspaceId& ws, Record rec) {
  std::vector<std::string> unreadable;
  OpenSealedFields(r, ws, &rec, &unreadable);
  json j = json::parse(RecordToJson(rec));
  if (!unreadable.empty()) j["sealed"] = unreadable;
  return j;
}

// Checks the category among fields against the workspace's list.
Status CheckCategories(Replica& r, const WorkspaceId& ws, const std::map<std::string, Value>& fields,
                       bool include_retired) {
  auto it = fields.find("category");
  if (it == fields.end()) return Status::OK();
  return CheckCategory(r, ws, Show(it->second), include_retired);
}

const RecordSpec* SpecFor(const std::string& collection) {
  for (const RecordSpec& s : Specs()) {
    if (s.collection == collection) return &s;
  }
  return nullptr;
}

int Open(const Context& c, const std::string& what, Opened* o) {
  if (int rc = c.OpenReplica(&o->replica); rc != kExitOk) return rc;
  Status s = c.PickWorkspace(*o->replica, &o->ws);
  return s.ok() ? kExitOk : Refuse(what, s);
}

// Finds the record of spec whose id starts with prefix (at least 6 digits).
Status FindRecord(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, const std::string& prefix, Record* out) {
  if (auto id = RecordId::FromHex(prefix)) {
    Status s = r.Get(*id, out);
    if (s.ok() && (out->collection != spec.collection || out->workspace != ws)) {
      return Status::NotFound("no " + spec.noun + " " + prefix + " in this workspace");
    }
    return s.code() == Code::kNotFound ? Status::NotFound("no " + spec.noun + " " + prefix) : s;
  }
  if (prefix.size() < 6) return Status::InvalidArgument("give at least 6 digits of the id");
  Query q;
  q.workspace = ws;
  q.collection = spec.collection;
  q.limit = 1000;
  std::vector<Record> found;
  for (q.offset = 0;; q.offset += q.limit) {
    QueryResult res;
    HAMLET_RETURN_IF_ERROR(r.Find(q, &res));
    for (Record& rec : res.records) {
      if (rec.id.Hex().rfind(prefix, 0) == 0) found.push_back(std::move(rec));
    }
    if (q.offset + q.limit >= res.total) break;
  }
  if (found.empty()) return Status::NotFound("no " + spec.noun + " starts with " + prefix);
  if (found.size() > 1) return Status::InvalidArgument("several " + spec.collection + " start with " + prefix);
  *out = std::move(found[0]);
  return Status::OK();
}

void KeepKindBesideClearConfidential(const RecordSpec& spec, const std::map<std::string, Value>& current,
                                     std::map<std::string, Value>* fields) {
  if (fields->count("kind")) return;
  auto kind = current.find("kind");
  if (kind == current.end()) return;
  for (const FieldSpec& f : spec.fields) {
    auto it = fields->find(f.name);
    if (f.confidential && it != fields->end() && !Replica::IsSealed(Show(it->second))) {
      (*fields)["kind"] = kind->second;
      return;
    }
  }
}

}  // namespace hamlet::cli
