// Replica's bundle files: exported and imported as a sequence of chunks
// through Export and Import (bundle.h).
#include "bundle.h"
#include "format.h"
#include "hamlet/language.h"
#include "replica_impl.h"
#include "statement.h"

namespace hamlet {

Status Replica::ExportBundle(const WorkspaceId& ws, std::string_view peer_cursor, std::string* bytes, size_t* commits) {
  Bundle b;
  b.workspace = ws;
  b.exporter = device_id();
  HAMLET_RETURN_IF_ERROR(Cursor(ws, &b.exporter_cursor));
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    std::vector<std::pair<DeviceId, std::string>> revocations;
    HAMLET_RETURN_IF_ERROR(impl_->store->ListRevocations(ws, &revocations));
    for (auto& [device, bytes] : revocations) b.notices.push_back(std::move(bytes));
  }
  // The admin's bundle carries a statement as fresh as a sync would post.
  std::string statement;
  HAMLET_RETURN_IF_ERROR(RenewEpochStatement(ws, &statement));
  HAMLET_RETURN_IF_ERROR(EpochStatementOf(ws, &statement));
  if (!statement.empty()) b.notices.push_back(std::move(statement));
  *commits = 0;
  std::string cursor(peer_cursor);
  size_t total = 0;
  for (;;) {
    ExportResult ex;
    HAMLET_RETURN_IF_ERROR(Export(ws, cursor, format::kBundleChunkBytes, &ex, ChunkForm::kBlind));
    if (ex.chunk.empty()) break;
    total += ex.chunk.size();
    if (total > format::kMaxBundleBytes - (1 << 20)) {
      return Status::OutOfRange(Tr("the bundle would exceed 1 GiB; export what a peer lacks, from its cursor"));
    }
    *commits += ex.commits;
    b.chunks.push_back(std::move(ex.chunk));
    cursor = ex.next_cursor;
    if (!ex.more) break;
  }
  *bytes = EncodeBundle(b);
  return Status::OK();
}

Status Replica::ImportBundle(std::string_view bytes, BundleImportResult* out) {
  *out = BundleImportResult();
  Bundle b;
  HAMLET_RETURN_IF_ERROR(DecodeBundle(bytes, &b));
  out->workspace = b.workspace;
  out->exporter = b.exporter;
  out->exporter_cursor = b.exporter_cursor;
  // The admin's word first: a revocation decides what of the chunks counts.
  for (size_t i = 0; i < b.notices.size(); i++) {
    std::string_view n = b.notices[i];
    std::string_view magic = n.substr(0, 4);
    WorkspaceId of = b.workspace;
    if (magic == format::kRevocationMagic) HAMLET_RETURN_IF_ERROR(RevocationWorkspace(n, &of));
    if (magic == format::kStatementMagic) HAMLET_RETURN_IF_ERROR(StatementWorkspace(n, &of));
    if (of != b.workspace)
      return Status::DataLoss(Format(Tr("bundle notice %s is for another workspace"), std::to_string(i + 1).c_str()));
    Status s = magic == format::kRevocationMagic  ? AcceptRevocation(n)
               : magic == format::kStatementMagic ? AcceptEpochStatement(n)
                                                  : Status::OK();  // A kind of a later version.
    if (!s.ok()) return s.WithContext("bundle notice " + std::to_string(i + 1) + ": ");
  }
  for (size_t i = 0; i < b.chunks.size(); i++) {
    ImportResult r;
    Status s = Import(b.chunks[i], &r);
    if (!s.ok()) return s.WithContext("bundle chunk " + std::to_string(i + 1) + " of " + std::to_string(b.chunks.size()) + ": ");
    if (r.workspace != b.workspace) return Status::DataLoss(Tr("a chunk of the bundle belongs to another workspace"));
    out->chunks++;
    out->commits += r.commits;
    out->applied += r.applied;
    out->duplicates += r.duplicates;
    out->set_aside += r.set_aside;
  }
  return Status::OK();
}

}  // namespace hamlet
