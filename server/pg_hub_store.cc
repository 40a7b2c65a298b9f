// The PostgreSQL HubStore (server/README.md, "PostgreSQL"): the same rules
// as the SQLite store, for several hub processes sharing one database.
//
// Everything a request needs lives in the database, sessions and their
// counters included, so any process can serve any request of a session.
// Positions: a push's transaction locks the row of its workspace before it
// takes positions for its commits and holds the lock until it commits, so
// within a workspace positions are taken in the order transactions commit,
// and a reader that sees a position sees every lower one of the workspace
// (protocol.md 13.3). Pushes that arrive at one process while another is
// being written share a transaction (group commit), as in the SQLite store.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <set>

#include "crypto.h"
#include "group_commit.h"
#include "hamlet/language.h"
#include "hub_append.h"
#include "hub_store.h"
#include "identity.h"
#include "pg.h"

namespace hamlet::hub {

namespace {

// The schema, one migration per version; a database is brought to the
// latest by running those it lacks, in order, in one transaction.
const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE meta(key text PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE tokens(hash bytea PRIMARY KEY, created bigint NOT NULL, used_for bytea);
CREATE TABLE operator_tokens(hash bytea PRIMARY KEY, created bigint NOT NULL);
CREATE TABLE workspaces(ws bytea PRIMARY KEY, admin_pk bytea NOT NULL, created bigint NOT NULL);
CREATE TABLE devices(ws bytea NOT NULL, device bytea NOT NULL, cert bytea NOT NULL,
  revoked boolean NOT NULL DEFAULT false, last_seen bigint NOT NULL DEFAULT 0,
  contiguous bigint NOT NULL DEFAULT 0, head bigint NOT NULL DEFAULT 0, last_seq bigint,
  PRIMARY KEY(ws, device));
CREATE TABLE revocations(ws bytea NOT NULL, device bytea NOT NULL, statement bytea NOT NULL,
  PRIMARY KEY(ws, device));
CREATE TABLE statements(ws bytea PRIMARY KEY, issued bigint NOT NULL, statement bytea NOT NULL);
CREATE TABLE grants(ws bytea NOT NULL, device bytea NOT NULL, epoch bigint NOT NULL, grant_bytes bytea NOT NULL,
  PRIMARY KEY(ws, device, epoch));
CREATE TABLE joins(ws bytea NOT NULL, invite bytea NOT NULL, request bytea NOT NULL, envelope bytea,
  created bigint NOT NULL DEFAULT 0, PRIMARY KEY(ws, invite, request));
CREATE SEQUENCE commit_positions;
CREATE TABLE commits(ws bytea NOT NULL, pos bigint NOT NULL, author bytea NOT NULL, seq bigint NOT NULL,
  bytes bytea NOT NULL, PRIMARY KEY(ws, pos), UNIQUE(ws, author, seq));
ALTER TABLE commits ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE TABLE sessions(challenge bytea PRIMARY KEY, ws bytea NOT NULL, device bytea NOT NULL,
  expires bigint NOT NULL, counter bigint NOT NULL DEFAULT 0);
CREATE INDEX sessions_by_device ON sessions(ws, device);
CREATE INDEX sessions_by_expiry ON sessions(expires);
)sql",
    // 2: the buckets of requests without a device signature, per client
    // address, shared by every hub process.
    R"sql(
CREATE TABLE request_buckets(address bytea PRIMARY KEY, tokens double precision NOT NULL, refilled bigint NOT NULL);
CREATE INDEX request_buckets_by_time ON request_buckets(refilled);
)sql",
    // 3: who pushed each commit, so that its pulls leave out what it brought.
    R"sql(
ALTER TABLE commits ADD COLUMN via bytea NOT NULL DEFAULT '';
)sql",
    // 4: attachments (protocol.md 14), held blind.
    R"sql(
CREATE TABLE attachments(ws bytea NOT NULL, id bytea NOT NULL, manifest bytea NOT NULL, sealed_size bigint NOT NULL,
  chunks bigint NOT NULL, held bigint NOT NULL DEFAULT 0, partial bytea NOT NULL DEFAULT '', created bigint NOT NULL,
  PRIMARY KEY(ws, id));
CREATE TABLE attachment_chunks(ws bytea NOT NULL, id bytea NOT NULL, idx bigint NOT NULL, data bytea NOT NULL,
  PRIMARY KEY(ws, id, idx));
)sql",
    // 5: snapshots (protocol.md 6.5), held blind, and uploads of them in progress.
    R"sql(
CREATE TABLE snapshots(ws bytea PRIMARY KEY, position bigint NOT NULL, bytes bytea NOT NULL);
ALTER TABLE snapshots ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE TABLE snapshot_uploads(ws bytea NOT NULL, device bytea NOT NULL, bytes bytea NOT NULL, PRIMARY KEY(ws, device));
)sql",
    // 6: the first position stored on each day (protocol.md 13.4, recent
    // first); commits stored before count as older than any day noted.
    R"sql(
CREATE TABLE arrival_days(ws bytea NOT NULL, day bigint NOT NULL, pos bigint NOT NULL, PRIMARY KEY(ws, day));
)sql",
};
constexpr int kSchemaVersion = sizeof kMigrations / sizeof kMigrations[0];

