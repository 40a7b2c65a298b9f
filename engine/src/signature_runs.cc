#include "signature_runs.h"

#include <cassert>
#include <thread>

#include "hamlet/language.h"

namespace hamlet {

void FindRuns(const std::vector<SealedCommit>& commits, const std::vector<std::string>& hashes,
              const std::vector<bool>& included, std::vector<size_t>* ends) {
  assert(hashes.size() == commits.size() && included.size() == commits.size());
  const size_t n = commits.size();
  ends->assign(n, 0);
  for (size_t i = n; i-- > 0;) {
    (*ends)[i] = i;
    if (i + 1 == n || !included[i] || !included[i + 1]) continue;
    const CommitHeader& a = commits[i].header;
    const CommitHeader& b = commits[i + 1].header;
    if (a.author == b.author && a.seq + 1 == b.seq && b.prev_hash == hashes[i]) (*ends)[i] = (*ends)[i + 1];
  }
}

RunVerifier::RunVerifier(const WorkspaceId& ws, const std::vector<SealedCommit>& commits,
                         const std::vector<size_t>& ends, std::function<std::string_view(size_t)> key_of)
    : ws_(ws), commits_(commits), ends_(ends), key_of_(std::move(key_of)),
      state_(new std::atomic<int>[commits.size()]) {
  assert(ends.size() == commits.size());
  for (size_t i = 0; i < commits.size(); i++) state_[i].store(kUnknown, std::memory_order_relaxed);
}

bool RunVerifier::EndValid(size_t i) {
  std::atomic<int>& st = state_[i];
  int seen = kUnknown;
  if (st.compare_exchange_strong(seen, kChecking)) {
    bool ok = VerifyCommit(ws_, commits_[i], key_of_(i)).ok();
    st.store(ok ? kValid : kInvalid, std::memory_order_release);
    return ok;
  }
  // Another thread checks it; one signature takes tens of microseconds.
  while ((seen = st.load(std::memory_order_acquire)) == kChecking) std::this_thread::yield();
  return seen == kValid;
}

Status RunVerifier::Verify(size_t i) {
  size_t end = ends_[i];
  if (EndValid(end)) return Status::OK();
  if (end == i) {
    return Status::DataLoss(Format(Tr("commit %s/%s: signature does not check out"),
                                   (commits_[i].header.author.Hex()).c_str(),
                                   std::to_string(commits_[i].header.seq).c_str()));
  }
  return VerifyCommit(ws_, commits_[i], key_of_(i));
}

}  // namespace hamlet
