#include "store.h"

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include "hamlet/language.h"

namespace hamlet {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workspaces(ws BLOB PRIMARY KEY, admin_pk BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workspace_keys(ws BLOB NOT NULL, epoch INTEGER NOT NULL, sealed BLOB NOT NULL,
  PRIMARY KEY(ws, epoch)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices(ws BLOB NOT NULL, device BLOB NOT NULL, cert BLOB NOT NULL,
  PRIMARY KEY(ws, device)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revocations(ws BLOB NOT NULL, device BLOB NOT NULL, last_seq INTEGER NOT NULL,
  last_hash BLOB NOT NULL, statement BLOB NOT NULL, PRIMARY KEY(ws, device)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aside(ws BLOB NOT NULL, author BLOB NOT NULL, seq INTEGER NOT NULL, hash BLOB NOT NULL,
  bytes BLOB NOT NULL, code INTEGER NOT NULL, reason TEXT NOT NULL, retry INTEGER NOT NULL, in_log INTEGER NOT NULL,
  seen INTEGER NOT NULL, PRIMARY KEY(ws, author, seq, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commits(arrival INTEGER PRIMARY KEY, ws BLOB NOT NULL, author BLOB NOT NULL,
  seq INTEGER NOT NULL, hlc INTEGER NOT NULL, bytes BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS commits_by_author ON commits(ws, author, seq);
CREATE TABLE IF NOT EXISTS chains(ws BLOB NOT NULL, author BLOB NOT NULL, contiguous INTEGER NOT NULL,
  head INTEGER NOT NULL, PRIMARY KEY(ws, author)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS baselines(ws BLOB NOT NULL, author BLOB NOT NULL, seq INTEGER NOT NULL,
  hash BLOB NOT NULL, PRIMARY KEY(ws, author)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records(id INTEGER PRIMARY KEY, rid BLOB NOT NULL UNIQUE, ws BLOB NOT NULL,
  state BLOB NOT NULL, changed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS records_by_ws ON records(ws, rid);
CREATE VIRTUAL TABLE IF NOT EXISTS tags USING fts5(t, content='', columnsize=0, detail=none);
)sql";

// A record keeps its row, and its tags their rowid, for as long as it is
// stored; changed orders records by when they last changed here. Stores of
// format 3 lack the column until MigrateRecordOrder.
const char* kRecordOrder = "CREATE INDEX IF NOT EXISTS records_by_changed ON records(changed)";
const char* kNextChanged = "(SELECT coalesce(max(changed), 0) + 1 FROM records)";

}  // namespace

struct Store::Statements {
  Stmt begin, commit, rollback;
  Stmt get_meta, put_meta;
  Stmt put_ws, list_ws, put_key, list_keys;
  Stmt put_dev, get_dev;
  Stmt get_commit, has_commit, insert_commit, scan_commits, count_commits;
  Stmt get_chains, get_chain, put_chain;
  Stmt load_rec, load_rec_rowid, insert_rec, update_rec, scan_recs, changed_of, by_changed;
  Stmt add_tags, remove_tags;
};

Store::~Store() {
  st_.reset();
  if (db_) sqlite3_close_v2(db_);
}

Status Store::Open(const std::string& path, bool durable, bool create, std::unique_ptr<Store>* out) {
  std::unique_ptr<Store> s(new Store());
  std::error_code ec;
  s->wal_existed_ = std::filesystem::exists(path + "-wal", ec);
  int rc = sqlite3_open_v2(path.c_str(), &s->db_,
                           SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc == SQLITE_CANTOPEN && !create && !std::filesystem::exists(path, ec)) {
    return Status::NotFound(Format(Tr("no Hamlet store at %s"), path.c_str()));
  }
  if (rc != SQLITE_OK) return SqliteStatus(s->db_, rc, "cannot open " + path);
  sqlite3_busy_timeout(s->db_, 5000);
  sqlite3_extended_result_codes(s->db_, 1);
  HAMLET_RETURN_IF_ERROR(s->Init(durable));
  *out = std::move(s);
  return Status::OK();
}

void Store::LeaveUntouchedOnClose() {
  // A WAL that was there before must survive as it was. One this connection
  // made is empty, and SQLite's ordinary close removes it again.
  if (wal_existed_) sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

Status Store::Exec(const char* sql) { return SqliteExec(db_, sql); }

Status Store::Init(bool durable) {
  // Reading the schema first makes a file that is not a database fail here,
  // before anything is written to it.
  HAMLET_RETURN_IF_ERROR(Exec("SELECT count(*) FROM sqlite_schema"));
  HAMLET_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
  HAMLET_RETURN_IF_ERROR(Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  HAMLET_RETURN_IF_ERROR(Exec("PRAGMA secure_delete=ON"));
  // An import merges a chunk in one transaction; pages it dirties stay in
  // memory until the commit instead of being written to the WAL twice. A
  // member chunk of 4 MiB holds about 7,000 new records, whose pages
  // overflow 32 MiB. The cache grows only as a transaction needs it.
  HAMLET_RETURN_IF_ERROR(Exec("PRAGMA cache_size=-65536"));
  HAMLET_RETURN_IF_ERROR(Exec(kSchema));
  st_ = std::make_unique<Statements>();
  Statements& s = *st_;
  struct {
    Stmt* stmt;
    const char* sql;
  } all[] = {
      {&s.begin, "BEGIN IMMEDIATE"},
      {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},
      {&s.get_meta, "SELECT v FROM meta WHERE k=?"},
      {&s.put_meta, "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)"},
      {&s.put_ws, "INSERT OR IGNORE INTO workspaces(ws, admin_pk) VALUES(?, ?)"},
      {&s.list_ws, "SELECT ws, admin_pk FROM workspaces ORDER BY ws"},
      {&s.put_key, "INSERT OR REPLACE INTO workspace_keys(ws, epoch, sealed) VALUES(?, ?, ?)"},
      {&s.list_keys, "SELECT epoch, sealed FROM workspace_keys WHERE ws=? ORDER BY epoch"},
      {&s.put_dev, "INSERT OR REPLACE INTO devices(ws, device, cert) VALUES(?, ?, ?)"},
      {&s.get_dev, "SELECT cert FROM devices WHERE ws=? AND device=?"},
      {&s.get_commit, "SELECT bytes FROM commits WHERE ws=? AND author=? AND seq=?"},
      {&s.has_commit, "SELECT 1 FROM commits WHERE ws=? AND author=? AND seq=?"},
      {&s.insert_commit, "INSERT INTO commits(ws, author, seq, hlc, bytes) VALUES(?, ?, ?, ?, ?)"},
      {&s.scan_commits, "SELECT seq, bytes FROM commits WHERE ws=? AND author=? AND seq>? ORDER BY seq"},
      {&s.count_commits, "SELECT count(*) FROM commits WHERE ws=?"},
      {&s.get_chains, "SELECT author, contiguous, head FROM chains WHERE ws=?"},
      {&s.get_chain, "SELECT contiguous, head FROM chains WHERE ws=? AND author=?"},
      {&s.put_chain, "INSERT OR REPLACE INTO chains(ws, author, contiguous, head) VALUES(?, ?, ?, ?)"},
      {&s.load_rec, "SELECT id, ws, state FROM records WHERE rid=?"},
      {&s.load_rec_rowid, "SELECT rid, ws, state FROM records WHERE id=?"},
      {&s.scan_recs, "SELECT rid, state FROM records WHERE ws=? ORDER BY rid"},
      {&s.add_tags, "INSERT INTO tags(rowid, t) VALUES(?, ?)"},
      {&s.remove_tags, "INSERT INTO tags(tags, rowid, t) VALUES('delete', ?, ?)"},
  };
  for (auto& [stmt, sql] : all) HAMLET_RETURN_IF_ERROR(stmt->Prepare(db_, sql));
  bool has_order = false;
  {
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT 1 FROM pragma_table_info('records') WHERE name='changed'"));
    Status s;
    has_order = q.Step(&s);
    HAMLET_RETURN_IF_ERROR(s);
  }
  if (has_order) HAMLET_RETURN_IF_ERROR(PrepareRecordWrites());
  return LoadBaselines();
}

Status Store::LoadBaselines() {
  baselines_.clear();
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT ws, author, seq, hash FROM baselines"));
  Status s;
  while (q.Step(&s)) {
    auto ws = WorkspaceId::FromBytes(q.Blob(0));
    auto author = DeviceId::FromBytes(q.Blob(1));
    if (ws && author) baselines_[{*ws, *author}] = Baseline{static_cast<uint64_t>(q.Int(2)), std::string(q.Blob(3))};
  }
  return s;
}

Status Store::PutBaseline(const WorkspaceId& ws, const DeviceId& author, const Baseline& b) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "INSERT OR REPLACE INTO baselines(ws, author, seq, hash) VALUES(?, ?, ?, ?)"));
  q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(b.seq)).Bind(4, b.hash);
  HAMLET_RETURN_IF_ERROR(q.Run());
  baselines_[{ws, author}] = b;
  return Status::OK();
}

Status Store::GetBaseline(const WorkspaceId& ws, const DeviceId& author, Baseline* out) {
  auto b = baselines_.find({ws, author});
  *out = b == baselines_.end() ? Baseline() : b->second;
  return Status::OK();
}

Status Store::GetBaselines(const WorkspaceId& ws, std::map<DeviceId, Baseline>* out) {
  out->clear();
  for (const auto& [key, b] : baselines_) {
    if (key.first == ws) (*out)[key.second] = b;
  }
  return Status::OK();
}

Status Store::ForgetOthers(const WorkspaceId& ws, const DeviceId& self) {
  struct {
    const char* sql;
    bool binds_self;
  } steps[] = {{"DELETE FROM baselines WHERE ws=?", false},
               {"DELETE FROM aside WHERE ws=?", false},
               {"DELETE FROM commits WHERE ws=? AND author<>?", true},
               {"DELETE FROM chains WHERE ws=? AND author<>?", true}};
  for (const auto& step : steps) {
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, step.sql));
    q.Bind(1, ws.View());
    if (step.binds_self) q.Bind(2, self.View());
    HAMLET_RETURN_IF_ERROR(q.Run());
  }
  // Pull positions and older ranges: "pull <ws> <hub>", "older <ws> <hub>"
  // (replica_impl.h).
  for (const char* kind : {"pull ", "older "}) {
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "DELETE FROM meta WHERE substr(k, 1, ?) = ?"));
    std::string prefix = kind + ws.Hex() + " ";
    q.Bind(1, static_cast<int64_t>(prefix.size())).BindText(2, prefix);
    HAMLET_RETURN_IF_ERROR(q.Run());
  }
  return LoadBaselines();
}

Status Store::PrepareRecordWrites() {
  HAMLET_RETURN_IF_ERROR(Exec(kRecordOrder));
  Statements& s = *st_;
  std::string insert =
      std::string("INSERT INTO records(rid, ws, state, changed) VALUES(?, ?, ?, ") + kNextChanged + ")";
  std::string update = std::string("UPDATE records SET state=?, changed=") + kNextChanged + " WHERE id=?";
  HAMLET_RETURN_IF_ERROR(s.insert_rec.Prepare(db_, insert.c_str()));
  HAMLET_RETURN_IF_ERROR(s.update_rec.Prepare(db_, update.c_str()));
  HAMLET_RETURN_IF_ERROR(s.changed_of.Prepare(db_, "SELECT changed FROM records WHERE id=?"));
  HAMLET_RETURN_IF_ERROR(s.by_changed.Prepare(db_, "SELECT id FROM records ORDER BY changed DESC"));
  return Status::OK();
}

Status Store::MigrateRecordOrder() {
  if (st_->insert_rec.prepared()) return Status::OK();
  // Rowids were handed out in the order records last changed.
  HAMLET_RETURN_IF_ERROR(Exec("ALTER TABLE records ADD COLUMN changed INTEGER NOT NULL DEFAULT 0"));
  HAMLET_RETURN_IF_ERROR(Exec("UPDATE records SET changed=id"));
  return PrepareRecordWrites();
}

Status Store::Begin() { return st_->begin.Run(); }
Status Store::Commit() { return st_->commit.Run(); }
void Store::Rollback() {
  if (!sqlite3_get_autocommit(db_)) st_->rollback.Run();
  LoadBaselines();  // What the transaction changed of them is undone too; on failure HasCommit errs on the side of the
                    // table.
}

Status Store::GetMeta(std::string_view key, std::string* value, bool* found) {
  Stmt& q = st_->get_meta;
  q.BindText(1, key);
  Status s;
  *found = q.Step(&s);
  if (*found) value->assign(q.Blob(0));
  q.Reset();
  return s;
}

Status Store::PutMeta(std::string_view key, std::string_view value) {
  return st_->put_meta.BindText(1, key).Bind(2, value).Run();
}

Status Store::PutWorkspace(const WorkspaceId& ws, std::string_view admin_public_key) {
  return st_->put_ws.Bind(1, ws.View()).Bind(2, admin_public_key).Run();
}

Status Store::ListWorkspaces(std::vector<std::pair<WorkspaceId, std::string>>* out) {
  Stmt& q = st_->list_ws;
  Status s;
  out->clear();
  while (q.Step(&s)) {
    auto id = WorkspaceId::FromBytes(q.Blob(0));
    if (id) out->emplace_back(*id, std::string(q.Blob(1)));
  }
  q.Reset();
  return s;
}

Status Store::PutWorkspaceKey(const WorkspaceId& ws, uint32_t epoch, std::string_view sealed) {
  return st_->put_key.Bind(1, ws.View()).Bind(2, static_cast<int64_t>(epoch)).Bind(3, sealed).Run();
}

Status Store::ListWorkspaceKeys(const WorkspaceId& ws, std::vector<std::pair<uint32_t, std::string>>* out) {
  Stmt& q = st_->list_keys;
  q.Bind(1, ws.View());
  Status s;
  out->clear();
  while (q.Step(&s)) out->emplace_back(static_cast<uint32_t>(q.Int(0)), std::string(q.Blob(1)));
  q.Reset();
  return s;
}

Status Store::PutDevice(const WorkspaceId& ws, const DeviceId& device, std::string_view cert) {
  return st_->put_dev.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, cert).Run();
}

Status Store::GetDevice(const WorkspaceId& ws, const DeviceId& device, std::string* cert, bool* found) {
  Stmt& q = st_->get_dev;
  q.Bind(1, ws.View()).Bind(2, device.View());
  Status s;
  *found = q.Step(&s);
  if (*found) cert->assign(q.Blob(0));
  q.Reset();
  return s;
}

namespace {

// Rows of (device id, blob) that a query over one workspace yields.
Status ListByDevice(sqlite3* db, const char* sql, const WorkspaceId& ws,
                    std::vector<std::pair<DeviceId, std::string>>* out) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db, sql));
  q.Bind(1, ws.View());
  Status s;
  out->clear();
  while (q.Step(&s)) {
    auto d = DeviceId::FromBytes(q.Blob(0));
    if (d) out->emplace_back(*d, std::string(q.Blob(1)));
  }
  return s;
}

}  // namespace

