// Replica: one device's copy of one or more workspaces, in one SQLite file.
//
// A Replica records changes as signed, sealed commits, merges commits from
// other replicas, answers queries, and exports and imports chunks of commits
// (the same bytes serve as a bundle file). It does no network I/O.
//
// Thread safety: every method may be called from any thread; calls are
// serialised by an internal mutex, so a long import delays other calls. Open
// one Replica per file: two Replica objects on one file are not supported.
#ifndef HAMLET_REPLICA_H_
#define HAMLET_REPLICA_H_

#include "hamlet/export.h"
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hamlet/env.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

struct OpenOptions {
  Env* env = nullptr;              // Env::Default() when null; must outlive the Replica.
  bool durable = true;             // Each commit reaches the disk before Commit returns.
  bool create_if_missing = true;   // Otherwise a missing store is NotFound.
  // Argon2id cost for a store created with a passphrase (kept in the store:
  // unlocking uses what creation chose). Zero means libsodium's "moderate"
  // limits (256 MiB, about a second on a desktop); on a phone pass its
  // "interactive" ones (64 MiB) or ask the C API for them
  // (HAMLET_OPEN_KDF_INTERACTIVE). A passphrase of fewer than 8 characters
  // is InvalidArgument when the store is made.
  uint64_t pwhash_opslimit = 0;
  uint64_t pwhash_memlimit = 0;
  // Threads an import checks signatures, seals and bodies on, the calling
  // one included. Zero means one per core (at most 8); one keeps imports on
  // the calling thread, for an app that wants its other cores.
  unsigned import_threads = 0;
  // Local commits in groups (see Commit): much faster, but other
  // connections to the file see a commit, and its write lock is released,
  // only when the group ends. False commits each local commit to SQLite on
  // its own, for a store file that other processes open while this one
  // keeps it open.
  bool group_commits = true;
};

// kRelay: a hub certified to relay the workspace's sealed commits to and
// from another hub; it can read nothing, authors nothing and gets no key.
enum class Role : uint8_t { kAdmin = 0, kOfficer = 1, kCadre = 2, kRelay = 3 };

// A record as a reader sees it.
struct Record {
  RecordId id;
  WorkspaceId workspace;
  std::string collection;
  bool deleted = false;
  std::map<std::string, Value> fields;                 // The winning value of each field.
  std::map<std::string, std::vector<Value>> conflicts; // Concurrent values that lost, per field.
  int64_t updated_millis = 0;                          // Clock time of the latest write.
};

// The changes of one commit. Build it, then pass it to Replica::Commit.
class HAMLET_EXPORT WriteBatch {
 public:
  // A new record with a fresh random id, which is returned.
  RecordId Insert(std::string collection, std::map<std::string, Value> fields);
  // A new record with a caller-chosen id (for example from an earlier batch).
  void InsertWithId(const RecordId& id, std::string collection, std::map<std::string, Value> fields);
  // Sets fields of an existing record. Writing a field also settles its
  // conflicts: the new value supersedes every value this replica has seen.
  void Update(const RecordId& id, std::map<std::string, Value> fields);
  // Deletes a record: a tombstone that a later write or Restore undoes.
  void Delete(const RecordId& id);
  void Restore(const RecordId& id);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

  enum class Kind : uint8_t { kInsert, kUpdate, kDelete, kRestore };
  struct Entry {
    Kind kind;
    RecordId id;
    std::string collection;
    std::map<std::string, Value> fields;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

struct CommitInfo {
  DeviceId author;
  uint64_t seq = 0;
  uint64_t hlc = 0;
  size_t sealed_bytes = 0;
};

// A file attached to a record (protocol.md 14), as its reference record in
// the "attachments" collection names it, and what this device holds of it.
struct Attachment {
  RecordId reference;  // The reference record.
  WorkspaceId workspace;
  RecordId record;       // The record it is attached to.
  std::string file;      // The file's id: 64 hex digits (the hash of its manifest).
  std::string name;      // As given when attached, such as "don-thu.jpg".
  std::string type;      // A media type, such as "image/jpeg".
  uint64_t size = 0;     // Bytes of the file.
  bool deleted = false;  // The reference was dropped.
  // A denunciation's file: its key and name are sealed to the officers, so
  // only they read it (name is "" on other devices).
  bool confidential = false;
  bool held = false;     // This device holds the whole file.
  bool sent = false;     // A hub acknowledged every byte of it.
  bool wanted = false;   // The next sync fetches it.
};

// How a file's sealed bytes lie, for a transport: every chunk but the last
// is sealed_chunk_bytes long.
struct AttachmentLayout {
  std::string manifest;             // Encoded (protocol.md 14.2); its hash is the file id.
  uint64_t sealed_size = 0;         // All sealed chunks together.
  uint64_t sealed_chunk_bytes = 0;  // One whole sealed chunk.
  size_t chunks = 0;
  size_t held_chunks = 0;  // Chunks this device holds, from the first.

