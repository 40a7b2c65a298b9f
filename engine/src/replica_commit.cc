// Local commits (protocol.md 3 and 8): a WriteBatch becomes a signed,
// sealed commit on this device's chain, merged into its records at once.
//
// Local commits are grouped: they run in one SQLite transaction, and each
// is durable as soon as its bytes are in the pending file (pending_log.h).
// The group's transaction commits after format::kGroupMaxCommits commits,
// before any other transaction, and when the replica closes; after a
// crash, the pending file's commits are merged again as an import would
// merge them. The group's records are written when it ends or a read needs
// them (ShowGroup), so a record changed many times is sealed and retagged
// once and the tag index takes its changes in few runs.
#include <set>

#include "format.h"
#include "hamlet/language.h"
#include "replica_impl.h"
#include "rights.h"
#include "text.h"

namespace hamlet {

Status Replica::Impl::InGroup(const WorkspaceId& ws, const std::function<Status(SealedCommit&)>& prepare,
                              const std::function<Status(const SealedCommit&)>& write) {
  if (!group_open) {
    HAMLET_RETURN_IF_ERROR(store->Begin());
    group_open = true;
    applier->set_in_order_of_change(true);
    group_commits = 0;
  }
  SealedCommit sealed;
  const uint64_t flushes = applier->flushes();
  Status s = prepare(sealed);
  if (!s.ok() && applier->flushes() == flushes) return s;  // Nothing written: the group goes on.
  if (s.ok()) s = write(sealed);
  if (s.ok() && pending && group_max > 1) s = pending->Append(ws, sealed.bytes);
  if (!s.ok()) {
    // Part of this commit, or of the records of earlier ones, may be in the
    // transaction. No savepoint undoes it (a savepoint per commit would
    // make FTS5 write its pending terms out at every commit): the whole
    // group is rolled back, and Settle merges its earlier commits again
    // from the pending file, now if it can, so that reads see them, else
    // before the next write.
    AbandonGroup();
    (void)Settle();
    return s;
  }
  group_commits++;
  // A commit alone is durable once SQLite commits it.
  if (group_max == 1) return EndGroup();
  if (group_commits >= group_max || (pending && pending->size() >= format::kGroupMaxBytes)) {
    // The commit is durable in the pending file whatever happens here: a
    // group that fails to commit is merged again from the file by the next
    // call (Settle), which reports the failure if it lasts.
    (void)EndGroup();
  }
  return Status::OK();
}

void Replica::Impl::AbandonGroup() {
  group_heads.clear();
  applier->set_in_order_of_change(false);
  store->Rollback();
  applier->Discard();
  group_open = false;
  replay_needed = true;
}

Status Replica::Impl::EndGroup() {
  if (group_open) {
    group_open = false;
    group_heads.clear();
    Status s = applier->Flush();
    applier->set_in_order_of_change(false);
    if (s.ok()) s = store->Commit();
    if (!s.ok()) {
      store->Rollback();
      applier->Discard();
      replay_needed = true;
      return s.WithContext("committing a group of local commits: ");
    }
    // Were the file not emptied, its commits would be merged again later
    // as duplicates, which changes nothing.
    if (pending && pending->size() > 0) (void)pending->Clear();
  }
  return Settle();
}

Status Replica::Impl::ShowGroup() {
  if (!group_open) return Status::OK();
  Status s = applier->Flush();
  if (!s.ok()) {
    AbandonGroup();
    (void)Settle();
  }
  return s;
}

Status Replica::Impl::Settle() {
  if (!replay_needed || replaying) return Status::OK();
  if (group_open) return EndGroup();
  std::vector<PendingCommit> found;
  if (pending) HAMLET_RETURN_IF_ERROR(pending->Reread(&found));
  HAMLET_RETURN_IF_ERROR(MergePending(found));
  replay_needed = false;
  if (pending) HAMLET_RETURN_IF_ERROR(pending->Clear());
  return Status::OK();
}

Status Replica::Impl::MergePending(const std::vector<PendingCommit>& found) {
  struct Replaying {
    bool* flag;
    ~Replaying() { *flag = false; }
  } guard{&replaying};
  replaying = true;
  for (size_t i = 0; i < found.size();) {
    const WorkspaceId& ws = found[i].workspace;
    std::vector<SealedCommit> commits;
    for (; i < found.size() && found[i].workspace == ws; i++) {
      SealedCommit c;
      HAMLET_RETURN_IF_ERROR(ParseCommit(found[i].bytes, &c).WithContext("a commit in the pending file: "));
      commits.push_back(std::move(c));
    }
    // The same checks as any import: a commit that fails them is set
    // aside with its reason, not lost.
    ImportResult result;
    HAMLET_RETURN_IF_ERROR(ImportCommits(ws, {}, commits, &result));
  }
  return Status::OK();
}

Status Replica::Impl::Close() {
  std::lock_guard<std::mutex> lock(mu);
  HAMLET_RETURN_IF_ERROR(EndGroup());
  if (pending) HAMLET_RETURN_IF_ERROR(pending->Remove());
  return Status::OK();
}

namespace {

Status CheckFields(const std::map<std::string, Value>& fields) {
  for (const auto& [name, value] : fields) {
    if (name.empty() || name.size() > format::kMaxNameBytes || !IsValidUtf8(name)) {
      return Status::InvalidArgument(Tr("field names must be 1 to 255 bytes of UTF-8"));
    }
    if (name[0] == '_') return Status::InvalidArgument(Tr("field names starting with '_' are reserved"));
    if (auto* s = std::get_if<std::string>(&value); s && !IsValidUtf8(*s)) {
      return Status::InvalidArgument(Format(Tr("value of field '%s' is not valid UTF-8"), name.c_str()));
    }
  }
  return Status::OK();
}

}  // namespace

Status Replica::Commit(const WorkspaceId& ws, const WriteBatch& batch, CommitInfo* info) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  if (batch.empty()) return Status::InvalidArgument(Tr("nothing to commit"));
  HAMLET_RETURN_IF_ERROR(m.Settle());
  uint32_t epoch = 0;
  HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(ws, &epoch));
  const Key32* data_key = nullptr;
  HAMLET_RETURN_IF_ERROR(m.keys->WorkspaceKey(ws, epoch, &data_key));
  std::vector<RecordOp> ops;
  CommitHeader h;
  // A local commit extends the chain's head, and its contiguous prefix
  // when that reached the head.
  ChainInfo chain;
  // Checks and seals the commit, reading only: a refused batch leaves the
  // group as it was.
  auto prepare = [&](SealedCommit& sealed) -> Status {
    std::set<RecordId> seen;
    for (const WriteBatch::Entry& e : batch.entries()) {
      if (!seen.insert(e.id).second) {
        return Status::InvalidArgument(Format(Tr("record %s appears twice in one batch"), e.id.Hex().c_str()));
      }
      HAMLET_RETURN_IF_ERROR(CheckFields(e.fields));
      const RecordState* st = nullptr;
      HAMLET_RETURN_IF_ERROR(m.applier->State(ws, e.id, &st));
      RecordOp op;
      op.record = e.id;
      if (e.kind == WriteBatch::Kind::kInsert) {
        if (st->Known()) return Status::AlreadyExists(Format(Tr("record %s exists already"), e.id.Hex().c_str()));
        if (e.collection.empty() || e.collection.size() > format::kMaxNameBytes || !IsValidUtf8(e.collection)) {
          return Status::InvalidArgument(Tr("a collection name must be 1 to 255 bytes of UTF-8"));
        }
        op.collection = e.collection;
      } else {
        if (!st->Known()) return Status::NotFound(Format(Tr("no record %s in this workspace"), e.id.Hex().c_str()));
        op.collection = st->collection;
        op.alive_base = st->alive.HeadIds();
      }
      op.alive = e.kind != WriteBatch::Kind::kDelete;
      for (const auto& [name, value] : e.fields) {
        FieldWrite f{name, value, {}};
        if (auto it = st->fields.find(name); it != st->fields.end()) f.base = it->second.HeadIds();
        op.fields.push_back(std::move(f));
      }
      ops.push_back(std::move(op));
    }
    // Every replica would set aside what this device's role may not write:
    // refuse it here, where the user can still be told.
    std::string own_cert;
    bool certified = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, m.device, &own_cert, &certified));
    if (!certified) return Status::DataLoss(Tr("this device's own certificate is missing"));
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(own_cert, &cert));
    HAMLET_RETURN_IF_ERROR(CheckRights(cert.role, ops));
    ChainInfo mine;
    HAMLET_RETURN_IF_ERROR(m.store->GetChain(ws, m.device, &mine));
    h.author = m.device;
    h.seq = mine.head + 1;
    h.prev_hash = std::string(kHashBytes, '\0');
    if (auto it = m.group_heads.find(ws); it != m.group_heads.end() && it->second.first == mine.head) {
      h.prev_hash = it->second.second;
    } else if (h.seq > 1) {
      std::string prev;
      bool found = false;
      HAMLET_RETURN_IF_ERROR(m.store->GetCommit(ws, m.device, h.seq - 1, &prev, &found));
      if (!found) return Status::DataLoss(Tr("this device's previous commit is missing from its log"));
      h.prev_hash = Hash(prev);
    }
    h.hlc = m.clock->Next();
    h.epoch = epoch;
    std::string body;
    HAMLET_RETURN_IF_ERROR(EncodeBody(m.device, ops, &body));
    chain = ChainInfo{mine.contiguous == mine.head ? h.seq : mine.contiguous, h.seq};
    return SealCommit(ws, h, body, *data_key, m.keys->sign_secret_key(), &sealed);
  };
  auto write = [&](const SealedCommit& sealed) -> Status {
    HAMLET_RETURN_IF_ERROR(m.store->InsertCommit(ws, sealed, h.hlc, sealed.padding_zeros));
    HAMLET_RETURN_IF_ERROR(m.store->PutChain(ws, m.device, chain));
    HAMLET_RETURN_IF_ERROR(m.applier->Apply(ws, sealed.header, ops));
    m.group_heads[ws] = {h.seq, sealed.Hash()};
    if (info) *info = CommitInfo{m.device, h.seq, h.hlc, sealed.bytes.size()};
    return Status::OK();
  };
  return m.InGroup(ws, prepare, write);
}

}  // namespace hamlet