Status Store::ListDevices(const WorkspaceId& ws, std::vector<std::pair<DeviceId, std::string>>* out) {
  return ListByDevice(db_, "SELECT device, cert FROM devices WHERE ws=? ORDER BY device", ws, out);
}

Status Store::PutRevocation(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq,
                            std::string_view last_hash, std::string_view bytes) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(
      db_, "INSERT OR IGNORE INTO revocations(ws, device, last_seq, last_hash, statement) VALUES(?, ?, ?, ?, ?)"));
  q.Bind(1, ws.View()).Bind(2, device.View()).Bind(3, static_cast<int64_t>(last_seq)).Bind(4, last_hash).Bind(5, bytes);
  return q.Run();
}

Status Store::GetRevocation(const WorkspaceId& ws, const DeviceId& device, uint64_t* last_seq, bool* found,
                            std::string* last_hash) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT last_seq, last_hash FROM revocations WHERE ws=? AND device=?"));
  q.Bind(1, ws.View()).Bind(2, device.View());
  Status s;
  *found = q.Step(&s);
  if (*found) {
    *last_seq = static_cast<uint64_t>(q.Int(0));
    if (last_hash) last_hash->assign(q.Blob(1));
  }
  return s;
}

Status Store::ListRevocations(const WorkspaceId& ws, std::vector<std::pair<DeviceId, std::string>>* out) {
  return ListByDevice(db_, "SELECT device, statement FROM revocations WHERE ws=? ORDER BY device", ws, out);
}

