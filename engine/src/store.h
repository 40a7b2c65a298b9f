// Store: the replica's SQLite file (protocol.md, "Local store").
//
// Tables: meta (format, key derivation, wrapped keys, clock), workspaces and
// their data keys (sealed), device certificates, the commit log (sealed
// commits exactly as they travel, with their arrival order), per-author chain
// progress, materialised records (each state sealed under the local record
// key) and a contentless FTS5 table of blind tags. The store holds bytes; it
// never sees a key or a plaintext value.
//
// One Store is one connection. Not thread safe: the Replica serialises calls.
#ifndef HAMLET_STORE_H_
#define HAMLET_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chain.h"
#include "commit.h"
#include "hamlet/status.h"
#include "hamlet/types.h"
#include "sqlite.h"

namespace hamlet {

// A commit set aside by an import instead of merged: kept with why, so one
// bad commit never stops the rest (protocol.md, "Import").
struct AsideRow {
  DeviceId author;
  uint64_t seq = 0;
  std::string hash;    // H(bytes).
  std::string bytes;   // The commit as it arrived.
  int code = 0;        // A hamlet::Code: what kind of failure.
  std::string reason;  // For people.
  bool retry = false;  // It may pass later (a key, a certificate or a revoked chain's links still to come).
  bool in_log = false; // Stored in the log (signed, on its chain) but not merged: its content is unusable.
  int64_t seen = 0;    // Wall clock when first set aside, ms.
};

// A change of one record's tags in the index: the tags it loses and those
// it gains (lists in Tagger's form, either may be empty) and whether it has
// any tags before and after. FTS5 counts rows, one less for every removal
// and one more for every addition, and calls itself corrupt when the count
// goes below zero; so a record is a row of the index while it has tags, and
// a change that keeps it one removes and adds, though one list be empty.
struct TagChange {
  int64_t rowid = 0;
  std::string removed, added;
  bool before = false, after = false;
};

class Store {
 public:
  // Opens the file, creating it if create is set (else a missing file is
  // NotFound and nothing is made). durable chooses synchronous=FULL (every
  // transaction reaches the disk before it returns) over NORMAL.
  static Status Open(const std::string& path, bool durable, bool create, std::unique_ptr<Store>* out);
  ~Store();

  sqlite3* db() { return db_; }

  // Leaves the WAL as it is when the connection closes, so a store that was
  // opened but not unlocked is left byte for byte as it was found.
  void LeaveUntouchedOnClose();

  Status Begin();  // BEGIN IMMEDIATE.
  Status Commit();
  void Rollback();

  Status GetMeta(std::string_view key, std::string* value, bool* found);
  Status PutMeta(std::string_view key, std::string_view value);

  // Workspaces and their sealed data keys.
  Status PutWorkspace(const WorkspaceId& ws, std::string_view admin_public_key);
  Status ListWorkspaces(std::vector<std::pair<WorkspaceId, std::string>>* out);
  Status PutWorkspaceKey(const WorkspaceId& ws, uint32_t epoch, std::string_view sealed);
  Status ListWorkspaceKeys(const WorkspaceId& ws, std::vector<std::pair<uint32_t, std::string>>* out);

  // Device certificates.
  Status PutDevice(const WorkspaceId& ws, const DeviceId& device, std::string_view cert);
  Status GetDevice(const WorkspaceId& ws, const DeviceId& device, std::string* cert, bool* found);

  Status ListDevices(const WorkspaceId& ws, std::vector<std::pair<DeviceId, std::string>>* out);

  // Revocations: the signed statement, and the last commit accepted (its
  // number and hash).
  Status PutRevocation(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq, std::string_view last_hash,
                       std::string_view bytes);
  Status GetRevocation(const WorkspaceId& ws, const DeviceId& device, uint64_t* last_seq, bool* found,
                       std::string* last_hash = nullptr);
  // Every revocation of ws held: the device and the signed bytes, by device.
  Status ListRevocations(const WorkspaceId& ws, std::vector<std::pair<DeviceId, std::string>>* out);

  // Commits set aside (see AsideRow), one row per (author, seq, hash);
  // PutAside keeps the first time a row was seen; DropAside leaves rows of
  // commits in the log (their content stays unusable).
  Status PutAside(const WorkspaceId& ws, const AsideRow& row);
  Status DropAside(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string_view hash);
  Status ListAside(const WorkspaceId& ws, bool retry_only, std::vector<AsideRow>* out);
  Status CountAside(const WorkspaceId& ws, uint64_t* n);