constexpr size_t kSessionsPerDevice = 8;
constexpr int64_t kMaxJoinsPerInvite = 8;
constexpr int64_t kMaxPendingJoins = 64;
constexpr int64_t kReadBatchRows = 256;

class PgHubStore final : public HubStore {
 public:
  explicit PgHubStore(const std::string& url)
      : pool_(url, 8, ""),
        // Session counters need not survive a crash of the database: a
        // request replayed into a session whose last counter was lost
        // repeats what it did (every request is idempotent), and the
        // session ends when it expires.
        session_pool_(url, 4, "SET synchronous_commit TO off"),
        writer_pool_(url, 1, "") {}

  Status Open() {
    std::unique_ptr<PgPool::Lease> c;
    HAMLET_RETURN_IF_ERROR(pool_.Acquire(&c));
    return (*c)->Transaction([&]() -> Status {
      // Hub processes starting at once migrate one after the other.
      HAMLET_RETURN_IF_ERROR((*c)->Exec("SELECT pg_advisory_xact_lock(7418270019)"));
      HAMLET_RETURN_IF_ERROR((*c)->Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations(version integer PRIMARY KEY, "
          "applied timestamptz NOT NULL DEFAULT now())"));
      PgResult r;
      HAMLET_RETURN_IF_ERROR((*c)->Query("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations", {}, &r));
      int64_t version = r.Int(0, 0);
      if (version > kSchemaVersion) {
        return Status::Unimplemented(Format(Tr("the database holds a hub store of schema version %s, newer than this "
                                               "hamlet-hub knows (%s): run a newer hamlet-hub"),
                                            std::to_string(version).c_str(), std::to_string(kSchemaVersion).c_str()));
      }
      for (int64_t v = version + 1; v <= kSchemaVersion; v++) {
        HAMLET_RETURN_IF_ERROR((*c)->Exec(kMigrations[v - 1]));
        HAMLET_RETURN_IF_ERROR((*c)->Query("INSERT INTO schema_migrations(version) VALUES($1::bigint::integer)", {v}));
      }
      return (*c)->Query("INSERT INTO meta(key, value) VALUES($1, $2) ON CONFLICT(key) DO NOTHING",
                         {PgParam::Text("instance"), RandomBytes(16)});
    });
  }

  Status AddOperatorToken(const std::string& token_hash, int64_t now) override {
    return Run("INSERT INTO operator_tokens(hash, created) VALUES($1, $2)", {token_hash, now});
  }