Status Store::PutAside(const WorkspaceId& ws, const AsideRow& row) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_,
                                   "INSERT INTO aside(ws, author, seq, hash, bytes, code, reason, retry, in_log, seen) "
                                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ws, author, seq, hash) DO UPDATE "
                                   "SET code=excluded.code, reason=excluded.reason, retry=excluded.retry, "
                                   "in_log=excluded.in_log"));
  q.Bind(1, ws.View()).Bind(2, row.author.View()).Bind(3, static_cast<int64_t>(row.seq)).Bind(4, row.hash);
  q.Bind(5, row.bytes).Bind(6, static_cast<int64_t>(row.code)).Bind(7, row.reason);
  q.Bind(8, static_cast<int64_t>(row.retry)).Bind(9, static_cast<int64_t>(row.in_log)).Bind(10, row.seen);
  return q.Run();
}

Status Store::DropAside(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string_view hash) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "DELETE FROM aside WHERE ws=? AND author=? AND seq=? AND hash=? AND in_log=0"));
  q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(seq)).Bind(4, hash);
  return q.Run();
}

Status Store::ListAside(const WorkspaceId& ws, bool retry_only, std::vector<AsideRow>* out) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, retry_only ? "SELECT author, seq, hash, bytes, code, reason, retry, in_log, "
                                                     "seen FROM aside WHERE ws=? AND retry=1 ORDER BY author, seq"
                                                   : "SELECT author, seq, hash, bytes, code, reason, retry, in_log, "
                                                     "seen FROM aside WHERE ws=? ORDER BY author, seq"));
  q.Bind(1, ws.View());
  out->clear();
  Status s;
  while (q.Step(&s)) {
    AsideRow row;
    auto author = DeviceId::FromBytes(q.Blob(0));
    if (!author) return Status::DataLoss(Tr("a set-aside commit names a malformed author"));
    row.author = *author;
    row.seq = static_cast<uint64_t>(q.Int(1));
    row.hash.assign(q.Blob(2));
    row.bytes.assign(q.Blob(3));
    row.code = static_cast<int>(q.Int(4));
    row.reason.assign(q.Blob(5));
    row.retry = q.Int(6) != 0;
    row.in_log = q.Int(7) != 0;
    row.seen = q.Int(8);
    out->push_back(std::move(row));
  }
  return s;
}

