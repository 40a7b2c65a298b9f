// Hash-chain links (protocol.md, "Hash chain"): the rule a replica and a hub
// both apply before storing a commit.
//
// Thread compatible; the lookup is called only during the check.
#ifndef HAMLET_CHAIN_H_
#define HAMLET_CHAIN_H_

#include <functional>
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

}  // namespace hamlet

#endif  // HAMLET_CHAIN_H_
