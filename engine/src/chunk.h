// Chunks: a batch of sealed commits for one workspace, as bytes. The same
// bytes go over HTTP or into a bundle file (protocol.md, "Chunks").
//
// A chunk carries the certificates of the commits' authors, so a receiver can
// check every signature with nothing but the workspace admin's public key.
// Consecutive commits of one author form a run in which the author id, the
// sequence number and the previous-commit hash are sent once and rebuilt by
// the decoder; the rebuilt commit bytes are exactly the author's, signature
// included. A BLAKE2b checksum over the whole chunk rejects truncation and
// corruption before any cryptography runs.
#ifndef HAMLET_CHUNK_H_
#define HAMLET_CHUNK_H_

#include <string>
#include <vector>

#include "commit.h"
#include "hamlet/status.h"

namespace hamlet {

struct Chunk {
  WorkspaceId workspace;
  std::vector<std::string> certificates;
  std::vector<SealedCommit> commits;  // Ordered by (author, seq).
};

// commits must be ordered by (author, seq).
std::string EncodeChunk(const Chunk& chunk);
Status DecodeChunk(std::string_view bytes, Chunk* out);

// Bytes EncodeChunk spends on a chunk with no commits and these certificates.
size_t ChunkFixedOverhead(const std::vector<std::string>& certificates);

}  // namespace hamlet

#endif  // HAMLET_CHUNK_H_
