// Reads: Get, Find, Conflicts and the state digest.
//
// Find narrows candidates with the blind tag index (collection, equality and
// word tags), then opens each candidate and checks every condition on the real
// values, so a tag collision can cost time but never give a wrong answer.
#include <algorithm>
#include <set>

#include "replica_impl.h"
#include "text.h"

namespace hamlet {

Record Replica::Impl::View(const RecordId& id, const WorkspaceId& ws, const RecordState& st) {
  Record r;
  r.id = id;
  r.workspace = ws;
  r.collection = st.collection;
  r.deleted = !st.Alive();
  uint64_t latest = st.alive.winner() ? st.alive.winner()->hlc : 0;
  for (const auto& [name, reg] : st.fields) {
    const Version* w = reg.winner();
    if (!w) continue;
    latest = std::max(latest, w->hlc);
    r.fields[name] = w->value;
    std::vector<Value> others;
    for (size_t i = 1; i < reg.heads.size(); i++) {
      const Value& v = reg.heads[i].value;
      if (v != w->value && std::find(others.begin(), others.end(), v) == others.end()) others.push_back(v);
    }
    if (!others.empty()) r.conflicts[name] = std::move(others);
  }
  r.updated_millis = HybridClock::Millis(latest);
  return r;
}

Status Replica::Get(const RecordId& id, Record* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  int64_t rowid = 0;
  WorkspaceId ws;
  std::string sealed;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->LoadRecord(id, &rowid, &ws, &sealed, &found));
  if (!found) return Status::NotFound("no record " + id.Hex());
  RecordState st;
  HAMLET_RETURN_IF_ERROR(Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st));
  *out = Impl::View(id, ws, st);
  return Status::OK();
}

namespace {

bool HasAllWords(const Record& r, const std::vector<std::string>& words) {
  if (words.empty()) return true;
  std::set<std::string> have;
  for (const auto& [name, v] : r.fields) {
    if (auto* s = std::get_if<std::string>(&v)) {
      for (std::string& w : SearchWords(*s)) have.insert(std::move(w));
    }
  }
  for (const std::string& w : words) {
    if (!have.count(w)) return false;
  }
  return true;
}

bool Matches(const Record& r, const Query& q, const std::vector<std::string>& words) {
  if (r.deleted || r.collection != q.collection) return false;
  for (const auto& [field, value] : q.equals) {
    auto it = r.fields.find(field);
    if (it == r.fields.end() || it->second != value) return false;
  }
  if (q.from || q.to) {
    auto it = r.fields.find(q.time_field);
    if (it == r.fields.end()) return false;
    const auto* t = std::get_if<Timestamp>(&it->second);
    if (!t || (q.from && *t < *q.from) || (q.to && !(*t < *q.to))) return false;
  }
  return HasAllWords(r, words);
}

}  // namespace

Status Replica::Find(const Query& q, QueryResult* out) {
  if (q.collection.empty()) return Status::InvalidArgument("a query names a collection");
  if ((q.from || q.to) && q.time_field.empty()) return Status::InvalidArgument("a time range needs a time field");
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::vector<WorkspaceId> spaces;
  if (q.workspace) {
    spaces.push_back(*q.workspace);
  } else {
    std::vector<std::pair<WorkspaceId, std::string>> all;
    HAMLET_RETURN_IF_ERROR(m.store->ListWorkspaces(&all));
    for (auto& [id, pk] : all) spaces.push_back(id);
  }
  std::vector<std::string> words = SearchWords(q.text);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::vector<Record> hits;
  for (const WorkspaceId& ws : spaces) {
    std::vector<std::string> tags{Tagger::Hex(m.tagger->Collection(ws, q.collection))};
    for (const auto& [field, value] : q.equals) {
      const auto* s = std::get_if<std::string>(&value);
      if (!s || s->size() <= Tagger::kMaxEqualityText) {
        tags.push_back(Tagger::Hex(m.tagger->Equality(ws, q.collection, field, value)));
      }
    }
    for (const std::string& w : words) tags.push_back(Tagger::Hex(m.tagger->Word(ws, w)));
    std::vector<int64_t> rowids;
    HAMLET_RETURN_IF_ERROR(m.store->MatchAll(tags, &rowids));
    for (int64_t rowid : rowids) {
      RecordId id;
      WorkspaceId rws;
      std::string sealed;
      bool found = false;
      HAMLET_RETURN_IF_ERROR(m.store->LoadRecordByRowid(rowid, &id, &rws, &sealed, &found));
      if (!found || rws != ws) continue;
      RecordState st;
      HAMLET_RETURN_IF_ERROR(Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st));
      Record r = Impl::View(id, ws, st);
      if (Matches(r, q, words)) hits.push_back(std::move(r));
    }
  }
  auto key = [&](const Record& r) -> Value {
    auto it = r.fields.find(q.order_by);
    return it == r.fields.end() ? Value() : it->second;
  };
  if (q.order_by.empty()) {
    std::sort(hits.begin(), hits.end(), [](const Record& a, const Record& b) {
      return std::tie(b.updated_millis, a.id) < std::tie(a.updated_millis, b.id);
    });
  } else {
    std::sort(hits.begin(), hits.end(), [&](const Record& a, const Record& b) {
      Value ka = key(a), kb = key(b);
      if (ka != kb) return q.descending ? kb < ka : ka < kb;
      return a.id < b.id;
    });
  }
  out->total = hits.size();
  out->records.clear();
  for (size_t i = q.offset; i < hits.size() && out->records.size() < q.limit; i++) {
    out->records.push_back(std::move(hits[i]));
  }
  return Status::OK();
}

Status Replica::Conflicts(const WorkspaceId& ws, std::vector<Conflict>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  out->clear();
  Status inner;
  HAMLET_RETURN_IF_ERROR(m.store->ScanRecords(ws, [&](const RecordId& id, std::string_view sealed) {
    RecordState st;
    inner = Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st);
    if (!inner.ok()) return false;
    Record r = Impl::View(id, ws, st);
    for (auto& [field, others] : r.conflicts) {
      out->push_back(Conflict{id, r.collection, field, r.fields[field], others});
    }
    return true;
  }));
  return inner;
}

Status Replica::StateDigest(const WorkspaceId& ws, std::string* hex) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  Hasher h;
  Status inner;
  HAMLET_RETURN_IF_ERROR(m.store->ScanRecords(ws, [&](const RecordId& id, std::string_view sealed) {
    RecordState st;
    inner = Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st);
    if (!inner.ok()) return false;
    DigestRecord(id, st, &h);
    return true;
  }));
  HAMLET_RETURN_IF_ERROR(inner);
  std::string d = h.Final();
  static const char* kDigits = "0123456789abcdef";
  hex->clear();
  for (unsigned char c : d) {
    hex->push_back(kDigits[c >> 4]);
    hex->push_back(kDigits[c & 15]);
  }
  return Status::OK();
}

}  // namespace hamlet
