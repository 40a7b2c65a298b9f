#include "snapshot.h"

#include "coding.h"
#include "compress.h"
#include "format.h"
#include "hamlet/language.h"

namespace hamlet {

namespace {

constexpr size_t kMaxCertificateBytes = 4096;
constexpr size_t kMaxNoticeBytes = format::kMaxNoticeBytes;
constexpr size_t kMaxCommitBytes = format::kMaxChunkBytes;

// The parts of a sealed snapshot: header, nonce, ciphertext and signature.
struct Parts {
  std::string_view header;  // From the magic to the end of the maker's certificate.
  std::string_view nonce;
  std::string_view ciphertext;
  std::string_view signed_part;  // Everything before the signature.
  std::string_view signature;
};

std::string AssociatedData(std::string_view header) {
  std::string ad(format::kSnapshotAdPrefix);
  ad.append(header);
  return ad;
}

std::string SignedMessage(std::string_view signed_part) {
  std::string m(format::kSnapshotSignPrefix);
  m.append(signed_part);
  return m;
}

Status Split(std::string_view bytes, SnapshotHeader* h, Parts* p) {
  if (bytes.substr(0, 4) != format::kSnapshotMagic) return Status::InvalidArgument(Tr("not a Hamlet snapshot"));
  if (bytes.size() > format::kMaxSnapshotBytes) return Status::OutOfRange(Tr("snapshot exceeds its size limit"));
  Reader r(bytes.substr(4));
  uint8_t version = r.U8();
  if (r.ok() && version > format::kSnapshotVersion) {
    return Status::Unimplemented(
        Format(Tr("snapshot version %s is newer than this build"), std::to_string(version).c_str()));
  }
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  uint64_t epoch = r.Varint();
  std::string_view instance = r.Bytes(256);
  uint64_t position = r.Varint();
  std::string_view cert = r.Bytes(kMaxCertificateBytes);
  size_t header_end = 4 + r.pos();
  p->nonce = r.Raw(kAeadNonceBytes);
  p->ciphertext = r.Bytes(format::kMaxSnapshotBytes);
  size_t signed_end = 4 + r.pos();
  p->signature = r.Raw(kSignatureBytes);
  if (!r.done() || version != format::kSnapshotVersion || !ws || epoch > UINT32_MAX ||
      p->ciphertext.size() < kAeadTagBytes) {
    return Status::DataLoss(Tr("snapshot is truncated or malformed"));
  }
  p->header = bytes.substr(0, header_end);
  p->signed_part = bytes.substr(0, signed_end);
  h->workspace = *ws;
  h->epoch = static_cast<uint32_t>(epoch);
  h->hub_instance.assign(instance);
  h->position = position;
  h->maker_certificate.assign(cert);
  return Status::OK();
}

}  // namespace

bool MayMakeSnapshots(uint8_t role) { return role == format::kRoleAdmin || role == format::kRoleOfficer; }

void EncodeSnapshotBody(const SnapshotBody& b, std::string* out) {
  out->clear();
  Writer w(out);
  w.Varint(b.clock);
  w.Varint(b.certificates.size());
  for (const std::string& c : b.certificates) w.Bytes(c);
  w.Varint(b.revocations.size());
  for (const std::string& r : b.revocations) w.Bytes(r);
  w.Varint(b.chains.size());
  for (const SnapshotBody::Chain& c : b.chains) {
    w.Raw(c.author.View());
    w.Varint(c.seq);
    w.Raw(c.hash);
  }
  w.Varint(b.beyond_gaps.size());
  for (const SnapshotBody::LogCommit& c : b.beyond_gaps) {
    w.Bytes(c.bytes);
    w.Fixed64(c.hlc);
  }
  w.Varint(b.waiting.size());
  for (const std::string& c : b.waiting) w.Bytes(c);
  w.Varint(b.records.size());
  for (const auto& [id, state] : b.records) {
    w.Raw(id.View());
    w.Bytes(state);
  }
}

Status DecodeSnapshotBody(std::string_view bytes, SnapshotBody* b) {
  *b = SnapshotBody();
  Reader r(bytes);
  // Each count is checked against what is left before anything is sized by it.
  auto count = [&](size_t least_bytes_each) {
    uint64_t n = r.Varint();
    if (n > r.remaining() / least_bytes_each) r.Fail();
    return r.ok() ? n : 0;
  };
  b->clock = r.Varint();
  for (uint64_t i = 0, n = count(1); i < n && r.ok(); i++) b->certificates.emplace_back(r.Bytes(kMaxCertificateBytes));
  for (uint64_t i = 0, n = count(1); i < n && r.ok(); i++) b->revocations.emplace_back(r.Bytes(kMaxNoticeBytes));
  for (uint64_t i = 0, n = count(16 + 1 + kHashBytes); i < n && r.ok(); i++) {
    SnapshotBody::Chain c;
    auto author = DeviceId::FromBytes(r.Raw(16));
    c.seq = r.Varint();
    c.hash.assign(r.Raw(kHashBytes));
    if (!author || c.seq == 0) r.Fail();
    if (author) c.author = *author;
    b->chains.push_back(std::move(c));
  }
  for (uint64_t i = 0, n = count(9); i < n && r.ok(); i++) {
    SnapshotBody::LogCommit c;
    c.bytes.assign(r.Bytes(kMaxCommitBytes));
    c.hlc = r.Fixed64();
    b->beyond_gaps.push_back(std::move(c));
  }
  for (uint64_t i = 0, n = count(1); i < n && r.ok(); i++) b->waiting.emplace_back(r.Bytes(kMaxCommitBytes));
  for (uint64_t i = 0, n = count(17); i < n && r.ok(); i++) {
    auto id = RecordId::FromBytes(r.Raw(16));
    std::string_view state = r.Bytes();
    if (!id) r.Fail();
    if (r.ok()) b->records.emplace_back(*id, std::string(state));
  }
  if (!r.done()) return Status::DataLoss(Tr("snapshot body is malformed"));
  return Status::OK();
}

std::string SealSnapshot(const SnapshotHeader& h, const Key32& key, std::string_view sign_secret_key,
                         std::string_view body) {
  std::string out(format::kSnapshotMagic);
  Writer w(&out);
  w.U8(format::kSnapshotVersion);
  w.Raw(h.workspace.View());
  w.Varint(h.epoch);
  w.Bytes(h.hub_instance);
  w.Varint(h.position);
  w.Bytes(h.maker_certificate);
  std::string ad = AssociatedData(out);
  std::string plain(1, static_cast<char>(format::kSnapshotBodyZstd));
  if (!Compress(body, format::kSnapshotZstdLevel, 0, &plain)) {
    plain.assign(1, static_cast<char>(format::kSnapshotBodyRaw));
    plain.append(body);
  }
  std::string nonce = RandomBytes(kAeadNonceBytes);
  std::string ciphertext;
  AeadSeal(key, nonce, ad, plain, &ciphertext);
  Wipe(&plain);
  w.Raw(nonce);
  w.Bytes(ciphertext);
  std::string signature = SignDetached(sign_secret_key, SignedMessage(out));
  out.append(signature);
  return out;
}

Status ReadSnapshotHeader(std::string_view bytes, SnapshotHeader* header) {
  Parts parts;
  return Split(bytes, header, &parts);
}

Status VerifySnapshotSignature(std::string_view bytes, std::string_view sign_public_key) {
  SnapshotHeader h;
  Parts p;
  HAMLET_RETURN_IF_ERROR(Split(bytes, &h, &p));
  if (!VerifyDetached(sign_public_key, SignedMessage(p.signed_part), p.signature)) {
    return Status::PermissionDenied(Tr("the snapshot's signature is not its maker's"));
  }
  return Status::OK();
}

Status OpenSnapshot(std::string_view bytes, const Key32& key, std::string* body) {
  SnapshotHeader h;
  Parts p;
  HAMLET_RETURN_IF_ERROR(Split(bytes, &h, &p));
  std::string plain;
  if (!AeadOpen(key, p.nonce, AssociatedData(p.header), p.ciphertext, &plain) || plain.empty()) {
    return Status::DataLoss(Tr("the snapshot does not open with the workspace key it names: it was altered"));
  }
  std::string_view payload = std::string_view(plain).substr(1);
  if (plain[0] == static_cast<char>(format::kSnapshotBodyRaw)) {
    body->assign(payload);
  } else if (plain[0] != static_cast<char>(format::kSnapshotBodyZstd) ||
             !Decompress(payload, format::kMaxSnapshotBodyBytes, body).ok()) {
    Wipe(&plain);
    return Status::DataLoss(Tr("snapshot body is malformed"));
  }
  Wipe(&plain);
  return Status::OK();
}

}  // namespace hamlet
