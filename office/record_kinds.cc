#include "record_kinds.h"

#include <algorithm>

#include "categories.h"
#include "dates.h"
#include "deadlines.h"
#include "hamlet/json.h"
#include "hamlet/language.h"

namespace hamlet::office {

using nlohmann::json;

const std::vector<RecordSpec>& Specs() {
  static const std::vector<RecordSpec> specs = {
      {"dialogue",
       "dialogues",
       TrMark("dialogue"),
       TrMark("dialogues"),
       "date",
       "topics",
       {
           {"date", TrMark("date"), TrMark("When it was held (DD/MM/YYYY)"), Kind::kDate, true, {}, true, false},
           {"kind",
            TrMark("kind"),
            TrMark("What it was"),
            Kind::kChoice,
            false,
            {"dialogue", "citizen_reception", "voter_contact", "working_visit"},
            true,
            true},
           {"commune", TrMark("commune"), TrMark("Commune"), Kind::kText, false, {}, false, true},
           {"hamlet", TrMark("hamlet"), TrMark("Hamlet"), Kind::kText, true, {}, true, true},
           {"chaired_by", TrMark("chaired by"), TrMark("Who chaired it"), Kind::kText, false, {}, false, false},
           {"attendees",
            TrMark("attendees"),
            TrMark("How many citizens attended"),
            Kind::kCount,
            false,
            {},
            true,
            false},
           {"topics", TrMark("topics"), TrMark("Topics raised"), Kind::kText, false, {}, true, false},
           {"notes", TrMark("notes"), TrMark("Notes"), Kind::kText, false, {}, false, false},
           {"commitments", TrMark("commitments"), TrMark("Commitments made"), Kind::kText, false, {}, false, false},
       }},
      {"concern",
       "concerns",
       TrMark("concern"),
       TrMark("concerns"),
       "received",
       "summary",
       {
           {"ticket",
            TrMark("ticket"),
            TrMark("The receipt's ticket"),
            Kind::kText,
            false,
            {},
            false,
            true,
            true,
            false,
            FieldIndex::kExact},
           {"received",
            TrMark("received on"),
            TrMark("When it was received (DD/MM/YYYY; default today)"),
            Kind::kDate,
            false,
            {},
            true,
            false},
           {"kind",
            TrMark("kind"),
            TrMark("What it is"),
            Kind::kChoice,
            true,
            {"request", "complaint", "denunciation"},
            true,
            true},
           {"category",
            TrMark("category"),
            TrMark("Its category (hamlet categories lists them)"),
            Kind::kCategory,
            true,
            {},
            true,
            true},
           {"summary", TrMark("summary"), TrMark("One line"), Kind::kText, true, {}, true, false},
           {"details", TrMark("details"), TrMark("Details"), Kind::kText, false, {}, false, false},
           {"reporter_name",
            TrMark("reporter"),
            TrMark("Who raised it (sealed to the officers for a denunciation; - reads it from stdin)"),
            Kind::kText,
            false,
            {},
            false,
            false,
            false,
            true},
           {"reporter_contact",
            TrMark("reporter's contact"),
            TrMark("How to reach them (sealed likewise; - reads it from stdin)"),
            Kind::kText,
            false,
            {},
            false,
            false,
            false,
            true,
            FieldIndex::kExact},
           {"hamlet", TrMark("hamlet"), TrMark("Hamlet"), Kind::kText, false, {}, true, true},
           {"dialogue",
            TrMark("dialogue"),
            TrMark("The dialogue it came from (id)"),
            Kind::kText,
            false,
            {},
            false,
            false,
            false,
            false,
            FieldIndex::kExact},
           {"status",
            TrMark("status"),
            TrMark("Where it stands"),
            Kind::kChoice,
            false,
            {"received", "in_progress", "resolved", "transferred", "rejected"},
            true,
            true},
           {"assigned_to", TrMark("assigned to"), TrMark("Who handles it"), Kind::kText, false, {}, false, true},
           {"resolution",
            TrMark("resolution"),
            TrMark("How it was resolved, or why it was rejected"),
            Kind::kText,
            false,
            {},
            false,
            false},
           {"resolved",
            TrMark("resolved on"),
            TrMark("When it was resolved (DD/MM/YYYY)"),
            Kind::kDate,
            false,
            {},
            false,
            false},
           {"transferred_to",
            TrMark("transferred to"),
            TrMark("The agency it went to"),
            Kind::kText,
            false,
            {},
            false,
            false},
           {"channel",
            TrMark("arrived by"),
            TrMark("How it arrived (default dialogue with --dialogue, else in person)"),
            Kind::kChoice,
            false,
            {"in_person", "letter", "phone", "online", "dialogue"},
            false,
            true},
           {"within_jurisdiction",
            TrMark("within jurisdiction"),
            TrMark("Whether settling it is the commune's to do (yes or no; default yes)"),
            Kind::kYesNo,
            false,
            {},
            false,
            true},
           {"accepted",
            TrMark("accepted on"),
            TrMark("When it was accepted for settling (DD/MM/YYYY); its deadline counts from then, else from received"),
            Kind::kDate,
            false,
            {},
            false,
            false},
           {"complex",
            TrMark("complex"),
            TrMark("A complex case, with the longer deadline (yes or no)"),
            Kind::kYesNo,
            false,
            {},
            false,
            false},
           {"due",
            TrMark("due"),
            TrMark("When it is due (DD/MM/YYYY), or law for the workspace's deadlines (hamlet settings); by "
                   "default the law's"),
            Kind::kDate,
            false,
            {},
            true,
            false},
           {"due_source", TrMark("due date set"), "", Kind::kChoice, false, {"law", "hand"}, false, false, true},
       }},
      {"model",
       "models",
       TrMark("model"),
       TrMark("models"),
       "",
       "name",
       {
           {"name", TrMark("name"), TrMark("The initiative's name"), Kind::kText, true, {}, true, false},
           {"field", TrMark("field"), TrMark("Its field"), Kind::kText, false, {}, true, true},
           {"unit", TrMark("unit"), TrMark("The unit that runs it"), Kind::kText, false, {}, false, true},
           {"year", TrMark("year"), TrMark("Year (default this year)"), Kind::kYear, false, {}, true, true},
           {"status",
            TrMark("status"),
            TrMark("New this year or maintained"),
            Kind::kChoice,
            false,
            {"new", "maintained"},
            true,
            true},
           {"results", TrMark("results"), TrMark("Results"), Kind::kText, false, {}, false, false},
       }},
  };
  return specs;
}

std::string ChoiceLabel(const std::string& word) {
  static const std::map<std::string, const char*> labels = {
      {"dialogue", TrMark("dialogue")},
      {"citizen_reception", TrMark("citizen reception")},
      {"voter_contact", TrMark("voter contact")},
      {"working_visit", TrMark("working visit")},
      {"request", TrMark("request or feedback")},
      {"complaint", TrMark("complaint")},
      {"denunciation", TrMark("denunciation")},
      {"received", TrMark("received")},
      {"in_progress", TrMark("in progress")},
      {"resolved", TrMark("resolved")},
      {"transferred", TrMark("transferred")},
      {"rejected", TrMark("rejected")},
      {"in_person", TrMark("in person")},
      {"letter", TrMark("letter")},
      {"phone", TrMark("phone")},
      {"online", TrMark("online")},
      {"law", TrMark("by law")},
      {"hand", TrMark("by hand")},
      {"new", TrMark("new")},
      {"maintained", TrMark("maintained")},
      // The categories every workspace starts with (categories.h).
      {"land", TrMark("land")},
      {"infrastructure", TrMark("infrastructure")},
      {"social_policy", TrMark("social policy")},
      {"environment", TrMark("environment")},
      {"public_order", TrMark("public order")},
      {"other", TrMark("other")},
  };
  auto it = labels.find(word);
  return it == labels.end() ? word : Tr(it->second);
}

const FieldSpec* FindField(const RecordSpec& spec, const std::string& name) {
  for (const FieldSpec& f : spec.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string FieldLabel(const RecordSpec* spec, const std::string& field) {
  const FieldSpec* f = spec == nullptr ? nullptr : FindField(*spec, field);
  return f != nullptr && field != Tr(f->label) ? std::string(Tr(f->label)) + " (" + field + ")" : field;
}

const char* Unreadable() { return Tr("(sealed: only the officers can read it)"); }

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
      if (f.name == "due" && text == kDueByLaw) {  // Back to the law's date (deadlines.h, UpdateDue).
        *out = text;
        return Status::OK();
      }
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
      return Status::InvalidArgument(
          Format(Tr("%s takes a whole number, not '%s'"), OptionName(f.name).c_str(), text.c_str()));
    }
    case Kind::kYesNo:
      if (text == "yes" || text == "true" || text == "1") {
        *out = true;
        return Status::OK();
      }
      if (text == "no" || text == "false" || text == "0") {
        *out = false;
        return Status::OK();
      }
      return Status::InvalidArgument(Format(Tr("%s is yes or no, not '%s'"), OptionName(f.name).c_str(), text.c_str()));
    case Kind::kChoice:
      if (std::find(f.choices.begin(), f.choices.end(), text) == f.choices.end()) {
        std::string all;
        for (const std::string& c : f.choices) all += (all.empty() ? "" : ", ") + c;
        return Status::InvalidArgument(
            Format(Tr("%s is one of %s, not '%s'"), OptionName(f.name).c_str(), all.c_str(), text.c_str()));
      }
      *out = text;
      return Status::OK();
    case Kind::kCategory:
      if (text.empty()) return Status::InvalidArgument(Format(Tr("%s is empty"), OptionName(f.name).c_str()));
      *out = text;
      return Status::OK();
    case Kind::kText:
      if (Replica::IsSealed(text)) {
        return Status::InvalidArgument(Format(Tr("%s cannot begin with '%s', the mark of a sealed value"),
                                              OptionName(f.name).c_str(), text.substr(0, text.find(':') + 1).c_str()));
      }
      *out = text;
      return Status::OK();
  }
  return Status::Internal(Tr("unknown field kind"));
}

