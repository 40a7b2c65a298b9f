// The private state behind hamlet::Replica, shared by replica.cc (open,
// membership, local commits), query.cc (reads) and sync.cc (chunks).
#ifndef HAMLET_REPLICA_IMPL_H_
#define HAMLET_REPLICA_IMPL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "applier.h"
#include "attachment_files.h"
#include "chunk.h"
#include "coding.h"
#include "format.h"
#include "hamlet/replica.h"
#include "hlc.h"
#include "identity.h"
#include "index_specs.h"
#include "keystore.h"
#include "pending_log.h"
#include "store.h"
#include "tags.h"

namespace hamlet {

struct Replica::Impl {
  std::mutex mu;  // Serialises every public call.
  Env* env = nullptr;
  unsigned import_threads = 0;  // OpenOptions::import_threads.
  std::unique_ptr<Store> store;
  std::unique_ptr<Keystore> keys;
  std::unique_ptr<Tagger> tagger;
  IndexSpecs index_specs;  // Replica::SetIndex; the applier reads them.
  std::unique_ptr<HybridClock> clock;
  std::unique_ptr<Applier> applier;
  std::unique_ptr<AttachmentFiles> files;  // Attachments' sealed chunks (replica_attachments.cc).
  DeviceId device;
  std::atomic<int64_t> statement_max_age_ms{30 * 24 * 3600 * 1000LL};
  // Grouped local commits (replica_commit.cc). pending is null for a store
  // in memory. replay_needed: the pending file holds commits that SQLite
  // lost (a group failed to commit); Settle merges them again.
  std::unique_ptr<PendingLog> pending;
  bool group_open = false;
  size_t group_commits = 0;
  // Commits per group: format::kGroupMaxCommits, or 1 when
  // OpenOptions::group_commits is false (each commits on its own and needs
  // no pending file).
  size_t group_max = format::kGroupMaxCommits;
  bool replay_needed = false;
  bool replaying = false;
  // Number and hash of this device's last commit in each workspace, made
  // in the open group: what the next one names as its predecessor, without
  // reading it back. Emptied when the group ends.
  std::map<WorkspaceId, std::pair<uint64_t, std::string>> group_heads;

  // Adds a commit to the open group (opening one if none is): prepare
  // checks and makes the commit it stores in its argument, reading only;
  // write stores it and merges it; then the commit goes to the pending
  // file, and is durable; its records are written when the group ends
  // (EndGroup) or a read needs them (ShowGroup). When prepare fails without
  // writing, nothing changes; when a later step fails, the whole group is rolled back and its earlier commits
  // wait in the pending file for Settle.
  Status InGroup(const WorkspaceId& ws, const std::function<Status(SealedCommit&)>& prepare,
                 const std::function<Status(const SealedCommit&)>& write);
  // Commits the open group, if any, and empties the pending file; then
  // Settle. Every other write starts with it (InTransaction does).
  Status EndGroup();
  // Writes the records the open group has changed, which the applier
  // holds: every read of records starts with it. On failure the group is
  // rolled back and merged again from the pending file.
  Status ShowGroup();
  // Merges again what the pending file holds when replay_needed.
  Status Settle();
  // Merges commits found in the pending file, as an import does.
  Status MergePending(const std::vector<PendingCommit>& found);
  // Ends the group and removes the pending file; the Replica's destructor.
  Status Close();
  void AbandonGroup();  // Rolls the group back; its commits wait in the pending file.

