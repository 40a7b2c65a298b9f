#include "hub_append.h"

#include <map>
#include <string>

#include "hamlet/language.h"

namespace hamlet::hub {

Status AppendCommits(const std::vector<SealedCommit>& commits, const AppendHooks& hooks, AppendResult* out) {
  *out = AppendResult();
  // With insert_all, the new commits wait to be stored together; until
  // then the checks of later commits find them here.
  std::map<std::pair<DeviceId, uint64_t>, const SealedCommit*> waiting;
  std::vector<const SealedCommit*> fresh;
  ChainBatch::Hooks chain = hooks.chain;
  if (hooks.insert_all) {
    chain.get = [&](const DeviceId& a, uint64_t seq, std::string* bytes, bool* found) {
      if (auto it = waiting.find({a, seq}); it != waiting.end()) {
        *bytes = it->second->bytes;
        *found = true;
        return Status::OK();
      }
      return hooks.chain.get(a, seq, bytes, found);
    };
    chain.has = [&](const DeviceId& a, uint64_t seq, bool* found) {
      if (waiting.count({a, seq})) {
        *found = true;
        return Status::OK();
      }
      return hooks.chain.has(a, seq, found);
    };
  }
  ChainBatch batch(chain, /*gapless=*/true);
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
      return Status::PermissionDenied(Format(Tr("device %s was revoked; its commit %s comes after its revocation"),
                                             h.author.Hex().c_str(), std::to_string(h.seq).c_str()));
    }
    bool is_new = false;
    HAMLET_RETURN_IF_ERROR(batch.Check(c, &is_new));
    if (!is_new) {
      out->duplicates++;
      continue;
    }
    if (hooks.insert_all) {
      waiting[{h.author, h.seq}] = &c;
      fresh.push_back(&c);
    } else {
      HAMLET_RETURN_IF_ERROR(hooks.insert(c));
    }
    batch.Stored(h);
    out->stored++;
  }
  if (!fresh.empty()) HAMLET_RETURN_IF_ERROR(hooks.insert_all(fresh));
  return batch.Advance(hooks.save);
}

}  // namespace hamlet::hub
