#include "hub_append.h"

#include <map>
#include <string>

namespace hamlet::hub {

Status AppendCommits(const std::vector<SealedCommit>& commits, const AppendHooks& hooks, AppendResult* out) {
  *out = AppendResult();
  ChainBatch batch(hooks.chain, /*gapless=*/true);
  // A revocation that landed after the request was checked still holds:
  // the caller reads it inside the same transaction as the insert.
  std::map<DeviceId, std::optional<uint64_t>> limits;
  for (const SealedCommit& c : commits) {
    const CommitHeader& h = c.header;
    auto limit = limits.find(h.author);
    if (limit == limits.end()) {
      std::optional<uint64_t> last;
      HAMLET_RETURN_IF_ERROR(hooks.revoked_after(h.author, &last));
      limit = limits.emplace(h.author, last).first;
    }
    if (limit->second && h.seq > *limit->second) {
      return Status::PermissionDenied("device " + h.author.Hex() + " was revoked; its commit " +
                                      std::to_string(h.seq) + " comes after its revocation");
    }
    bool is_new = false;
    HAMLET_RETURN_IF_ERROR(batch.Check(c, &is_new));
    if (!is_new) {
      out->duplicates++;
      continue;
    }
    HAMLET_RETURN_IF_ERROR(hooks.insert(c));
    batch.Stored(h);
    out->stored++;
  }
  return batch.Advance(hooks.save);
}

}  // namespace hamlet::hub