  uint64_t ChunkStart(size_t i) const { return i * sealed_chunk_bytes; }
  uint64_t ChunkSize(size_t i) const { return i + 1 < chunks ? sealed_chunk_bytes : sealed_size - ChunkStart(i); }
};

// A query over one collection. All conditions must hold.
struct Query {
  std::optional<WorkspaceId> workspace;  // All workspaces when unset.
  std::string collection;                // Required.
  std::vector<std::pair<std::string, Value>> equals;  // field == value
  std::string text;                      // Words that must all occur (diacritics optional).
  std::string time_field;                // With from/to: a timestamp field in [from, to).
  std::optional<Timestamp> from, to;
  std::string order_by;                  // A field name; empty: changed last on this replica, first.
  bool descending = false;
  size_t offset = 0;
  size_t limit = 50;
};

struct QueryResult {
  std::vector<Record> records;
  size_t total = 0;  // Matches before offset and limit.
};

struct Conflict {
  RecordId record;
  std::string collection;
  std::string field;
  Value winner;
  std::vector<Value> others;
};

struct ExportResult {
  std::string chunk;        // Empty when the peer lacks nothing.
  std::string next_cursor;  // Pass back to continue after this chunk.
  size_t commits = 0;
  bool more = false;        // More commits remain beyond max_bytes.
};

// Who a chunk that Export makes is for (protocol.md 6 and 6.4).
enum class ChunkForm {
  // Another replica of the workspace: the commits without the ciphertext of
  // their padding, sealed as a whole with a workspace key and padded to its
  // size bucket. Less than half the bytes for small commits; only a member
  // can import it, and whoever carries it learns the size of no commit.
  kMember,
  // Anyone: what a hub or a relay takes, and what bundle files hold. Every
  // commit travels in its own size bucket.
  kBlind,
};

struct RevokeResult {
  uint32_t epoch = 0;               // The new key epoch.
  std::string revocation;           // The signed revocation, for the hub and every replica.
  std::vector<std::string> grants;  // The new key, sealed to each remaining device.
};

struct ImportResult {
  WorkspaceId workspace;
  size_t commits = 0;     // In the chunk.
  size_t applied = 0;     // New to this replica.
  size_t duplicates = 0;  // Already here, byte for byte.
  size_t set_aside = 0;   // Not merged, kept and listed by SetAside (see there).
};

// A snapshot made or taken (protocol.md 6.5).
struct SnapshotInfo {
  WorkspaceId workspace;
  DeviceId maker;              // The device that made and signed it: who vouches for it.
  uint64_t position = 0;       // How far of its hub's log it reaches.
  bool position_used = false;  // Taken: the pull goes on from position (the same hub it names).
  size_t records = 0;
  size_t chains = 0;     // Authors whose chains it holds.
  size_t bytes = 0;      // Sealed, as it travels.
  size_t plaintext = 0;  // Its body before compression and sealing (MakeSnapshot).
};

// A commit an import set aside instead of merging (protocol.md, "Set-aside
// commits"): one bad commit never stops the others of its chunk.
struct SetAsideCommit {
  DeviceId author;
  uint64_t seq = 0;
  std::string hash;         // Hex of H(commit bytes): tells two commits under one number apart.
  Code code = Code::kOk;    // What kind of failure: DataLoss (forged, garbled, a fork), PermissionDenied
                            // (revoked, unknown author, no key), FailedPrecondition (links still missing).
  std::string reason;       // For people.
  bool may_pass_later = false;  // A key, certificate or missing commit still to come may let it in.
  bool in_log = false;      // Signed and on its chain, so kept and relayed, but its content is unusable.
  int64_t seen_millis = 0;  // When it was first set aside (this device's clock).
};

// Something a device's user should know before writing to a workspace
// (protocol.md 7.4 and 13.6): the admin has not been heard from for long, or
// a hub kept back what the admin published or what it claimed to hold.
struct Warning {
  // "no_recent_statement": no newer statement from the admin for longer
  //   than the period set by SetStatementMaxAge;
  // "key_withheld": the admin's statement names a key epoch this device has
  //   no key for (it gets none if it was revoked; else a hub withholds it);
  // "revocation_withheld": the statement lists a revoked device whose
  //   revocation no hub or bundle has delivered;
  // "hub_withholds_revocation": a hub's keys answer lacks a revocation this
  //   replica holds;
  // "hub_withholds_commits": a hub claimed to hold commits it did not serve;
  // "hub_restored": a hub is another instance than before, or its log is
  //   shorter than what this replica had pulled (restored from a backup):
  //   everything was pulled again;
  // "hub_lost_commits": a hub holds less of this device's chain than it had
  //   acknowledged (pushed again).
  std::string kind;
  std::string hub;      // The hub's URL, for the hub_* kinds.
  std::string message;  // For people.
};

// What a hub said at the start of a sync (protocol.md 13.3, session).
struct HubSession {
  std::string hub;         // Its URL, as this replica names it.
  std::string instance;    // Its instance id; a restored or new hub has another.
  uint64_t head = 0;       // The last position of its log of the workspace.
  uint64_t contiguous = 0; // How far it holds this device's chain (1..contiguous).
  uint64_t snapshot = 0;   // How far its newest snapshot of the workspace reaches (0: it holds none).
};

// What importing a bundle did.
struct BundleImportResult {
  WorkspaceId workspace;
  DeviceId exporter;            // Zero when the file did not say (a bare chunk).
  std::string exporter_cursor;  // What the exporter held then; empty if unknown.
  size_t chunks = 0;
  size_t commits = 0;     // In the bundle.
  size_t applied = 0;     // New to this replica.
  size_t duplicates = 0;  // Already here.
  size_t set_aside = 0;   // Not merged (see SetAside).
};

// A device of a workspace, as this replica knows it from certificates,
// revocations and the commits it holds.
struct DeviceStatus {
  DeviceId device;
  Role role = Role::kCadre;
  bool revoked = false;
  bool self = false;        // This replica's own device.
  uint64_t contiguous = 0;  // Its commits 1..contiguous are all here.
  uint64_t head = 0;        // The highest of its commit numbers seen here.
};

struct ChainStatus {
  DeviceId device;
  uint64_t contiguous = 0;  // Commits 1..contiguous are all here.
  uint64_t head = 0;        // The highest commit number seen; > contiguous means a gap.
};

class HAMLET_EXPORT Replica {
 public:
  // Opens (or creates) the store at path, unlocking it with a passphrase
  // through Argon2id. A wrong passphrase is PermissionDenied and writes nothing.
  static Status OpenWithPassphrase(const std::string& path, std::string_view passphrase,
                                   const OpenOptions& options, std::unique_ptr<Replica>* out);
  // Same, with a raw 32-byte key (for example from a platform keystore).
  static Status OpenWithKey(const std::string& path, std::string_view key, const OpenOptions& options,
                            std::unique_ptr<Replica>* out);
  ~Replica();