  Status IsOperatorToken(const std::string& token_hash, bool* yes) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT 1 FROM operator_tokens WHERE hash=$1", {token_hash}, &r));
    *yes = r.rows() > 0;
    return Status::OK();
  }

  Status AddToken(const std::string& token_hash, int64_t now) override {
    return Run("INSERT INTO tokens(hash, created) VALUES($1, $2)", {token_hash, now});
  }

  Status PublishWorkspace(const std::string& token_hash, const WorkspaceId& ws, const std::string& admin_pk,
                          const std::string& admin_cert, const DeviceId& admin, int64_t now) override {
    return InTransaction(&pool_, [&](PgConnection& c) -> Status {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(c.Query("UPDATE tokens SET used_for=$2 WHERE hash=$1 AND used_for IS NULL RETURNING 1",
                                     {token_hash, ws.View()}, &r));
      if (r.rows() == 0) return Status::PermissionDenied(Tr("the publish token is unknown or already used"));
      // Refused, the token is not used up: the transaction rolls back.
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT 1 FROM workspaces WHERE ws=$1", {ws.View()}, &r));
      if (r.rows() > 0) return Status::AlreadyExists(Format(Tr("workspace %s is published already"), ws.Hex().c_str()));
      Status s = c.Query("INSERT INTO workspaces(ws, admin_pk, created) VALUES($1, $2, $3)", {ws.View(), admin_pk, now});
      // Published at the same moment through another hub process.
      if (s.code() == Code::kAlreadyExists)
        return Status::AlreadyExists(Format(Tr("workspace %s is published already"), ws.Hex().c_str()));
      HAMLET_RETURN_IF_ERROR(s);
      return c.Query("INSERT INTO devices(ws, device, cert) VALUES($1, $2, $3)", {ws.View(), admin.View(), admin_cert});
    });
  }

  Status AdminKey(const WorkspaceId& ws, std::string* admin_pk) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT admin_pk FROM workspaces WHERE ws=$1", {ws.View()}, &r));
    if (r.rows() == 0) return Status::NotFound(Format(Tr("this hub does not serve workspace %s"), ws.Hex().c_str()));
    admin_pk->assign(r.Bytes(0, 0));
    return Status::OK();
  }

  Status PutDevice(const WorkspaceId& ws, const DeviceId& device, const std::string& cert) override {
    return Run("INSERT INTO devices(ws, device, cert) VALUES($1, $2, $3) "
               "ON CONFLICT(ws, device) DO UPDATE SET cert=excluded.cert",
               {ws.View(), device.View(), cert});
  }

  Status GetDevice(const WorkspaceId& ws, const DeviceId& device, DeviceRecord* out) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT cert, revoked, last_seen FROM devices WHERE ws=$1 AND device=$2", {ws.View(), device.View()}, &r));
    if (r.rows() == 0) {
      return Status::NotFound(
          Format(Tr("device %s is not a member of workspace %s"), device.Hex().c_str(), ws.Hex().c_str()));
    }
    out->certificate.assign(r.Bytes(0, 0));
    out->revoked = r.Int(0, 1) != 0;
    out->last_seen = r.Int(0, 2);
    return Status::OK();
  }

  Status Revoke(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq,
                const std::string& statement) override {
    return InTransaction(&pool_, [&](PgConnection& c) -> Status {
      // Pushes of the workspace wait, on every process, so none stores a
      // commit beyond last_seq after this.
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT 1 FROM workspaces WHERE ws=$1 FOR UPDATE", {ws.View()}));
      HAMLET_RETURN_IF_ERROR(c.Query("DELETE FROM commits WHERE ws=$1 AND author=$2 AND seq>$3",
                                     {ws.View(), device.View(), last_seq}));
      HAMLET_RETURN_IF_ERROR(c.Query("UPDATE devices SET revoked=true, last_seq=$1, contiguous=least(contiguous, $1), "
                                     "head=least(head, $1) WHERE ws=$2 AND device=$3",
                                     {last_seq, ws.View(), device.View()}));
      HAMLET_RETURN_IF_ERROR(c.Query("INSERT INTO revocations(ws, device, statement) VALUES($1, $2, $3) "
                                     "ON CONFLICT(ws, device) DO UPDATE SET statement=excluded.statement",
                                     {ws.View(), device.View(), statement}));
      // Its open sessions end now, on every process.
      return c.Query("DELETE FROM sessions WHERE ws=$1 AND device=$2", {ws.View(), device.View()});
    });
  }

  Status AddGrant(const WorkspaceId& ws, const DeviceId& device, uint32_t epoch, const std::string& grant) override {
    return Run("INSERT INTO grants(ws, device, epoch, grant_bytes) VALUES($1, $2, $3, $4) "
               "ON CONFLICT(ws, device, epoch) DO UPDATE SET grant_bytes=excluded.grant_bytes",
               {ws.View(), device.View(), static_cast<int64_t>(epoch), grant});
  }

  Status KeysFor(const WorkspaceId& ws, const DeviceId& device, std::vector<std::string>* grants,
                 std::vector<std::string>* revocations) override {
    grants->clear();
    revocations->clear();
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT grant_bytes FROM grants WHERE ws=$1 AND device=$2 ORDER BY epoch",
                               {ws.View(), device.View()}, &r));
    for (int i = 0; i < r.rows(); i++) grants->emplace_back(r.Bytes(i, 0));
    HAMLET_RETURN_IF_ERROR(Run("SELECT statement FROM revocations WHERE ws=$1", {ws.View()}, &r));
    for (int i = 0; i < r.rows(); i++) revocations->emplace_back(r.Bytes(i, 0));
    return Status::OK();
  }

  Status Certificates(const WorkspaceId& ws, std::vector<std::string>* out) override {
    out->clear();
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT cert FROM devices WHERE ws=$1 AND NOT revoked", {ws.View()}, &r));
    for (int i = 0; i < r.rows(); i++) out->emplace_back(r.Bytes(i, 0));
    return Status::OK();
  }

  Status Members(const WorkspaceId& ws, std::vector<std::string>* certificates,
                 std::vector<std::string>* grants) override {
    certificates->clear();
    grants->clear();
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT cert FROM devices WHERE ws=$1", {ws.View()}, &r));
    for (int i = 0; i < r.rows(); i++) certificates->emplace_back(r.Bytes(i, 0));
    HAMLET_RETURN_IF_ERROR(Run("SELECT grant_bytes FROM grants WHERE ws=$1", {ws.View()}, &r));
    for (int i = 0; i < r.rows(); i++) grants->emplace_back(r.Bytes(i, 0));
    return Status::OK();
  }

  Status GetMeta(const std::string& key, std::string* value, bool* found) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT value FROM meta WHERE key=$1", {PgParam::Text(key)}, &r));
    *found = r.rows() > 0;
    value->assign(*found ? r.Bytes(0, 0) : std::string_view());
    return Status::OK();
  }

  Status PutMeta(const std::string& key, const std::string& value) override {
    return Run("INSERT INTO meta(key, value) VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
               {PgParam::Text(key), std::string_view(value)});
  }

  Status AddAttachment(const WorkspaceId& ws, const std::string& id, const std::string& manifest, uint64_t sealed_size,
                       uint64_t chunks, uint64_t quota_bytes, int64_t now) override {
    return InTransaction(&pool_, [&](PgConnection& c) -> Status {
      // The workspace's row orders the quota checks of all processes.
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT 1 FROM workspaces WHERE ws=$1 FOR UPDATE", {ws.View()}));
      PgResult r;
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT 1 FROM attachments WHERE ws=$1 AND id=$2", {ws.View(), id}, &r));
      if (r.rows() > 0) return Status::OK();
      HAMLET_RETURN_IF_ERROR(
          c.Query("SELECT coalesce(sum(sealed_size), 0)::bigint FROM attachments WHERE ws=$1", {ws.View()}, &r));
      int64_t used = r.Int(0, 0);
      if (static_cast<uint64_t>(used) + sealed_size > quota_bytes) return QuotaExceeded(used, quota_bytes);
      return c.Query(
          "INSERT INTO attachments(ws, id, manifest, sealed_size, chunks, created) VALUES($1, $2, $3, $4, $5, $6)",
          {ws.View(), id, manifest, sealed_size, chunks, now});
    });
  }

  Status PutSnapshot(const WorkspaceId& ws, uint64_t position, const std::string& snapshot, bool* kept) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("INSERT INTO snapshots(ws, position, bytes) VALUES($1, $2, $3) ON CONFLICT(ws) DO UPDATE "
            "SET position=excluded.position, bytes=excluded.bytes "
            "WHERE excluded.position > snapshots.position RETURNING position",
            {ws.View(), position, snapshot}, &r));
    *kept = r.rows() == 1;
    return Status::OK();
  }

  Status GetSnapshot(const WorkspaceId& ws, uint64_t* position, std::string* snapshot, bool* found) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run(
        snapshot ? "SELECT position, bytes FROM snapshots WHERE ws=$1" : "SELECT position FROM snapshots WHERE ws=$1",
        {ws.View()}, &r));
    *found = r.rows() > 0;
    if (*found) {
      *position = static_cast<uint64_t>(r.Int(0, 0));
      if (snapshot) snapshot->assign(r.Bytes(0, 1));
    }
    return Status::OK();
  }

  Status AppendSnapshotUpload(const WorkspaceId& ws, const DeviceId& device, uint64_t from, const std::string& bytes,
                              uint64_t* held) override {
    return InTransaction(&pool_, [&](PgConnection& c) -> Status {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(
          c.Query("SELECT length(bytes)::bigint FROM snapshot_uploads WHERE ws=$1 AND device=$2 FOR UPDATE",
                  {ws.View(), device.View()}, &r));
      int64_t have = r.rows() > 0 ? r.Int(0, 0) : 0;
      if (from != 0 && from != static_cast<uint64_t>(have)) return NotHeldSnapshotOffset(have);
      HAMLET_RETURN_IF_ERROR(c.Query(from == 0
                                         ? "INSERT INTO snapshot_uploads(ws, device, bytes) VALUES($1, $2, $3) "
                                           "ON CONFLICT(ws, device) DO UPDATE SET bytes=excluded.bytes"
                                         : "UPDATE snapshot_uploads SET bytes=bytes || $3 WHERE ws=$1 AND device=$2",
                                     {ws.View(), device.View(), bytes}));
      *held = from + bytes.size();
      return Status::OK();
    });
  }

  Status SnapshotUploadHeld(const WorkspaceId& ws, const DeviceId& device, uint64_t* held) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT length(bytes)::bigint FROM snapshot_uploads WHERE ws=$1 AND device=$2",
                               {ws.View(), device.View()}, &r));
    *held = r.rows() > 0 ? static_cast<uint64_t>(r.Int(0, 0)) : 0;
    return Status::OK();
  }

  Status TakeSnapshotUpload(const WorkspaceId& ws, const DeviceId& device, std::string* bytes) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("DELETE FROM snapshot_uploads WHERE ws=$1 AND device=$2 RETURNING bytes", {ws.View(), device.View()}, &r));
    bytes->assign(r.rows() > 0 ? r.Bytes(0, 0) : std::string_view());
    return Status::OK();
  }

  Status GetAttachment(const WorkspaceId& ws, const std::string& id, AttachmentRow* out, bool* found) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT manifest, sealed_size, chunks, held, partial FROM attachments WHERE ws=$1 AND id=$2",
            {ws.View(), id}, &r));
    *found = r.rows() > 0;
    if (*found) {
      out->manifest.assign(r.Bytes(0, 0));
      out->sealed_size = static_cast<uint64_t>(r.Int(0, 1));
      out->chunks = static_cast<uint64_t>(r.Int(0, 2));
      out->held_chunks = static_cast<uint64_t>(r.Int(0, 3));
      out->partial.assign(r.Bytes(0, 4));
    }
    return Status::OK();
  }

  Status PutAttachmentChunk(const WorkspaceId& ws, const std::string& id, uint64_t index,
                            const std::string& data) override {
    return InTransaction(&pool_, [&](PgConnection& c) -> Status {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(
          c.Query("UPDATE attachments SET held=held+1, partial='' WHERE ws=$1 AND id=$2 AND held=$3 RETURNING held",
                  {ws.View(), id, index}, &r));
      if (r.rows() != 1) return NotNextChunk(index);
      return c.Query("INSERT INTO attachment_chunks(ws, id, idx, data) VALUES($1, $2, $3, $4)",
                     {ws.View(), id, index, data});
    });
  }

  Status SetAttachmentPartial(const WorkspaceId& ws, const std::string& id, uint64_t index,
                              const std::string& bytes) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("UPDATE attachments SET partial=$1 WHERE ws=$2 AND id=$3 AND held=$4 RETURNING held",
                               {bytes, ws.View(), id, index}, &r));
    return r.rows() == 1 ? Status::OK() : NotNextChunk(index);
  }

  Status GetAttachmentChunk(const WorkspaceId& ws, const std::string& id, uint64_t index, std::string* data,
                            bool* found) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT data FROM attachment_chunks WHERE ws=$1 AND id=$2 AND idx=$3", {ws.View(), id, index}, &r));
    *found = r.rows() > 0;
    if (*found) data->assign(r.Bytes(0, 0));
    return Status::OK();
  }

  Status AddJoin(const WorkspaceId& ws, const std::string& invite_id, const std::string& request, int64_t now,
                 int64_t expire_before) override {
    return InTransaction(&pool_, [&](PgConnection& c) -> Status {
      // The workspace's row orders the join requests of all processes, so
      // the bounds below hold.
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT 1 FROM workspaces WHERE ws=$1 FOR UPDATE", {ws.View()}));
      HAMLET_RETURN_IF_ERROR(c.Query("DELETE FROM joins WHERE ws=$1 AND envelope IS NULL AND created<$2",
                                     {ws.View(), expire_before}));
      PgResult r;
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT count(*) FROM joins WHERE ws=$1 AND envelope IS NULL", {ws.View()}, &r));
      if (r.Int(0, 0) >= kMaxPendingJoins) {
        return Status::Unavailable(
            Tr("this workspace has too many join requests waiting for its admin; try again later"));
      }
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT count(*) FROM joins WHERE ws=$1 AND invite=$2", {ws.View(), invite_id}, &r));
      if (r.Int(0, 0) >= kMaxJoinsPerInvite) {
        return Status::FailedPrecondition(Tr("this invite has had too many join requests"));
      }
      return c.Query("INSERT INTO joins(ws, invite, request, created) VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                     {ws.View(), invite_id, request, now});
    });
  }

  Status PendingJoins(const WorkspaceId& ws, int64_t expire_before, std::vector<std::string>* requests) override {
    requests->clear();
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT request FROM joins WHERE ws=$1 AND envelope IS NULL AND created>=$2",
                               {ws.View(), expire_before}, &r));
    for (int i = 0; i < r.rows(); i++) requests->emplace_back(r.Bytes(i, 0));
    return Status::OK();
  }

  Status PutAdmission(const WorkspaceId& ws, const std::string& invite_id, const std::string& envelope) override {
    return Run("UPDATE joins SET envelope=$1 WHERE ws=$2 AND invite=$3", {envelope, ws.View(), invite_id});
  }

  Status GetAdmission(const WorkspaceId& ws, const std::string& invite_id, std::string* envelope) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT envelope FROM joins WHERE ws=$1 AND invite=$2 AND envelope IS NOT NULL LIMIT 1",
                               {ws.View(), invite_id}, &r));
    if (r.rows() == 0) return Status::NotFound(Tr("the admin has not answered this join request yet"));
    envelope->assign(r.Bytes(0, 0));
    return Status::OK();
  }

  Status AddChallenge(const WorkspaceId& ws, const DeviceId& device, const std::string& challenge, int64_t now,
                      int64_t expires) override {
    return InTransaction(&session_pool_, [&](PgConnection& c) -> Status {
      HAMLET_RETURN_IF_ERROR(c.Query("DELETE FROM sessions WHERE expires<$1", {now}));
      // The device's oldest sessions end, so that it holds at most
      // kSessionsPerDevice with this one.
      HAMLET_RETURN_IF_ERROR(c.Query("DELETE FROM sessions WHERE challenge IN (SELECT challenge FROM sessions "
                                     "WHERE ws=$1 AND device=$2 ORDER BY expires DESC OFFSET $3)",
                                     {ws.View(), device.View(), static_cast<int64_t>(kSessionsPerDevice - 1)}));
      return c.Query("INSERT INTO sessions(challenge, ws, device, expires) VALUES($1, $2, $3, $4)",
                     {challenge, ws.View(), device.View(), expires});
    });
  }

  Status UseChallenge(const WorkspaceId& ws, const DeviceId& device, const std::string& challenge, uint64_t counter,
                      int64_t now) override {
    std::unique_ptr<PgPool::Lease> c;
    HAMLET_RETURN_IF_ERROR(session_pool_.Acquire(&c));
    PgResult r;
    // One statement takes the counter, whichever process the last request
    // of the session reached, and says what it was.
    HAMLET_RETURN_IF_ERROR((*c)->Query(
        "UPDATE sessions s SET counter=$4 FROM (SELECT challenge, counter FROM sessions WHERE challenge=$1 "
        "FOR UPDATE) old WHERE s.challenge=old.challenge AND s.ws=$2 AND s.device=$3 AND s.expires>=$5 "
        "AND old.counter<$4 RETURNING old.counter",
        {challenge, ws.View(), device.View(), counter, now}, &r));
    if (r.rows() == 0) {
      HAMLET_RETURN_IF_ERROR((*c)->Query("SELECT 1 FROM sessions WHERE challenge=$1 AND ws=$2 AND device=$3 AND "
                                         "expires>=$4",
                                         {challenge, ws.View(), device.View(), now}, &r));
      if (r.rows() == 0)
        return Status(Code::kUnauthenticated, Tr("the session is unknown or has expired: open a new one"));
      return Status(Code::kUnauthenticated, Tr("replayed request: its counter was used before"));
    }
    if (r.Int(0, 0) != 0) return Status::OK();
    // A device is "seen" when it proves who it is, not when anyone names it.
    return (*c)->Query("UPDATE devices SET last_seen=$1 WHERE ws=$2 AND device=$3", {now, ws.View(), device.View()});
  }

  Status Append(const WorkspaceId& ws, const std::vector<SealedCommit>& commits, int64_t now, AppendResult* out,
                const DeviceId* via = nullptr) override {
    PendingAppend me{&ws, &commits, now, via, out, Status()};
    appends_.Write(&me, [this](const std::vector<PendingAppend*>& group) { WriteGroup(group); });
    return me.status;
  }

  Status GetCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string* bytes,
                   bool* found) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT bytes FROM commits WHERE ws=$1 AND author=$2 AND seq=$3", {ws.View(), author.View(), seq}, &r));
    *found = r.rows() > 0;
    if (*found) bytes->assign(r.Bytes(0, 0));
    return Status::OK();
  }

  Status Contiguous(const WorkspaceId& ws, const DeviceId& device, uint64_t* seq) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT contiguous FROM devices WHERE ws=$1 AND device=$2", {ws.View(), device.View()}, &r));
    *seq = r.rows() > 0 ? static_cast<uint64_t>(r.Int(0, 0)) : 0;
    return Status::OK();
  }

  Status RecentAfter(const WorkspaceId& ws, int64_t since, uint64_t* after) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT coalesce(max(c.pos), 0) FROM commits c WHERE c.ws=$1 AND c.pos < coalesce("
            "(SELECT min(d.pos) FROM arrival_days d WHERE d.ws=$1 AND d.day>=$2), "
            "9223372036854775807)",
            {ws.View(), ArrivalDay(since)}, &r));
    *after = static_cast<uint64_t>(r.Int(0, 0));
    return Status::OK();
  }

  Status ReadAfter(const WorkspaceId& ws, const DeviceId& reader, uint64_t after, uint64_t upto, size_t max_bytes,
                   std::vector<std::string>* commits, uint64_t* next, bool* more) override {
    commits->clear();
    *next = after;
    *more = false;
    const int64_t bound = upto == 0 ? INT64_MAX : static_cast<int64_t>(upto);
    std::unique_ptr<PgPool::Lease> c;
    HAMLET_RETURN_IF_ERROR(pool_.Acquire(&c));
    size_t bytes = 0;
    uint64_t from = after;
    for (;;) {
      PgResult r;
      HAMLET_RETURN_IF_ERROR((*c)->Query(
          "SELECT pos, author, bytes, via FROM commits WHERE ws=$1 AND pos>$2 AND pos<=$3 ORDER BY pos LIMIT $4",
          {ws.View(), from, bound, kReadBatchRows}, &r));
      for (int i = 0; i < r.rows(); i++) {
        uint64_t pos = static_cast<uint64_t>(r.Int(i, 0));
        from = pos;
        if (r.Bytes(i, 1) == reader.View() || r.Bytes(i, 3) == reader.View()) {
          *next = pos;  // The reader's own commits (or those it brought) are passed over, yet the position moves on.
          continue;
        }
        std::string_view b = r.Bytes(i, 2);
        if (!commits->empty() && bytes + b.size() > max_bytes) {
          *more = true;
          return Status::OK();
        }
        bytes += b.size();
        commits->emplace_back(b);
        *next = pos;
      }
      if (r.rows() < kReadBatchRows) break;
    }
    if (upto != 0) {
      PgResult r;
      HAMLET_RETURN_IF_ERROR((*c)->Query("SELECT 1 FROM commits WHERE ws=$1 AND pos>$2 LIMIT 1",
                                         {ws.View(), std::max(from, upto)}, &r));
      *more = r.rows() > 0;
    }
    return Status::OK();
  }

  Status Summaries(std::vector<WorkspaceSummary>* out) override {
    out->clear();
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT ws, created, (SELECT count(*) FROM commits c WHERE c.ws=w.ws) "
                               "FROM workspaces w ORDER BY created",
                               {}, &r));
    for (int i = 0; i < r.rows(); i++) {
      WorkspaceSummary w;
      w.workspace = WorkspaceId::FromBytes(r.Bytes(i, 0)).value_or(WorkspaceId{});
      w.created = r.Int(i, 1);
      w.commits = static_cast<uint64_t>(r.Int(i, 2));
      out->push_back(std::move(w));
    }
    for (WorkspaceSummary& w : *out) {
      HAMLET_RETURN_IF_ERROR(
          Run("SELECT device, cert, revoked, last_seen, contiguous FROM devices WHERE ws=$1", {w.workspace.View()}, &r));
      for (int i = 0; i < r.rows(); i++) {
        DeviceSummary d;
        d.device = DeviceId::FromBytes(r.Bytes(i, 0)).value_or(DeviceId{});
        Certificate cert;
        if (ParseCertificate(r.Bytes(i, 1), &cert).ok()) d.role = cert.role;
        d.revoked = r.Int(i, 2) != 0;
        d.last_seen = r.Int(i, 3);
        d.commits = static_cast<uint64_t>(r.Int(i, 4));
        w.devices.push_back(d);
      }
    }
    return Status::OK();
  }

  Status Instance(std::string* id) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT value FROM meta WHERE key=$1", {PgParam::Text("instance")}, &r));
    id->assign(r.rows() > 0 ? r.Bytes(0, 0) : std::string_view());
    return Status::OK();
  }

  Status Heads(const WorkspaceId& ws, uint64_t* head, std::map<DeviceId, uint64_t>* heads) override {
    heads->clear();
    PgResult r;
    // The sequence keeps the highest position ever given, whatever was
    // dropped or rolled back since.
    HAMLET_RETURN_IF_ERROR(Run("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM commit_positions", {}, &r));
    *head = static_cast<uint64_t>(r.Int(0, 0));
    HAMLET_RETURN_IF_ERROR(
        Run("SELECT device, contiguous FROM devices WHERE ws=$1 AND contiguous>0", {ws.View()}, &r));
    for (int i = 0; i < r.rows(); i++) {
      if (auto d = DeviceId::FromBytes(r.Bytes(i, 0))) (*heads)[*d] = static_cast<uint64_t>(r.Int(i, 1));
    }
    return Status::OK();
  }

  Status PutStatement(const WorkspaceId& ws, int64_t issued_ms, const std::string& statement) override {
    return Run("INSERT INTO statements(ws, issued, statement) VALUES($1, $2, $3) ON CONFLICT(ws) DO UPDATE "
               "SET issued=excluded.issued, statement=excluded.statement WHERE excluded.issued > statements.issued",
               {ws.View(), issued_ms, statement});
  }

  Status GetStatement(const WorkspaceId& ws, std::string* statement) override {
    PgResult r;
    HAMLET_RETURN_IF_ERROR(Run("SELECT statement FROM statements WHERE ws=$1", {ws.View()}, &r));
    statement->assign(r.rows() > 0 ? r.Bytes(0, 0) : std::string_view());
    return Status::OK();
  }

  Status TakeUnsigned(const std::string& address, int64_t now, size_t per_minute, bool* taken,
                      int64_t* retry_after_ms) override {
    std::unique_ptr<PgPool::Lease> c;
    HAMLET_RETURN_IF_ERROR(session_pool_.Acquire(&c));
    const int64_t rate = static_cast<int64_t>(per_minute);
    // Buckets full again (a minute untouched) are forgotten now and then.
    if (++bucket_calls_ % 1024 == 0) {
      HAMLET_RETURN_IF_ERROR((*c)->Query("DELETE FROM request_buckets WHERE refilled<$1", {now - 60000}));
    }
    PgResult r;
    HAMLET_RETURN_IF_ERROR((*c)->Query(
        "INSERT INTO request_buckets AS b(address, tokens, refilled) VALUES($1, $2::float8 - 1, $3) "
        "ON CONFLICT(address) DO UPDATE SET "
        "tokens=least($2::float8, b.tokens + greatest($3 - b.refilled, 0)::float8 * $2::float8 / 60000) - 1, "
        "refilled=greatest($3, b.refilled) "
        "WHERE least($2::float8, b.tokens + greatest($3 - b.refilled, 0)::float8 * $2::float8 / 60000) >= 1 "
        "RETURNING tokens",
        {address, rate, now}, &r));
    *taken = r.rows() > 0;
    *retry_after_ms = 0;
    if (*taken) return Status::OK();
    HAMLET_RETURN_IF_ERROR((*c)->Query(
        "SELECT least($2::float8, tokens + greatest($3 - refilled, 0)::float8 * $2::float8 / 60000) "
        "FROM request_buckets WHERE address=$1",
        {address, rate, now}, &r));
    double tokens = r.rows() > 0 ? Float(r, 0, 0) : 0;
    *retry_after_ms = static_cast<int64_t>((1 - tokens) * 60000 / static_cast<double>(std::max<int64_t>(rate, 1))) + 1;
    return Status::OK();
  }

  Status RenewInstance() override {
    return Run("UPDATE meta SET value=$2 WHERE key=$1", {PgParam::Text("instance"), RandomBytes(16)});
  }

  Status Backup(const std::string&) override {
    return Status::Unimplemented(
        Tr("a hub store in PostgreSQL is backed up with pg_dump and restored with pg_restore, then "
           "'hamlet-hub restored --store URL' (server/README.md, \"Backup and restore\")"));
  }

 private:
  struct PendingAppend {
    const WorkspaceId* ws;
    const std::vector<SealedCommit>* commits;
    int64_t now;
    const DeviceId* via;
    AppendResult* out;
    Status status;
  };

  Status Run(const char* sql, std::initializer_list<PgParam> params, PgResult* out = nullptr) {
    std::unique_ptr<PgPool::Lease> c;
    HAMLET_RETURN_IF_ERROR(pool_.Acquire(&c));
    return (*c)->Query(sql, params, out);
  }

  template <class Fn>
  Status InTransaction(PgPool* pool, Fn&& fn) {
    std::unique_ptr<PgPool::Lease> c;
    HAMLET_RETURN_IF_ERROR(pool->Acquire(&c));
    PgConnection& conn = **c;
    return conn.Transaction([&]() -> Status { return fn(conn); });
  }

  // Writes a group of pushes in one transaction, each all or nothing
  // through a savepoint; every push is answered after the COMMIT.
  void WriteGroup(const std::vector<PendingAppend*>& group) {
    std::unique_ptr<PgPool::Lease> lease;
    Status s = writer_pool_.Acquire(&lease);
    for (PendingAppend* p : group) *p->out = AppendResult();
    if (!s.ok()) {
      for (PendingAppend* p : group) p->status = s;
      return;
    }
    PgConnection& c = **lease;
    s = c.Exec("BEGIN");
    // The group's workspaces are locked in one order on every process, so
    // two groups never wait for each other.
    std::set<WorkspaceId> workspaces;
    for (PendingAppend* p : group) workspaces.insert(*p->ws);
    for (const WorkspaceId& ws : workspaces) {
      if (s.ok()) s = c.Query("SELECT 1 FROM workspaces WHERE ws=$1 FOR UPDATE", {ws.View()});
    }
    for (PendingAppend* p : group) {
      if (!s.ok()) break;
      Status sp = c.Exec("SAVEPOINT push");
      if (sp.ok()) p->status = AppendOne(c, *p->ws, *p->commits, p->now, p->via, p->out);
      if (!sp.ok() || !p->status.ok()) {
        if (sp.ok()) sp = c.Exec("ROLLBACK TO push");
        if (p->status.ok()) p->status = sp;
        *p->out = AppendResult();
      }
      if (sp.ok()) sp = c.Exec("RELEASE push");
      if (!sp.ok()) s = sp;
    }
    if (s.ok()) s = c.Exec("COMMIT");
    if (!s.ok()) {
      c.Exec("ROLLBACK");
      for (PendingAppend* p : group) {
        if (p->status.ok()) p->status = s;
        *p->out = AppendResult();
      }
    }
  }

  Status AppendOne(PgConnection& c, const WorkspaceId& ws, const std::vector<SealedCommit>& commits, int64_t now,
                   const DeviceId* via, AppendResult* out) {
    AppendHooks hooks;
    hooks.chain.chain = [&](const DeviceId& a, ChainInfo* info) {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(
          c.Query("SELECT contiguous, head FROM devices WHERE ws=$1 AND device=$2", {ws.View(), a.View()}, &r));
      *info = r.rows() > 0 ? ChainInfo{static_cast<uint64_t>(r.Int(0, 0)), static_cast<uint64_t>(r.Int(0, 1))}
                           : ChainInfo();
      return Status::OK();
    };
    hooks.chain.get = [&](const DeviceId& a, uint64_t seq, std::string* bytes, bool* found) {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(
          c.Query("SELECT bytes FROM commits WHERE ws=$1 AND author=$2 AND seq=$3", {ws.View(), a.View(), seq}, &r));
      *found = r.rows() > 0;
      if (*found) bytes->assign(r.Bytes(0, 0));
      return Status::OK();
    };
    hooks.chain.has = [&](const DeviceId& a, uint64_t seq, bool* found) {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(
          c.Query("SELECT 1 FROM commits WHERE ws=$1 AND author=$2 AND seq=$3", {ws.View(), a.View(), seq}, &r));
      *found = r.rows() > 0;
      return Status::OK();
    };
    hooks.revoked_after = [&](const DeviceId& a, std::optional<uint64_t>* last) {
      PgResult r;
      HAMLET_RETURN_IF_ERROR(c.Query("SELECT last_seq FROM devices WHERE ws=$1 AND device=$2 AND revoked",
                                     {ws.View(), a.View()}, &r));
      *last = r.rows() > 0 && !r.IsNull(0, 0) ? std::optional<uint64_t>(r.Int(0, 0)) : std::nullopt;
      return Status::OK();
    };
    // A push's commits in one statement: positions in the order given.
    hooks.insert_all = [&](const std::vector<const SealedCommit*>& all) {
      std::vector<std::string_view> authors, bytes;
      std::vector<int64_t> seqs;
      for (const SealedCommit* cm : all) {
        authors.push_back(cm->header.author.View());
        seqs.push_back(static_cast<int64_t>(cm->header.seq));
        bytes.push_back(cm->bytes);
      }
      // The first position stored on a day is noted (protocol.md 13.4,
      // recent first).
      return c.Query(
          "WITH stored AS (INSERT INTO commits(ws, pos, author, seq, bytes, via) "
          "SELECT $1, nextval('commit_positions'), a, s, b, $5 FROM "
          "(SELECT * FROM unnest($2, $3, $4) WITH ORDINALITY AS t(a, s, b, o) ORDER BY o) AS ordered "
          "RETURNING pos) "
          "INSERT INTO arrival_days(ws, day, pos) SELECT $1, $6, min(pos) FROM stored "
          "HAVING count(*) > 0 ON CONFLICT DO NOTHING",
          {ws.View(), PgParam::ByteaArray(authors), PgParam::Int8Array(seqs), PgParam::ByteaArray(bytes),
           via != nullptr ? via->View() : std::string_view("", 0), ArrivalDay(now)});
    };
    hooks.save = [&](const DeviceId& a, const ChainInfo& info) {
      return c.Query("UPDATE devices SET contiguous=$1, head=$2 WHERE ws=$3 AND device=$4",
                     {info.contiguous, info.head, ws.View(), a.View()});
    };
    return AppendCommits(commits, hooks, out);
  }

  // A float8 column, as the binary form gives it.
  static double Float(const PgResult& r, int row, int col) {
    uint64_t u = static_cast<uint64_t>(r.Int(row, col));
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
  }

  PgPool pool_;
  PgPool session_pool_;
  std::atomic<uint64_t> bucket_calls_{0};
  PgPool writer_pool_;
  GroupCommit<PendingAppend> appends_;
};

}  // namespace

Status OpenPostgresHubStore(const std::string& url, std::unique_ptr<HubStore>* out) {
  auto store = std::make_unique<PgHubStore>(url);
  HAMLET_RETURN_IF_ERROR(store->Open());
  *out = std::move(store);
  return Status::OK();
}

}  // namespace hamlet::hub
