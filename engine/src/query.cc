// Reads: Get, Find, Conflicts and the state digest.
//
// Find narrows candidates with the blind tag index (collection, equality and
// word tags), then opens each candidate and checks every condition on the real
// values, so a tag collision can cost time but never give a wrong answer.
#include <algorithm>
#include <functional>
#include <map>

#include "hamlet/language.h"
#include "hex.h"
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
  HAMLET_RETURN_IF_ERROR(m.ShowGroup());
  int64_t rowid = 0;
  WorkspaceId ws;
  std::string sealed;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->LoadRecord(id, &rowid, &ws, &sealed, &found));
  if (!found) return Status::NotFound(Format(Tr("no record %s"), id.Hex().c_str()));
  RecordState st;
  HAMLET_RETURN_IF_ERROR(Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st));
  *out = Impl::View(id, ws, st);
  return Status::OK();
}

namespace {

// Checks a query's conditions on an opened record. Collection, equality and
// words are what its tags already promised; they are checked again here only
// for records opened anyway (time-range edges, untagged long values).
bool Matches(const Record& r, const Query& q) {
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
  return true;
}

std::string Quoted(uint64_t tag) { return "\"" + Tagger::Hex(tag) + "\""; }

std::string AnyOf(const std::vector<uint64_t>& tags) {
  std::string e = "(";
  for (size_t i = 0; i < tags.size(); i++) e += (i ? " OR " : "") + Quoted(tags[i]);
  return e + ")";
}

}  // namespace

