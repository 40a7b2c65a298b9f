// Applier: merges commits into the materialised records of a store.
//
// Local commits and imported ones take this same path. Within one store
// transaction the Applier caches decoded record states, so a batch that
// touches a record many times opens and seals it once; Flush writes the
// changed states (sealed under the record key) and swaps their blind tags.
// Call Flush before committing the transaction, Discard after a rollback.
//
// Not thread safe. The store, key, tagger and specs must outlive the Applier.
#ifndef HAMLET_APPLIER_H_
#define HAMLET_APPLIER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "commit.h"
#include "index_specs.h"
#include "merge.h"
#include "store.h"
#include "tags.h"

namespace hamlet {

class Applier {
 public:
  // Tags records as specs says; Flush before specs change.
  Applier(Store* store, const Key32* record_key, const Tagger* tagger, const IndexSpecs* specs)
      : store_(store), record_key_(record_key), tagger_(tagger), specs_(specs) {}

  // The state of record id, loaded through the cache. A record this replica
  // has never seen comes back empty (Known() is false). A record of another
  // workspace is DataLoss: record ids never cross workspaces.
  Status State(const WorkspaceId& ws, const RecordId& id, const RecordState** state);

  // Replaces the state of record id with state (a snapshot's, protocol.md 6.5).
  Status Put(const WorkspaceId& ws, const RecordId& id, RecordState state);

  // Applies the ops of a commit whose bytes are already in the log.
  Status Apply(const WorkspaceId& ws, const CommitHeader& header, const std::vector<RecordOp>& ops);

  // Writes the changed states: in the order Apply last changed them while
  // in_order_of_change is set (local commits, so that the store's order of
  // change is the order of the commits), else in the order of their ids
  // (an import: fewer pages touched).
  Status Flush();
  void set_in_order_of_change(bool on) { in_order_of_change_ = on; }
  void Discard() { cache_.clear(); }
  // How many times Flush has been called (State calls it when the cache is
  // full): a caller can tell whether anything was written.
  uint64_t flushes() const { return flushes_; }

  // While set, decides whether a write a base names has been applied,
  // instead of the log (which, while records are rebuilt, holds commits
  // not yet applied again). Null restores the log.
  void SetAppliedOverride(std::function<bool(const WriteRef&)> applied) { applied_override_ = std::move(applied); }

  // A record state sealed for the store (protocol.md 8, "Records"), and
  // opened again: DataLoss when it does not open or decode.
  static std::string SealState(const Key32& record_key, const RecordId& id, const WorkspaceId& ws,
                               const RecordState& state);
  static Status OpenState(const Key32& record_key, const RecordId& id, const WorkspaceId& ws,
                          std::string_view sealed, RecordState* state);

 private:
  struct Entry {
    WorkspaceId ws;
    RecordState state;
    int64_t rowid = 0;       // 0 while the record is not in the store.
    std::string old_tags;    // The tags the store holds for it now.
    bool dirty = false;
    uint64_t touched = 0;    // When Apply last changed it: Flush writes in this order.
  };
  Status Load(const WorkspaceId& ws, const RecordId& id, Entry** entry);

  static constexpr size_t kMaxCached = 2000;
  Store* store_;
  const Key32* record_key_;
  const Tagger* tagger_;
  const IndexSpecs* specs_;
  std::map<RecordId, Entry> cache_;
  uint64_t touches_ = 0;
  uint64_t flushes_ = 0;
  bool in_order_of_change_ = false;
  std::function<bool(const WriteRef&)> applied_override_;
};

}  // namespace hamlet

#endif  // HAMLET_APPLIER_H_
