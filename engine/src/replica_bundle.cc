// Replica's bundle files: exported and imported as a sequence of chunks
// through Export and Import (bundle.h).
#include "bundle.h"
#include "format.h"
#include "replica_impl.h"

namespace hamlet {

Status Replica::ExportBundle(const WorkspaceId& ws, std::string_view peer_cursor, std::string* bytes, size_t* commits) {
  Bundle b;
  b.workspace = ws;
  b.exporter = device_id();
  HAMLET_RETURN_IF_ERROR(Cursor(ws, &b.exporter_cursor));
  *commits = 0;
  std::string cursor(peer_cursor);
  size_t total = 0;
  for (;;) {
    ExportResult ex;
    HAMLET_RETURN_IF_ERROR(Export(ws, cursor, format::kBundleChunkBytes, &ex));
    if (ex.chunk.empty()) break;
    total += ex.chunk.size();
    if (total > format::kMaxBundleBytes - (1 << 20)) {
      return Status::OutOfRange("the bundle would exceed 1 GiB; export what a peer lacks, from its cursor");
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
  for (size_t i = 0; i < b.chunks.size(); i++) {
    ImportResult r;
    Status s = Import(b.chunks[i], &r);
    if (!s.ok()) return s.WithContext("bundle chunk " + std::to_string(i + 1) + " of " + std::to_string(b.chunks.size()) + ": ");
    if (r.workspace != b.workspace) return Status::DataLoss("a chunk of the bundle belongs to another workspace");
    out->chunks++;
    out->commits += r.commits;
    out->applied += r.applied;
    out->duplicates += r.duplicates;
    out->set_aside += r.set_aside;
  }
  return Status::OK();
}

}  // namespace hamlet