  DeviceId device_id() const;

  // Creates a workspace with this device as its admin.
  Status CreateWorkspace(WorkspaceId* out);
  // This device's public keys, self-signed, for an admin to admit.
  Status JoinRequest(std::string* out);
  // As admin of ws: certifies the requesting device and wraps the workspace
  // keys for it. The envelope is safe to carry over any channel.
  Status Admit(const WorkspaceId& ws, std::string_view join_request, Role role, std::string* envelope);
  // As admin of ws: certifies the hub whose relay request this is (the
  // hex line `hamlet-hub relay key` prints) to relay ws to and from another
  // hub, and nothing else: its commits are refused everywhere, it gets no
  // key and is never an officer. Sets the relay hub's device (register it
  // with the hub it relays to: HubClient::RegisterDevice) and the relay
  // file for its operator (`hamlet-hub relay add`, protocol.md 13.7).
  Status CertifyRelay(const WorkspaceId& ws, std::string_view relay_request, DeviceId* relay,
                      std::string* relay_file);
  // Joins the workspace an envelope admits this device to, if the envelope
  // is signed by the admin named in the invite code this device took
  // (RequestJoin): a hub or anyone else on the way cannot answer in the
  // admin's place. PermissionDenied for an envelope of another key, or when
  // no invite to its workspace was taken here; AlreadyExists for a
  // workspace this device belongs to (an envelope never replaces its keys).
  Status Accept(std::string_view envelope, WorkspaceId* out);
  // The same, for an envelope carried without an invite code, where the
  // caller learnt the admin's device id (its fingerprint) out of band.
  Status Accept(std::string_view envelope, const DeviceId& admin, WorkspaceId* out);
  Status Workspaces(std::vector<WorkspaceId>* out);