Status Store::CountAside(const WorkspaceId& ws, uint64_t* n) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT count(*) FROM aside WHERE ws=?"));
  q.Bind(1, ws.View());
  Status s;
  *n = q.Step(&s) ? static_cast<uint64_t>(q.Int(0)) : 0;
  return s;
}

Status Store::Canonical(const WorkspaceId& ws, std::string_view stored, std::string* scratch,
                        std::string_view* bytes) {
  if (!IsCompactCommit(stored)) {
    *bytes = stored;
    return Status::OK();
  }
  if (!expander_) return Status::Internal(Tr("the log holds a compact commit and no expander is set"));
  HAMLET_RETURN_IF_ERROR(expander_(ws, stored, scratch));
  *bytes = *scratch;
  return Status::OK();
}

Status Store::GetCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, std::string* bytes,
                        bool* found) {
  Stmt& q = st_->get_commit;
  q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(seq));
  Status s;
  *found = q.Step(&s);
  std::string stored;
  if (*found) stored.assign(q.Blob(0));
  q.Reset();
  HAMLET_RETURN_IF_ERROR(s);
  if (!*found) return Status::OK();
  std::string_view canonical;
  HAMLET_RETURN_IF_ERROR(Canonical(ws, stored, bytes, &canonical));
  if (canonical.data() == stored.data()) bytes->swap(stored);
  return Status::OK();
}

