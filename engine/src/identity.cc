#include "identity.h"

#include <algorithm>
#include <cassert>

#include "coding.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"

namespace hamlet {

std::string DeviceSetDigest(std::vector<DeviceId> devices) {
  std::sort(devices.begin(), devices.end());
  std::string all;
  for (const DeviceId& d : devices) all += d.View();
  return HexEncode(Hash(all, 16)).substr(0, 16);
}

DeviceId DeviceIdFor(std::string_view sign_public_key) {
  return *DeviceId::FromBytes(Hash(sign_public_key).substr(0, format::kIdBytes));
}

namespace {
std::string CertBody(const WorkspaceId& ws, std::string_view sign_pk, std::string_view kx_pk, uint8_t role,
                     int64_t issued_at) {
  std::string b;
  Writer w(&b);
  w.U8(format::kCertVersion);
  w.Raw(ws.View());
  w.Raw(sign_pk);
  w.Raw(kx_pk);
  w.U8(role);
  w.Fixed64(static_cast<uint64_t>(issued_at));
  return b;
}
constexpr size_t kCertBodyBytes = 1 + 16 + 32 + 32 + 1 + 8;
}  // namespace

Certificate IssueCertificate(const WorkspaceId& ws, std::string_view sign_pk, std::string_view kx_pk, uint8_t role,
                             int64_t issued_at, std::string_view admin_secret_key) {
  Certificate c;
  c.workspace = ws;
  c.sign_public_key = sign_pk;
  c.kx_public_key = kx_pk;
  c.role = role;
  c.issued_at = issued_at;
  c.bytes = CertBody(ws, sign_pk, kx_pk, role, issued_at);
  c.bytes += SignDetached(admin_secret_key, format::kCertSigPrefix + c.bytes);
  return c;
}

Status ParseCertificate(std::string_view bytes, Certificate* out) {
  Reader r(bytes);
  uint8_t version = r.U8();
  if (r.ok() && version != format::kCertVersion) return Status::Unimplemented(Tr("unknown certificate version"));
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  out->sign_public_key = r.Raw(kSignPublicBytes);
  out->kx_public_key = r.Raw(kKxPublicBytes);
  out->role = r.U8();
  out->issued_at = static_cast<int64_t>(r.Fixed64());
  r.Raw(kSignatureBytes);
  if (!r.done() || !ws || out->role > format::kRoleRelay)
    return Status::DataLoss(Tr("device certificate is malformed"));
  out->workspace = *ws;
  out->bytes.assign(bytes);
  return Status::OK();
}

Status VerifyCertificate(const Certificate& cert, std::string_view admin_public_key) {
  std::string_view body = std::string_view(cert.bytes).substr(0, kCertBodyBytes);
  std::string_view sig = std::string_view(cert.bytes).substr(kCertBodyBytes);
  if (!VerifyDetached(admin_public_key, format::kCertSigPrefix + std::string(body), sig)) {
    return Status::DataLoss(
        Format(Tr("certificate of device %s is not signed by the workspace admin"), cert.device().Hex().c_str()));
  }
  return Status::OK();
}

std::string EncodeJoinRequest(std::string_view sign_pk, std::string_view kx_pk, std::string_view sign_sk) {
  std::string b(format::kJoinMagic);
  b += sign_pk;
  b += kx_pk;
  b += SignDetached(sign_sk, format::kJoinSigPrefix + b);
  return b;
}

Status ParseJoinRequest(std::string_view bytes, JoinRequest* out) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  out->sign_public_key = r.Raw(kSignPublicBytes);
  out->kx_public_key = r.Raw(kKxPublicBytes);
  std::string_view sig = r.Raw(kSignatureBytes);
  if (!r.done() || magic != format::kJoinMagic) return Status::InvalidArgument(Tr("not a join request"));
  std::string signed_part = format::kJoinSigPrefix + std::string(bytes.substr(0, bytes.size() - kSignatureBytes));
  if (!VerifyDetached(out->sign_public_key, signed_part, sig)) {
    return Status::DataLoss(Tr("join request signature does not check out"));
  }
  return Status::OK();
}

