// Writes a seed corpus for decoders_fuzz: one genuine input for each decoder
// (prefixed with the byte that selects it), made by real replicas.
//
//   make_seeds DIR
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "attachment.h"
#include "chunk.h"
#include "commit.h"
#include "hamlet/replica.h"
#include "snapshot.h"

using namespace hamlet;

namespace {

bool Check(const Status& s, const char* what) {
  if (!s.ok()) std::fprintf(stderr, "make_seeds: %s: %s\n", what, s.ToString().c_str());
  return s.ok();
}

void Write(const std::string& dir, int decoder, const std::string& name, const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.put(static_cast<char>(decoder));
  out << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  OpenOptions opt;
  opt.durable = false;
  std::unique_ptr<Replica> admin, cadre, third;
  WorkspaceId ws;
  std::string request, envelope;
  WorkspaceId joined;
  if (!Check(Replica::OpenWithKey(":memory:", std::string(32, 'a'), opt, &admin), "open") ||
      !Check(Replica::OpenWithKey(":memory:", std::string(32, 'b'), opt, &cadre), "open") ||
      !Check(Replica::OpenWithKey(":memory:", std::string(32, 'c'), opt, &third), "open") ||
      !Check(admin->CreateWorkspace(&ws), "workspace") || !Check(cadre->JoinRequest(&request), "join request") ||
      !Check(admin->Admit(ws, request, Role::kCadre, &envelope), "admit") ||
      !Check(cadre->Accept(envelope, admin->device_id(), &joined), "accept")) {
    return 1;
  }
  for (int i = 0; i < 3; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", std::string("Đường liên thôn bị sạt lở ") + std::to_string(i)},
                          {"status", std::string("received")},
                          {"count", int64_t{i}}});
    if (!Check(cadre->Commit(ws, b), "commit")) return 1;
  }
  ExportResult ex;
  Chunk chunk;
  std::string certificate, auth, third_request;
  RevokeResult revoked;
  std::string sealed;
  if (!Check(cadre->Export(ws, "", 1 << 20, &ex, ChunkForm::kBlind), "export") || !Check(DecodeChunk(ex.chunk, &chunk), "decode") ||
      !Check(admin->DeviceCertificate(ws, cadre->device_id(), &certificate), "certificate") ||
      !Check(cadre->AuthorizeRequest(ws, "POST", "/v1/workspaces/" + ws.Hex() + "/push", std::string(16, 'x'), 7,
                                     "body", &auth),
             "authorize") ||
      !Check(third->JoinRequest(&third_request), "join request") ||
      !Check(cadre->SealForOfficers(ws, "Người tố cáo", &sealed), "seal") ||
      !Check(admin->Revoke(ws, cadre->device_id(), &revoked), "revoke")) {
    return 1;
  }
  Write(dir, 0, "chunk", ex.chunk);
  Write(dir, 1, "commit", chunk.commits[0].bytes);
  RecordOp op;
  op.collection = "concerns";
  op.fields.push_back({"summary", Value(std::string("Kiến nghị về đất đai")), {}});
  op.fields.push_back({"count", Value(int64_t{3}), {}});
  std::string body;
  if (!Check(EncodeBody(cadre->device_id(), {op}, &body), "body")) return 1;
  Write(dir, 2, "body", body);
  Write(dir, 4, "certificate", certificate);
  Write(dir, 5, "join_request", third_request);
  Write(dir, 6, "envelope", envelope);
  Write(dir, 7, "revocation", revoked.revocation);
  if (!revoked.grants.empty()) Write(dir, 8, "grant", revoked.grants[0]);
  Write(dir, 9, "authorization", auth);
  Write(dir, 10, "sealed_value", sealed);
  std::string bundle;
  size_t bundled = 0;
  if (!Check(cadre->ExportBundle(ws, "", &bundle, &bundled), "bundle")) return 1;
  Write(dir, 11, "bundle", bundle);
  Write(dir, 12, "compact_chunk", EncodeCompactChunk(chunk));
  AttachmentManifest manifest;
  std::vector<std::string> sealed_chunks;
  SealAttachment(std::string(150000, 'x'), Key32::Random(), &manifest, &sealed_chunks);
  Write(dir, 13, "attachment_manifest", manifest.Encode());
  // A snapshot of the admin's state, and its body.
  ImportResult imported;
  std::string snapshot;
  SnapshotInfo made;
  if (!Check(admin->Import(ex.chunk, &imported), "import") ||
      !Check(admin->MakeSnapshot(ws, "", &snapshot, &made), "snapshot")) {
    return 1;
  }
  SnapshotBody snapshot_body;
  snapshot_body.clock = 7;
  snapshot_body.certificates.push_back(certificate);
  snapshot_body.chains.push_back(SnapshotBody::Chain{cadre->device_id(), 3, std::string(32, 'h')});
  snapshot_body.records.emplace_back(*RecordId::FromBytes(std::string(16, 'r')), std::string("\x01", 1));
  std::string encoded;
  EncodeSnapshotBody(snapshot_body, &encoded);
  Write(dir, 14, "snapshot_body", encoded);
  Write(dir, 15, "snapshot", snapshot);
  return 0;
}