  // ---- Invitations: enrollment through a hub the secret never reaches ----

  // As admin of ws: makes an invite code (text, fit for a QR code) for one
  // device of the given role. Its secret half stays in the code and in this
  // replica; a hub sees only the invite id. It admits a device only within
  // valid_for_ms of now (7 days by default): a code found later on an old
  // phone or a photo admits no one.
  static constexpr int64_t kInviteValidMs = 7 * 24 * 3600 * 1000LL;
  Status CreateInvite(const WorkspaceId& ws, Role role, std::string* code, int64_t valid_for_ms = kInviteValidMs);
  // On the new device: the join request to post for an invite code, bound
  // to the code's secret. Sets the workspace and the invite id (hex).
  Status RequestJoin(std::string_view code, WorkspaceId* ws, std::string* invite_id, std::string* request);
  // As admin: checks a posted join request against the invite it names and
  // admits the device. Each invite admits one device. Sets the envelope for
  // the device, its certificate, and the invite id (hex).
  Status AdmitInvited(const WorkspaceId& ws, std::string_view request, std::string* envelope, std::string* certificate,
                      std::string* invite_id);

  // As admin of ws: revokes a device and rotates the workspace key. The
  // revoked device's commits numbered above those this replica holds are
  // refused from now on, and it gets no key of the new epoch, so it cannot
  // read anything written after. Deliver the result's revocation and grants
  // through a hub or bundle.
  Status Revoke(const WorkspaceId& ws, const DeviceId& device, RevokeResult* out);
  // Takes note of a revocation or a key grant signed by the admin.
  // Idempotent. A grant for another device is InvalidArgument; a grant is
  // taken only for the epoch after the newest this device holds
  // (FailedPrecondition for a later one, DataLoss for one that would
  // replace a key it holds).
  Status AcceptRevocation(std::string_view revocation);
  Status AcceptKeyGrant(std::string_view grant);
  // Stores a device certificate the workspace admin signed (from a hub, so
  // that values can be sealed to officers who have written nothing yet).
  // DataLoss when the admin did not sign it; a known one is kept as it is.
  Status AcceptCertificate(std::string_view certificate);
  // A digest of the admin and officer devices of ws this replica knows and
  // knows no revocation for: sent to a hub's keys endpoint, which then sends
  // officers' certificates only when they differ from its own.
  Status OfficersDigest(const WorkspaceId& ws, std::string* digest);

  // Seals, signs, stores and applies the batch as one commit, atomically.
  // Once it returns OK the commit survives the process ending (and a power
  // cut when the replica was opened durable), and this replica's reads see
  // it. Local commits are grouped (protocol.md 8) unless
  // OpenOptions::group_commits is false: other connections to the same file
  // see them, and the file's write lock is released, when the group ends:
  // after 256 commits, at any other write of this replica, at Checkpoint,
  // and when the Replica is destroyed. A batch refused by its
  // checks (InvalidArgument, NotFound, AlreadyExists, PermissionDenied)
  // changes nothing; a failure while storing (retryable when the status
  // says so) loses none of the earlier commits.
  Status Commit(const WorkspaceId& ws, const WriteBatch& batch, CommitInfo* info = nullptr);

