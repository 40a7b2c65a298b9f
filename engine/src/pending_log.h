// PendingLog: the file beside a store that holds the local commits its
// SQLite transaction has not yet committed (protocol.md 8, "Pending file").
//
// Local commits are grouped: several run in one SQLite transaction, and each
// is durable when its bytes are in this file (synced when the replica is
// durable). After a crash, the commits found here are merged again, through
// the same checks as an import; when the group's transaction commits, the
// file is emptied. The file holds sealed commits only: nothing in it is
// readable without the workspace key.
//
// Not thread safe: the Replica serialises calls.
#ifndef HAMLET_PENDING_LOG_H_
#define HAMLET_PENDING_LOG_H_

#include <memory>
#include <string>
#include <vector>

#include "hamlet/env.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

struct PendingCommit {
  WorkspaceId workspace;
  std::string bytes;  // The commit's canonical bytes.
};

class PendingLog {
 public:
  // Reads what the file at path holds into *found, in the order appended,
  // up to the first entry that is incomplete or fails its check (what a
  // crash in mid-append leaves). Writes nothing: a store that is not then
  // unlocked is left as it was. A missing file holds nothing. A file of
  // some other kind is InvalidArgument. env must outlive the log.
  static Status Open(Env* env, std::string path, bool sync, std::unique_ptr<PendingLog>* out,
                     std::vector<PendingCommit>* found);

  // Reads the file again, as Open does.
  Status Reread(std::vector<PendingCommit>* found);

  // Appends a commit, and syncs the file when the log was opened with sync.
  // On failure the entry is cut from the file again; should that fail as
  // well, a part of it is ignored by a later Open, and a whole one read.
  Status Append(const WorkspaceId& ws, std::string_view commit);

  // Empties the file (its header stays).
  Status Clear();

  // Removes the file; after a Clear, nothing is lost.
  Status Remove();

  // Bytes appended since the last Clear.
  size_t size() const { return size_; }

 private:
  PendingLog(Env* env, std::string path, bool sync) : env_(env), path_(std::move(path)), sync_(sync) {}
  static Status Read(Env* env, const std::string& path, std::vector<PendingCommit>* found);
  Status Start();  // Opens the file for appending and writes the header.

  Env* env_;
  std::string path_;
  bool sync_;
  std::unique_ptr<AppendFile> file_;  // Null until the first Append.
  size_t size_ = 0;
  std::string entry_;  // Reused for each entry.
};

}  // namespace hamlet

#endif  // HAMLET_PENDING_LOG_H_
