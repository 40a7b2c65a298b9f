// Snapshots (protocol.md 6.5): the merged state of a workspace at a point
// of a hub's log, from which a new device starts instead of pulling every
// commit since the workspace began.
//
// A snapshot travels sealed with a workspace data key (the hub carries it
// blind) and signed by the device that made it; the header in front of the
// seal names the workspace, key epoch, hub instance and position, and the
// maker's certificate. Encoding and decoding only: what a replica does with
// one is in replica_snapshot.cc. Thread safe (no state).
#ifndef HAMLET_SNAPSHOT_H_
#define HAMLET_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

// Whether a device of this role (format::kRole*) may make snapshots: the
// admin's and the officers' (protocol.md 6.5). The rule the replica and the
// hub both apply.
bool MayMakeSnapshots(uint8_t role);

// What the seal covers.
struct SnapshotBody {
  uint64_t clock = 0;                     // The maker's clock: the receiver's observes it.
  std::vector<std::string> certificates;  // Every member's, as the admin signed them.
  std::vector<std::string> revocations;   // Every revocation, as the admin signed them.
  // Per author, how far its chain is held without a gap, and the hash of
  // that commit: the receiver's baseline.
  struct Chain {
    DeviceId author;
    uint64_t seq = 0;
    std::string hash;
  };
  std::vector<Chain> chains;
  // Commits held beyond a chain's gap: merged into the records already,
  // kept in the receiver's log as they are in the maker's.
  struct LogCommit {
    std::string bytes;
    uint64_t hlc = 0;
  };
  std::vector<LogCommit> beyond_gaps;
  // Commits set aside that may pass later (protocol.md 6.3): the receiver
  // imports them again.
  std::vector<std::string> waiting;
  // Every record: its id and its state as EncodeState writes it.
  std::vector<std::pair<RecordId, std::string>> records;
};

void EncodeSnapshotBody(const SnapshotBody& body, std::string* out);
// DataLoss when malformed.
Status DecodeSnapshotBody(std::string_view bytes, SnapshotBody* body);

// What travels in the clear in front of the seal, signed with it.
struct SnapshotHeader {
  WorkspaceId workspace;
  uint32_t epoch = 0;        // The data key the body is sealed with.
  std::string hub_instance;  // The hub whose log position follows.
  uint64_t position = 0;     // The maker held everything of that hub's log up to here.
  std::string maker_certificate;
};

// Compresses body and seals it with key (the data key of header.epoch),
// signed with the maker's Ed25519 secret key.
std::string SealSnapshot(const SnapshotHeader& header, const Key32& key, std::string_view sign_secret_key,
                         std::string_view body);

// The header of a sealed snapshot, read without a key and without checking
// the signature. InvalidArgument for bytes that are no snapshot, DataLoss
// for a damaged one, Unimplemented for a newer version, OutOfRange above
// format::kMaxSnapshotBytes.
Status ReadSnapshotHeader(std::string_view bytes, SnapshotHeader* header);

// Whether the signature at the end is by the holder of sign_public_key:
// PermissionDenied when not.
Status VerifySnapshotSignature(std::string_view bytes, std::string_view sign_public_key);

// Opens the seal with the data key of the header's epoch and decompresses
// what it holds. DataLoss when the seal does not open.
Status OpenSnapshot(std::string_view bytes, const Key32& key, std::string* body);

}  // namespace hamlet

#endif  // HAMLET_SNAPSHOT_H_
