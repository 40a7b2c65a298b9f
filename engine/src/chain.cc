#include "chain.h"

namespace hamlet {

Status CheckChainLinks(const SealedCommit& c, const std::string& c_hash, const std::string* known_prev_hash,
                       bool successor_possible, const CommitLookup& lookup) {
  const CommitHeader& h = c.header;
  std::string where = "commit " + h.author.Hex() + "/" + std::to_string(h.seq);
  std::string prev_hash;
  bool have_prev = false;
  if (h.seq == 1) {
    prev_hash.assign(kHashBytes, '\0');
    have_prev = true;
  } else if (known_prev_hash) {
    prev_hash = *known_prev_hash;
    have_prev = true;
  } else {
    std::string prev;
    HAMLET_RETURN_IF_ERROR(lookup(h.seq - 1, &prev, &have_prev));
    if (have_prev) prev_hash = Hash(prev);
  }
  if (have_prev && prev_hash != h.prev_hash) {
    return Status::DataLoss(where + " does not follow its predecessor: the chain is broken");
  }
  if (successor_possible) {
    std::string next;
    bool have_next = false;
    HAMLET_RETURN_IF_ERROR(lookup(h.seq + 1, &next, &have_next));
    if (have_next) {
      SealedCommit nc;
      HAMLET_RETURN_IF_ERROR(ParseCommit(next, &nc));
      if (nc.header.prev_hash != c_hash) {
        return Status::DataLoss(where + " does not precede its successor: the chain is broken");
      }
    }
  }
  return Status::OK();
}

}  // namespace hamlet
