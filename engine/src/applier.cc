#include "applier.h"

#include <algorithm>

#include "keystore.h"

namespace hamlet {

std::string RecordStateAd(const RecordId& id, const WorkspaceId& ws) {
  std::string ad("hamlet record ");
  ad.append(id.View());
  ad.append(ws.View());
  return ad;
}

Status Applier::OpenState(const Key32& record_key, const RecordId& id, const WorkspaceId& ws,
                          std::string_view sealed, RecordState* state) {
  std::string plain;
  if (!Keystore::OpenAtRest(record_key, RecordStateAd(id, ws), sealed, &plain)) {
    return Status::DataLoss("record " + id.Hex() + " is damaged in the store");
  }
  return DecodeState(plain, state);
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
        return Status::DataLoss("record " + id.Hex() + " belongs to another workspace");
      }
      HAMLET_RETURN_IF_ERROR(OpenState(*record_key_, id, ws, sealed, &e.state));
      e.old_tags = tagger_->ForRecord(ws, e.state, specs_->For(e.state.collection));
    }
    it = cache_.emplace(id, std::move(e)).first;
  } else if (it->second.ws != ws) {
    return Status::DataLoss("record " + id.Hex() + " belongs to another workspace");
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
  }
  return Status::OK();
}

Status Applier::Flush() {
  // Record rows first, tag changes after: a row write between FTS5 changes
  // would open a statement savepoint, which makes FTS5 flush its pending
  // terms every time. Only the tags that changed are removed and added.
  std::string plain;
  std::vector<TagChange> changes;
  for (auto& [id, e] : cache_) {
    if (!e.dirty) continue;
    EncodeState(e.state, &plain);
    std::string sealed = Keystore::SealAtRest(*record_key_, RecordStateAd(id, e.ws), plain);
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