Status Store::HasCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq, bool* found) {
  if (!baselines_.empty()) {
    auto b = baselines_.find({ws, author});
    if (b != baselines_.end() && seq <= b->second.seq) {
      *found = true;
      return Status::OK();
    }
  }
  Stmt& q = st_->has_commit;
  q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(seq));
  Status s;
  *found = q.Step(&s);
  q.Reset();
  return s;
}

Status Store::InsertCommit(const WorkspaceId& ws, const SealedCommit& c, uint64_t hlc, size_t padding_zeros) {
  std::string compact;
  std::string_view stored = CompactCommit(c, padding_zeros, &compact) ? std::string_view(compact) : c.bytes;
  return st_->insert_commit.Bind(1, ws.View())
      .Bind(2, c.header.author.View())
      .Bind(3, static_cast<int64_t>(c.header.seq))
      .Bind(4, static_cast<int64_t>(hlc))
      .Bind(5, stored)
      .Run();
}

Status Store::ScanCommits(const WorkspaceId& ws, const DeviceId& author, uint64_t after,
                          const std::function<bool(uint64_t, std::string_view, size_t)>& fn) {
  // A fresh statement: callers may scan while other store calls run.
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT seq, bytes FROM commits WHERE ws=? AND author=? AND seq>? ORDER BY seq"));
  q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(after));
  Status s;
  std::string scratch;
  while (q.Step(&s)) {
    std::string_view bytes;
    std::string_view stored = q.Blob(1);
    HAMLET_RETURN_IF_ERROR(Canonical(ws, stored, &scratch, &bytes));
    if (!fn(static_cast<uint64_t>(q.Int(0)), bytes, CompactPaddingZeros(stored))) break;
  }
  return s;
}