Status CompleteNewRecord(const RecordSpec& spec, std::map<std::string, Value>* fields) {
  for (const FieldSpec& f : spec.fields) {
    if (fields->count(f.name) || f.automatic) continue;
    if (f.required) return Status::InvalidArgument(Format(Tr("%s is required"), OptionName(f.name).c_str()));
    if (f.name == "channel" && fields->count("dialogue")) {
      (*fields)[f.name] = std::string("dialogue");
    } else if (f.kind == Kind::kChoice) {
      (*fields)[f.name] = f.choices[0];
    } else if (f.kind == Kind::kDate && f.name == spec.date_field) {
      (*fields)[f.name] = Today();
    } else if (f.kind == Kind::kYear) {
      (*fields)[f.name] = int64_t{YearOf(Today())};
    }
  }
  return Status::OK();
}

std::string TextField(const std::map<std::string, Value>& fields, const char* name) {
  auto it = fields.find(name);
  return it != fields.end() && std::holds_alternative<std::string>(it->second) ? std::get<std::string>(it->second) : "";
}

bool DateField(const std::map<std::string, Value>& fields, const char* name, Timestamp* out) {
  auto it = fields.find(name);
  if (it == fields.end() || !std::holds_alternative<Timestamp>(it->second)) return false;
  *out = std::get<Timestamp>(it->second);
  return true;
}

