// Constants of the commit, chunk, certificate and envelope formats, shared by
// every encoder and decoder. protocol.md describes the same formats in prose;
// the two must change together, and a change that old readers cannot parse
// takes a new version number.
#ifndef HAMLET_FORMAT_H_
#define HAMLET_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace hamlet::format {

// Sealed commit. Version 2 carries the clock and the compression flag inside
// the seal, and pads the sealed plaintext to its size bucket.
constexpr uint8_t kCommitVersion = 2;
constexpr uint8_t kCommitKnownFlags = 0;      // Header flags: none defined yet.
constexpr uint8_t kCommitInnerFlagZstd = 0x01;  // Inside the seal: the body is zstd-compressed.
constexpr uint8_t kCommitKnownInnerFlags = kCommitInnerFlagZstd;
constexpr size_t kSaltBytes = 8;
constexpr char kCommitAdPrefix[] = "hamlet commit v2";  // AEAD associated data and signature prefix.
constexpr size_t kMaxCommitPlaintext = 4 << 20;  // The body, decompressed.
// The smallest size bucket of a sealed commit plaintext: every commit whose
// clock, flags and body fit in it looks the same size to a hub.
constexpr size_t kCommitPadMinBytes = 1024;
// The local store's compact form of a commit (protocol.md 8, "Log"): this
// byte (never a commit version), varint where the padding's zeros begin in
// the plaintext, varint how many ciphertext bytes were left out there, then
// the canonical bytes without them. Only worth it from this many bytes.
constexpr uint8_t kCompactCommitMarker = 0xC0;
constexpr size_t kCompactMinElided = 64;
// The largest ciphertext a decoder takes: a 4 MiB body that zstd could not
// shrink, padded to its bucket (at most 1/8 more), and the AEAD tag.
constexpr size_t kMaxCommitCiphertext = kMaxCommitPlaintext + kMaxCommitPlaintext / 8 + 4096;
constexpr size_t kMaxOpsPerCommit = 20000;
// Field writes of one commit, all ops together: bounds what a small
// compressed commit can make a receiver decode and hold.
constexpr size_t kMaxFieldWritesPerCommit = 20000;
constexpr size_t kMaxNameBytes = 255;           // Collection and field names.
constexpr size_t kMaxValueBytes = 1 << 20;      // One text value.
constexpr size_t kMaxBaseRefs = 64;             // Base references of one register write.
// Plaintexts shorter than this are sealed uncompressed: zstd cannot win there.
constexpr size_t kCompressMinBytes = 96;

// Value tags inside a commit body and a record state.
constexpr uint8_t kValNull = 0;
constexpr uint8_t kValText = 1;
constexpr uint8_t kValInt = 2;
constexpr uint8_t kValFalse = 3;
constexpr uint8_t kValTrue = 4;
constexpr uint8_t kValTimestamp = 5;

// Chunk (also the bundle file).
constexpr char kChunkMagic[] = "HMLK";
constexpr uint8_t kChunkVersion = 2;  // 2: commits of version 2, no clock in a run.
constexpr size_t kChunkChecksumBytes = 32;
constexpr size_t kMaxChunkBytes = 64 << 20;
// The chunk inside a member chunk: each commit of a run says how many bytes
// of its padding's ciphertext were left out (0: none) before its ciphertext.
// Read only from inside a member chunk, whose key rebuilds them.
constexpr uint8_t kChunkCompactVersion = 3;

// Member chunk (protocol.md 6.4): a compact chunk sealed as a whole with a
// workspace data key and padded to its size bucket, for another member.
constexpr char kMemberChunkMagic[] = "HMLM";
constexpr uint8_t kMemberChunkVersion = 1;
constexpr char kMemberChunkAdPrefix[] = "hamlet member chunk v1";
constexpr size_t kMemberChunkPadMinBytes = 1024;
constexpr size_t kMaxMemberChunkBytes = kMaxChunkBytes + kMaxChunkBytes / 8 + 4096;

// Snapshot (protocol.md 6.5): a workspace's merged state at a point of a
// hub's log, compressed, sealed with a workspace data key and signed by the
// officer or admin device that made it.
constexpr char kSnapshotMagic[] = "HMLT";
constexpr uint8_t kSnapshotVersion = 1;
constexpr char kSnapshotAdPrefix[] = "hamlet snapshot v1";
constexpr char kSnapshotSignPrefix[] = "hamlet snapshot signature v1";
constexpr uint8_t kSnapshotBodyRaw = 0;
constexpr uint8_t kSnapshotBodyZstd = 1;
constexpr int kSnapshotZstdLevel = 3;
constexpr size_t kMaxSnapshotBytes = size_t{1} << 30;      // Sealed, as it travels.
constexpr size_t kMaxSnapshotBodyBytes = size_t{4} << 30;  // Decompressed.

// Bundle file.
constexpr char kBundleMagic[] = "HMLB";
constexpr uint8_t kBundleVersion = 2;  // 2: carries the admin's notices (revocations, statement).
constexpr size_t kMaxNoticeBytes = 64 << 10;  // One revocation or statement.
constexpr size_t kBundleChecksumBytes = 32;
constexpr size_t kMaxBundleBytes = size_t{1} << 30;
constexpr size_t kBundleChunkBytes = 8 << 20;  // What an exporter puts in one chunk.