  Status Get(const RecordId& id, Record* out);  // NotFound if unknown; deleted records are returned.
  Status Find(const Query& query, QueryResult* out);
  Status Conflicts(const WorkspaceId& ws, std::vector<Conflict>* out);

  // Sets what this replica's index keeps of the fields of collection, in
  // every workspace (see FieldIndex). By default every field is indexed by
  // value and by words. A field the app never searches by word is best
  // kExact, one it never queries kNone: commits that write it then change
  // fewer index entries and the store is smaller. Queries answer the same
  // whatever the spec, except that Query::text finds only the words of
  // kWords fields; a condition on a kNone field opens every record of the
  // collection to check it. The spec is this replica's own (no commit, no
  // other replica changes) and is kept in its store; an app may call this
  // after every open, since an unchanged spec writes nothing. A changed one
  // retags the collection's records before returning, in one transaction.
  // InvalidArgument for an empty collection or field name.
  Status SetIndex(std::string_view collection, const IndexSpec& spec);
  // The spec SetIndex last set for collection, or the default.
  IndexSpec GetIndex(std::string_view collection);

  // What this replica holds of ws, as an opaque cursor a peer exports against.
  Status Cursor(const WorkspaceId& ws, std::string* cursor);
  // The commits of ws that a peer with peer_cursor lacks (empty cursor: all),
  // up to about max_bytes, as one chunk. When out->more is set the chunk is
  // only part of what the peer lacks: export again from out->next_cursor
  // until it is not. ExportBundle gives everything a peer lacks in one
  // piece, for a caller that does not page. The member form, the default,
  // is for another replica of ws; the blind form for a hub or a relay.
  Status Export(const WorkspaceId& ws, std::string_view peer_cursor, size_t max_bytes, ExportResult* out,
                ChunkForm form = ChunkForm::kMember);
  // Verifies, opens and merges a chunk (either form) in one transaction. A
  // member chunk sealed with a key epoch this replica does not hold yet is
  // PermissionDenied and changes nothing. A damaged chunk
  // (checksum, framing) is refused whole and changes nothing. A commit that
  // fails on its own (forged or garbled, an unknown author or key epoch, a
  // revoked device's commit beyond its revocation, a fork) is set aside:
  // kept, counted in out->set_aside and listed by SetAside, while the rest
  // merges. Those that may pass later are tried again whenever a later
  // import, key grant, certificate or revocation could let them in.
  Status Import(std::string_view chunk, ImportResult* out);
  // The commits of ws set aside so far, by author and number.
  Status SetAside(const WorkspaceId& ws, std::vector<SetAsideCommit>* out);
  Status Chains(const WorkspaceId& ws, std::vector<ChainStatus>* out);
  // Bundle files, for carrying commits where there is no link (protocol.md,
  // "Bundles"). ExportBundle writes every commit of ws this replica holds
  // that a peer at peer_cursor lacks ("" for everything), with this
  // device's own cursor so the receiver can answer with less; *commits counts
  // them. ImportBundle imports its chunks in order, each all or nothing: a
  // damaged chunk stops the import and keeps what the chunks before it
  // brought. Importing a bundle twice, or an old one, changes nothing.
  Status ExportBundle(const WorkspaceId& ws, std::string_view peer_cursor, std::string* bundle, size_t* commits);
  Status ImportBundle(std::string_view bundle, BundleImportResult* out);
  // Every device of ws this replica holds a certificate of, ordered by id.
  Status Devices(const WorkspaceId& ws, std::vector<DeviceStatus>* out);

  // Settings of this replica alone (which hub to use, a default workspace):
  // never synced, stored unencrypted, so never a secret. A missing key reads
  // as found = false.
  Status SetLocalSetting(std::string_view key, std::string_view value);
  Status LocalSetting(std::string_view key, std::string* value, bool* found);

  // ---- For a transport talking to a hub (protocol.md, "Hub protocol") ----

  // The Hamlet-Page-Digest of a whole pull page (protocol.md 13.3): what a
  // page put together from a cut answer and its rest must match.
  static std::string PullPageDigest(std::string_view page);

