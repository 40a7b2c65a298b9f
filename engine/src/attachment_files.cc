#include "attachment_files.h"

#include "hamlet/language.h"

namespace hamlet {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS attachment_files(id BLOB PRIMARY KEY, ws BLOB NOT NULL, manifest BLOB NOT NULL,
  chunks INTEGER NOT NULL, held INTEGER NOT NULL, sent INTEGER NOT NULL, wanted INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachment_chunks(id BLOB NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(id, idx)) WITHOUT ROWID;
)sql";

constexpr char kColumns[] = "id, ws, manifest, chunks, held, sent, wanted";

void Read(const Stmt& q, AttachmentFile* f) {
  f->id.assign(q.Blob(0));
  f->workspace = WorkspaceId::FromBytes(q.Blob(1)).value_or(WorkspaceId{});
  f->manifest.assign(q.Blob(2));
  f->chunks = static_cast<size_t>(q.Int(3));
  f->held = static_cast<size_t>(q.Int(4));
  f->sent = q.Int(5) != 0;
  f->wanted = q.Int(6) != 0;
}

}  // namespace

Status AttachmentFiles::Open(sqlite3* db, std::unique_ptr<AttachmentFiles>* out) {
  HAMLET_RETURN_IF_ERROR(SqliteExec(db, kSchema));
  std::unique_ptr<AttachmentFiles> f(new AttachmentFiles());
  std::string select = std::string("SELECT ") + kColumns + " FROM attachment_files ";
  HAMLET_RETURN_IF_ERROR(
      f->add_.Prepare(db,
                      "INSERT OR IGNORE INTO attachment_files(id, ws, manifest, chunks, held, sent, wanted) "
                      "VALUES(?, ?, ?, ?, 0, ?, 0)"));
  HAMLET_RETURN_IF_ERROR(
      f->put_.Prepare(db,
                      "INSERT OR REPLACE INTO attachment_files(id, ws, manifest, chunks, held, sent, wanted) "
                      "VALUES(?, ?, ?, ?, ?, ?, ?)"));
  HAMLET_RETURN_IF_ERROR(f->get_.Prepare(db, (select + "WHERE id=?").c_str()));
  HAMLET_RETURN_IF_ERROR(
      f->put_chunk_.Prepare(db, "INSERT OR REPLACE INTO attachment_chunks(id, idx, data) VALUES(?, ?, ?)"));
  HAMLET_RETURN_IF_ERROR(f->count_chunk_.Prepare(db, "UPDATE attachment_files SET held=held+1 WHERE id=? AND held=?"));
  HAMLET_RETURN_IF_ERROR(f->get_chunk_.Prepare(db, "SELECT data FROM attachment_chunks WHERE id=? AND idx=?"));
  HAMLET_RETURN_IF_ERROR(f->set_sent_.Prepare(db, "UPDATE attachment_files SET sent=1 WHERE id=?"));
  HAMLET_RETURN_IF_ERROR(f->set_wanted_.Prepare(db, "UPDATE attachment_files SET wanted=? WHERE id=?"));
  HAMLET_RETURN_IF_ERROR(f->drop_chunks_.Prepare(db, "DELETE FROM attachment_chunks WHERE id=?"));
  HAMLET_RETURN_IF_ERROR(f->reset_held_.Prepare(db, "UPDATE attachment_files SET held=0, wanted=0 WHERE id=?"));
  HAMLET_RETURN_IF_ERROR(f->unsent_.Prepare(
      db, (select + "WHERE ws=? AND sent=0 AND held=chunks AND length(manifest)>0 ORDER BY id").c_str()));
  HAMLET_RETURN_IF_ERROR(f->wanted_.Prepare(
      db, (select + "WHERE ws=? AND wanted=1 AND (held<chunks OR length(manifest)=0) ORDER BY id").c_str()));
  HAMLET_RETURN_IF_ERROR(f->holding_.Prepare(db, (select + "WHERE ws=? AND held>0 ORDER BY id").c_str()));
  HAMLET_RETURN_IF_ERROR(f->held_bytes_.Prepare(
      db,
      "SELECT coalesce(sum(length(c.data)), 0) FROM attachment_chunks c JOIN attachment_files f ON f.id=c.id "
      "WHERE f.ws=?"));
  *out = std::move(f);
  return Status::OK();
}

