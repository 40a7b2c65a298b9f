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
//
// The compact form (protocol.md 6.4) leaves out the ciphertext of each
// commit's padding where the encoder knows where it begins; it travels only
// sealed inside a member chunk (member_chunk.h), and its decoder needs the
// workspace keys to make those bytes again.
#ifndef HAMLET_CHUNK_H_
#define HAMLET_CHUNK_H_

#include <functional>
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

// Gives the workspace key of an epoch (owned by the caller's keystore,
// valid while the decode runs), or the lookup's error.
using EpochKeyLookup = std::function<Status(uint32_t epoch, const Key32** key)>;

// The blind form, for anyone. commits must be ordered by (author, seq).
std::string EncodeChunk(const Chunk& chunk);
// The compact form: every commit whose padding_zeros is set travels
// without its padding's ciphertext.
std::string EncodeCompactChunk(const Chunk& chunk);
// Decodes the blind form, or with keys also the compact form (the keys make
// the left-out bytes again, so every commit comes out canonical).
Status DecodeChunk(std::string_view bytes, Chunk* out, const EpochKeyLookup* keys = nullptr);

// Bytes EncodeChunk spends on a chunk with no commits and these certificates.
size_t ChunkFixedOverhead(const std::vector<std::string>& certificates);

}  // namespace hamlet

#endif  // HAMLET_CHUNK_H_
