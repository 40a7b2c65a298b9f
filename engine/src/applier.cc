#include "applier.h"

#include <algorithm>

#include "compress.h"
#include "hamlet/language.h"
#include "keystore.h"

namespace hamlet {

namespace {

// Record states are sealed under the record key with a form byte first:
// the state as EncodeState writes it, or its zstd frame. Stores of format 4
// hold states sealed raw under the older associated data, without the byte.
constexpr char kStateAd[] = "hamlet record2 ";
constexpr char kLegacyStateAd[] = "hamlet record ";
constexpr uint8_t kStateRaw = 0;
constexpr uint8_t kStateZstd = 1;
// States from this size are compressed when that saves at least 1/8.
constexpr size_t kCompressStateFrom = 256;
constexpr int kStateLevel = 1;  // About 5 us for a state of 1.2 KB, which it makes 2.6 times smaller.
constexpr size_t kMaxStateBytes = 64 << 20;

std::string StateAd(const char* prefix, const RecordId& id, const WorkspaceId& ws) {
  std::string ad(prefix);
  ad.append(id.View());
  ad.append(ws.View());
  return ad;
}

}  // namespace

std::string Applier::SealState(const Key32& record_key, const RecordId& id, const WorkspaceId& ws,
                               const RecordState& state) {
  std::string encoded;
  EncodeState(state, &encoded);
  std::string plain(1, static_cast<char>(kStateRaw));
  if (encoded.size() >= kCompressStateFrom && Compress(encoded, kStateLevel, encoded.size() / 8, &plain)) {
    plain[0] = static_cast<char>(kStateZstd);
  } else {
    plain.append(encoded);
  }
  return Keystore::SealAtRest(record_key, StateAd(kStateAd, id, ws), plain);
}

Status Applier::OpenState(const Key32& record_key, const RecordId& id, const WorkspaceId& ws,
                          std::string_view sealed, RecordState* state) {
  std::string plain;
  if (Keystore::OpenAtRest(record_key, StateAd(kStateAd, id, ws), sealed, &plain)) {
    std::string_view payload = std::string_view(plain).substr(plain.empty() ? 0 : 1);
    if (!plain.empty() && plain[0] == static_cast<char>(kStateRaw)) return DecodeState(payload, state);
    std::string encoded;
    if (plain.empty() || plain[0] != static_cast<char>(kStateZstd) ||
        !Decompress(payload, kMaxStateBytes, &encoded).ok()) {
      return Status::DataLoss(Format(Tr("record %s is malformed in the store"), id.Hex().c_str()));
    }
    return DecodeState(encoded, state);
  }
  if (Keystore::OpenAtRest(record_key, StateAd(kLegacyStateAd, id, ws), sealed, &plain)) {
    return DecodeState(plain, state);
  }
  return Status::DataLoss(Format(Tr("record %s is damaged in the store"), id.Hex().c_str()));
}

Status Applier::Load(const WorkspaceId& ws, const RecordId& id, Entry** entry) {
  auto it = cache_.find(id);
  if (it == cache_.end()) {
    if (cache_.size() >= kMaxCached) HAMLET_RETURN_IF_ERROR(Flush());
    Entry e;
    e.ws = ws;
    std::string sealed;
    bool found = false;
    WorkspaceId stored_ws;
    HAMLET_RETURN_IF_ERROR(store_->LoadRecord(id, &e.rowid, &stored_ws, &sealed, &found));
    if (found) {
      if (stored_ws != ws) {
        return Status::DataLoss(Format(Tr("record %s belongs to another workspace"), id.Hex().c_str()));
      }
      HAMLET_RETURN_IF_ERROR(OpenState(*record_key_, id, ws, sealed, &e.state));
      e.old_tags = tagger_->ForRecord(ws, e.state, specs_->For(e.state.collection));
    }
    it = cache_.emplace(id, std::move(e)).first;
  } else if (it->second.ws != ws) {
    return Status::DataLoss(Format(Tr("record %s belongs to another workspace"), id.Hex().c_str()));
  }
  *entry = &it->second;
  return Status::OK();
}

Status Applier::State(const WorkspaceId& ws, const RecordId& id, const RecordState** state) {
  Entry* e = nullptr;
  HAMLET_RETURN_IF_ERROR(Load(ws, id, &e));
  *state = &e->state;
  return Status::OK();
}

Status Applier::Put(const WorkspaceId& ws, const RecordId& id, RecordState state) {
  Entry* e = nullptr;
  HAMLET_RETURN_IF_ERROR(Load(ws, id, &e));
  e->state = std::move(state);
  e->dirty = true;
  e->touched = ++touches_;
  return Status::OK();
}

Status Applier::Apply(const WorkspaceId& ws, const CommitHeader& header, const std::vector<RecordOp>& ops) {
  Status lookup;
  AppliedFn applied = [&](const WriteRef& ref) {
    if (applied_override_) return applied_override_(ref);
    bool found = false;
    Status s = store_->HasCommit(ws, ref.device, ref.seq, &found);
    if (!s.ok()) lookup = s;
    return found;
  };
  for (const RecordOp& op : ops) {
    Entry* e = nullptr;
    HAMLET_RETURN_IF_ERROR(Load(ws, op.record, &e));
    ApplyOp(&e->state, op, header.author, header.seq, header.hlc, applied);
    HAMLET_RETURN_IF_ERROR(lookup);
    e->dirty = true;
    e->touched = ++touches_;
  }
  return Status::OK();
}

Status Applier::Flush() {
  flushes_++;
  // Record rows first, tag changes after: a row write between FTS5 changes
  // would open a statement savepoint, which makes FTS5 flush its pending
  // terms every time. Only the tags that changed are removed and added.
  std::vector<std::pair<const RecordId*, Entry*>> order;
  for (auto& [id, e] : cache_) {
    if (e.dirty) order.emplace_back(&id, &e);
  }
  if (in_order_of_change_) {
    std::sort(order.begin(), order.end(),
              [](const auto& a, const auto& b) { return a.second->touched < b.second->touched; });
  }
  std::vector<TagChange> changes;
  for (auto [idp, ep] : order) {
    const RecordId& id = *idp;
    Entry& e = *ep;
    std::string sealed = SealState(*record_key_, id, e.ws, e.state);
    HAMLET_RETURN_IF_ERROR(store_->SaveRecord(id, e.ws, sealed, &e.rowid));
    std::string tags = tagger_->ForRecord(e.ws, e.state, specs_->For(e.state.collection));
    TagChange c;
    c.rowid = e.rowid;
    c.before = !e.old_tags.empty();
    c.after = !tags.empty();
    Tagger::Diff(e.old_tags, tags, &c.removed, &c.added);
    changes.push_back(std::move(c));
    e.dirty = false;
  }
  HAMLET_RETURN_IF_ERROR(store_->ChangeTags(std::move(changes)));
  cache_.clear();
  return Status::OK();
}

}  // namespace hamlet