std::string EncodeEnvelope(const Envelope& e, std::string_view admin_secret_key) {
  std::string b(format::kEnvelopeMagic);
  Writer w(&b);
  w.U8(format::kEnvelopeVersion);
  w.Raw(e.workspace.View());
  w.Raw(e.admin_public_key);
  w.Bytes(e.certificate);
  w.Bytes(e.admin_certificate);
  w.Varint(e.keys.size());
  for (const WrappedKey& k : e.keys) {
    w.Varint(k.epoch);
    w.Bytes(k.sealed);
  }
  b += SignDetached(admin_secret_key, format::kEnvelopeSigPrefix + b);
  return b;
}

Status ParseEnvelope(std::string_view bytes, Envelope* out) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  uint8_t version = r.U8();
  if (r.ok() && magic != format::kEnvelopeMagic) return Status::InvalidArgument(Tr("not an admission envelope"));
  if (r.ok() && version != format::kEnvelopeVersion) return Status::Unimplemented(Tr("unknown envelope version"));
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  out->admin_public_key = r.Raw(kSignPublicBytes);
  out->certificate = r.Bytes(4096);
  out->admin_certificate = r.Bytes(4096);
  uint64_t n = r.Varint();
  if (n > r.remaining()) r.Fail();
  out->keys.clear();
  for (uint64_t i = 0; i < n && r.ok(); i++) {
    WrappedKey k;
    uint64_t epoch = r.Varint();
    if (epoch > UINT32_MAX) r.Fail();
    k.epoch = static_cast<uint32_t>(epoch);
    k.sealed = r.Bytes(256);
    out->keys.push_back(std::move(k));
  }
  size_t signed_len = r.pos();
  std::string_view sig = r.Raw(kSignatureBytes);
  if (!r.done() || !ws) return Status::DataLoss(Tr("admission envelope is malformed or truncated"));
  out->workspace = *ws;
  if (!VerifyDetached(out->admin_public_key, format::kEnvelopeSigPrefix + std::string(bytes.substr(0, signed_len)),
                      sig)) {
    return Status::DataLoss(Tr("admission envelope signature does not check out"));
  }
  return Status::OK();
}

Revocation IssueRevocation(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq,
                           std::string_view last_hash, uint32_t epoch, std::string_view admin_secret_key) {
  assert(last_hash.size() == kHashBytes);
  Revocation r{ws, device, last_seq, std::string(last_hash), epoch, format::kRevocationMagic};
  Writer w(&r.bytes);
  w.U8(format::kRevocationVersion);
  w.Raw(ws.View());
  w.Raw(device.View());
  w.Varint(last_seq);
  w.Raw(last_hash);
  w.Varint(epoch);
  r.bytes += SignDetached(admin_secret_key, format::kRevocationSigPrefix + r.bytes);
  return r;
}

Status RevocationWorkspace(std::string_view bytes, WorkspaceId* ws) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  r.U8();
  auto id = WorkspaceId::FromBytes(r.Raw(16));
  if (!r.ok() || magic != format::kRevocationMagic || !id) return Status::InvalidArgument("not a revocation");
  *ws = *id;
  return Status::OK();
}

Status ParseRevocation(std::string_view bytes, std::string_view admin_public_key, Revocation* out) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  uint8_t version = r.U8();
  if (r.ok() && magic == format::kRevocationMagic && version != format::kRevocationVersion) {
    return Status::Unimplemented(Format(Tr("unknown revocation version %s"), std::to_string(version).c_str()));
  }
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  auto device = DeviceId::FromBytes(r.Raw(16));
  out->last_seq = r.Varint();
  out->last_hash = r.Raw(kHashBytes);
  uint64_t epoch = r.Varint();
  size_t signed_len = r.pos();
  std::string_view sig = r.Raw(kSignatureBytes);
  if (!r.done() || magic != format::kRevocationMagic || !ws || !device || epoch > UINT32_MAX ||
      (out->last_seq == 0 && out->last_hash != std::string(kHashBytes, '\0'))) {
    return Status::DataLoss(Tr("revocation is malformed"));
  }
  if (!VerifyDetached(admin_public_key, format::kRevocationSigPrefix + std::string(bytes.substr(0, signed_len)), sig)) {
    return Status::DataLoss(Tr("revocation is not signed by the workspace admin"));
  }
  out->workspace = *ws;
  out->device = *device;
  out->epoch = static_cast<uint32_t>(epoch);
  out->bytes.assign(bytes);
  return Status::OK();
}