Status Store::ScanLog(const WorkspaceId& ws,
                      const std::function<bool(const DeviceId&, uint64_t, std::string_view)>& fn) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT author, seq, bytes FROM commits WHERE ws=? ORDER BY arrival"));
  q.Bind(1, ws.View());
  Status s;
  std::string scratch;
  while (q.Step(&s)) {
    auto author = DeviceId::FromBytes(q.Blob(0));
    if (!author) return Status::DataLoss(Tr("a commit in the log names a malformed author"));
    std::string_view bytes;
    HAMLET_RETURN_IF_ERROR(Canonical(ws, q.Blob(2), &scratch, &bytes));
    if (!fn(*author, static_cast<uint64_t>(q.Int(1)), bytes)) break;
  }
  return s;
}

Status Store::DeleteCommit(const WorkspaceId& ws, const DeviceId& author, uint64_t seq) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "DELETE FROM commits WHERE ws=? AND author=? AND seq=?"));
  q.Bind(1, ws.View()).Bind(2, author.View()).Bind(3, static_cast<int64_t>(seq));
  return q.Run();
}

Status Store::DeleteRecords(const WorkspaceId& ws,
                            const std::function<Status(const RecordId&, std::string_view, std::string*)>& tags_of) {
  HAMLET_RETURN_IF_ERROR(
      RetagRecords(ws, [&](const RecordId& id, std::string_view sealed, TagChange* c) -> Status {
        HAMLET_RETURN_IF_ERROR(tags_of(id, sealed, &c->removed));
        c->before = !c->removed.empty();
        return Status::OK();
      }));
  Stmt del;
  HAMLET_RETURN_IF_ERROR(del.Prepare(db_, "DELETE FROM records WHERE ws=?"));
  del.Bind(1, ws.View());
  return del.Run();
}