// Attachments (protocol.md 14): a file sealed in chunks under a key of its
// own, named by the hash of its manifest.
constexpr uint8_t kAttachmentManifestVersion = 1;
constexpr size_t kAttachmentChunkBytes = 64 << 10;  // Plaintext per sealed chunk (the last may be shorter).
constexpr size_t kAttachmentTagBytes = 16;          // Poly1305 tag of each sealed chunk.
constexpr size_t kAttachmentHashBytes = 32;         // BLAKE2b of each sealed chunk; of the manifest: the id.
constexpr char kAttachmentAdPrefix[] = "hamlet attachment v1";
constexpr uint64_t kMaxAttachmentBytes = uint64_t{1} << 30;  // What one device seals at most.
constexpr char kAttachmentCollection[] = "attachments";      // Where the references live.

// Device certificate.
constexpr uint8_t kCertVersion = 1;
constexpr char kCertSigPrefix[] = "hamlet cert v1";
constexpr uint8_t kRoleAdmin = 0;
constexpr uint8_t kRoleOfficer = 1;
constexpr uint8_t kRoleCadre = 2;
// A hub that relays a workspace's sealed commits to and from another hub
// (protocol.md 13.7): it may open sessions, pull, push other members'
// commits and carry membership; it authors nothing and gets no key.
constexpr uint8_t kRoleRelay = 3;

// Join request and admission envelope.
constexpr char kJoinMagic[] = "HMLJ";
constexpr char kJoinSigPrefix[] = "hamlet join v1";
constexpr char kEnvelopeMagic[] = "HMLE";
constexpr char kEnvelopeSigPrefix[] = "hamlet envelope v1";
constexpr uint8_t kEnvelopeVersion = 1;

// Revocation and key grant.
constexpr char kRevocationMagic[] = "HMLR";
constexpr uint8_t kRevocationVersion = 2;  // Names the last accepted commit by number and hash.
constexpr char kRevocationSigPrefix[] = "hamlet revocation v2";
constexpr char kGrantMagic[] = "HMLG";
constexpr char kGrantSigPrefix[] = "hamlet grant v1";

// Epoch statement (protocol.md 7.4).
constexpr char kStatementMagic[] = "HMLS";
constexpr uint8_t kStatementVersion = 1;
constexpr char kStatementSigPrefix[] = "hamlet statement v1";
// An admin's sync publishes a new statement when the one it last made is
// older than this (or no longer says the current epoch and revocations).
constexpr int64_t kStatementRefreshMs = 24 * 3600 * 1000LL;

// A passphrase that unlocks a store is at least this many characters
// (Unicode code points), checked when the store is made.
constexpr size_t kMinPassphraseChars = 8;

// Sealed values (text only some devices can read).
constexpr char kSealedPrefix[] = "sealed2:";  // Then base64url without padding.
constexpr uint8_t kSealedVersion = 2;          // 2: the text is padded to its size bucket.
constexpr char kSealedAdPrefix[] = "hamlet sealed v2";
constexpr size_t kSealedPadMinBytes = 64;      // The smallest bucket of a sealed text.
constexpr size_t kMaxSealedReaders = 64;
constexpr size_t kMaxSealedText = 64 << 10;

// Rights (protocol.md 7.2): collections and fields whose writes depend on
// the author's role.
constexpr const char* kOfficerCollections[] = {"workspace", "categories"};
constexpr char kConcernCollection[] = "concerns";
constexpr char kDenunciationKind[] = "denunciation";
constexpr const char* kConfidentialFields[] = {"reporter_name", "reporter_contact"};

// The hub's HTTP API (protocol.md section 13): the Hamlet-Protocol header.
// 2: gapless chains on push, revocations naming their last commit's hash.
// 3: a pull page cut in transit is resumed at the byte where it was cut
// (upto and offset, Hamlet-Page-Size and Hamlet-Page-Digest).
// 4: a push may relay other members' commits the hub lacks.
// 5: membership routes for a hub relaying to another (role relay).
constexpr int kHubProtocolVersion = 8;
// Hamlet-Page-Digest: BLAKE2b of a whole pull page, this many bytes, hex.
constexpr size_t kPageDigestBytes = 16;

// Receipts.
constexpr char kReceiptSigPrefix[] = "hamlet receipt v2";

// The pending file (protocol.md 8): local commits the store has not yet
// committed. The magic and version, then entries: a varint length, that
// many bytes (workspace id, then the commit's canonical bytes), and the
// first kPendingCheckBytes of BLAKE2b of those bytes.
constexpr char kPendingMagic[] = "HMLP";
constexpr uint8_t kPendingVersion = 1;
constexpr size_t kPendingCheckBytes = 16;
constexpr char kPendingSuffix[] = "-pending";  // After the store's path.
// A group of local commits is committed to SQLite after this many commits
// or once its pending file holds this many bytes.
constexpr size_t kGroupMaxCommits = 256;
constexpr size_t kGroupMaxBytes = 8 << 20;

// Device ids are the first 16 bytes of BLAKE2b-256 of the Ed25519 public key.
constexpr size_t kIdBytes = 16;

}  // namespace hamlet::format

#endif  // HAMLET_FORMAT_H_