  // The certificate of a device of ws, as this replica holds it.
  Status DeviceCertificate(const WorkspaceId& ws, const DeviceId& device, std::string* certificate);
  // The Authorization header value for one hub request, signed with this
  // device's key. challenge is the session's (raw bytes); counter must grow
  // with every request of the session.
  Status AuthorizeRequest(const WorkspaceId& ws, std::string_view method, std::string_view target,
                          std::string_view challenge, uint64_t counter, std::string_view body, std::string* header);
  // This device's own commits of ws numbered above after, as one chunk of
  // about max_bytes: what a push sends.
  Status ExportAuthored(const WorkspaceId& ws, uint64_t after, size_t max_bytes, ExportResult* out);
  // Other authors' commits of ws that a hub lacks, as one chunk of about
  // max_bytes: what a device relays (protocol.md 13.3). *held says how far
  // the hub holds each chain (a session's heads; an author missing holds
  // none) and is advanced to what the chunk carries. Each chain goes only
  // as far as this replica holds it without a gap, and a revoked author's
  // only up to its revocation.
  Status ExportRelayed(const WorkspaceId& ws, std::map<DeviceId, uint64_t>* held, size_t max_bytes,
                       ExportResult* out);
  // The position in a hub's log up to which this replica has pulled ws;
  // hub names the hub (its URL). 0 when it never pulled.
  Status PullPosition(const WorkspaceId& ws, std::string_view hub, uint64_t* position);
  Status SetPullPosition(const WorkspaceId& ws, std::string_view hub, uint64_t position);
  // Recent first (protocol.md 13.4): a first pull of ws that began at a
  // recent position of hub's log leaves the older part, the positions after
  // *after up to *upto, to pull after it; *upto 0 when none is left. While
  // some is left, CheckHubHeads finds no shortfall (those commits are still
  // to come) and MakeSnapshot is FailedPrecondition (this replica lacks part
  // of what its pull position stands for). Forgotten when the hub turns out
  // to be another instance or its log shorter (CheckHubSession), and when a
  // revocation makes the replica pull ws from the beginning.
  Status OlderRange(const WorkspaceId& ws, std::string_view hub, uint64_t* after, uint64_t* upto);
  // Sets it; upto <= after forgets it.
  Status SetOlderRange(const WorkspaceId& ws, std::string_view hub, uint64_t after, uint64_t upto);
  // Snapshots (protocol.md 6.5): a new device starts from the merged state
  // an officer's or the admin's device made, instead of pulling every
  // commit since the workspace began, then pulls what came after.
  //
  // MakeSnapshot: ws as this replica holds it, sealed with the current data
  // key and signed by this device, naming how far it has pulled the log of
  // hub (the hub at that URL as it last saw it). PermissionDenied unless
  // this device is the workspace's admin or an officer; FailedPrecondition
  // while the older part of hub's log is still to pull (OlderRange).
  Status MakeSnapshot(const WorkspaceId& ws, std::string_view hub, std::string* snapshot, SnapshotInfo* info);
  // Starts ws from a snapshot, checked first: made for ws (InvalidArgument
  // otherwise), by a device the admin certified as officer or admin and
  // did not revoke (PermissionDenied), signed by it and unaltered
  // (PermissionDenied, DataLoss), sealed with a key this device holds
  // (PermissionDenied). FailedPrecondition once this replica holds any
  // other member's commit of ws: a snapshot is for a first sync. This
  // device's own commits are merged again on top. When the snapshot names
  // the hub instance this replica last saw at hub, the pull position for
  // hub moves to the snapshot's. Commits the snapshot covers count as held
  // without being in the log, so bundles for peers below it cannot be made
  // here (FailedPrecondition) and a revocation that voids part of it makes
  // the replica pull ws from the beginning again.
  Status StartFromSnapshot(const WorkspaceId& ws, std::string_view snapshot, std::string_view hub, SnapshotInfo* info);
  // How far a hub holds this device's own commits of ws (1..seq), as it last
  // said: the rest is not yet delivered. 0 when it never said.
  Status Delivered(const WorkspaceId& ws, std::string_view hub, uint64_t* seq);
  Status SetDelivered(const WorkspaceId& ws, std::string_view hub, uint64_t seq);

  // ---- What a hub may withhold (protocol.md 7.4, 13.6) ----
  //
  // A hub relays what it likes. The admin's signed epoch statement, and the
  // checks below on what a hub answers, let a device find out when a hub
  // (or anyone between) keeps something back, and say so (Warnings).

