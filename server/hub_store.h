// HubStore: what a hub keeps, behind an interface so that storage engines
// can be swapped (SQLite in a data folder now; PostgreSQL for hubs that run
// as several processes). A hub stores only what it can hold blind: sealed
// commits, device certificates, workspace admin keys, session challenges.
//
// Implementations must be safe to call from many threads at once.
#ifndef HAMLET_SERVER_HUB_STORE_H_
#define HAMLET_SERVER_HUB_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commit.h"
#include "hamlet/language.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet::hub {

struct DeviceRecord {
  std::string certificate;
  bool revoked = false;
  int64_t last_seen = 0;  // Hub clock, ms; 0 if never.
};

struct AppendResult {
  size_t stored = 0;
  size_t duplicates = 0;
};

struct DeviceSummary {
  DeviceId device;
  uint8_t role = 0;
  bool revoked = false;
  int64_t last_seen = 0;
  uint64_t commits = 0;
};

struct WorkspaceSummary {
  WorkspaceId workspace;
  int64_t created = 0;
  uint64_t commits = 0;
  std::vector<DeviceSummary> devices;
};

// An attachment as a hub holds it (protocol.md 14): its manifest, sealed
// size and chunk count, the whole chunks held from the first, and the first
// bytes of the next one when an upload was cut.
struct AttachmentRow {
  std::string manifest;
  uint64_t sealed_size = 0;
  uint64_t chunks = 0;
  uint64_t held_chunks = 0;
  std::string partial;
};

class HubStore {
 public:
  virtual ~HubStore() = default;

  // Operator tokens open the hub's status pages and metrics; only their
  // hashes are stored.
  virtual Status AddOperatorToken(const std::string& token_hash, int64_t now) = 0;
  virtual Status IsOperatorToken(const std::string& token_hash, bool* yes) = 0;

  // Publish tokens, made by the operator; only their hashes are stored.
  virtual Status AddToken(const std::string& token_hash, int64_t now) = 0;
  // Uses up a token to create a workspace with its admin's certificate.
  // PermissionDenied for an unknown or used token; AlreadyExists if the
  // workspace is there already.
  virtual Status PublishWorkspace(const std::string& token_hash, const WorkspaceId& ws,
                                  const std::string& admin_public_key, const std::string& admin_certificate,
                                  const DeviceId& admin, int64_t now) = 0;
  // NotFound for a workspace this hub does not serve.
  virtual Status AdminKey(const WorkspaceId& ws, std::string* admin_public_key) = 0;

  virtual Status PutDevice(const WorkspaceId& ws, const DeviceId& device, const std::string& certificate) = 0;
  // NotFound for a device the hub does not know in ws.
  virtual Status GetDevice(const WorkspaceId& ws, const DeviceId& device, DeviceRecord* out) = 0;

  // Marks a device revoked (refused from now on), drops its commits
  // numbered above last_seq, and keeps the admin's signed statement for the
  // other devices to fetch.
  virtual Status Revoke(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq,
                        const std::string& statement) = 0;
  // Key grants (each sealed to one device), stored for it to fetch.
  virtual Status AddGrant(const WorkspaceId& ws, const DeviceId& device, uint32_t epoch,
                          const std::string& grant) = 0;
  // The grants for device and every revocation statement of ws.
  virtual Status KeysFor(const WorkspaceId& ws, const DeviceId& device, std::vector<std::string>* grants,
                         std::vector<std::string>* revocations) = 0;

  // The certificates of the devices of ws not revoked, in no particular order.
  virtual Status Certificates(const WorkspaceId& ws, std::vector<std::string>* out) = 0;

  // What a relay hub carries of ws's membership (protocol.md 13.7): the
  // certificate of every device, revoked ones too, and every key grant.
  virtual Status Members(const WorkspaceId& ws, std::vector<std::string>* certificates,
                         std::vector<std::string>* grants) = 0;

  // Values the hub keeps for itself under a name (its relay identity,
  // where it stands at the hub it relays to). NotFound sets *found false.
  virtual Status GetMeta(const std::string& key, std::string* value, bool* found) = 0;
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;

  // Enrollment: join requests posted for an invite (the hub cannot check
  // them; the admin does; a few are kept per invite), and the envelope the
  // admin leaves for the invite, sealed to the device it admitted.
  // Requests not answered and posted before expire_before are forgotten;
  // a workspace holds a bounded number unanswered (Unavailable beyond it).
  virtual Status AddJoin(const WorkspaceId& ws, const std::string& invite_id, const std::string& request, int64_t now,
                         int64_t expire_before) = 0;
  virtual Status PendingJoins(const WorkspaceId& ws, int64_t expire_before, std::vector<std::string>* requests) = 0;
  virtual Status PutAdmission(const WorkspaceId& ws, const std::string& invite_id, const std::string& envelope) = 0;
  // NotFound while the admin has not answered.
  virtual Status GetAdmission(const WorkspaceId& ws, const std::string& invite_id, std::string* envelope) = 0;