KeyGrant IssueKeyGrant(const WorkspaceId& ws, uint32_t epoch, const DeviceId& device, std::string_view kx_public_key,
                       const Key32& key, std::string_view admin_secret_key) {
  KeyGrant g{ws, epoch, device, SealTo(kx_public_key, key.View()), format::kGrantMagic};
  Writer w(&g.bytes);
  w.Raw(ws.View());
  w.Varint(epoch);
  w.Raw(device.View());
  w.Bytes(g.sealed);
  g.bytes += SignDetached(admin_secret_key, format::kGrantSigPrefix + g.bytes);
  return g;
}

Status ParseKeyGrant(std::string_view bytes, std::string_view admin_public_key, KeyGrant* out) {
  Reader r(bytes);
  std::string_view magic = r.Raw(4);
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  uint64_t epoch = r.Varint();
  auto device = DeviceId::FromBytes(r.Raw(16));
  out->sealed = r.Bytes(256);
  size_t signed_len = r.pos();
  std::string_view sig = r.Raw(kSignatureBytes);
  if (!r.done() || magic != format::kGrantMagic || !ws || !device || epoch > UINT32_MAX) {
    return Status::DataLoss(Tr("key grant is malformed"));
  }
  if (!VerifyDetached(admin_public_key, format::kGrantSigPrefix + std::string(bytes.substr(0, signed_len)), sig)) {
    return Status::DataLoss(Tr("key grant is not signed by the workspace admin"));
  }
  out->workspace = *ws;
  out->epoch = static_cast<uint32_t>(epoch);
  out->device = *device;
  out->bytes.assign(bytes);
  return Status::OK();
}

namespace {
constexpr char kRelayFileFirstLine[] = "hamlet relay 1";
}  // namespace

std::string EncodeRelayFile(std::string_view admin_certificate, std::string_view relay_certificate) {
  return std::string(kRelayFileFirstLine) + "\n" + HexEncode(admin_certificate) + "\n" + HexEncode(relay_certificate) +
         "\n";
}

Status ParseRelayFile(std::string_view text, Certificate* admin, Certificate* relay) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size() && lines.size() < 4) {
    size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(at, nl - at));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    at = nl + 1;
  }
  if (lines.empty() || lines[0].rfind("hamlet relay ", 0) != 0) {
    return Status::InvalidArgument(Tr("not a relay file (hamlet relay certify makes one)"));
  }
  if (lines[0] != kRelayFileFirstLine)
    return Status::Unimplemented(Format(Tr("a relay file of another version: %s"), (lines[0]).c_str()));
  std::string admin_raw, relay_raw;
  if (lines.size() != 3 || !HexDecode(lines[1], &admin_raw) || !HexDecode(lines[2], &relay_raw)) {
    return Status::InvalidArgument(Tr("a relay file holds two certificates in hex after its first line"));
  }
  HAMLET_RETURN_IF_ERROR(ParseCertificate(admin_raw, admin).WithContext("the admin's certificate: "));
  HAMLET_RETURN_IF_ERROR(ParseCertificate(relay_raw, relay).WithContext("the relay certificate: "));
  if (admin->role != format::kRoleAdmin) return Status::InvalidArgument(Tr("the first certificate is not an admin's"));
  HAMLET_RETURN_IF_ERROR(VerifyCertificate(*admin, admin->sign_public_key).WithContext("the admin's certificate: "));
  if (relay->workspace != admin->workspace)
    return Status::InvalidArgument(Tr("the certificates are for two workspaces"));
  HAMLET_RETURN_IF_ERROR(VerifyCertificate(*relay, admin->sign_public_key).WithContext("the relay certificate: "));
  if (relay->role != format::kRoleRelay) return Status::InvalidArgument(Tr("the second certificate is not a relay's"));
  return Status::OK();
}

}  // namespace hamlet