Status AttachmentFiles::Add(const AttachmentFile& file) {
  return add_.Bind(1, file.id)
      .Bind(2, file.workspace.View())
      .Bind(3, file.manifest)
      .Bind(4, static_cast<int64_t>(file.chunks))
      .Bind(5, int64_t{file.sent ? 1 : 0})
      .Run();
}

Status AttachmentFiles::Put(const AttachmentFile& file) {
  return put_.Bind(1, file.id)
      .Bind(2, file.workspace.View())
      .Bind(3, file.manifest)
      .Bind(4, static_cast<int64_t>(file.chunks))
      .Bind(5, static_cast<int64_t>(file.held))
      .Bind(6, int64_t{file.sent ? 1 : 0})
      .Bind(7, int64_t{file.wanted ? 1 : 0})
      .Run();
}

Status AttachmentFiles::Get(std::string_view id, AttachmentFile* out, bool* found) {
  get_.Bind(1, id);
  Status s;
  *found = get_.Step(&s);
  if (*found) Read(get_, out);
  get_.Reset();
  return s;
}

Status AttachmentFiles::PutChunk(std::string_view id, size_t index, std::string_view sealed) {
  HAMLET_RETURN_IF_ERROR(put_chunk_.Bind(1, id).Bind(2, static_cast<int64_t>(index)).Bind(3, sealed).Run());
  HAMLET_RETURN_IF_ERROR(count_chunk_.Bind(1, id).Bind(2, static_cast<int64_t>(index)).Run());
  return Status::OK();
}

Status AttachmentFiles::GetChunk(std::string_view id, size_t index, std::string* sealed) {
  get_chunk_.Bind(1, id).Bind(2, static_cast<int64_t>(index));
  Status s;
  bool found = get_chunk_.Step(&s);
  if (found) sealed->assign(get_chunk_.Blob(0));
  get_chunk_.Reset();
  if (s.ok() && !found) return Status::NotFound(Format(Tr("chunk %zu of the attachment is not on this device"), index));
  return s;
}

Status AttachmentFiles::SetSent(std::string_view id) { return set_sent_.Bind(1, id).Run(); }

Status AttachmentFiles::SetWanted(std::string_view id, bool wanted) {
  return set_wanted_.Bind(1, int64_t{wanted ? 1 : 0}).Bind(2, id).Run();
}

Status AttachmentFiles::DropChunks(std::string_view id) {
  HAMLET_RETURN_IF_ERROR(drop_chunks_.Bind(1, id).Run());
  return reset_held_.Bind(1, id).Run();
}

Status AttachmentFiles::List(Stmt& q, const WorkspaceId& ws, std::vector<AttachmentFile>* out) {
  out->clear();
  q.Bind(1, ws.View());
  Status s;
  while (q.Step(&s)) {
    out->emplace_back();
    Read(q, &out->back());
  }
  q.Reset();
  return s;
}

Status AttachmentFiles::Unsent(const WorkspaceId& ws, std::vector<AttachmentFile>* out) {
  return List(unsent_, ws, out);
}

Status AttachmentFiles::Wanted(const WorkspaceId& ws, std::vector<AttachmentFile>* out) {
  return List(wanted_, ws, out);
}

Status AttachmentFiles::Holding(const WorkspaceId& ws, std::vector<AttachmentFile>* out) {
  return List(holding_, ws, out);
}

Status AttachmentFiles::HeldBytes(const WorkspaceId& ws, uint64_t* bytes) {
  held_bytes_.Bind(1, ws.View());
  Status s;
  *bytes = held_bytes_.Step(&s) ? static_cast<uint64_t>(held_bytes_.Int(0)) : 0;
  held_bytes_.Reset();
  return s;
}

}  // namespace hamlet
