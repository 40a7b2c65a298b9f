// Checking a batch's signatures one per run (protocol.md 3.4).
//
// Commit s+1 of an author names H(commit s) as its prev_hash, and the
// author's signature on s+1 covers that name; H covers every byte of commit
// s, its own prev_hash and signature included. So a valid signature on the
// last commit of a run of linked commits vouches for every commit of the
// run. A batch is split into such runs, the last commit of each run has its
// signature checked, and only when that fails is each commit of the run
// checked on its own, so that exactly the ones that fail are known.
#ifndef HAMLET_SIGNATURE_RUNS_H_
#define HAMLET_SIGNATURE_RUNS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commit.h"
#include "hamlet/status.h"

namespace hamlet {

// Where the runs of commits end: (*ends)[i] is the index of the last commit
// of commit i's run, i itself for a commit that is not followed in its run.
// Commits i and i+1 share a run when both are included, have one author and
// consecutive numbers, and commit i+1's prev_hash is hashes[i] (H of commit
// i's bytes). Excluded commits are runs of their own.
void FindRuns(const std::vector<SealedCommit>& commits, const std::vector<std::string>& hashes,
              const std::vector<bool>& included, std::vector<size_t>* ends);

// Answers whether each commit of a batch is its author's, checking each run
// end's signature once, on whichever thread asks first. The commits, the
// ends and the keys that key_of gives must outlive the verifier. Thread
// safe: any number of threads may call Verify at once.
class RunVerifier {
 public:
  // key_of(i) is the public signing key of commit i's author.
  RunVerifier(const WorkspaceId& ws, const std::vector<SealedCommit>& commits, const std::vector<size_t>& ends,
              std::function<std::string_view(size_t)> key_of);

  // OK when commit i's run end carries a valid signature or commit i's own
  // signature checks out; DataLoss otherwise. Callers ask only for commits
  // that were included when the runs were found.
  Status Verify(size_t i);

 private:
  // Whether the signature of commit i (a run end) checks out, checking it
  // the first time it is asked for.
  bool EndValid(size_t i);

  enum : int { kUnknown = 0, kChecking = 1, kValid = 2, kInvalid = 3 };
  const WorkspaceId ws_;
  const std::vector<SealedCommit>& commits_;
  const std::vector<size_t>& ends_;
  std::function<std::string_view(size_t)> key_of_;
  std::unique_ptr<std::atomic<int>[]> state_;  // Per commit, for run ends.
};

}  // namespace hamlet

#endif  // HAMLET_SIGNATURE_RUNS_H_