Status Store::LatestStamp(const DeviceId& author, uint64_t* hlc) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_,
                                   "SELECT max((SELECT hlc FROM commits c WHERE c.ws=w.ws AND c.author=? "
                                   "ORDER BY seq DESC LIMIT 1)) FROM workspaces w"));
  q.Bind(1, author.View());
  Status s;
  *hlc = q.Step(&s) ? static_cast<uint64_t>(q.Int(0)) : 0;
  return s;
}

Status Store::CountCommits(const WorkspaceId& ws, uint64_t* n) {
  Stmt& q = st_->count_commits;
  q.Bind(1, ws.View());
  Status s;
  *n = q.Step(&s) ? static_cast<uint64_t>(q.Int(0)) : 0;
  q.Reset();
  return s;
}

Status Store::GetChains(const WorkspaceId& ws, std::map<DeviceId, ChainInfo>* out) {
  Stmt& q = st_->get_chains;
  q.Bind(1, ws.View());
  Status s;
  out->clear();
  while (q.Step(&s)) {
    auto id = DeviceId::FromBytes(q.Blob(0));
    if (id) (*out)[*id] = ChainInfo{static_cast<uint64_t>(q.Int(1)), static_cast<uint64_t>(q.Int(2))};
  }
  q.Reset();
  return s;
}

Status Store::GetChain(const WorkspaceId& ws, const DeviceId& author, ChainInfo* out) {
  Stmt& q = st_->get_chain;
  q.Bind(1, ws.View()).Bind(2, author.View());
  Status s;
  *out = ChainInfo();
  if (q.Step(&s)) *out = ChainInfo{static_cast<uint64_t>(q.Int(0)), static_cast<uint64_t>(q.Int(1))};
  q.Reset();
  return s;
}

Status Store::PutChain(const WorkspaceId& ws, const DeviceId& author, const ChainInfo& info) {
  return st_->put_chain.Bind(1, ws.View())
      .Bind(2, author.View())
      .Bind(3, static_cast<int64_t>(info.contiguous))
      .Bind(4, static_cast<int64_t>(info.head))
      .Run();
}

Status Store::LoadRecord(const RecordId& id, int64_t* rowid, WorkspaceId* ws, std::string* sealed, bool* found) {
  Stmt& q = st_->load_rec;
  q.Bind(1, id.View());
  Status s;
  *found = q.Step(&s);
  if (*found) {
    *rowid = q.Int(0);
    *ws = WorkspaceId::FromBytes(q.Blob(1)).value_or(WorkspaceId{});
    sealed->assign(q.Blob(2));
  }
  q.Reset();
  return s;
}

Status Store::LoadRecordByRowid(int64_t rowid, RecordId* id, WorkspaceId* ws, std::string* sealed, bool* found) {
  Stmt& q = st_->load_rec_rowid;
  q.Bind(1, rowid);
  Status s;
  *found = q.Step(&s);
  if (*found) {
    *id = RecordId::FromBytes(q.Blob(0)).value_or(RecordId{});
    *ws = WorkspaceId::FromBytes(q.Blob(1)).value_or(WorkspaceId{});
    sealed->assign(q.Blob(2));
  }
  q.Reset();
  return s;
}

Status Store::SaveRecord(const RecordId& id, const WorkspaceId& ws, std::string_view sealed, int64_t* rowid) {
  if (*rowid != 0) return st_->update_rec.Bind(1, sealed).Bind(2, *rowid).Run();
  HAMLET_RETURN_IF_ERROR(st_->insert_rec.Bind(1, id.View()).Bind(2, ws.View()).Bind(3, sealed).Run());
  *rowid = sqlite3_last_insert_rowid(db_);
  return Status::OK();
}