// Plans a query on the blind index. The index is exact (a tag matches only
// its own value, but for a 2^-64 chance), so most matches are taken without
// opening them: only records on the partial edge days of a time range, or
// filtered on a long text value that has no equality tag, are opened to be
// checked, and every record of the collection for a condition on a field
// its IndexSpec leaves out of the index. Without order_by, records come in
// the order they last changed on this replica, newest first (the store
// keeps that order), and only the requested page is opened.
Status Replica::Find(const Query& q, QueryResult* out) {
  if (q.collection.empty()) return Status::InvalidArgument(Tr("a query names a collection"));
  if ((q.from || q.to) && q.time_field.empty()) return Status::InvalidArgument(Tr("a time range needs a time field"));
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  HAMLET_RETURN_IF_ERROR(m.ShowGroup());
  std::vector<WorkspaceId> spaces;
  if (q.workspace) {
    spaces.push_back(*q.workspace);
  } else {
    std::vector<std::pair<WorkspaceId, std::string>> all;
    HAMLET_RETURN_IF_ERROR(m.store->ListWorkspaces(&all));
    for (auto& [id, pk] : all) spaces.push_back(id);
  }
  std::vector<std::string> words = SearchWords(q.text);
  const IndexSpec& spec = m.index_specs.For(q.collection);
  // A time range on a field the index keeps no buckets of: every record
  // of the collection is opened and checked.
  const bool range_indexed = spec.Of(q.time_field) != FieldIndex::kNone;

  std::vector<int64_t> accepted;  // Matches, known without opening them.
  std::vector<int64_t> to_check;  // Candidates that must be opened and checked.
  for (const WorkspaceId& ws : spaces) {
    std::string base = Quoted(m.tagger->Collection(ws, q.collection));
    bool untagged = false;
    for (const auto& [field, value] : q.equals) {
      const auto* s = std::get_if<std::string>(&value);
      if ((s && s->size() > Tagger::kMaxEqualityText) || spec.Of(field) == FieldIndex::kNone) {
        untagged = true;
      } else {
        base += " AND " + Quoted(m.tagger->Equality(ws, q.collection, field, value));
      }
    }
    for (const std::string& w : words) base += " AND " + Quoted(m.tagger->Word(ws, w));
    std::vector<int64_t> rowids;
    if (q.from && q.to && range_indexed) {
      Tagger::Cover cover = m.tagger->RangeCover(ws, q.collection, q.time_field, q.from->millis, q.to->millis);
      if (!cover.whole.empty()) {
        HAMLET_RETURN_IF_ERROR(m.store->Match(base + " AND " + AnyOf(cover.whole), &rowids));
        (untagged ? to_check : accepted).insert((untagged ? to_check : accepted).end(), rowids.begin(), rowids.end());
      }
      if (!cover.partial.empty()) {
        HAMLET_RETURN_IF_ERROR(m.store->Match(base + " AND " + AnyOf(cover.partial), &rowids));
        to_check.insert(to_check.end(), rowids.begin(), rowids.end());
      }
    } else {
      HAMLET_RETURN_IF_ERROR(m.store->Match(base, &rowids));
      bool check = untagged || q.from || q.to;
      (check ? to_check : accepted).insert((check ? to_check : accepted).end(), rowids.begin(), rowids.end());
    }
  }

  std::map<int64_t, Record> opened;
  auto open = [&](int64_t rowid, Record* rec) -> Status {
    RecordId id;
    WorkspaceId ws;
    std::string sealed;
    bool found = false;
    HAMLET_RETURN_IF_ERROR(m.store->LoadRecordByRowid(rowid, &id, &ws, &sealed, &found));
    if (!found) return Status::Internal(Tr("the index names a record that is not stored"));
    RecordState st;
    HAMLET_RETURN_IF_ERROR(Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st));
    *rec = Impl::View(id, ws, st);
    return Status::OK();
  };
  for (int64_t rowid : to_check) {
    Record r;
    HAMLET_RETURN_IF_ERROR(open(rowid, &r));
    if (!Matches(r, q)) continue;
    accepted.push_back(rowid);
    opened.emplace(rowid, std::move(r));
  }
  out->total = accepted.size();
  out->records.clear();

  if (q.order_by.empty()) {
    std::vector<int64_t> newest;
    size_t want = q.offset + std::min(q.limit, accepted.size());
    HAMLET_RETURN_IF_ERROR(m.store->NewestChanged(accepted, want, &newest));
    for (size_t i = q.offset; i < newest.size() && out->records.size() < q.limit; i++) {
      auto it = opened.find(newest[i]);
      if (it != opened.end()) {
        out->records.push_back(std::move(it->second));
      } else {
        Record r;
        HAMLET_RETURN_IF_ERROR(open(newest[i], &r));
        out->records.push_back(std::move(r));
      }
    }
    return Status::OK();
  }
  // Ordered by a field: every match is opened to read its value.
  std::vector<std::pair<int64_t, Record>> hits;
  hits.reserve(accepted.size());
  for (int64_t rowid : accepted) {
    auto it = opened.find(rowid);
    if (it != opened.end()) {
      hits.emplace_back(rowid, std::move(it->second));
    } else {
      Record r;
      HAMLET_RETURN_IF_ERROR(open(rowid, &r));
      hits.emplace_back(rowid, std::move(r));
    }
  }
  auto key = [&](const Record& r) -> const Value* {
    auto it = r.fields.find(q.order_by);
    return it == r.fields.end() ? nullptr : &it->second;
  };
  static const Value kNull;
  std::sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
    const Value* ka = key(a.second);
    const Value* kb = key(b.second);
    const Value& va = ka ? *ka : kNull;
    const Value& vb = kb ? *kb : kNull;
    if (va != vb) return q.descending ? vb < va : va < vb;
    return a.first > b.first;
  });
  for (size_t i = q.offset; i < hits.size() && out->records.size() < q.limit; i++) {
    out->records.push_back(std::move(hits[i].second));
  }
  return Status::OK();
}

Status Replica::Conflicts(const WorkspaceId& ws, std::vector<Conflict>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  HAMLET_RETURN_IF_ERROR(m.ShowGroup());
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
  HAMLET_RETURN_IF_ERROR(m.ShowGroup());
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
  *hex = HexEncode(h.Final());
  return Status::OK();
}

}  // namespace hamlet
