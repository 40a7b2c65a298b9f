#include "member_chunk.h"

#include "coding.h"
#include "format.h"
#include "hamlet/language.h"
#include "padding.h"

namespace hamlet {

namespace {

// Everything before the ciphertext: magic, version, workspace, epoch and
// nonce. The nonce is random; the rest is the associated data.
struct Header {
  WorkspaceId ws;
  uint32_t epoch = 0;
  std::string_view nonce;
  std::string_view ciphertext;
};

std::string AssociatedData(const WorkspaceId& ws, uint32_t epoch) {
  std::string ad(format::kMemberChunkAdPrefix);
  ad.append(ws.View());
  Writer w(&ad);
  w.Varint(epoch);
  return ad;
}

Status ParseHeader(std::string_view bytes, Header* h) {
  if (!IsMemberChunk(bytes)) return Status::InvalidArgument(Tr("not a Hamlet member chunk"));
  if (bytes.size() > format::kMaxMemberChunkBytes) return Status::OutOfRange(Tr("member chunk exceeds its size limit"));
  Reader r(bytes.substr(4));
  uint8_t version = r.U8();
  if (r.ok() && version > format::kMemberChunkVersion) {
    return Status::Unimplemented(
        Format(Tr("member chunk version %s is newer than this build"), std::to_string(version).c_str()));
  }
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  uint64_t epoch = r.Varint();
  h->nonce = r.Raw(kAeadNonceBytes);
  h->ciphertext = r.Bytes(format::kMaxMemberChunkBytes);
  if (!r.done() || version != format::kMemberChunkVersion || !ws || epoch > UINT32_MAX ||
      h->ciphertext.size() < kAeadTagBytes) {
    return Status::DataLoss(Tr("member chunk is truncated or malformed"));
  }
  h->ws = *ws;
  h->epoch = static_cast<uint32_t>(epoch);
  return Status::OK();
}

}  // namespace

bool IsMemberChunk(std::string_view bytes) { return bytes.substr(0, 4) == format::kMemberChunkMagic; }

std::string SealMemberChunk(const WorkspaceId& ws, uint32_t epoch, const Key32& key, std::string_view inner) {
  std::string plaintext(inner);
  Pad(&plaintext, format::kMemberChunkPadMinBytes);
  std::string nonce = RandomBytes(kAeadNonceBytes);
  std::string ciphertext;
  AeadSeal(key, nonce, AssociatedData(ws, epoch), plaintext, &ciphertext);
  Wipe(&plaintext);
  std::string out(format::kMemberChunkMagic);
  Writer w(&out);
  w.U8(format::kMemberChunkVersion);
  w.Raw(ws.View());
  w.Varint(epoch);
  w.Raw(nonce);
  w.Bytes(ciphertext);
  return out;
}

Status MemberChunkHeader(std::string_view bytes, WorkspaceId* ws, uint32_t* epoch) {
  Header h;
  HAMLET_RETURN_IF_ERROR(ParseHeader(bytes, &h));
  *ws = h.ws;
  *epoch = h.epoch;
  return Status::OK();
}

Status OpenMemberChunk(std::string_view bytes, const Key32& key, std::string* inner) {
  Header h;
  HAMLET_RETURN_IF_ERROR(ParseHeader(bytes, &h));
  if (!AeadOpen(key, h.nonce, AssociatedData(h.ws, h.epoch), h.ciphertext, inner)) {
    return Status::DataLoss(Format(
        Tr("member chunk does not open with the workspace's key %s: damaged in transit, or not sealed by a member"),
        std::to_string(h.epoch).c_str()));
  }
  Status s = Unpad(inner, format::kMemberChunkPadMinBytes);
  if (!s.ok()) return Status::DataLoss(Format(Tr("member chunk is padded wrongly: %s"), s.message().c_str()));
  return Status::OK();
}

}  // namespace hamlet
