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
    // Optional: the author's baseline (store.h), a chain held up to *seq
    // without its commits, commit *seq hashing to *hash; *seq 0 for none.
    // A commit numbered up to it counts as held (one numbered *seq must
    // hash to *hash), and the next one must name *hash as predecessor.
    std::function<Status(const DeviceId& author, uint64_t* seq, std::string* hash)> baseline;
  };
  // With gapless set, a new commit must continue what the store holds
  // contiguously (with what the batch brought before it): a hub's rule, so
  // that no author can plant a commit far beyond its chain.
  explicit ChainBatch(Hooks hooks, bool gapless = false) : hooks_(std::move(hooks)), gapless_(gapless) {}

  // Decides about commit c; *is_new false means a duplicate. hash, when
  // not null, is c.Hash() computed already. Call Stored once a new commit
  // is in the store.
  Status Check(const SealedCommit& c, bool* is_new, const std::string* hash = nullptr);
  void Stored(const CommitHeader& h);
  // Calls save(author, progress) for every author that gained commits.
  Status Advance(const std::function<Status(const DeviceId&, const ChainInfo&)>& save);

 private:
  Status Before(const DeviceId& author, ChainInfo* info);

  Hooks hooks_;
  bool gapless_;
  std::map<DeviceId, uint64_t> frontier_;                         // Contiguous so far, batch included.
  std::map<DeviceId, ChainInfo> before_;                          // As stored before the batch.
  std::map<DeviceId, std::pair<uint64_t, std::string>> baselines_;  // Per author, as the hook gave it.
  std::map<DeviceId, std::pair<uint64_t, uint64_t>> inserted_;    // Lowest and highest new numbers.
  DeviceId last_author_;
  uint64_t last_seq_ = 0;
  std::string last_hash_;
};

// Which commits of a revoked device still count (protocol.md, "Revocation"):
// those numbered up to the revocation's last_seq that lie on the chain whose
// commit last_seq hashes to last_hash. Walks down from last_seq through the
// commits in hand (the batch being imported, then the store) once per
// batch. The rule a replica's import and a hub's ingest share. Not thread
// safe; one per (batch, revoked author).
class RevokedChain {
 public:
  enum class Verdict {
    kOnChain,           // Counts.
    kAfterRevocation,   // Numbered above last_seq: refused for good.
    kOffChain,          // Another chain than the one the revocation names: refused for good.
    kUnproven,          // The commits linking it to last_seq are not in hand yet.
  };
  // in_batch maps sequence numbers to the canonical bytes of the author's
  // commits in the batch; lookup finds stored ones. lowest is the smallest
  // number the batch holds: the walk goes no further down.
  RevokedChain(uint64_t last_seq, std::string last_hash, const std::map<uint64_t, std::string_view>& in_batch,
               const CommitLookup& lookup);
  Status Init(uint64_t lowest);
  Verdict Judge(uint64_t seq, const std::string& hash) const;
  // The same as a status naming the commit: OK when it counts,
  // PermissionDenied after the revocation, DataLoss off the chain, and
  // FailedPrecondition (it may count once its links arrive) when unproven.
  Status Check(const CommitHeader& h, const std::string& hash) const;

 private:
  uint64_t last_seq_;
  std::string last_hash_;
  const std::map<uint64_t, std::string_view>& in_batch_;
  CommitLookup lookup_;
  std::map<uint64_t, std::string> expected_;  // The hash each number must have to count.
};

}  // namespace hamlet

#endif  // HAMLET_CHAIN_H_