  // As admin of ws: a new statement of the current epoch and the revoked
  // devices, when the last one made here is a day old or no longer says
  // both (after a revocation); empty when none is due, or when this device
  // is not the admin. Kept here as the newest statement; publish it through
  // a hub (HubClient::Sync does).
  Status RenewEpochStatement(const WorkspaceId& ws, std::string* statement);
  // Takes a statement signed by its workspace's admin. An older one than
  // held changes nothing. DataLoss when the admin did not sign it.
  Status AcceptEpochStatement(std::string_view statement);
  // The newest statement held for ws; empty when none.
  Status EpochStatementOf(const WorkspaceId& ws, std::string* statement);
  // How long a device goes without a newer statement before Warnings says
  // so: 30 days unless set. Thread safe.
  void SetStatementMaxAge(int64_t ms);

  // Checks a hub's session answer against what this replica remembers of
  // the hub and sets *pull_from, the position to pull after: 0 when the hub
  // is another instance than before or its log is shorter than a position
  // reached before (a restored backup would otherwise hand out old
  // positions to new commits, and they would be missed).
  Status CheckHubSession(const WorkspaceId& ws, const HubSession& session, uint64_t* pull_from);
  // Checks the revocations a hub's keys answer carried (their signed
  // bytes): each one this replica holds must be there.
  Status CheckHubRevocations(const WorkspaceId& ws, std::string_view hub, const std::vector<std::string>& served);
  // After a pull that reached the end of a hub's log: heads is how far the
  // hub said (at the session's start) it held each author's chain, and this
  // replica must now hold each chain that far. A shortfall is remembered
  // (and *short_of set, when given), and the next pull from that hub starts
  // again from its beginning.
  Status CheckHubHeads(const WorkspaceId& ws, std::string_view hub, const std::map<DeviceId, uint64_t>& heads,
                       bool* short_of = nullptr);
  // What to tell the user before writing to ws, newest problems included;
  // empty when all is well.
  Status Warnings(const WorkspaceId& ws, std::vector<Warning>* out);

  // ---- Receipts (protocol.md 7.3) ----
  //
  // A receipt stands for one record as it was received: its ticket, its id
  // and a digest of its content then. This device signs it; the signature
  // (the proof) travels in the record, and the resident writes down a code
  // of 8 digits made from the proof. Any member checks a code against the
  // proof and the signer's certificate; nobody else, and no device other
  // than the one that received the record, can make a code that checks out,
  // and a record changed since shows a different digest.

  // The digest (hex) of a record's content as received: the given fields,
  // names and values, in name order.
  static std::string ReceiptDigest(const std::map<std::string, Value>& content);
  // Signs a receipt as this device: *proof (hex) to keep in the record,
  // *code ("1234-5678") for the resident.
  Status SignReceipt(const WorkspaceId& ws, std::string_view ticket, const RecordId& record, std::string_view digest,
                     std::string* proof, std::string* code);
  // Checks a receipt signed by device (a certified member of ws): the proof
  // must be its signature over ticket, record and digest, and code the
  // proof's code. PermissionDenied for an unknown device, DataLoss for a
  // proof or code that does not check out.
  Status VerifyReceipt(const WorkspaceId& ws, const DeviceId& device, std::string_view ticket, const RecordId& record,
                       std::string_view digest, std::string_view proof, std::string_view code);

  // Confidential text (protocol.md, "Sealed values"), such as the reporter of
  // a denunciation. SealForOfficers makes, from text, a text value that only
  // the admin and officer devices of ws can read: those this replica holds a
  // certificate of and knows no revocation for, at the time of the call. This
  // device cannot read the result unless it is one of them. The sealed value
  // is written, synced and merged like any other text. FailedPrecondition
  // when this replica knows no such device.
  Status SealForOfficers(const WorkspaceId& ws, std::string_view text, std::string* sealed);
  // Reads a sealed value. PermissionDenied when this device is not among its
  // readers; DataLoss when it is malformed or was altered.
  Status Unseal(const WorkspaceId& ws, std::string_view sealed, std::string* text);
  // The devices a sealed value was sealed to; DataLoss when it is malformed.
  static Status SealedReaders(std::string_view sealed, std::vector<DeviceId>* readers);
  // The id of the record of ws that a name stands for in collection, the
  // same on every device: for records all devices must agree on (a setting,
  // a category), written with InsertWithId when Get finds none and Update
  // otherwise; concurrent first writes then merge like any other writes.
  static RecordId NamedRecordId(const WorkspaceId& ws, std::string_view collection, std::string_view name);
  // True when value has the form of a sealed value.
  static bool IsSealed(std::string_view value);

