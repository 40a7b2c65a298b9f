// The SQLite HubStore: one database file, hub.db, in the data folder. One
// connection behind a mutex: SQLite serialises writers anyway, and every
// push must reach the disk (synchronous=FULL) before it is acknowledged.
// Concurrent pushes share a transaction (group commit), and a second
// connection checkpoints the WAL in the background.
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <optional>
#include <mutex>
#include <thread>

#include "chain.h"
#include "group_commit.h"
#include "hamlet/language.h"
#include "hub_append.h"
#include "hub_store.h"
#include "identity.h"
#include "sqlite.h"

namespace hamlet::hub {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS tokens(hash BLOB PRIMARY KEY, created INTEGER NOT NULL, used_for BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS operator_tokens(hash BLOB PRIMARY KEY, created INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workspaces(ws BLOB PRIMARY KEY, admin_pk BLOB NOT NULL, created INTEGER NOT NULL)
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices(ws BLOB NOT NULL, device BLOB NOT NULL, cert BLOB NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0,
  contiguous INTEGER NOT NULL DEFAULT 0, head INTEGER NOT NULL DEFAULT 0, last_seq INTEGER,
  PRIMARY KEY(ws, device)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revocations(ws BLOB NOT NULL, device BLOB NOT NULL, statement BLOB NOT NULL,
  PRIMARY KEY(ws, device)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS statements(ws BLOB PRIMARY KEY, issued INTEGER NOT NULL, statement BLOB NOT NULL)
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES('instance', randomblob(16));
CREATE TABLE IF NOT EXISTS grants(ws BLOB NOT NULL, device BLOB NOT NULL, epoch INTEGER NOT NULL, grant_bytes BLOB NOT NULL,
  PRIMARY KEY(ws, device, epoch)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS joins(ws BLOB NOT NULL, invite BLOB NOT NULL, request BLOB NOT NULL,
  envelope BLOB, created INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(ws, invite, request)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commits(pos INTEGER PRIMARY KEY AUTOINCREMENT, ws BLOB NOT NULL, author BLOB NOT NULL,
  seq INTEGER NOT NULL, bytes BLOB NOT NULL, via BLOB NOT NULL DEFAULT x'');
CREATE UNIQUE INDEX IF NOT EXISTS commits_by_author ON commits(ws, author, seq);
CREATE INDEX IF NOT EXISTS commits_by_ws ON commits(ws, pos);
CREATE TABLE IF NOT EXISTS attachments(ws BLOB NOT NULL, id BLOB NOT NULL, manifest BLOB NOT NULL,
  sealed_size INTEGER NOT NULL, chunks INTEGER NOT NULL, held INTEGER NOT NULL DEFAULT 0,
  partial BLOB NOT NULL DEFAULT x'', created INTEGER NOT NULL, PRIMARY KEY(ws, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachment_chunks(ws BLOB NOT NULL, id BLOB NOT NULL, idx INTEGER NOT NULL,
  data BLOB NOT NULL, PRIMARY KEY(ws, id, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots(ws BLOB PRIMARY KEY, position INTEGER NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot_uploads(ws BLOB NOT NULL, device BLOB NOT NULL, bytes BLOB NOT NULL,
  PRIMARY KEY(ws, device));
CREATE TABLE IF NOT EXISTS arrival_days(ws BLOB NOT NULL, day INTEGER NOT NULL, pos INTEGER NOT NULL,
  PRIMARY KEY(ws, day)) WITHOUT ROWID;
)sql";

class SqliteHubStore final : public HubStore {
 public:
  static constexpr size_t kSessionsPerDevice = 8;

  ~SqliteHubStore() override {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      stopping_ = true;
    }
    checkpoint_cv_.notify_one();
    if (checkpointer_.joinable()) checkpointer_.join();
    if (checkpoint_db_) sqlite3_close_v2(checkpoint_db_);
    if (db_) sqlite3_close_v2(db_);
  }

  Status Open(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return Status::Unavailable(Format(Tr("cannot create data folder %s: %s"), dir.c_str(), ec.message().c_str()));
    std::string path = dir + "/hub.db";
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "cannot open " + path);
    sqlite3_busy_timeout(db_, 5000);
    // Pushes never wait for a checkpoint: the write connection does not
    // checkpoint, a second connection does, in the background, while
    // pushes go on appending to the WAL.
    for (const char* sql :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=0", kSchema}) {
      HAMLET_RETURN_IF_ERROR(Exec(sql));
    }
    // A store made before commits said who pushed them gains the column.
    bool has_via = false;
    HAMLET_RETURN_IF_ERROR(Query("SELECT 1 FROM pragma_table_info('commits') WHERE name='via'", [](Stmt&) {},
                                 [&](Stmt&) { has_via = true; }));
    if (!has_via) HAMLET_RETURN_IF_ERROR(Exec("ALTER TABLE commits ADD COLUMN via BLOB NOT NULL DEFAULT x''"));
    rc = sqlite3_open_v2(path.c_str(), &checkpoint_db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(checkpoint_db_, rc, "cannot open " + path);
    sqlite3_busy_timeout(checkpoint_db_, 5000);
    HAMLET_RETURN_IF_ERROR(SqliteExec(checkpoint_db_, "PRAGMA synchronous=FULL"));
    checkpointer_ = std::thread([this] { Checkpoints(); });
    return Status::OK();
  }

  // Copies the WAL into the database every second (passive: it waits for
  // nobody and nobody waits for it). A failure is left for the next round;
  // the WAL only grows meanwhile.
  void Checkpoints() {
    std::unique_lock<std::mutex> lock(checkpoint_mu_);
    while (!stopping_) {
      checkpoint_cv_.wait_for(lock, std::chrono::seconds(1));
      lock.unlock();
      sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  Status AddOperatorToken(const std::string& token_hash, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Run("INSERT INTO operator_tokens(hash, created) VALUES(?, ?)",
               [&](Stmt& q) { q.Bind(1, token_hash).Bind(2, now); });
  }

  Status IsOperatorToken(const std::string& token_hash, bool* yes) override {
    std::lock_guard<std::mutex> lock(mu_);
    *yes = false;
    return Query("SELECT 1 FROM operator_tokens WHERE hash=?", [&](Stmt& q) { q.Bind(1, token_hash); },
                 [&](Stmt&) { *yes = true; });
  }

  Status AddToken(const std::string& token_hash, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Run("INSERT INTO tokens(hash, created) VALUES(?, ?)", [&](Stmt& q) { q.Bind(1, token_hash).Bind(2, now); });
  }

  Status PublishWorkspace(const std::string& token_hash, const WorkspaceId& ws, const std::string& admin_pk,
                          const std::string& admin_cert, const DeviceId& admin, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Transaction([&]() -> Status {
      bool found = false, used = false;
      HAMLET_RETURN_IF_ERROR(Query("SELECT used_for IS NOT NULL FROM tokens WHERE hash=?",
                                   [&](Stmt& q) { q.Bind(1, token_hash); },
                                   [&](Stmt& q) {
                                     found = true;
                                     used = q.Int(0) != 0;
                                   }));
      if (!found || used) return Status::PermissionDenied(Tr("the publish token is unknown or already used"));
      bool exists = false;
      HAMLET_RETURN_IF_ERROR(Query("SELECT 1 FROM workspaces WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
                                   [&](Stmt&) { exists = true; }));
      if (exists) return Status::AlreadyExists(Format(Tr("workspace %s is published already"), ws.Hex().c_str()));
      HAMLET_RETURN_IF_ERROR(Run("UPDATE tokens SET used_for=? WHERE hash=?",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, token_hash); }));
      HAMLET_RETURN_IF_ERROR(Run("INSERT INTO workspaces(ws, admin_pk, created) VALUES(?, ?, ?)",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, admin_pk).Bind(3, now); }));
      return Run("INSERT INTO devices(ws, device, cert) VALUES(?, ?, ?)",
                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, admin.View()).Bind(3, admin_cert); });
    });
  }

  Status AdminKey(const WorkspaceId& ws, std::string* admin_pk) override {
    std::lock_guard<std::mutex> lock(mu_);
    bool found = false;
    HAMLET_RETURN_IF_ERROR(Query("SELECT admin_pk FROM workspaces WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
                                 [&](Stmt& q) {
                                   found = true;
                                   admin_pk->assign(q.Blob(0));
                                 }));
    if (!found) return Status::NotFound(Format(Tr("this hub does not serve workspace %s"), ws.Hex().c_str()));
    return Status::OK();
  }

  Status PutDevice(const WorkspaceId& ws, const DeviceId& device, const std::string& cert) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Run("INSERT INTO devices(ws, device, cert) VALUES(?, ?, ?) ON CONFLICT(ws, device) DO UPDATE SET cert=excluded.cert",
               [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, cert); });
  }

  Status GetDevice(const WorkspaceId& ws, const DeviceId& device, DeviceRecord* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    bool found = false;
    HAMLET_RETURN_IF_ERROR(Query("SELECT cert, revoked, last_seen FROM devices WHERE ws=? AND device=?",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); },
                                 [&](Stmt& q) {
                                   found = true;
                                   out->certificate.assign(q.Blob(0));
                                   out->revoked = q.Int(1) != 0;
                                   out->last_seen = q.Int(2);
                                 }));
    if (!found)
      return Status::NotFound(
          Format(Tr("device %s is not a member of workspace %s"), device.Hex().c_str(), ws.Hex().c_str()));
    return Status::OK();
  }

  Status Revoke(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq,
                const std::string& statement) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Transaction([&]() -> Status {
      // What the device pushed beyond its last accepted commit is dropped.
      HAMLET_RETURN_IF_ERROR(Run("DELETE FROM commits WHERE ws=? AND author=? AND seq>?", [&](Stmt& q) {
        q.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, static_cast<int64_t>(last_seq));
      }));
      HAMLET_RETURN_IF_ERROR(Run("UPDATE devices SET revoked=1, last_seq=?1, contiguous=min(contiguous, ?1), "
                                 "head=min(head, ?1) WHERE ws=?2 AND device=?3",
                                 [&](Stmt& q) {
                                   q.Bind(1, static_cast<int64_t>(last_seq)).Bind(2, ws.View()).Bind(3, device.View());
                                 }));
      HAMLET_RETURN_IF_ERROR(Run("INSERT OR REPLACE INTO revocations(ws, device, statement) VALUES(?, ?, ?)",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, statement); }));
      // Its open sessions end now, not when they expire.
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        it = (it->second.ws == ws && it->second.device == device) ? sessions_.erase(it) : std::next(it);
      }
      return Status::OK();
    });
  }

  Status AddGrant(const WorkspaceId& ws, const DeviceId& device, uint32_t epoch, const std::string& grant) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Run("INSERT OR REPLACE INTO grants(ws, device, epoch, grant_bytes) VALUES(?, ?, ?, ?)", [&](Stmt& q) {
      q.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, static_cast<int64_t>(epoch)).Bind(4, grant);
    });
  }

  Status KeysFor(const WorkspaceId& ws, const DeviceId& device, std::vector<std::string>* grants,
                 std::vector<std::string>* revocations) override {
    std::lock_guard<std::mutex> lock(mu_);
    grants->clear();
    revocations->clear();
    HAMLET_RETURN_IF_ERROR(Query("SELECT grant_bytes FROM grants WHERE ws=? AND device=? ORDER BY epoch",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); },
                                 [&](Stmt& q) { grants->emplace_back(q.Blob(0)); }));
    return Query("SELECT statement FROM revocations WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
                 [&](Stmt& q) { revocations->emplace_back(q.Blob(0)); });
  }

  Status Certificates(const WorkspaceId& ws, std::vector<std::string>* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out->clear();
    return Query("SELECT cert FROM devices WHERE ws=? AND revoked=0", [&](Stmt& q) { q.Bind(1, ws.View()); },
                 [&](Stmt& q) { out->emplace_back(q.Blob(0)); });
  }

  Status Members(const WorkspaceId& ws, std::vector<std::string>* certificates,
                 std::vector<std::string>* grants) override {
    std::lock_guard<std::mutex> lock(mu_);
    certificates->clear();
    grants->clear();
    HAMLET_RETURN_IF_ERROR(Query("SELECT cert FROM devices WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
                                 [&](Stmt& q) { certificates->emplace_back(q.Blob(0)); }));
    return Query("SELECT grant_bytes FROM grants WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
                 [&](Stmt& q) { grants->emplace_back(q.Blob(0)); });
  }

  Status GetMeta(const std::string& key, std::string* value, bool* found) override {
    std::lock_guard<std::mutex> lock(mu_);
    *found = false;
    value->clear();
    return Query("SELECT value FROM meta WHERE key=?", [&](Stmt& q) { q.BindText(1, key); },
                 [&](Stmt& q) {
                   value->assign(q.Blob(0));
                   *found = true;
                 });
  }

  Status PutMeta(const std::string& key, const std::string& value) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Run("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
               [&](Stmt& q) { q.BindText(1, key).Bind(2, value); });
  }

  Status AddAttachment(const WorkspaceId& ws, const std::string& id, const std::string& manifest, uint64_t sealed_size,
                       uint64_t chunks, uint64_t quota_bytes, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Transaction([&]() -> Status {
      bool there = false;
      int64_t used = 0;
      HAMLET_RETURN_IF_ERROR(Query(
          "SELECT 1 FROM attachments WHERE ws=? AND id=?", [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, id); },
          [&](Stmt&) { there = true; }));
      if (there) return Status::OK();
      HAMLET_RETURN_IF_ERROR(Query(
          "SELECT coalesce(sum(sealed_size), 0) FROM attachments WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
          [&](Stmt& q) { used = q.Int(0); }));
      if (static_cast<uint64_t>(used) + sealed_size > quota_bytes) return QuotaExceeded(used, quota_bytes);
      return Run("INSERT INTO attachments(ws, id, manifest, sealed_size, chunks, created) VALUES(?, ?, ?, ?, ?, ?)",
                 [&](Stmt& q) {
                   q.Bind(1, ws.View()).Bind(2, id).Bind(3, manifest).Bind(4, static_cast<int64_t>(sealed_size));
                   q.Bind(5, static_cast<int64_t>(chunks)).Bind(6, now);
                 });
    });
  }

  Status PutSnapshot(const WorkspaceId& ws, uint64_t position, const std::string& snapshot, bool* kept) override {
    std::lock_guard<std::mutex> lock(mu_);
    HAMLET_RETURN_IF_ERROR(
        Run("INSERT INTO snapshots(ws, position, bytes) VALUES(?, ?, ?) ON CONFLICT(ws) DO UPDATE "
            "SET position=excluded.position, bytes=excluded.bytes "
            "WHERE excluded.position > snapshots.position",
            [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, static_cast<int64_t>(position)).Bind(3, snapshot); }));
    *kept = sqlite3_changes(db_) == 1;
    return Status::OK();
  }

  Status GetSnapshot(const WorkspaceId& ws, uint64_t* position, std::string* snapshot, bool* found) override {
    std::lock_guard<std::mutex> lock(mu_);
    *found = false;
    return Query(
        snapshot ? "SELECT position, bytes FROM snapshots WHERE ws=?" : "SELECT position FROM snapshots WHERE ws=?",
        [&](Stmt& q) { q.Bind(1, ws.View()); },
        [&](Stmt& q) {
          *position = static_cast<uint64_t>(q.Int(0));
          if (snapshot) snapshot->assign(q.Blob(1));
          *found = true;
        });
  }

  Status AppendSnapshotUpload(const WorkspaceId& ws, const DeviceId& device, uint64_t from, const std::string& bytes,
                              uint64_t* held) override {
    std::lock_guard<std::mutex> lock(mu_);
    // || makes text of blobs; the cast keeps every byte a blob again.
    return Transaction([&]() -> Status {
      int64_t have = 0;
      HAMLET_RETURN_IF_ERROR(Query(
          "SELECT length(bytes) FROM snapshot_uploads WHERE ws=? AND device=?",
          [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); }, [&](Stmt& q) { have = q.Int(0); }));
      if (from != 0 && from != static_cast<uint64_t>(have)) return NotHeldSnapshotOffset(have);
      HAMLET_RETURN_IF_ERROR(
          Run(from == 0 ? "INSERT OR REPLACE INTO snapshot_uploads(ws, device, bytes) VALUES(?1, ?2, ?3)"
                        : "UPDATE snapshot_uploads SET bytes=CAST(bytes || ?3 AS BLOB) WHERE ws=?1 AND device=?2",
              [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, bytes); }));
      *held = from + bytes.size();
      return Status::OK();
    });
  }

  Status SnapshotUploadHeld(const WorkspaceId& ws, const DeviceId& device, uint64_t* held) override {
    std::lock_guard<std::mutex> lock(mu_);
    *held = 0;
    return Query(
        "SELECT length(bytes) FROM snapshot_uploads WHERE ws=? AND device=?",
        [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); },
        [&](Stmt& q) { *held = static_cast<uint64_t>(q.Int(0)); });
  }

  Status TakeSnapshotUpload(const WorkspaceId& ws, const DeviceId& device, std::string* bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    bytes->clear();
    HAMLET_RETURN_IF_ERROR(Query(
        "SELECT bytes FROM snapshot_uploads WHERE ws=? AND device=?",
        [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); }, [&](Stmt& q) { bytes->assign(q.Blob(0)); }));
    return Run("DELETE FROM snapshot_uploads WHERE ws=? AND device=?",
               [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); });
  }

  Status GetAttachment(const WorkspaceId& ws, const std::string& id, AttachmentRow* out, bool* found) override {
    std::lock_guard<std::mutex> lock(mu_);
    *found = false;
    return Query(
        "SELECT manifest, sealed_size, chunks, held, partial FROM attachments WHERE ws=? AND id=?",
        [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, id); },
        [&](Stmt& q) {
          out->manifest.assign(q.Blob(0));
          out->sealed_size = static_cast<uint64_t>(q.Int(1));
          out->chunks = static_cast<uint64_t>(q.Int(2));
          out->held_chunks = static_cast<uint64_t>(q.Int(3));
          out->partial.assign(q.Blob(4));
          *found = true;
        });
  }

  Status PutAttachmentChunk(const WorkspaceId& ws, const std::string& id, uint64_t index,
                            const std::string& data) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Transaction([&]() -> Status {
      HAMLET_RETURN_IF_ERROR(
          Run("UPDATE attachments SET held=held+1, partial=x'' WHERE ws=? AND id=? AND held=?",
              [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, id).Bind(3, static_cast<int64_t>(index)); }));
      if (sqlite3_changes(db_) != 1) return NotNextChunk(index);
      return Run("INSERT OR REPLACE INTO attachment_chunks(ws, id, idx, data) VALUES(?, ?, ?, ?)",
                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, id).Bind(3, static_cast<int64_t>(index)).Bind(4, data); });
    });
  }

  Status SetAttachmentPartial(const WorkspaceId& ws, const std::string& id, uint64_t index,
                              const std::string& bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    HAMLET_RETURN_IF_ERROR(Run("UPDATE attachments SET partial=? WHERE ws=? AND id=? AND held=?", [&](Stmt& q) {
      q.Bind(1, bytes).Bind(2, ws.View()).Bind(3, id).Bind(4, static_cast<int64_t>(index));
    }));
    return sqlite3_changes(db_) == 1 ? Status::OK() : NotNextChunk(index);
  }

  Status GetAttachmentChunk(const WorkspaceId& ws, const std::string& id, uint64_t index, std::string* data,
                            bool* found) override {
    std::lock_guard<std::mutex> lock(mu_);
    *found = false;
    return Query(
        "SELECT data FROM attachment_chunks WHERE ws=? AND id=? AND idx=?",
        [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, id).Bind(3, static_cast<int64_t>(index)); },
        [&](Stmt& q) {
          data->assign(q.Blob(0));
          *found = true;
        });
  }

  Status AddJoin(const WorkspaceId& ws, const std::string& invite_id, const std::string& request, int64_t now,
                 int64_t expire_before) override {
    std::lock_guard<std::mutex> lock(mu_);
    // Unanswered requests older than expire_before are forgotten; a
    // workspace holds at most kMaxPendingJoins unanswered ones.
    HAMLET_RETURN_IF_ERROR(Run("DELETE FROM joins WHERE ws=? AND envelope IS NULL AND created<?",
                               [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, expire_before); }));
    int64_t pending = 0;
    HAMLET_RETURN_IF_ERROR(Query("SELECT count(*) FROM joins WHERE ws=? AND envelope IS NULL",
                                 [&](Stmt& q) { q.Bind(1, ws.View()); }, [&](Stmt& q) { pending = q.Int(0); }));
    if (pending >= kMaxPendingJoins) {
      return Status::Unavailable(
          Tr("this workspace has too many join requests waiting for its admin; try again later"));
    }
    // Anyone who knows an invite id can post for it, so every request is
    // kept (the admin admits the one that carries the secret), up to a few
    // per invite. A repeat of the same request is harmless.
    int64_t count = 0;
    HAMLET_RETURN_IF_ERROR(Query("SELECT count(*) FROM joins WHERE ws=? AND invite=?",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, invite_id); },
                                 [&](Stmt& q) { count = q.Int(0); }));
    if (count >= kMaxJoinsPerInvite) {
      return Status::FailedPrecondition(Tr("this invite has had too many join requests"));
    }
    return Run("INSERT OR IGNORE INTO joins(ws, invite, request, created) VALUES(?, ?, ?, ?)",
               [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, invite_id).Bind(3, request).Bind(4, now); });
  }

  Status PendingJoins(const WorkspaceId& ws, int64_t expire_before, std::vector<std::string>* requests) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests->clear();
    return Query("SELECT request FROM joins WHERE ws=? AND envelope IS NULL AND created>=?",
                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, expire_before); },
                 [&](Stmt& q) { requests->emplace_back(q.Blob(0)); });
  }

  Status PutAdmission(const WorkspaceId& ws, const std::string& invite_id, const std::string& envelope) override {
    std::lock_guard<std::mutex> lock(mu_);
    // The envelope is sealed to the admitted device; it answers for the invite.
    return Run("UPDATE joins SET envelope=? WHERE ws=? AND invite=?",
               [&](Stmt& q) { q.Bind(1, envelope).Bind(2, ws.View()).Bind(3, invite_id); });
  }

  Status GetAdmission(const WorkspaceId& ws, const std::string& invite_id, std::string* envelope) override {
    std::lock_guard<std::mutex> lock(mu_);
    bool found = false;
    HAMLET_RETURN_IF_ERROR(Query("SELECT envelope FROM joins WHERE ws=? AND invite=? AND envelope IS NOT NULL LIMIT 1",
                                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, invite_id); },
                                 [&](Stmt& q) {
                                   found = true;
                                   envelope->assign(q.Blob(0));
                                 }));
    if (!found) return Status::NotFound(Tr("the admin has not answered this join request yet"));
    return Status::OK();
  }

  // Sessions live in memory: they are short-lived, and a hub that restarts
  // only makes clients open new ones. Opening one records when the device
  // was last seen.
  Status AddChallenge(const WorkspaceId& ws, const DeviceId& device, const std::string& challenge, int64_t now,
                      int64_t expires) override {
    std::lock_guard<std::mutex> lock(mu_);
    // Expired sessions go; a device keeps at most kSessionsPerDevice open
    // (its oldest ends first), so asking for sessions without ever signing
    // holds no more than that.
    auto oldest = sessions_.end();
    size_t open = 0;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second.expires < now) {
        it = sessions_.erase(it);
        continue;
      }
      if (it->second.ws == ws && it->second.device == device) {
        open++;
        if (oldest == sessions_.end() || it->second.expires < oldest->second.expires) oldest = it;
      }
      ++it;
    }
    if (open >= kSessionsPerDevice && oldest != sessions_.end()) sessions_.erase(oldest);
    sessions_[challenge] = SessionState{ws, device, expires, 0};
    return Status::OK();
  }

  Status UseChallenge(const WorkspaceId& ws, const DeviceId& device, const std::string& challenge, uint64_t counter,
                      int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(challenge);
    if (it == sessions_.end() || it->second.ws != ws || it->second.device != device || it->second.expires < now) {
      return Status(Code::kUnauthenticated, Tr("the session is unknown or has expired: open a new one"));
    }
    if (counter <= it->second.counter) {
      return Status(Code::kUnauthenticated, Tr("replayed request: its counter was used before"));
    }
    const bool first = it->second.counter == 0;
    it->second.counter = counter;
    if (!first) return Status::OK();
    // A device is "seen" when it proves who it is, not when anyone names it.
    return Run("UPDATE devices SET last_seen=? WHERE ws=? AND device=?",
               [&](Stmt& q) { q.Bind(1, now).Bind(2, ws.View()).Bind(3, device.View()); });
  }

  // Pushes that arrive while another is being written wait, and the next
  // writer takes all of them into one transaction: one fsync for the group
  // (as LevelDB groups its writers). Each push keeps its own all-or-nothing
  // outcome through a savepoint, and every push is answered only after the
  // group's COMMIT is on disk.
  Status Append(const WorkspaceId& ws, const std::vector<SealedCommit>& commits, int64_t now, AppendResult* out,
                const DeviceId* via = nullptr) override {
    PendingAppend me{&ws, &commits, now, via, out, Status()};
    appends_.Write(&me, [this](const std::vector<PendingAppend*>& group) { WriteGroup(group); });
    return me.status;
  }

  Status GetCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string* bytes,
                   bool* found) override {
    std::lock_guard<std::mutex> lock(mu_);
    *found = false;
    return Query("SELECT bytes FROM commits WHERE ws=? AND author=? AND seq=?",
                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(seq)); },
                 [&](Stmt& q) {
                   *found = true;
                   bytes->assign(q.Blob(0));
                 });
  }

  Status Instance(std::string* id) override {
    std::lock_guard<std::mutex> lock(mu_);
    id->clear();
    return Query("SELECT value FROM meta WHERE key='instance'", [](Stmt&) {},
                 [&](Stmt& q) { id->assign(q.Blob(0)); });
  }

  Status Heads(const WorkspaceId& ws, uint64_t* head, std::map<DeviceId, uint64_t>* heads) override {
    std::lock_guard<std::mutex> lock(mu_);
    *head = 0;
    heads->clear();
    // AUTOINCREMENT keeps the highest position ever given, even after the
    // commits at the end were dropped (a revocation).
    HAMLET_RETURN_IF_ERROR(Query("SELECT seq FROM sqlite_sequence WHERE name='commits'", [](Stmt&) {},
                                 [&](Stmt& q) { *head = static_cast<uint64_t>(q.Int(0)); }));
    return Query("SELECT device, contiguous FROM devices WHERE ws=? AND contiguous > 0",
                 [&](Stmt& q) { q.Bind(1, ws.View()); },
                 [&](Stmt& q) {
                   if (auto d = DeviceId::FromBytes(q.Blob(0))) (*heads)[*d] = static_cast<uint64_t>(q.Int(1));
                 });
  }

  Status PutStatement(const WorkspaceId& ws, int64_t issued_ms, const std::string& statement) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Run("INSERT INTO statements(ws, issued, statement) VALUES(?, ?, ?) ON CONFLICT(ws) DO UPDATE "
               "SET issued=excluded.issued, statement=excluded.statement WHERE excluded.issued > statements.issued",
               [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, issued_ms).Bind(3, statement); });
  }

  Status GetStatement(const WorkspaceId& ws, std::string* statement) override {
    std::lock_guard<std::mutex> lock(mu_);
    statement->clear();
    return Query("SELECT statement FROM statements WHERE ws=?", [&](Stmt& q) { q.Bind(1, ws.View()); },
                 [&](Stmt& q) { statement->assign(q.Blob(0)); });
  }

  Status Backup(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::Unavailable(Format(Tr("cannot create %s: %s"), dir.c_str(), ec.message().c_str()));
    std::string path = dir + "/hub.db";
    if (std::filesystem::exists(path, ec)) return Status::AlreadyExists(Format(Tr("%s exists already"), path.c_str()));
    sqlite3* copy = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Status s = rc == SQLITE_OK ? Status::OK() : SqliteStatus(copy, rc, "cannot create " + path);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      sqlite3_backup* b = sqlite3_backup_init(copy, "main", db_, "main");
      if (b == nullptr) {
        s = SqliteStatus(copy, sqlite3_errcode(copy), "cannot copy the store");
      } else {
        rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE) s = SqliteStatus(copy, rc, "cannot copy the store");
      }
    }
    // Served one day, the copy is another instance than this store.
    if (s.ok()) s = SqliteExec(copy, "UPDATE meta SET value=randomblob(16) WHERE key='instance'");
    if (s.ok()) s = SqliteExec(copy, "PRAGMA journal_mode=WAL");
    sqlite3_close_v2(copy);
    if (!s.ok()) std::filesystem::remove(path, ec);
    return s;
  }

  Status RenewInstance() override {
    std::lock_guard<std::mutex> lock(mu_);
    return Exec("UPDATE meta SET value=randomblob(16) WHERE key='instance'");
  }

  Status Contiguous(const WorkspaceId& ws, const DeviceId& device, uint64_t* seq) override {
    std::lock_guard<std::mutex> lock(mu_);
    *seq = 0;
    return Query("SELECT contiguous FROM devices WHERE ws=? AND device=?",
                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, device.View()); },
                 [&](Stmt& q) { *seq = static_cast<uint64_t>(q.Int(0)); });
  }

  Status ReadAfter(const WorkspaceId& ws, const DeviceId& reader, uint64_t after, uint64_t upto, size_t max_bytes,
                   std::vector<std::string>* commits, uint64_t* next, bool* more) override {
    std::lock_guard<std::mutex> lock(mu_);
    commits->clear();
    *next = after;
    *more = false;
    size_t bytes = 0;
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT pos, bytes, author, via FROM commits WHERE ws=? AND pos>? ORDER BY pos"));
    q.Bind(1, ws.View()).Bind(2, static_cast<int64_t>(after));
    Status s;
    while (q.Step(&s)) {
      uint64_t pos = static_cast<uint64_t>(q.Int(0));
      if (upto != 0 && pos > upto) {
        *more = true;
        break;
      }
      if (q.Blob(2) == reader.View() || q.Blob(3) == reader.View()) {
        *next = pos;  // The reader's own commits (or those it brought) are passed over, yet the position moves on.
        continue;
      }
      std::string_view b = q.Blob(1);
      if (!commits->empty() && bytes + b.size() > max_bytes) {
        *more = true;
        break;
      }
      bytes += b.size();
      commits->emplace_back(b);
      *next = pos;
    }
    return s;
  }

  Status RecentAfter(const WorkspaceId& ws, int64_t since, uint64_t* after) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t first = 0;
    HAMLET_RETURN_IF_ERROR(Query(
        "SELECT coalesce(min(pos), 0) FROM arrival_days WHERE ws=? AND day>=?",
        [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, ArrivalDay(since)); }, [&](Stmt& q) { first = q.Int(0); }));
    *after = 0;
    // The last position before the first recent one; the last of all when
    // nothing is recent.
    const char* sql = first > 0 ? "SELECT coalesce(max(pos), 0) FROM commits WHERE ws=? AND pos<?"
                                : "SELECT coalesce(max(pos), 0) FROM commits WHERE ws=?";
    return Query(
        sql,
        [&](Stmt& q) {
          q.Bind(1, ws.View());
          if (first > 0) q.Bind(2, first);
        },
        [&](Stmt& q) { *after = static_cast<uint64_t>(q.Int(0)); });
  }

  Status Summaries(std::vector<WorkspaceSummary>* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out->clear();
    HAMLET_RETURN_IF_ERROR(Query("SELECT ws, created, (SELECT count(*) FROM commits c WHERE c.ws=w.ws) "
                                 "FROM workspaces w ORDER BY created",
                                 [](Stmt&) {},
                                 [&](Stmt& q) {
                                   WorkspaceSummary w;
                                   w.workspace = WorkspaceId::FromBytes(q.Blob(0)).value_or(WorkspaceId{});
                                   w.created = q.Int(1);
                                   w.commits = static_cast<uint64_t>(q.Int(2));
                                   out->push_back(std::move(w));
                                 }));
    for (WorkspaceSummary& w : *out) {
      HAMLET_RETURN_IF_ERROR(Query("SELECT device, cert, revoked, last_seen, contiguous FROM devices WHERE ws=?",
                                   [&](Stmt& q) { q.Bind(1, w.workspace.View()); },
                                   [&](Stmt& q) {
                                     DeviceSummary d;
                                     d.device = DeviceId::FromBytes(q.Blob(0)).value_or(DeviceId{});
                                     Certificate cert;
                                     if (ParseCertificate(q.Blob(1), &cert).ok()) d.role = cert.role;
                                     d.revoked = q.Int(2) != 0;
                                     d.last_seen = q.Int(3);
                                     d.commits = static_cast<uint64_t>(q.Int(4));
                                     w.devices.push_back(d);
                                   }));
    }
    return Status::OK();
  }

 private:
  static constexpr int64_t kMaxJoinsPerInvite = 8;
  static constexpr int64_t kMaxPendingJoins = 64;

  struct SessionState {
    WorkspaceId ws;
    DeviceId device;
    int64_t expires;
    uint64_t counter;
  };

  Status Exec(const char* sql) { return SqliteExec(db_, sql); }

  template <class Bind>
  Status Run(const char* sql, Bind&& bind) {
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, sql));
    bind(q);
    return q.Run();
  }

  template <class Bind, class Row>
  Status Query(const char* sql, Bind&& bind, Row&& row) {
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, sql));
    bind(q);
    Status s;
    while (q.Step(&s)) row(q);
    return s;
  }

  struct PendingAppend {
    const WorkspaceId* ws;
    const std::vector<SealedCommit>* commits;
    int64_t now;
    const DeviceId* via;
    AppendResult* out;
    Status status;
  };

  void WriteGroup(const std::vector<PendingAppend*>& group) {
    std::lock_guard<std::mutex> lock(mu_);
    Status s = Exec("BEGIN IMMEDIATE");
    for (PendingAppend* p : group) {
      *p->out = AppendResult();
      if (!s.ok()) {
        p->status = s;
        continue;
      }
      Status sp = Exec("SAVEPOINT push");
      if (sp.ok()) p->status = AppendOne(*p->ws, *p->commits, p->now, p->via, p->out);
      if (!sp.ok() || !p->status.ok()) {
        if (sp.ok()) Exec("ROLLBACK TO push");
        if (p->status.ok()) p->status = sp;
        *p->out = AppendResult();
      }
      if (sp.ok()) Exec("RELEASE push");
    }
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      Exec("ROLLBACK");
      for (PendingAppend* p : group) {
        if (p->status.ok()) p->status = s;
        *p->out = AppendResult();
      }
    }
  }

  // One push's commits, inside the group's transaction.
  Status AppendOne(const WorkspaceId& ws, const std::vector<SealedCommit>& commits, int64_t now, const DeviceId* via,
                   AppendResult* out) {
    auto bind3 = [&](Stmt& q, const DeviceId& a, uint64_t seq) {
      q.Bind(1, ws.View()).Bind(2, a.View()).Bind(3, static_cast<int64_t>(seq));
    };
    AppendHooks hooks;
    hooks.chain.chain = [&](const DeviceId& a, ChainInfo* info) {
      *info = ChainInfo();
      return Query("SELECT contiguous, head FROM devices WHERE ws=? AND device=?",
                   [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, a.View()); },
                   [&](Stmt& q) { *info = ChainInfo{static_cast<uint64_t>(q.Int(0)), static_cast<uint64_t>(q.Int(1))}; });
    };
    hooks.chain.get = [&](const DeviceId& a, uint64_t seq, std::string* bytes, bool* found) {
      *found = false;
      return Query("SELECT bytes FROM commits WHERE ws=? AND author=? AND seq=?", [&](Stmt& q) { bind3(q, a, seq); },
                   [&](Stmt& q) {
                     *found = true;
                     bytes->assign(q.Blob(0));
                   });
    };
    hooks.chain.has = [&](const DeviceId& a, uint64_t seq, bool* found) {
      *found = false;
      return Query("SELECT 1 FROM commits WHERE ws=? AND author=? AND seq=?", [&](Stmt& q) { bind3(q, a, seq); },
                   [&](Stmt&) { *found = true; });
    };
    hooks.revoked_after = [&](const DeviceId& a, std::optional<uint64_t>* last) {
      *last = std::nullopt;
      return Query("SELECT last_seq FROM devices WHERE ws=? AND device=? AND revoked=1",
                   [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, a.View()); },
                   [&](Stmt& q) { *last = static_cast<uint64_t>(q.Int(0)); });
    };
    bool day_noted = false;
    hooks.insert = [&](const SealedCommit& c) {
      HAMLET_RETURN_IF_ERROR(
          Run("INSERT INTO commits(ws, author, seq, bytes, via) VALUES(?, ?, ?, ?, ?)", [&](Stmt& q) {
            bind3(q, c.header.author, c.header.seq);
            q.Bind(4, c.bytes).Bind(5, via != nullptr ? via->View() : std::string_view("", 0));
          }));
      if (day_noted) return Status::OK();
      day_noted = true;  // The first position stored on a day (protocol.md 13.4, recent first).
      return Run("INSERT OR IGNORE INTO arrival_days(ws, day, pos) VALUES(?, ?, last_insert_rowid())",
                 [&](Stmt& q) { q.Bind(1, ws.View()).Bind(2, ArrivalDay(now)); });
    };
    hooks.save = [&](const DeviceId& a, const ChainInfo& info) {
      return Run("UPDATE devices SET contiguous=?, head=? WHERE ws=? AND device=?", [&](Stmt& q) {
        q.Bind(1, static_cast<int64_t>(info.contiguous)).Bind(2, static_cast<int64_t>(info.head)).Bind(3, ws.View());
        q.Bind(4, a.View());
      });
    };
    return AppendCommits(commits, hooks, out);
  }

  template <class Fn>
  Status Transaction(Fn&& fn) {
    HAMLET_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status s = fn();
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) Exec("ROLLBACK");
    return s;
  }

  std::mutex mu_;  // Guards db_ and sessions_.
  sqlite3* db_ = nullptr;
  sqlite3* checkpoint_db_ = nullptr;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;  // Guards stopping_.
  std::condition_variable checkpoint_cv_;
  bool stopping_ = false;
  GroupCommit<PendingAppend> appends_;
  std::map<std::string, SessionState> sessions_;  // By challenge.
};

}  // namespace

Status OpenSqliteHubStore(const std::string& dir, std::unique_ptr<HubStore>* out) {
  auto store = std::make_unique<SqliteHubStore>();
  HAMLET_RETURN_IF_ERROR(store->Open(dir));
  *out = std::move(store);
  return Status::OK();
}

}  // namespace hamlet::hub
