#include "hand_device.h"

#include <catch2/catch.hpp>

#include "chunk.h"
#include "format.h"
#include "hex.h"
#include "helpers.h"
#include "identity.h"

namespace hamlet::test {

HandDevice::HandDevice(Replica& admin, const WorkspaceId& w) : ws(w) {
  REQUIRE(InitCrypto().ok());
  std::string env;
  REQUIRE(admin.Admit(ws, EncodeJoinRequest(sign.public_key, kx.public_key, sign.secret_key), Role::kCadre, &env)
              .ok());
  Envelope e;
  REQUIRE(ParseEnvelope(env, &e).ok());
  cert = e.certificate;
  std::string raw;
  REQUIRE(OpenSealed(kx.public_key, kx.secret_key, e.keys.at(0).sealed, &raw));
  data_key = Key32::FromView(raw);
}

HandDevice HandDevice::Relay(Replica& admin, const WorkspaceId& w, const Key32& key) {
  REQUIRE(InitCrypto().ok());
  HandDevice d;
  d.ws = w;
  DeviceId relay;
  std::string file;
  REQUIRE(admin.CertifyRelay(w, HexEncode(EncodeJoinRequest(d.sign.public_key, d.kx.public_key, d.sign.secret_key)),
                             &relay, &file)
              .ok());
  Certificate admin_cert, relay_cert;
  REQUIRE(ParseRelayFile(file, &admin_cert, &relay_cert).ok());
  d.cert = relay_cert.bytes;
  d.data_key = key;
  return d;
}

DeviceId HandDevice::id() const { return DeviceIdFor(sign.public_key); }

uint64_t HandDevice::HlcFor(uint64_t seq) { return (static_cast<uint64_t>(kNow) << 16) + seq; }

SealedCommit HandDevice::Make(uint64_t seq, const std::string& prev_hash, const std::string& summary,
                              const RecordId* record, const Key32* key, uint32_t epoch, uint64_t hlc) {
  CommitHeader h;
  h.author = id();
  h.seq = seq;
  h.hlc = hlc ? hlc : HlcFor(seq);
  h.prev_hash = prev_hash;
  h.epoch = epoch;
  RecordOp op;
  op.record = record ? *record : *RecordId::FromBytes(std::string(15, 'r') + static_cast<char>(seq));
  op.collection = "concerns";
  op.fields.push_back(FieldWrite{"summary", Value(summary), {}});
  std::string body;
  REQUIRE(EncodeBody(h.author, {op}, &body).ok());
  SealedCommit c;
  REQUIRE(SealCommit(ws, h, body, key ? *key : data_key, sign.secret_key, &c).ok());
  return c;
}

SealedCommit HandDevice::MakeOps(uint64_t seq, const std::string& prev_hash, const std::vector<RecordOp>& ops) {
  std::string body;
  REQUIRE(EncodeBody(id(), ops, &body).ok());
  return MakeBody(seq, prev_hash, body);
}

SealedCommit HandDevice::MakeBody(uint64_t seq, const std::string& prev_hash, const std::string& body) {
  CommitHeader h;
  h.author = id();
  h.seq = seq;
  h.hlc = HlcFor(seq);
  h.prev_hash = prev_hash;
  SealedCommit c;
  REQUIRE(SealCommit(ws, h, body, data_key, sign.secret_key, &c).ok());
  return c;
}

SealedCommit HandDevice::Garbage(uint64_t seq, const std::string& prev_hash) {
  SealedCommit real = Make(seq, prev_hash, "garbage");
  CommitHeader h = real.header;
  std::string ct = RandomBytes(real.ciphertext().size());
  // Signed over the garbage exactly as a commit is (protocol.md 3.1: the
  // associated data, then the ciphertext as bytes): the author's own work.
  std::string unsigned_bytes = CanonicalBytes(h, ct, std::string(kSignatureBytes, '\0'));
  std::string message = format::kCommitAdPrefix + std::string(ws.View()) +
                        unsigned_bytes.substr(0, unsigned_bytes.size() - kSignatureBytes);
  std::string sig = SignDetached(sign.secret_key, message);
  SealedCommit c;
  REQUIRE(ParseCommit(CanonicalBytes(h, ct, sig), &c).ok());
  return c;
}

std::string HandDevice::ChunkOf(std::vector<SealedCommit> commits) const {
  Chunk c;
  c.workspace = ws;
  c.certificates = {cert};
  c.commits = std::move(commits);
  return EncodeChunk(c);
}

}  // namespace hamlet::test
