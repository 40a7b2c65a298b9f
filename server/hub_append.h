// The rule a hub applies to the commits of one push before it stores them
// (protocol.md 3.3, 13.3), whatever store holds them: a revoked author's
// commits only up to its revocation, each commit new or a byte-for-byte
// duplicate, links unbroken, chains without gaps.
#ifndef HAMLET_SERVER_HUB_APPEND_H_
#define HAMLET_SERVER_HUB_APPEND_H_

#include <functional>
#include <optional>
#include <vector>

#include "chain.h"
#include "hub_store.h"

namespace hamlet::hub {

struct AppendHooks {
  ChainBatch::Hooks chain;  // What the store holds of each author's chain.
  // The last commit a revoked author may have stored (nullopt while the
  // author is not revoked).
  std::function<Status(const DeviceId& author, std::optional<uint64_t>* last)> revoked_after;
  std::function<Status(const SealedCommit& c)> insert;                        // Stores a new commit.
  // When set, used instead of insert: stores all the new commits of the
  // push at once, in order, after they are all checked.
  std::function<Status(const std::vector<const SealedCommit*>& commits)> insert_all;
  std::function<Status(const DeviceId& author, const ChainInfo& info)> save;  // Records chain progress.
};

// Checks commits (ordered by author and number) and inserts the new ones
// through hooks, inside the caller's transaction: on an error the caller
// rolls back whatever was inserted. Counts stored and duplicates in *out.
Status AppendCommits(const std::vector<SealedCommit>& commits, const AppendHooks& hooks, AppendResult* out);

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_HUB_APPEND_H_
