// AttachmentFiles: the sealed chunks of attachments a replica holds, in its
// own SQLite file beside the commit log (tables attachment_files and
// attachment_chunks), so that logs and merges never carry them. Only sealed
// bytes and manifests are stored; the keys live in the records that refer
// to them.
//
// A file is held from its first chunk on: `held` counts the chunks present
// from the first without a gap, and the file is whole when it equals the
// manifest's count. `sent` is set once a hub acknowledged every chunk;
// `wanted` asks the next sync to fetch it.
//
// Not thread safe: the Replica calls it under its mutex, on its connection.
#ifndef HAMLET_ATTACHMENT_FILES_H_
#define HAMLET_ATTACHMENT_FILES_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "hamlet/status.h"
#include "hamlet/types.h"
#include "sqlite.h"

namespace hamlet {

struct AttachmentFile {
  std::string id;  // 32 bytes.
  WorkspaceId workspace;
  std::string manifest;  // Encoded.
  size_t chunks = 0;     // The manifest's chunk count.
  size_t held = 0;       // Chunks held from the first without a gap.
  bool sent = false;
  bool wanted = false;

  bool whole() const { return !manifest.empty() && held == chunks; }
};

class AttachmentFiles {
 public:
  // Creates the tables if missing and prepares the statements. db must
  // outlive the object.
  static Status Open(sqlite3* db, std::unique_ptr<AttachmentFiles>* out);

  // Adds a file (nothing changes if it is there already).
  Status Add(const AttachmentFile& file);
  // Adds a file or replaces every column of it (chunks stay).
  Status Put(const AttachmentFile& file);
  // NotFound sets *found false.
  Status Get(std::string_view id, AttachmentFile* out, bool* found);
  // Stores chunk index (which must be the next one: held) and counts it.
  Status PutChunk(std::string_view id, size_t index, std::string_view sealed);
  Status GetChunk(std::string_view id, size_t index, std::string* sealed);
  Status SetSent(std::string_view id);
  Status SetWanted(std::string_view id, bool wanted);
  // Removes the chunks (held 0); the manifest stays, so the file can be
  // fetched again.
  Status DropChunks(std::string_view id);
  // Whole files of ws not yet sent, and files of ws wanted but not whole.
  Status Unsent(const WorkspaceId& ws, std::vector<AttachmentFile>* out);
  Status Wanted(const WorkspaceId& ws, std::vector<AttachmentFile>* out);
  // Files of ws of which some chunk is held.
  Status Holding(const WorkspaceId& ws, std::vector<AttachmentFile>* out);
  // Bytes of sealed chunks held for ws.
  Status HeldBytes(const WorkspaceId& ws, uint64_t* bytes);

 private:
  AttachmentFiles() = default;
  Status List(Stmt& q, const WorkspaceId& ws, std::vector<AttachmentFile>* out);

  Stmt add_, put_, get_, put_chunk_, count_chunk_, get_chunk_, set_sent_, set_wanted_, drop_chunks_, reset_held_,
      unsent_, wanted_, holding_, held_bytes_;
};

}  // namespace hamlet

#endif  // HAMLET_ATTACHMENT_FILES_H_