std::string Show(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "yes" : "no";
  if (auto* t = std::get_if<Timestamp>(&v)) return FormatDate(*t);
  return "";
}

std::string ShowField(const FieldSpec& f, const Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? Tr("yes") : Tr("no");
  auto* s = std::get_if<std::string>(&v);
  if (s != nullptr && (f.kind == Kind::kChoice || f.kind == Kind::kCategory)) return ChoiceLabel(*s);
  return Show(v);
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

// Finds the record of spec whose id starts with prefix (at least 6 digits).
Status FindRecord(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, const std::string& prefix, Record* out) {
  if (auto id = RecordId::FromHex(prefix)) {
    Status s = r.Get(*id, out);
    if (s.ok() && (out->collection != spec.collection || out->workspace != ws)) {
      return Status::NotFound(Format(Tr("no %s %s in this workspace"), Tr(spec.noun), prefix.c_str()));
    }
    return s.code() == Code::kNotFound ? Status::NotFound(Format(Tr("no %s %s"), Tr(spec.noun), prefix.c_str())) : s;
  }
  if (prefix.size() < 6) return Status::InvalidArgument(Tr("give at least 6 digits of the id"));
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
  if (found.empty()) return Status::NotFound(Format(Tr("no %s starts with %s"), Tr(spec.noun), prefix.c_str()));
  if (found.size() > 1) {
    return Status::InvalidArgument(Format(Tr("several %s start with %s"), Tr(spec.plural), prefix.c_str()));
  }
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

}  // namespace hamlet::office