  // Session challenges: each (challenge, counter) is accepted once, while
  // the challenge has not expired, with counters strictly growing. A device
  // keeps a few sessions open at most (opening another ends its oldest).
  // The first request signed in a session records that the device was seen
  // then; opening one does not.
  virtual Status AddChallenge(const WorkspaceId& ws, const DeviceId& device, const std::string& challenge,
                              int64_t now, int64_t expires) = 0;
  virtual Status UseChallenge(const WorkspaceId& ws, const DeviceId& device, const std::string& challenge,
                              uint64_t counter, int64_t now) = 0;

  // Stores commits, all or nothing, durably before returning. Commits
  // already stored byte for byte count as duplicates; a different commit
  // under a stored number, or a broken hash-chain link, is DataLoss; a
  // commit that does not continue its author's chain without a gap is
  // FailedPrecondition. via names the device that pushed them (null for
  // an import or a relay's pull): its pulls leave out the commits it
  // brought, as they leave out its own. now (ms since the epoch) is when
  // they arrived: the first position stored on each UTC day is noted
  // (RecentAfter).
  virtual Status Append(const WorkspaceId& ws, const std::vector<SealedCommit>& commits, int64_t now,
                        AppendResult* out, const DeviceId* via = nullptr) = 0;
  // Recent first (protocol.md 13.4): the last position of ws before the
  // first commit stored on or after the UTC day of since (ms since the
  // epoch), by the days Append noted; ws's last position when none was
  // stored since, and 0 when every commit of ws is that recent. Commits
  // stored before a store kept days count as older than any day.
  virtual Status RecentAfter(const WorkspaceId& ws, int64_t since, uint64_t* after) = 0;
  // The stored bytes of author's commit seq, if the hub holds it.
  virtual Status GetCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string* bytes,
                           bool* found) = 0;
  // The highest n such that the hub holds commits 1..n of device.
  virtual Status Contiguous(const WorkspaceId& ws, const DeviceId& device, uint64_t* seq) = 0;
  // Commits of ws that arrived after the hub position `after` and, unless
  // upto is 0, at or before upto, in arrival order, leaving out those
  // authored or pushed by `reader` (it has them), up to about max_bytes (at least
  // one). *next is the position to continue from; *more tells whether
  // anything remains. The same arguments give the same commits for as long
  // as the store lives (a resumed pull page, protocol.md 13.3).
  virtual Status ReadAfter(const WorkspaceId& ws, const DeviceId& reader, uint64_t after, uint64_t upto,
                           size_t max_bytes, std::vector<std::string>* commits, uint64_t* next, bool* more) = 0;

  virtual Status Summaries(std::vector<WorkspaceSummary>* out) = 0;

  // The id of this store (16 random bytes): made with the store, and made
  // anew in a copy that Backup writes, so that replicas never take the
  // positions of a restored copy for those of the store they pulled from.
  virtual Status Instance(std::string* id) = 0;
  // What a session answer tells of ws (protocol.md 13.6): the highest
  // position the store has ever given a commit (of any workspace), and how
  // far it holds each author's chain of ws.
  virtual Status Heads(const WorkspaceId& ws, uint64_t* head, std::map<DeviceId, uint64_t>* heads) = 0;
  // The admin's epoch statement of ws (protocol.md 7.4): the one issued
  // last is kept, an older one changes nothing. Empty when none.
  virtual Status PutStatement(const WorkspaceId& ws, int64_t issued_ms, const std::string& statement) = 0;
  virtual Status GetStatement(const WorkspaceId& ws, std::string* statement) = 0;
  // Writes a consistent copy of the store into dir (created if missing;
  // AlreadyExists if it holds a store), with an instance id of its own.
  virtual Status Backup(const std::string& dir) = 0;
  // Takes one request without a device signature from the bucket of a
  // client address (protocol.md 13.5: per_minute a minute, as a bucket that
  // holds per_minute and refills evenly; now is the wall clock, ms): for
  // stores that several hub processes share, so that the rate holds for
  // the hub, not for each process. *taken false: empty, and *retry_after_ms
  // says when the next is taken. Unimplemented for a store one process
  // holds alone (its own table then counts).
  virtual Status TakeUnsigned(const std::string& address, int64_t now, size_t per_minute, bool* taken,
                              int64_t* retry_after_ms) {
    (void)address, (void)now, (void)per_minute, (void)taken, (void)retry_after_ms;
    return Status::Unimplemented(Tr("this store is not shared by several hub processes"));
  }
  // ---- Attachments (protocol.md 14): sealed bytes, held blind ----
  // Registers attachment id (32 bytes) of ws; nothing changes when it is
  // there already. OutOfRange when the sealed sizes of ws's attachments
  // would pass quota_bytes.
  virtual Status AddAttachment(const WorkspaceId& ws, const std::string& id, const std::string& manifest,
                               uint64_t sealed_size, uint64_t chunks, uint64_t quota_bytes, int64_t now) = 0;
  virtual Status GetAttachment(const WorkspaceId& ws, const std::string& id, AttachmentRow* out, bool* found) = 0;
  // Stores whole chunk index, which must be the next (held_chunks; else
  // FailedPrecondition), durably, and clears the partial bytes.
  virtual Status PutAttachmentChunk(const WorkspaceId& ws, const std::string& id, uint64_t index,
                                    const std::string& data) = 0;
  // Keeps the first bytes of chunk index (the next) that came before a cut.
  virtual Status SetAttachmentPartial(const WorkspaceId& ws, const std::string& id, uint64_t index,
                                      const std::string& bytes) = 0;
  virtual Status GetAttachmentChunk(const WorkspaceId& ws, const std::string& id, uint64_t index, std::string* data,
                                    bool* found) = 0;

  // ---- Snapshots (protocol.md 6.5): the newest of each workspace, held blind ----
  // Keeps snapshot as ws's, reaching log position position, unless the one
  // held reaches as far or further; *kept says which.
  virtual Status PutSnapshot(const WorkspaceId& ws, uint64_t position, const std::string& snapshot, bool* kept) = 0;
  // The snapshot of ws and its position; *found false when none. snapshot
  // may be null (the position alone).
  virtual Status GetSnapshot(const WorkspaceId& ws, uint64_t* position, std::string* snapshot, bool* found) = 0;
  // A device's upload of a snapshot, a piece at a time, so that a cut link
  // loses nothing that arrived: bytes go at offset from, which must be what
  // is held (else FailedPrecondition; 0 starts again). *held is then how
  // many bytes the upload holds.
  virtual Status AppendSnapshotUpload(const WorkspaceId& ws, const DeviceId& device, uint64_t from,
                                      const std::string& bytes, uint64_t* held) = 0;
  virtual Status SnapshotUploadHeld(const WorkspaceId& ws, const DeviceId& device, uint64_t* held) = 0;
  // The whole upload, which the store forgets.
  virtual Status TakeSnapshotUpload(const WorkspaceId& ws, const DeviceId& device, std::string* bytes) = 0;

  // Gives the store a new instance id: for a store restored from a backup
  // or copied by other means, whose positions devices must not take for
  // those of the store they pulled from.
  virtual Status RenewInstance() = 0;
};

