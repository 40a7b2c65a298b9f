#include "record_writes.h"

#include <cctype>

#include "dates.h"
#include "deadlines.h"
#include "hamlet/language.h"

namespace hamlet::office {

namespace {

// Tickets are this device's id prefix and its own count of receipts: unique
// across devices without asking anyone.
Status NextTicket(Replica& r, const WorkspaceId& ws, std::string* ticket) {
  std::string key = "receipt-seq:" + ws.Hex(), value;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(r.LocalSetting(key, &value, &found));
  uint64_t next = found ? std::stoull(value) + 1 : 1;
  HAMLET_RETURN_IF_ERROR(r.SetLocalSetting(key, std::to_string(next)));
  std::string prefix = r.device_id().Hex().substr(0, 6);
  for (char& ch : prefix) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  *ticket = prefix + "-" + std::to_string(next);
  return Status::OK();
}

constexpr const char* kIntakeFields[] = {"received", "kind", "category", "summary", "details", "hamlet", "dialogue"};

bool IsConcerns(const RecordSpec& spec) { return spec.collection == "concerns"; }

}  // namespace

std::string IntakeDigest(const std::map<std::string, Value>& fields) {
  std::map<std::string, Value> intake;
  for (const char* name : kIntakeFields) {
    if (auto it = fields.find(name); it != fields.end()) intake[name] = it->second;
  }
  return Replica::ReceiptDigest(intake);
}

Status ParseTyped(const RecordSpec& spec, const Typed& typed, std::map<std::string, Value>* out) {
  out->clear();
  for (const FieldSpec& f : spec.fields) {
    auto it = typed.find(f.name);
    if (it == typed.end()) continue;
    Value v;
    HAMLET_RETURN_IF_ERROR(ParseValue(f, it->second, &v));
    (*out)[f.name] = v;
  }
  return Status::OK();
}

Status PrepareNewRecord(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, std::map<std::string, Value> fields,
                        WriteBatch* b, NewRecord* out) {
  *out = NewRecord();
  HAMLET_RETURN_IF_ERROR(CompleteNewRecord(spec, &fields));
  HAMLET_RETURN_IF_ERROR(CheckCategories(r, ws, fields, false));
  if (IsConcerns(spec)) {
    Settings settings;
    HAMLET_RETURN_IF_ERROR(LoadSettings(r, ws, &settings));
    ApplyConcernRules(settings, {}, &fields);
    HAMLET_RETURN_IF_ERROR(NextTicket(r, ws, &out->ticket));
    fields["ticket"] = out->ticket;
  }
  if (IsDenunciation(fields)) HAMLET_RETURN_IF_ERROR(SealConfidential(r, ws, spec, &fields, &out->n_sealed));
  out->id = WriteBatch().Insert(spec.collection, {});  // A fresh id, for the receipt to name.
  if (!out->ticket.empty()) {
    // The receipt is signed by this device over the ticket, the record and
    // what was received; the proof travels in the record.
    std::string digest = IntakeDigest(fields), proof;
    HAMLET_RETURN_IF_ERROR(r.SignReceipt(ws, out->ticket, out->id, digest, &proof, &out->code));
    fields["receipt_digest"] = digest;
    fields["receipt_proof"] = proof;
  }
  b->InsertWithId(out->id, spec.collection, fields);
  out->fields = std::move(fields);
  return Status::OK();
}

Status PrepareChange(Replica& r, const WorkspaceId& ws, const RecordSpec& spec, const Record& rec,
                     std::map<std::string, Value> fields, WriteBatch* b, RecordChange* out) {
  *out = RecordChange();
  if (fields.empty()) return Status::InvalidArgument(Tr("nothing to change: give a field option"));
  HAMLET_RETURN_IF_ERROR(CheckCategories(r, ws, fields, false));
  if (IsConcerns(spec)) {
    Settings settings;
    HAMLET_RETURN_IF_ERROR(LoadSettings(r, ws, &settings));
    ApplyConcernRules(settings, rec.fields, &fields);
  }
  // A denunciation's reporter is sealed, including when a concern becomes
  // one: then its reporter as written so far is sealed too.
  std::map<std::string, Value> after = rec.fields;
  for (const auto& [name, value] : fields) after[name] = value;
  bool denunciation = IsDenunciation(after);
  out->became_denunciation = denunciation && !IsDenunciation(rec.fields);
  if (out->became_denunciation) {
    for (const FieldSpec& f : spec.fields) {
      auto it = rec.fields.find(f.name);
      if (f.confidential && it != rec.fields.end() && !fields.count(f.name)) fields[f.name] = it->second;
    }
  }
  if (denunciation) HAMLET_RETURN_IF_ERROR(SealConfidential(r, ws, spec, &fields, &out->n_sealed));
  KeepKindBesideClearConfidential(spec, rec.fields, &fields);
  b->Update(rec.id, fields);
  return Status::OK();
}

const std::vector<ConcernVerb>& ConcernVerbs() {
  static const std::vector<ConcernVerb> verbs = {
      {"assign", TrMark("Give a concern to someone to handle"), TrMark("Assign"), "--to", TrMark("Who handles it"),
       "assigned_to", "in_progress"},
      {"resolve", TrMark("Mark a concern resolved"), TrMark("Resolve"), "--resolution", TrMark("How it was resolved"),
       "resolution", "resolved"},
      {"transfer", TrMark("Send a concern to another agency"), TrMark("Transfer"), "--to", TrMark("The agency"),
       "transferred_to", "transferred"},
      {"reject", TrMark("Reject a concern"), TrMark("Reject"), "--reason", TrMark("Why"), "resolution", "rejected"},
  };
  return verbs;
}

const ConcernVerb* FindConcernVerb(const std::string& name) {
  for (const ConcernVerb& v : ConcernVerbs()) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

Typed VerbFields(const ConcernVerb& verb, const std::string& value, const std::string& date) {
  Typed typed{{"status", verb.status}, {verb.field, value}};
  if (std::string(verb.name) == "resolve") typed["resolved"] = date.empty() ? FormatDate(Today()) : date;
  return typed;
}

Status Followups(Replica& r, const WorkspaceId& ws, const RecordId& concern, std::vector<Record>* out) {
  Query q;
  q.workspace = ws;
  q.collection = kFollowupCollection;
  q.equals.emplace_back("concern", concern.Hex());
  q.order_by = "date";
  q.limit = 10000;
  QueryResult res;
  HAMLET_RETURN_IF_ERROR(r.Find(q, &res));
  *out = std::move(res.records);
  return Status::OK();
}

Status CheckFollowup(const std::string& note, const std::string& date, Timestamp* when) {
  *when = Today();
  if (!date.empty()) HAMLET_RETURN_IF_ERROR(ParseDate(date, when).WithContext("--date: "));
  if (note.empty()) return Status::InvalidArgument(Format(Tr("%s is empty"), "--note"));
  return Status::OK();
}

Status PrepareFollowup(const Record& concern, const std::string& note, const std::string& date, WriteBatch* b) {
  Timestamp when;
  HAMLET_RETURN_IF_ERROR(CheckFollowup(note, date, &when));
  b->Insert(kFollowupCollection, {{"concern", concern.id.Hex()}, {"note", note}, {"date", when}});
  return Status::OK();
}

Status PrepareSettle(Replica& r, const WorkspaceId& ws, const Conflict& k, size_t pick, const std::string& value,
                     WriteBatch* b, Value* chosen) {
  const RecordSpec* spec = SpecFor(k.collection);
  std::map<std::string, Value> fields;
  if (pick) {
    if (pick > 1 + k.others.size()) {
      return Status::InvalidArgument(Format(Tr("--pick is 1 to %zu"), 1 + k.others.size()));
    }
    fields[k.field] = pick == 1 ? k.winner : k.others[pick - 2];
  } else {
    const FieldSpec* f = spec ? FindField(*spec, k.field) : nullptr;
    Value v = value;
    if (f) HAMLET_RETURN_IF_ERROR(ParseValue(*f, value, &v));
    if (f && f->kind == Kind::kCategory) HAMLET_RETURN_IF_ERROR(CheckCategories(r, ws, {{k.field, v}}, false));
    fields[k.field] = v;
    Record rec;
    size_t n_sealed = 0;
    HAMLET_RETURN_IF_ERROR(r.Get(k.record, &rec));
    if (spec && IsDenunciation(rec.fields)) HAMLET_RETURN_IF_ERROR(SealConfidential(r, ws, *spec, &fields, &n_sealed));
  }
  *chosen = fields[k.field];
  if (spec) {
    Record current;
    if (r.Get(k.record, &current).ok()) KeepKindBesideClearConfidential(*spec, current.fields, &fields);
  }
  // Writing the field supersedes every value this replica has seen of it.
  b->Update(k.record, fields);
  return Status::OK();
}

std::string ReadableValue(Replica& r, const WorkspaceId& ws, const Value& v) {
  if (const auto* text = std::get_if<std::string>(&v); text && Replica::IsSealed(*text)) {
    std::string opened;
    return r.Unseal(ws, *text, &opened).ok() ? opened : Unreadable();
  }
  std::string shown = Show(v);
  return shown.empty() && std::holds_alternative<std::monostate>(v) ? Tr("(none)") : shown;
}

}  // namespace hamlet::office
