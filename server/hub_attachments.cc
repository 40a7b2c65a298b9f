// Hub: attachments (protocol.md 14). The hub holds sealed chunks it cannot
// open, named by a manifest whose hash is the attachment's id: it checks
// every chunk against the manifest before storing it, so what it serves is
// what the device sealed, whoever sent it. An upload is stored a chunk at a
// time as its body arrives, and the first bytes of a chunk cut off by a
// dropped link are kept, so the next try goes on from the byte where the
// link dropped.
#include <nlohmann/json.hpp>

#include "attachment.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "hub.h"

namespace hamlet::hub {
namespace {

// The first bytes of a chunk cut off cannot be checked until the chunk is
// whole, so they are kept for the device that sent them alone (the store's
// partial is its id, then the bytes): another device goes on from the
// whole chunks, and no member can put bytes in front of another's upload.
std::string PartialFor(const AttachmentRow& row, const DeviceId& device) {
  const std::string& p = row.partial;
  if (p.size() < format::kIdBytes || p.compare(0, format::kIdBytes, device.View()) != 0) return "";
  return p.substr(format::kIdBytes);
}

// The sealed bytes held from the start for device: whole chunks, then its
// partial one.
uint64_t HeldBytes(const AttachmentRow& row, const DeviceId& device) {
  if (row.held_chunks >= row.chunks) return row.sealed_size;
  uint64_t whole = row.held_chunks * (uint64_t{format::kAttachmentChunkBytes} + format::kAttachmentTagBytes);
  return whole + PartialFor(row, device).size();
}

Status FileOf(const httplib::Request& req, std::string* id) {
  if (!HexDecode(req.matches[2].str(), id)) return Status::InvalidArgument(Tr("bad attachment id"));
  return Status::OK();
}

void Answer(httplib::Response& res, const AttachmentRow& row, const DeviceId& device) {
  nlohmann::json j{{"held", HeldBytes(row, device)}, {"size", row.sealed_size}};
  res.set_header("Hamlet-Held", std::to_string(HeldBytes(row, device)));
  res.set_content(j.dump(), "application/json");
}

}  // namespace

void Hub::PostAttachment(const httplib::Request& req, httplib::Response& res) {
  Count("attachments");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  std::string id;
  Status s = FileOf(req, &id);
  AttachmentManifest m;
  if (s.ok() && !SecureEqual(AttachmentManifest::IdOf(req.body), id)) {
    s = Status::InvalidArgument(Tr("the manifest does not hash to the attachment's id"));
  }
  if (s.ok()) s = AttachmentManifest::Decode(req.body, &m);
  if (s.ok() && m.size > options_.max_attachment_bytes) {
    s = Status::OutOfRange(Format(Tr("this hub takes attachments of at most %llu bytes; this one has %llu"),
                                  static_cast<unsigned long long>(options_.max_attachment_bytes),
                                  static_cast<unsigned long long>(m.size)));
  }
  if (s.ok()) {
    s = store_->AddAttachment(ws, id, req.body, m.SealedSize(), m.chunks(), options_.attachment_quota_bytes,
                              env_->NowMillis());
  }
  AttachmentRow row;
  bool found = false;
  if (s.ok()) s = store_->GetAttachment(ws, id, &row, &found);
  if (s.ok() && !found) s = Status::Internal(Tr("the attachment was not stored"));
  if (!s.ok()) return Fail(res, s);
  metrics_.bytes_in += req.body.size();
  Answer(res, row, device);
}

void Hub::GetAttachment(const httplib::Request& req, httplib::Response& res) {
  Count("attachments");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  std::string id;
  Status s = FileOf(req, &id);
  AttachmentRow row;
  bool found = false;
  if (s.ok()) s = store_->GetAttachment(ws, id, &row, &found);
  if (s.ok() && !found) s = Status::NotFound(Tr("this hub holds no such attachment"));
  if (!s.ok()) return Fail(res, s);
  res.set_header("Hamlet-Held", std::to_string(HeldBytes(row, device)));
  res.set_header("Hamlet-Size", std::to_string(row.sealed_size));
  res.set_content(row.manifest, "application/octet-stream");
}

void Hub::GetAttachmentHeld(const httplib::Request& req, httplib::Response& res) {
  Count("attachments");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  std::string id;
  Status s = FileOf(req, &id);
  AttachmentRow row;
  bool found = false;
  if (s.ok()) s = store_->GetAttachment(ws, id, &row, &found);
  if (s.ok() && !found) s = Status::NotFound(Tr("this hub holds no such attachment"));
  if (!s.ok()) return Fail(res, s);
  Answer(res, row, device);
}

void Hub::PutAttachmentData(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  Count("attachment_data");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  // The signature covers no body here (protocol.md 14.5): every chunk is
  // checked against the manifest instead.
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  std::string id;
  uint64_t from = 0;
  Status s = FileOf(req, &id);
  if (s.ok()) s = NumberParam(req, "from", 0, &from);
  AttachmentRow row;
  bool found = false;
  if (s.ok()) s = store_->GetAttachment(ws, id, &row, &found);
  if (s.ok() && !found) s = Status::NotFound(Tr("post the attachment's manifest first"));
  AttachmentManifest m;
  if (s.ok()) s = AttachmentManifest::Decode(row.manifest, &m);
  uint64_t length = 0;
  if (s.ok()) s = ContentLength(req, &length);
  const uint64_t held = s.ok() ? HeldBytes(row, device) : 0;
  if (s.ok() && from != held) {
    res.set_header("Hamlet-Held", std::to_string(held));
    s = Status::FailedPrecondition(Format(Tr("the hub holds %llu bytes of this attachment: send from there"),
                                          static_cast<unsigned long long>(held)));
  }
  if (s.ok() && from + length > row.sealed_size) {
    s = Status::InvalidArgument(Tr("the data runs past the attachment's end"));
  }
  if (!s.ok()) return Fail(res, s);

  const std::string kept = PartialFor(row, device);
  std::string pending = kept;
  uint64_t index = row.held_chunks;
  Status failed;
  reader([&](const char* data, size_t n) {
    metrics_.bytes_in += n;
    pending.append(data, n);
    while (index < m.chunks() && pending.size() >= m.SealedChunkSize(index)) {
      size_t size = m.SealedChunkSize(index);
      std::string chunk = pending.substr(0, size);
      if (!AttachmentChunkMatches(m, index, chunk)) {
        failed = Status::DataLoss(
            Format(Tr("chunk %llu does not match the attachment's manifest"), static_cast<unsigned long long>(index)));
        pending.clear();
        return false;
      }
      failed = store_->PutAttachmentChunk(ws, id, index, chunk);
      if (!failed.ok()) return false;
      pending.erase(0, size);
      index++;
    }
    return true;
  });
  // What came of the next chunk before the body ended or the link dropped,
  // kept for this device (nothing after a chunk that did not match).
  if (index < m.chunks() && (index != row.held_chunks || pending != kept)) {
    std::string partial = pending.empty() ? std::string() : std::string(device.View()) + pending;
    Status stored = store_->SetAttachmentPartial(ws, id, index, partial);
    if (!stored.ok()) return Fail(res, stored);
  }
  if (!failed.ok()) return Fail(res, failed);
  bool again = false;
  s = store_->GetAttachment(ws, id, &row, &again);
  if (!s.ok()) return Fail(res, s);
  Answer(res, row, device);
}

void Hub::GetAttachmentData(const httplib::Request& req, httplib::Response& res) {
  Count("attachment_data");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  std::string id;
  uint64_t from = 0;
  Status s = FileOf(req, &id);
  if (s.ok()) s = NumberParam(req, "from", 0, &from);
  AttachmentRow row;
  bool found = false;
  if (s.ok()) s = store_->GetAttachment(ws, id, &row, &found);
  if (s.ok() && !found) s = Status::NotFound(Tr("this hub holds no such attachment"));
  if (s.ok() && row.held_chunks < row.chunks) {
    s = Status::FailedPrecondition(Tr("this attachment has not reached the hub whole yet"));
  }
  AttachmentManifest m;
  if (s.ok()) s = AttachmentManifest::Decode(row.manifest, &m);
  if (s.ok() && from > row.sealed_size) s = Status::OutOfRange(Tr("from is past the attachment's end"));
  if (!s.ok()) return Fail(res, s);
  if (from == row.sealed_size) {
    res.status = 204;
    return;
  }
  res.set_content_provider(row.sealed_size - from, "application/octet-stream",
                           [this, ws, id, from, m](size_t offset, size_t, httplib::DataSink& sink) {
                             uint64_t at = from + offset;
                             uint64_t start = 0;
                             size_t index = m.ChunkAt(at, &start);
                             std::string chunk;
                             bool held = false;
                             if (!store_->GetAttachmentChunk(ws, id, index, &chunk, &held).ok() || !held) return false;
                             size_t skip = static_cast<size_t>(at - start);
                             metrics_.bytes_out += chunk.size() - skip;
                             return sink.write(chunk.data() + skip, chunk.size() - skip);
                           });
}

}  // namespace hamlet::hub