// What both stores answer to a snapshot upload's piece that does not go on
// from what is held.
// The UTC day of a time in ms since the epoch: what Append notes and
// RecentAfter compares.
inline int64_t ArrivalDay(int64_t ms) {
  constexpr int64_t kDayMs = 86400000;
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

inline Status NotHeldSnapshotOffset(int64_t held) {
  return Status::FailedPrecondition(
      Format(Tr("the hub holds %llu bytes of this snapshot: send from there"), static_cast<unsigned long long>(held)));
}

// The refusals both stores give for attachments.
inline Status QuotaExceeded(int64_t used, uint64_t quota_bytes) {
  return Status::OutOfRange(
      Format(Tr("this workspace's attachments would pass the hub's quota (%llu of %llu bytes used)"),
             static_cast<unsigned long long>(used), static_cast<unsigned long long>(quota_bytes)));
}
inline Status NotNextChunk(uint64_t index) {
  return Status::FailedPrecondition(
      Format(Tr("chunk %llu is not the next one the hub lacks"), static_cast<unsigned long long>(index)));
}

// Opens (or creates) the SQLite hub store in directory dir.
Status OpenSqliteHubStore(const std::string& dir, std::unique_ptr<HubStore>* out);
// Opens the PostgreSQL hub store in the database url names
// (postgresql://...), creating or migrating its schema.
Status OpenPostgresHubStore(const std::string& url, std::unique_ptr<HubStore>* out);

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_HUB_STORE_H_
