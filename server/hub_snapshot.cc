// Hub: snapshots (protocol.md 6.5). The hub keeps the newest snapshot of
// each workspace, sealed: it cannot open one, but checks who made it (an
// officer's or the admin's device, the one uploading, not revoked), its
// signature, and that it reaches no further than the hub's own log. An
// upload arrives in pieces, each kept as it comes, so that a cut link loses
// nothing; a download goes on from any byte.
#include <nlohmann/json.hpp>

#include "format.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"
#include "hex.h"
#include "hub.h"
#include "snapshot.h"

namespace hamlet::hub {

Status Hub::TakeSnapshot(const WorkspaceId& ws, const Certificate& cert, const std::string& snapshot,
                         uint64_t* position, bool* kept) {
  SnapshotHeader h;
  HAMLET_RETURN_IF_ERROR(ReadSnapshotHeader(snapshot, &h));
  if (h.workspace != ws) return Status::InvalidArgument(Tr("the snapshot is of another workspace"));
  if (h.maker_certificate != cert.bytes) {
    return Status::PermissionDenied(Tr("a device uploads the snapshots it made, not another's"));
  }
  if (!MayMakeSnapshots(cert.role)) {
    return Status::PermissionDenied(Tr("only the admin's and the officers' devices make snapshots"));
  }
  HAMLET_RETURN_IF_ERROR(VerifySnapshotSignature(snapshot, cert.sign_public_key));
  uint64_t head = 0;
  std::map<DeviceId, uint64_t> heads;
  std::string instance;
  HAMLET_RETURN_IF_ERROR(store_->Heads(ws, &head, &heads));
  HAMLET_RETURN_IF_ERROR(store_->Instance(&instance));
  if (h.hub_instance != HexEncode(instance) || h.position > head) {
    return Status::InvalidArgument(
        Tr("the snapshot names a point of another hub's log, or one this hub has not reached"));
  }
  *position = h.position;
  return store_->PutSnapshot(ws, h.position, snapshot, kept);
}

void Hub::PutSnapshot(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  Count("snapshot");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  // The signature covers no body here: the snapshot is signed by its maker.
  DeviceId device;
  Certificate cert;
  if (!Authenticate(req, res, ws, &device, &cert)) return;
  uint64_t size = 0, from = 0, length = 0;
  Status s = NumberParam(req, "size", 0, &size);
  if (s.ok()) s = NumberParam(req, "from", 0, &from);
  if (s.ok()) s = ContentLength(req, &length);
  if (s.ok() && !MayMakeSnapshots(cert.role)) {
    s = Status::PermissionDenied(Tr("only the admin's and the officers' devices make snapshots"));
  }
  if (s.ok() && (size == 0 || size > format::kMaxSnapshotBytes)) {
    s = Status::OutOfRange(Tr("a snapshot's size must be given, and within the limit"));
  }
  if (s.ok() && from + length > size) s = Status::InvalidArgument(Tr("the data runs past the snapshot's end"));
  uint64_t held = 0;
  if (s.ok()) s = store_->SnapshotUploadHeld(ws, device, &held);
  if (s.ok() && from != 0 && from != held) {
    res.set_header("Hamlet-Held", std::to_string(held));
    s = NotHeldSnapshotOffset(static_cast<int64_t>(held));
  }
  if (!s.ok()) return Fail(res, s);

  // Kept a piece at a time as it arrives: what came before a cut stays.
  constexpr size_t kPiece = 1 << 20;
  std::string pending;
  held = from;
  Status failed;
  auto keep = [&]() {
    if (pending.empty() && held != 0) return true;
    failed = store_->AppendSnapshotUpload(ws, device, held, pending, &held);
    pending.clear();
    return failed.ok();
  };
  reader([&](const char* data, size_t n) {
    metrics_.bytes_in += n;
    pending.append(data, n);
    return pending.size() < kPiece || keep();
  });
  if (failed.ok()) keep();
  if (!failed.ok()) return Fail(res, failed);
  nlohmann::json j{{"held", held}, {"size", size}};
  res.set_header("Hamlet-Held", std::to_string(held));
  if (held == size) {
    std::string whole;
    uint64_t position = 0;
    bool kept = false;
    s = store_->TakeSnapshotUpload(ws, device, &whole);
    if (s.ok() && whole.size() != size) s = Status::Aborted(Tr("the snapshot upload changed under way: send it again"));
    if (s.ok()) s = TakeSnapshot(ws, cert, whole, &position, &kept);
    if (!s.ok()) return Fail(res, s);
    j["kept"] = kept;
    j["position"] = position;
  }
  res.set_content(j.dump(), "application/json");
}

void Hub::GetSnapshotHeld(const httplib::Request& req, httplib::Response& res) {
  Count("snapshot");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  uint64_t held = 0;
  Status s = store_->SnapshotUploadHeld(ws, device, &held);
  if (!s.ok()) return Fail(res, s);
  res.set_header("Hamlet-Held", std::to_string(held));
  res.set_content(nlohmann::json{{"held", held}}.dump(), "application/json");
}

void Hub::GetSnapshot(const httplib::Request& req, httplib::Response& res) {
  Count("snapshot");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  uint64_t from = 0, position = 0;
  Status s = NumberParam(req, "from", 0, &from);
  auto snapshot = std::make_shared<std::string>();
  bool found = false;
  if (s.ok()) s = store_->GetSnapshot(ws, &position, snapshot.get(), &found);
  if (s.ok() && !found) s = Status::NotFound(Tr("this hub holds no snapshot of the workspace"));
  if (s.ok() && from > snapshot->size()) s = Status::OutOfRange(Tr("from is past the snapshot's end"));
  if (!s.ok()) return Fail(res, s);
  res.set_header("Hamlet-Snapshot-Size", std::to_string(snapshot->size()));
  res.set_header("Hamlet-Snapshot-Digest", Replica::PullPageDigest(*snapshot));
  res.set_header("Hamlet-Snapshot-Position", std::to_string(position));
  res.set_header("Hamlet-Offset", std::to_string(from));
  metrics_.bytes_out += snapshot->size() - from;
  res.set_content_provider(snapshot->size() - from, "application/octet-stream",
                           [snapshot, from](size_t offset, size_t length, httplib::DataSink& sink) {
                             size_t at = static_cast<size_t>(from) + offset;
                             size_t n = std::min<size_t>(length, std::min<size_t>(snapshot->size() - at, 64 << 10));
                             return sink.write(snapshot->data() + at, n);
                           });
}

}  // namespace hamlet::hub
