#include "bundle.h"

#include "chunk.h"
#include "coding.h"
#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "member_chunk.h"

namespace hamlet {

std::string EncodeBundle(const Bundle& b) {
  std::string out(format::kBundleMagic);
  Writer w(&out);
  w.U8(format::kBundleVersion);
  w.Raw(b.workspace.View());
  w.Raw(b.exporter.View());
  w.Bytes(b.exporter_cursor);
  w.Varint(b.notices.size());
  for (const std::string& n : b.notices) w.Bytes(n);
  w.Varint(b.chunks.size());
  for (const std::string& c : b.chunks) w.Bytes(c);
  out += Hash(out, format::kBundleChecksumBytes);
  return out;
}

Status DecodeBundle(std::string_view bytes, Bundle* out) {
  *out = Bundle();
  std::string_view chunk_magic(format::kChunkMagic);
  if (bytes.substr(0, chunk_magic.size()) == chunk_magic) {
    Chunk chunk;
    HAMLET_RETURN_IF_ERROR(DecodeChunk(bytes, &chunk));
    out->workspace = chunk.workspace;
    out->chunks.emplace_back(bytes);
    return Status::OK();
  }
  if (IsMemberChunk(bytes)) {
    uint32_t epoch = 0;
    HAMLET_RETURN_IF_ERROR(MemberChunkHeader(bytes, &out->workspace, &epoch));
    out->chunks.emplace_back(bytes);
    return Status::OK();
  }
  std::string_view magic(format::kBundleMagic);
  if (bytes.substr(0, magic.size()) != magic) return Status::DataLoss(Tr("not a Hamlet bundle"));
  if (bytes.size() > format::kMaxBundleBytes) return Status::DataLoss(Tr("bundle is larger than any Hamlet makes"));
  if (bytes.size() < magic.size() + 1 + 32 + format::kBundleChecksumBytes)
    return Status::DataLoss(Tr("bundle is truncated"));
  std::string_view body = bytes.substr(0, bytes.size() - format::kBundleChecksumBytes);
  if (!SecureEqual(Hash(body, format::kBundleChecksumBytes), bytes.substr(body.size()))) {
    return Status::DataLoss(Tr("bundle is damaged or truncated (checksum mismatch)"));
  }
  Reader r(body.substr(magic.size()));
  uint8_t version = r.U8();
  if (r.ok() && version > format::kBundleVersion) {
    return Status::Unimplemented(
        Format(Tr("bundle version %s is newer than this build reads"), std::to_string(version).c_str()));
  }
  if (r.ok() && version != format::kBundleVersion) {
    return Status::DataLoss(
        Format(Tr("bundle version %s is older than any this build reads; export it again with a current build"),
               std::to_string(version).c_str()));
  }
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  auto exporter = DeviceId::FromBytes(r.Raw(16));
  std::string_view cursor = r.Bytes(body.size());
  uint64_t notices = r.Varint();
  if (!r.ok() || notices > body.size()) return Status::DataLoss(Tr("bundle header is malformed"));
  for (uint64_t i = 0; i < notices && r.ok(); i++) out->notices.emplace_back(r.Bytes(format::kMaxNoticeBytes));
  uint64_t n = r.Varint();
  if (!r.ok() || n > body.size()) return Status::DataLoss(Tr("bundle header is malformed"));
  out->workspace = *ws;
  out->exporter = *exporter;
  out->exporter_cursor = std::string(cursor);
  for (uint64_t i = 0; i < n; i++) {
    std::string_view chunk = r.Bytes(format::kMaxChunkBytes);
    if (!r.ok()) return Status::DataLoss(Format(Tr("bundle chunk %s is malformed"), std::to_string(i).c_str()));
    out->chunks.emplace_back(chunk);
  }
  if (!r.done()) return Status::DataLoss(Tr("bundle has bytes after its last chunk"));
  return Status::OK();
}

}  // namespace hamlet
