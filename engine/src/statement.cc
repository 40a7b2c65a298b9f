#include "statement.h"

#include <algorithm>

#include "coding.h"
#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"

namespace hamlet {

EpochStatement IssueEpochStatement(const WorkspaceId& ws, uint32_t epoch, int64_t issued_ms,
                                   std::vector<DeviceId> revoked, std::string_view admin_secret_key) {
  std::sort(revoked.begin(), revoked.end());
  revoked.erase(std::unique(revoked.begin(), revoked.end()), revoked.end());
  EpochStatement s{ws, epoch, issued_ms, std::move(revoked), format::kStatementMagic};
  Writer w(&s.bytes);
  w.U8(format::kStatementVersion);
  w.Raw(ws.View());
  w.Varint(epoch);
  w.Fixed64(static_cast<uint64_t>(issued_ms));
  w.Varint(s.revoked.size());
  for (const DeviceId& d : s.revoked) w.Raw(d.View());
  s.bytes += SignDetached(admin_secret_key, format::kStatementSigPrefix + s.bytes);
  return s;
}

Status StatementWorkspace(std::string_view bytes, WorkspaceId* ws) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  r.U8();
  auto id = WorkspaceId::FromBytes(r.Raw(16));
  if (!r.ok() || magic != format::kStatementMagic || !id) return Status::InvalidArgument(Tr("not an epoch statement"));
  *ws = *id;
  return Status::OK();
}

Status ParseEpochStatement(std::string_view bytes, std::string_view admin_public_key, EpochStatement* out) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  uint8_t version = r.U8();
  if (r.ok() && magic == format::kStatementMagic && version != format::kStatementVersion) {
    return Status::Unimplemented(Format(Tr("unknown epoch statement version %s"), std::to_string(version).c_str()));
  }
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  uint64_t epoch = r.Varint();
  int64_t issued = static_cast<int64_t>(r.Fixed64());
  uint64_t n = r.Varint();
  if (n > r.remaining() / format::kIdBytes) r.Fail();
  std::vector<DeviceId> revoked;
  for (uint64_t i = 0; i < n && r.ok(); i++) {
    auto d = DeviceId::FromBytes(r.Raw(format::kIdBytes));
    if (!d || (!revoked.empty() && !(revoked.back() < *d))) {
      r.Fail();
      break;
    }
    revoked.push_back(*d);
  }
  size_t signed_len = r.pos();
  std::string_view sig = r.Raw(kSignatureBytes);
  if (!r.done() || magic != format::kStatementMagic || !ws || epoch > UINT32_MAX) {
    return Status::DataLoss(Tr("epoch statement is malformed"));
  }
  if (!VerifyDetached(admin_public_key, format::kStatementSigPrefix + std::string(bytes.substr(0, signed_len)), sig)) {
    return Status::DataLoss(Tr("epoch statement is not signed by the workspace admin"));
  }
  out->workspace = *ws;
  out->epoch = static_cast<uint32_t>(epoch);
  out->issued_ms = issued;
  out->revoked = std::move(revoked);
  out->bytes.assign(bytes);
  return Status::OK();
}

}  // namespace hamlet