Status Store::NewestChanged(const std::vector<int64_t>& rowids, size_t n, std::vector<int64_t>* out) {
  out->clear();
  n = std::min(n, rowids.size());
  if (n == 0) return Status::OK();
  Status s;
  if (rowids.size() <= kLookupAtMost) {
    std::vector<std::pair<int64_t, int64_t>> order;  // (changed, rowid)
    for (int64_t rowid : rowids) {
      Stmt& q = st_->changed_of;
      q.Bind(1, rowid);
      if (q.Step(&s)) order.emplace_back(q.Int(0), rowid);
      q.Reset();
      HAMLET_RETURN_IF_ERROR(s);
    }
    n = std::min(n, order.size());
    std::partial_sort(order.begin(), order.begin() + n, order.end(), std::greater<>());
    for (size_t i = 0; i < n; i++) out->push_back(order[i].second);
    return Status::OK();
  }
  // Many matches: walking all records newest first meets n of them soon.
  std::unordered_set<int64_t> among(rowids.begin(), rowids.end());
  Stmt& q = st_->by_changed;
  while (out->size() < n && q.Step(&s)) {
    if (among.count(q.Int(0))) out->push_back(q.Int(0));
  }
  q.Reset();
  return s;
}

Status Store::ScanRecords(const WorkspaceId& ws, const std::function<bool(const RecordId&, std::string_view)>& fn) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT rid, state FROM records WHERE ws=? ORDER BY rid"));
  q.Bind(1, ws.View());
  Status s;
  while (q.Step(&s)) {
    auto id = RecordId::FromBytes(q.Blob(0));
    if (id && !fn(*id, q.Blob(1))) break;
  }
  return s;
}

Status Store::RetagRecords(const WorkspaceId& ws,
                           const std::function<Status(const RecordId&, std::string_view, TagChange*)>& retag) {
  std::vector<TagChange> changes;
  {
    Stmt q;
    HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT id, rid, state FROM records WHERE ws=?"));
    q.Bind(1, ws.View());
    Status s;
    while (q.Step(&s)) {
      auto id = RecordId::FromBytes(q.Blob(1));
      if (!id) return Status::DataLoss(Tr("a record row names a malformed id"));
      TagChange c;
      c.rowid = q.Int(0);
      HAMLET_RETURN_IF_ERROR(retag(*id, q.Blob(2), &c));
      if (!c.removed.empty() || !c.added.empty()) changes.push_back(std::move(c));
    }
    HAMLET_RETURN_IF_ERROR(s);
  }
  return ChangeTags(std::move(changes));
}

Status Store::ChangeTags(std::vector<TagChange> changes) {
  std::sort(changes.begin(), changes.end(), [](const TagChange& a, const TagChange& b) { return a.rowid < b.rowid; });
  auto moot = [](const TagChange& c) { return c.removed.empty() && c.added.empty() && c.before == c.after; };
  for (const TagChange& c : changes) {
    if (c.before && !moot(c)) HAMLET_RETURN_IF_ERROR(st_->remove_tags.Bind(1, c.rowid).BindText(2, c.removed).Run());
  }
  for (const TagChange& c : changes) {
    if (c.after && !moot(c)) HAMLET_RETURN_IF_ERROR(st_->add_tags.Bind(1, c.rowid).BindText(2, c.added).Run());
  }
  return Status::OK();
}

Status Store::Match(const std::string& expression, std::vector<int64_t>* rowids) {
  rowids->clear();
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "SELECT rowid FROM tags WHERE tags MATCH ? ORDER BY rowid DESC"));
  q.BindText(1, expression);
  Status s;
  while (q.Step(&s)) rowids->push_back(q.Int(0));
  return s;
}

Status Store::Checkpoint() { return Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

Status Store::IntegrityCheck(std::string* result) {
  Stmt q;
  HAMLET_RETURN_IF_ERROR(q.Prepare(db_, "PRAGMA integrity_check"));
  Status s;
  result->clear();
  while (q.Step(&s)) {
    if (!result->empty()) result->push_back('\n');
    result->append(q.Blob(0));
  }
  return s;
}

}  // namespace hamlet
