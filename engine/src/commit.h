// Commits: the unit of change, of storage and of transport.
//
// A commit is an atomic set of record operations by one device. It is encoded
// (EncodeBody), compressed when that pays, sealed with the workspace data key
// of its epoch (XChaCha20-Poly1305, header as associated data) and signed by
// its author (Ed25519) exactly once, at creation. The resulting bytes
// (SealedCommit::bytes) are what the local log stores, what chunks carry and
// what every other replica opens. protocol.md, "Commits", is the prose form.
#ifndef HAMLET_COMMIT_H_
#define HAMLET_COMMIT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

// Names one register write: the commit (author, seq) that made it. A commit
// writes each register at most once, so this is unique.
struct WriteRef {
  DeviceId device;
  uint64_t seq = 0;
  auto operator<=>(const WriteRef&) const = default;
};

struct FieldWrite {
  std::string name;
  Value value;
  std::vector<WriteRef> base;  // The heads the writer saw; this write supersedes them.
};

// One record's part of a commit. Every op is also a write of the record's
// "alive" register: true for field writes and restores, false for deletes.
struct RecordOp {
  RecordId record;
  std::string collection;
  bool alive = true;
  std::vector<WriteRef> alive_base;
  std::vector<FieldWrite> fields;
};

struct CommitHeader {
  uint8_t version = 0;
  uint8_t flags = 0;
  DeviceId author;
  uint64_t seq = 0;        // 1, 2, 3, ... per author and workspace.
  uint64_t hlc = 0;        // Hybrid logical clock stamp: sealed, so 0 until opened.
  uint32_t epoch = 0;      // Which workspace data key sealed it.
  std::string prev_hash;   // BLAKE2b-256 of the author's commit seq-1; zeros for seq 1.
  std::string salt;        // 8 random bytes; with the rest of the header they fix the nonce.
};

struct SealedCommit {
  CommitHeader header;
  std::string bytes;            // The canonical encoding; the thing that travels.
  size_t ciphertext_offset = 0;
  size_t ciphertext_size = 0;

  std::string_view ciphertext() const { return std::string_view(bytes).substr(ciphertext_offset, ciphertext_size); }
  std::string_view signature() const { return std::string_view(bytes).substr(bytes.size() - kSignatureBytes); }

  // BLAKE2b-256 of bytes: what the next commit's prev_hash names. Taken
  // from known_hash when a decoder has set it.
  std::string Hash() const;
  std::string known_hash;  // Empty, or H(bytes) as computed when the bytes were decoded.
  // Where the zeros of the padding begin in the plaintext, when this replica
  // sealed the commit (SealCommit sets it); 0 when not known.
  size_t padding_zeros = 0;
};

// Serialises ops into a commit body. Fails on names or values over the limits
// in format.h, or a record written twice in one commit.
Status EncodeBody(const DeviceId& author, const std::vector<RecordOp>& ops, std::string* out);
Status DecodeBody(const DeviceId& author, std::string_view body, std::vector<RecordOp>* ops);

// Seals and signs: header.hlc goes inside the seal with the body (compressed
// when that pays), padded to its size bucket. header.version/flags/salt are
// filled in here.
Status SealCommit(const WorkspaceId& ws, CommitHeader header, std::string_view body, const Key32& data_key,
                  std::string_view sign_secret_key, SealedCommit* out);

// Parses canonical bytes without any cryptography (the hub does this).
Status ParseCommit(std::string_view bytes, SealedCommit* out);

// Checks the author's signature; needs no workspace key.
Status VerifyCommit(const WorkspaceId& ws, const SealedCommit& c, std::string_view author_public_key);

// Opens the seal, checks and strips its padding and decompresses; the
// signature must have been verified. *hlc receives the commit's clock stamp
// (callers that need it in the header set c.header.hlc from it).
Status OpenCommit(const WorkspaceId& ws, const SealedCommit& c, const Key32& data_key, uint64_t* hlc,
                  std::string* body, size_t* padding_zeros = nullptr);

// The local store's compact form (protocol.md 8, "Log"): the canonical
// bytes of c without the ciphertext of its padding's zeros, from
// padding_zeros (as SealCommit or OpenCommit gave it) on, which anyone
// holding the epoch's key can make again. False, and *out untouched, when
// too little would be left out to be worth it.
bool CompactCommit(const SealedCommit& c, size_t padding_zeros, std::string* out);
// Whether stored bytes are in the compact form rather than canonical.
bool IsCompactCommit(std::string_view stored);
// Where the padding's zeros begin in the plaintext of a commit stored
// compact; 0 for canonical bytes (or a malformed compact form, which
// ExpandCommit reports).
size_t CompactPaddingZeros(std::string_view stored);
// How many bytes of c's ciphertext the compact forms leave out when its
// padding's zeros begin at padding_zeros: 0 when padding_zeros is not
// known or fewer than format::kCompactMinElided would be.
size_t ElidableBytes(const SealedCommit& c, size_t padding_zeros);
// The ciphertext of c without its padding's zeros from padding_zeros on
// (the tag kept), and how many bytes were left out. False, outputs
// untouched, when fewer than format::kCompactMinElided would be.
bool ShortenCiphertext(const SealedCommit& c, size_t padding_zeros, std::string* shorter, size_t* elided);
// The inverse, for a commit of ws with header h sealed with key: shorter
// with the elided bytes of its padding's ciphertext made again before the
// tag. DataLoss when shorter cannot be a shortened ciphertext.
Status LengthenCiphertext(const WorkspaceId& ws, const CommitHeader& h, std::string_view shorter, size_t elided,
                          const Key32& key, std::string* full);
// The canonical bytes of a commit of ws stored compact. key_for(epoch)
// gives the workspace key of the commit's epoch. DataLoss when stored is
// malformed.
Status ExpandCommit(const WorkspaceId& ws, std::string_view stored,
                    const std::function<Status(uint32_t epoch, const Key32** key)>& key_for, std::string* bytes);

// Serialises a header and sealed parts back into canonical bytes.
std::string CanonicalBytes(const CommitHeader& h, std::string_view ciphertext, std::string_view signature);

}  // namespace hamlet

#endif  // HAMLET_COMMIT_H_
