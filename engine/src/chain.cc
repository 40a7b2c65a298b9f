#include "chain.h"

#include <algorithm>

#include "hamlet/language.h"

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
    return Status::DataLoss(Format(Tr("%s does not follow its predecessor: the chain is broken"), where.c_str()));
  }
  if (successor_possible) {
    std::string next;
    bool have_next = false;
    HAMLET_RETURN_IF_ERROR(lookup(h.seq + 1, &next, &have_next));
    if (have_next) {
      SealedCommit nc;
      HAMLET_RETURN_IF_ERROR(ParseCommit(next, &nc));
      if (nc.header.prev_hash != c_hash) {
        return Status::DataLoss(Format(Tr("%s does not precede its successor: the chain is broken"), where.c_str()));
      }
    }
  }
  return Status::OK();
}

Status ChainBatch::Before(const DeviceId& author, ChainInfo* info) {
  auto it = before_.find(author);
  if (it == before_.end()) {
    ChainInfo stored;
    HAMLET_RETURN_IF_ERROR(hooks_.chain(author, &stored));
    it = before_.emplace(author, stored).first;
  }
  *info = it->second;
  return Status::OK();
}

Status ChainBatch::Check(const SealedCommit& c, bool* is_new, const std::string* known_hash) {
  const CommitHeader& h = c.header;
  ChainInfo stored;
  HAMLET_RETURN_IF_ERROR(Before(h.author, &stored));
  std::string hash = known_hash ? *known_hash : c.Hash();
  bool same_author = last_author_ == h.author;
  const std::pair<uint64_t, std::string>* base = nullptr;
  if (hooks_.baseline) {
    auto it = baselines_.find(h.author);
    if (it == baselines_.end()) {
      std::pair<uint64_t, std::string> b;
      HAMLET_RETURN_IF_ERROR(hooks_.baseline(h.author, &b.first, &b.second));
      it = baselines_.emplace(h.author, std::move(b)).first;
    }
    if (it->second.first > 0) base = &it->second;
  }
  if (base != nullptr && h.seq <= base->first) {
    if (h.seq == base->first && hash != base->second) {
      return Status::DataLoss(Format(Tr("device %s signed two different commits numbered %s"), h.author.Hex().c_str(),
                                     std::to_string(h.seq).c_str()));
    }
    *is_new = false;  // Held, as part of the baseline.
    last_author_ = h.author;
    last_seq_ = h.seq;
    last_hash_ = std::move(hash);
    return Status::OK();
  }
  // A number above what the store held cannot be there yet, unless this
  // batch brought it.
  bool found = false;
  if (h.seq <= stored.head || (same_author && last_seq_ >= h.seq)) {
    std::string existing;
    HAMLET_RETURN_IF_ERROR(hooks_.get(h.author, h.seq, &existing, &found));
    if (found && existing != c.bytes) {
      return Status::DataLoss(Format(Tr("device %s signed two different commits numbered %s"), h.author.Hex().c_str(),
                                     std::to_string(h.seq).c_str()));
    }
  }
  if (!found && gapless_) {
    auto [f, fresh] = frontier_.emplace(h.author, stored.contiguous);
    if (h.seq > f->second + 1) {
      return Status::FailedPrecondition(Format(Tr("commit %s of device %s does not continue its chain, held up to %s: "
                                                  "commits are taken in order, without gaps"),
                                               std::to_string(h.seq).c_str(), h.author.Hex().c_str(),
                                               std::to_string(f->second).c_str()));
    }
  }
  if (!found) {
    bool prev_in_hand = same_author && last_seq_ + 1 == h.seq;
    const std::string* prev = prev_in_hand ? &last_hash_ : nullptr;
    if (prev == nullptr && base != nullptr && h.seq == base->first + 1) prev = &base->second;
    HAMLET_RETURN_IF_ERROR(CheckChainLinks(
        c, hash, prev, h.seq + 1 <= stored.head,
        [&](uint64_t seq, std::string* bytes, bool* present) { return hooks_.get(h.author, seq, bytes, present); }));
  }
  *is_new = !found;
  last_author_ = h.author;
  last_seq_ = h.seq;
  last_hash_ = std::move(hash);
  return Status::OK();
}

void ChainBatch::Stored(const CommitHeader& h) {
  if (auto f = frontier_.find(h.author); f != frontier_.end() && f->second + 1 == h.seq) f->second = h.seq;
  auto [it, fresh] = inserted_.emplace(h.author, std::make_pair(h.seq, h.seq));
  if (!fresh) it->second = {std::min(it->second.first, h.seq), std::max(it->second.second, h.seq)};
}

Status ChainBatch::Advance(const std::function<Status(const DeviceId&, const ChainInfo&)>& save) {
  for (const auto& [author, range] : inserted_) {
    ChainInfo info = before_.at(author);
    info.head = std::max(info.head, range.second);
    if (range.first <= info.contiguous + 1) {
      for (;;) {
        bool present = false;
        HAMLET_RETURN_IF_ERROR(hooks_.has(author, info.contiguous + 1, &present));
        if (!present) break;
        info.contiguous++;
      }
    }
    HAMLET_RETURN_IF_ERROR(save(author, info));
  }
  return Status::OK();
}

RevokedChain::RevokedChain(uint64_t last_seq, std::string last_hash,
                           const std::map<uint64_t, std::string_view>& in_batch, const CommitLookup& lookup)
    : last_seq_(last_seq), last_hash_(std::move(last_hash)), in_batch_(in_batch), lookup_(lookup) {}

Status RevokedChain::Init(uint64_t lowest) {
  std::string want = last_hash_;
  for (uint64_t seq = last_seq_; seq >= 1 && seq >= lowest; seq--) {
    expected_[seq] = want;
    std::string bytes;
    if (auto it = in_batch_.find(seq); it != in_batch_.end() && Hash(it->second) == want) {
      bytes.assign(it->second);
    } else {
      bool found = false;
      HAMLET_RETURN_IF_ERROR(lookup_(seq, &bytes, &found));
      if (!found || Hash(bytes) != want) break;  // Nothing in hand continues the chain down.
    }
    SealedCommit c;
    HAMLET_RETURN_IF_ERROR(ParseCommit(bytes, &c));
    want = c.header.prev_hash;
  }
  return Status::OK();
}

RevokedChain::Verdict RevokedChain::Judge(uint64_t seq, const std::string& hash) const {
  if (seq > last_seq_) return Verdict::kAfterRevocation;
  auto it = expected_.find(seq);
  if (it == expected_.end()) return Verdict::kUnproven;
  return it->second == hash ? Verdict::kOnChain : Verdict::kOffChain;
}

Status RevokedChain::Check(const CommitHeader& h, const std::string& hash) const {
  std::string what = "commit " + std::to_string(h.seq) + " of revoked device " + h.author.Hex();
  switch (Judge(h.seq, hash)) {
    case Verdict::kOnChain:
      return Status::OK();
    case Verdict::kAfterRevocation:
      return Status::PermissionDenied(Format(Tr("%s comes after its revocation"), what.c_str()));
    case Verdict::kOffChain:
      return Status::DataLoss(Format(Tr("%s is not on the chain its revocation names"), what.c_str()));
    case Verdict::kUnproven:
      break;
  }
  return Status::FailedPrecondition(
      Format(Tr("%s waits for the commits that link it to its revocation"), what.c_str()));
}

}  // namespace hamlet
