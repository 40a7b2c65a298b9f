// The attachment format (protocol.md 14): a file split into chunks of
// kAttachmentChunkBytes, each sealed with XChaCha20-Poly1305 under a key
// made for this file alone, and a manifest naming every sealed chunk by its
// BLAKE2b hash. The attachment's id is the hash of its manifest, so the id
// a record holds fixes every byte a hub may serve: a device checks each
// chunk against the manifest before opening it, and a hub checks each chunk
// it is given against the manifest before storing it, without the key.
//
// Pure functions over bytes; thread safe.
#ifndef HAMLET_ATTACHMENT_H_
#define HAMLET_ATTACHMENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"
#include "hamlet/status.h"

namespace hamlet {

struct AttachmentManifest {
  uint64_t size = 0;                // Plaintext bytes.
  uint32_t chunk_bytes = 0;         // Plaintext bytes of every chunk but the last (version 1: 64 KiB).
  std::vector<std::string> hashes;  // BLAKE2b-256 of each sealed chunk, in order.

  size_t chunks() const { return hashes.size(); }
  // The sealed size of chunk i (< chunks()), and of all of them.
  size_t SealedChunkSize(size_t i) const;
  uint64_t SealedSize() const;
  // The chunk holding sealed byte offset (< SealedSize()), and where it starts.
  size_t ChunkAt(uint64_t offset, uint64_t* chunk_start) const;

  std::string Encode() const;
  // Checks the version, the chunk size, that the chunk count fits size, and
  // that nothing follows, and that the bytes are the manifest's one
  // encoding (a number in a longer form than Encode writes would give the
  // same file a second id). InvalidArgument otherwise; Unimplemented for a
  // newer version.
  static Status Decode(std::string_view bytes, AttachmentManifest* out);
  // The id: BLAKE2b-256 of the encoded manifest (32 bytes).
  static std::string IdOf(std::string_view encoded);
};

// Seals plain (at most kMaxAttachmentBytes) under key: the manifest and the
// sealed chunks, in order. An empty file has no chunk.
void SealAttachment(std::string_view plain, const Key32& key, AttachmentManifest* manifest,
                    std::vector<std::string>* chunks);

// True when sealed is chunk index of the attachment the manifest describes.
bool AttachmentChunkMatches(const AttachmentManifest& manifest, size_t index, std::string_view sealed);

// Opens chunk index: DataLoss when it does not match the manifest or the
// key does not open it.
Status OpenAttachmentChunk(const AttachmentManifest& manifest, const Key32& key, size_t index, std::string_view sealed,
                           std::string* plain);

}  // namespace hamlet

#endif  // HAMLET_ATTACHMENT_H_