  // The admin public key of ws; NotFound if this replica is not a member.
  Status AdminKey(const WorkspaceId& ws, std::string* admin_pk);
  Status PersistClock() {
    std::string v;
    Writer(&v).Fixed64(clock->last());
    return store->PutMeta("hlc", v);
  }
  // Verifies, opens and merges commits of ws (ordered by author and
  // number) in one transaction, setting aside those that fail on their own
  // (replica_import.cc). certs adds certificates to those stored.
  Status ImportCommits(const WorkspaceId& ws, std::map<DeviceId, Certificate> certs,
                       const std::vector<SealedCommit>& commits, ImportResult* out);
  // Whether the log holds the author's next commit (*next_held) and it
  // names hash (H of c) as its predecessor: then c is its author's even
  // where its own signature fails (protocol.md 3.4).
  Status VouchedByNext(const WorkspaceId& ws, const SealedCommit& c, const std::string& hash, bool* vouched,
                       bool* next_held);
  // Opens a member chunk (member_chunk.h) of a workspace this replica is
  // in and decodes what it holds, giving the workspace admin's key too.
  Status OpenMember(std::string_view bytes, Chunk* chunk, std::string* admin_pk);
  // Tries again the commits of ws set aside that may pass now.
  Status RetryAside(const WorkspaceId& ws);
  // Inside a transaction, for a revocation just stored: moves the revoked
  // device's commits it no longer lets count from the log to the set-aside
  // ones, and rebuilds the records of its workspace without them
  // (replica_revocation.cc).
  Status EnforceRevocation(const Revocation& rev);
  // Notes that a newer epoch statement of ws arrived now (replica_trust.cc).
  Status NoteStatementArrived(const WorkspaceId& ws);
  // Merges a commit of ws held in the log (canonical bytes) into the
  // records, opening it with the data key of its epoch; *epoch_keys caches
  // them.
  Status MergeLogged(const WorkspaceId& ws, std::string_view bytes, std::map<uint32_t, const Key32*>* epoch_keys);
  // Removes every record of ws, and its tags.
  Status DropRecords(const WorkspaceId& ws);
  // Makes every record of ws again from the commits in the log.
  Status RebuildRecords(const WorkspaceId& ws);
  // Inside a transaction: forgets every other author's commits of ws and
  // the baselines of a snapshot (protocol.md 6.5), keeps this device's own
  // and makes the records again from them, so that the next pull starts
  // from the beginning. What a revocation does when the log is not whole.
  Status StartOver(const WorkspaceId& ws);
  // Builds the reader's view of a record state.
  static Record View(const RecordId& id, const WorkspaceId& ws, const RecordState& st);
};

// The set-aside row for commit c, failed with why.
inline AsideRow MakeAside(const SealedCommit& c, const Status& why, bool retry, bool in_log, int64_t now) {
  AsideRow row;
  row.author = c.header.author;
  row.seq = c.header.seq;
  row.hash = c.Hash();
  row.bytes = c.bytes;
  row.code = static_cast<int>(why.code());
  row.reason = why.message();
  row.retry = retry;
  row.in_log = in_log;
  row.seen = now;
  return row;
}

// Runs fn inside a store transaction: commits if fn succeeds, otherwise rolls
// back, discards the applier's cache and returns fn's error.
template <class Fn>
Status InTransaction(Replica::Impl* impl, Fn&& fn) {
  HAMLET_RETURN_IF_ERROR(impl->EndGroup());
  HAMLET_RETURN_IF_ERROR(impl->store->Begin());
  Status s = fn();
  if (s.ok()) s = impl->applier->Flush();
  if (s.ok()) s = impl->store->Commit();
  if (!s.ok()) {
    impl->store->Rollback();
    impl->applier->Discard();
  }
  return s;
}

// Meta keys of what this replica remembers of a hub, per workspace and hub
// URL (sync.cc, replica_trust.cc).
inline std::string PullKey(const WorkspaceId& ws, std::string_view hub) {
  return "pull " + ws.Hex() + " " + std::string(hub);
}
inline std::string InstanceKey(const WorkspaceId& ws, std::string_view hub) {
  return "hub_instance " + ws.Hex() + " " + std::string(hub);
}
inline std::string DeliveredKey(const WorkspaceId& ws, std::string_view hub) {
  return "delivered " + ws.Hex() + " " + std::string(hub);
}
// The older part of a hub's log still to pull after a recent-first pull
// (Replica::OlderRange): two Fixed64, after and upto; empty or absent when
// none.
inline std::string OlderKey(const WorkspaceId& ws, std::string_view hub) {
  return "older " + ws.Hex() + " " + std::string(hub);
}

// A number kept in the store's meta table; 0 (and *found false) when absent.
inline Status GetNumber(Store& store, const std::string& key, uint64_t* value, bool* found = nullptr) {
  std::string v;
  bool have = false;
  HAMLET_RETURN_IF_ERROR(store.GetMeta(key, &v, &have));
  *value = have ? Reader(v).Fixed64() : 0;
  if (found) *found = have;
  return Status::OK();
}

inline Status PutNumber(Store& store, const std::string& key, uint64_t value) {
  std::string v;
  Writer(&v).Fixed64(value);
  return store.PutMeta(key, v);
}

// The older range of ws at hub (OlderKey); *upto 0 when none is left.
inline Status GetOlderRange(Store& store, const WorkspaceId& ws, std::string_view hub, uint64_t* after,
                            uint64_t* upto) {
  std::string v;
  bool have = false;
  HAMLET_RETURN_IF_ERROR(store.GetMeta(OlderKey(ws, hub), &v, &have));
  *after = *upto = 0;
  if (v.size() != 16) return Status::OK();
  Reader r(v);
  *after = r.Fixed64();
  *upto = r.Fixed64();
  if (*upto <= *after) *after = *upto = 0;
  return Status::OK();
}

// Sets it; upto <= after forgets it.
inline Status PutOlderRange(Store& store, const WorkspaceId& ws, std::string_view hub, uint64_t after, uint64_t upto) {
  std::string v;
  if (upto > after) {
    Writer w(&v);
    w.Fixed64(after);
    w.Fixed64(upto);
  }
  return store.PutMeta(OlderKey(ws, hub), v);
}

}  // namespace hamlet

#endif  // HAMLET_REPLICA_IMPL_H_