  // The commit log. Every read gives a commit's canonical bytes; a commit
  // whose padding_zeros is known is kept in the compact form (commit.h),
  // which the expander turns back into them.
  using Expander = std::function<Status(const WorkspaceId&, std::string_view stored, std::string* bytes)>;
  // Set once, before the log is read, by the owner of the keys.
  void SetExpander(Expander expander) { expander_ = std::move(expander); }
  Status GetCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string* bytes, bool* found);
  Status HasCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, bool* found);
  // Stores c (its stamp hlc) in the log; padding_zeros as OpenCommit or
  // SealCommit gave it, 0 when not known.
  Status InsertCommit(const WorkspaceId& ws, const SealedCommit& c, uint64_t hlc, size_t padding_zeros);
  // Calls fn(seq, bytes, padding_zeros) for author's commits with seq >
  // after, ascending, until fn returns false; padding_zeros as the log
  // keeps it (0 when not known).
  Status ScanCommits(const WorkspaceId& ws, const DeviceId& author, uint64_t after,
                     const std::function<bool(uint64_t, std::string_view, size_t)>& fn);
  Status CountCommits(const WorkspaceId& ws, uint64_t* n);
  // The greatest clock stamp of author's latest commit in any workspace
  // (0 when it has none).
  Status LatestStamp(const DeviceId& author, uint64_t* hlc);
  // Calls fn(author, seq, bytes) for every commit of ws in the order they
  // arrived, until fn returns false.
  Status ScanLog(const WorkspaceId& ws,
                 const std::function<bool(const DeviceId&, uint64_t, std::string_view)>& fn);
  Status DeleteCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq);
  // Drops every materialised record of ws, each with the tags given for it
  // by tags_of(id, sealed state), which the index needs to remove them.
  Status DeleteRecords(const WorkspaceId& ws,
                       const std::function<Status(const RecordId&, std::string_view, std::string*)>& tags_of);

  // Baselines: where a replica that started from a snapshot (protocol.md
  // 6.5) holds an author's chain without its commits. Commits 1..seq count
  // as held (HasCommit says so; GetCommit and the scans do not find them),
  // and commit seq hashes to hash. Kept in memory as well: HasCommit is
  // asked for every write a merge supersedes.
  struct Baseline {
    uint64_t seq = 0;
    std::string hash;
  };
  Status PutBaseline(const WorkspaceId& ws, const DeviceId& author, const Baseline& b);
  Status GetBaseline(const WorkspaceId& ws, const DeviceId& author, Baseline* out);  // seq 0 if none.
  Status GetBaselines(const WorkspaceId& ws, std::map<DeviceId, Baseline>* out);
  // Forgets what ws holds of every author but self: baselines, commits,
  // chains, set-aside commits and pull positions (records are the
  // caller's to rebuild), so that the next pull starts from the beginning.
  // Inside a transaction; a rollback needs LoadBaselines after it.
  Status ForgetOthers(const WorkspaceId& ws, const DeviceId& self);
  Status LoadBaselines();

  // Chain progress per author (see ChainBatch).
  Status GetChains(const WorkspaceId& ws, std::map<DeviceId, ChainInfo>* out);
  Status GetChain(const WorkspaceId& ws, const DeviceId& author, ChainInfo* out);  // Zeros if none.
  Status PutChain(const WorkspaceId& ws, const DeviceId& author, const ChainInfo& info);

  // Materialised records. rowid is the record's key in the tag index.
  Status LoadRecord(const RecordId& id, int64_t* rowid, WorkspaceId* ws, std::string* sealed, bool* found);
  Status LoadRecordByRowid(int64_t rowid, RecordId* id, WorkspaceId* ws, std::string* sealed, bool* found);
  // Writes a record's state: in its row *rowid, or, when *rowid is 0, in a
  // new row whose rowid it sets. A record keeps its rowid (its key in the
  // tag index) while it is stored; each write marks it changed last.
  Status SaveRecord(const RecordId& id, const WorkspaceId& ws, std::string_view sealed, int64_t* rowid);
  // The first n of rowids (records) by when they last changed on this
  // replica, newest first.
  Status NewestChanged(const std::vector<int64_t>& rowids, size_t n, std::vector<int64_t>* out);
  // Gives a store of format 3 the order of change (after it is unlocked:
  // nothing is written before).
  Status MigrateRecordOrder();
  Status ScanRecords(const WorkspaceId& ws,
                     const std::function<bool(const RecordId&, std::string_view)>& fn);
  // Changes the tags of records of ws: retag(id, sealed state, &change)
  // fills in, for each record, what changes (nothing, when left as it is).
  Status RetagRecords(const WorkspaceId& ws,
                      const std::function<Status(const RecordId&, std::string_view, TagChange*)>& retag);

  // Changes the blind tag index (contentless FTS5: removal needs exactly
  // the tags added), all removals before all additions, each in rising
  // rowid order: FTS5 writes out its pending terms whenever it is handed a
  // lower rowid or an addition after a removal.
  Status ChangeTags(std::vector<TagChange> changes);
  // Rowids of records whose tags satisfy an FTS5 expression built from
  // quoted tags, AND, OR and parentheses, in descending order.
  Status Match(const std::string& expression, std::vector<int64_t>* rowids);

  Status Checkpoint();
  Status IntegrityCheck(std::string* result);

 private:
  Store() = default;
  Status Init(bool durable);
  Status PrepareRecordWrites();
  // Up to this many matches, each one's order is looked up; above, the
  // records are walked newest first.
  static constexpr size_t kLookupAtMost = 2048;
  Status Exec(const char* sql);
  // The canonical bytes of a commit of ws as stored: stored itself, or
  // expanded into *scratch.
  Status Canonical(const WorkspaceId& ws, std::string_view stored, std::string* scratch, std::string_view* bytes);
  Expander expander_;
  std::map<std::pair<WorkspaceId, DeviceId>, Baseline> baselines_;

  sqlite3* db_ = nullptr;
  bool wal_existed_ = false;  // Whether a WAL file was there before this connection.
  struct Statements;
  std::unique_ptr<Statements> st_;
};

}  // namespace hamlet

#endif  // HAMLET_STORE_H_
