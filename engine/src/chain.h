// Hash-chain links (protocol.md, "Hash chain"): the rule a replica and a hub
// both apply before storing a commit.
//
// Thread compatible; the lookup is called only during the check.
#ifndef HAMLET_CHAIN_H_
#define HAMLET_CHAIN_H_

#include <functional>
#include <map>
#include <string>

#include "commit.h"
#include "hamlet/status.h"

namespace hamlet {

// Looks up the stored bytes of the same author's commit number seq.
using CommitLookup = std::function<Status(uint64_t seq, std::string* bytes, bool* found)>;

// Checks that commit c (whose hash is c_hash) follows its predecessor and
// precedes its successor, where those are known. known_prev_hash, when not
// null, is the hash of commit seq-1 already in hand (from the same batch);
// otherwise it is looked up. The successor is looked up only when
// successor_possible is true (the caller knows whether the store may hold
// it). A broken link is DataLoss.
Status CheckChainLinks(const SealedCommit& c, const std::string& c_hash, const std::string* known_prev_hash,
                       bool successor_possible, const CommitLookup& lookup);

// How much of one author's chain a store holds.
struct ChainInfo {
  uint64_t contiguous = 0;  // 1..contiguous are all present.
  uint64_t head = 0;        // The highest sequence number present.
};

// Admits a batch of commits, ordered by (author, seq), into a store of hash
// chains: the rule a replica's import and a hub's push share. For each
// commit, Check says whether it is new or already held byte for byte; a
// different commit under a held number (a fork) or a broken link is
// DataLoss. After storing the new ones, Advance gives each touched author's
// new chain progress. Not thread safe; one per batch.
class ChainBatch {
 public:
  struct Hooks {
    // The author's chain as stored before the batch.
    std::function<Status(const DeviceId& author, ChainInfo* info)> chain;
    // The stored bytes of the author's commit seq, if present.
    std::function<Status(const DeviceId& author, uint64_t seq, std::string* bytes, bool* found)> get;
    // Whether the author's commit seq is present (cheaper than get).
    std::function<Status(const DeviceId& author, uint64_t seq, bool* found)> has;
  };
  explicit ChainBatch(Hooks hooks) : hooks_(std::move(hooks)) {}

  // Decides about commit c; *is_new false means a duplicate. Call Stored
  // once a new commit is in the store.
  Status Check(const SealedCommit& c, bool* is_new);
  void Stored(const CommitHeader& h);
  // Calls save(author, progress) for every author that gained commits.
  Status Advance(const std::function<Status(const DeviceId&, const ChainInfo&)>& save);

 private:
  Status Before(const DeviceId& author, ChainInfo* info);

  Hooks hooks_;
  std::map<DeviceId, ChainInfo> before_;                          // As stored before the batch.
  std::map<DeviceId, std::pair<uint64_t, uint64_t>> inserted_;    // Lowest and highest new numbers.
  DeviceId last_author_;
  uint64_t last_seq_ = 0;
  std::string last_hash_;
};

}  // namespace hamlet

#endif  // HAMLET_CHAIN_H_