  // ---- Attachments (protocol.md 14) ----
  //
  // A file attached to a record is sealed on this device under a key of its
  // own and kept in chunks beside the commit log, never in it; a record of
  // the "attachments" collection refers to it (file id, key, name, type,
  // size) and travels, sealed, like any record. The bytes travel to and
  // from a hub on their own (HubClient): this device's files at every sync,
  // other devices' files only when fetched. Calls are serialised with every
  // other call on the replica.

  // Seals bytes (at most 1 GiB; a hub takes 20 MB unless its operator says
  // otherwise), keeps them, and commits the reference to record (which must
  // be a record of ws). A denunciation's file has its key and name sealed
  // to the officers this replica knows (FailedPrecondition when it knows
  // none: sync first). *out (may be null) describes the reference.
  Status Attach(const WorkspaceId& ws, const RecordId& record, std::string_view bytes, std::string_view name,
                std::string_view type, Attachment* out = nullptr);
  // The references of ws, of one record when record is given, not dropped,
  // oldest first.
  Status Attachments(const WorkspaceId& ws, const RecordId* record, std::vector<Attachment>* out);
  // One reference, dropped or not. NotFound when there is no such record;
  // InvalidArgument when it is not a reference.
  Status GetAttachment(const RecordId& reference, Attachment* out);
  // The file's bytes, each chunk checked against the manifest and opened
  // with the key. FailedPrecondition while this device does not hold the
  // whole file (HubClient::FetchAttachment, or WantAttachment and a sync);
  // PermissionDenied for a denunciation's file on a device not among the
  // officers it was sealed to.
  Status ReadAttachment(const RecordId& reference, std::string* bytes);
  // Drops the reference (a commit that deletes it); the bytes leave this
  // device once a hub holds them and no other reference names the file.
  Status DropAttachment(const RecordId& reference);
  // Asks every later sync to fetch the file until it is held (or not).
  Status WantAttachment(const RecordId& reference, bool wanted);
  // Removes the chunks of files of ws that no live reference names, once
  // a hub holds them; *freed (may be null) counts the bytes.
  Status PruneAttachments(const WorkspaceId& ws, uint64_t* freed);

  // For a transport (HubClient): the files of ws this device holds whole
  // and no hub has acknowledged; those wanted and not held.
  Status UnsentAttachments(const WorkspaceId& ws, std::vector<std::string>* files);
  Status WantedAttachments(const WorkspaceId& ws, std::vector<std::string>* files);
  // A file's manifest, how its sealed bytes lie and how many of its chunks
  // are held; an empty manifest while a wanted file's is not fetched yet.
  // NotFound when this device has never seen the file.
  Status AttachmentState(const std::string& file, AttachmentLayout* out);
  Status ReadAttachmentChunk(const std::string& file, size_t index, std::string* sealed);
  Status MarkAttachmentSent(const std::string& file);
  // A manifest fetched from a hub for a file a reference of ws names:
  // DataLoss unless it hashes to the file id.
  Status TakeAttachmentManifest(const WorkspaceId& ws, const std::string& file, std::string_view manifest);
  // The next chunk of a file being fetched: DataLoss unless it matches the
  // manifest (nothing is stored then).
  Status TakeAttachmentChunk(const std::string& file, size_t index, std::string_view sealed);

  // A digest of the merged state of ws: equal on replicas holding the same commits.
  Status StateDigest(const WorkspaceId& ws, std::string* hex);

  Status Checkpoint();                         // Ends the group of local commits; folds the WAL into the file.
  Status IntegrityCheck(std::string* result);  // SQLite's integrity_check: "ok" when sound.

  struct Impl;

 private:
  explicit Replica(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hamlet

#endif  // HAMLET_REPLICA_H_
