#include "attachment_transfer.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace hamlet {
namespace {

using nlohmann::json;

// The most one upload request carries: a hub takes bodies of 16 MiB at
// most, and the next request starts from what the hub holds anyway.
constexpr size_t kUploadBytes = 1 << 20;

std::string FileTarget(const WorkspaceId& ws, const std::string& file) {
  return "/v1/workspaces/" + ws.Hex() + "/attachments/" + file;
}

Status HeldFrom(const httplib::Result& r, uint64_t* held) {
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("held") || !j["held"].is_number_unsigned()) {
    return Status::DataLoss(Tr("hub: malformed attachment answer"));
  }
  *held = j["held"].get<uint64_t>();
  return Status::OK();
}

// Posts the manifest (idempotent): how many sealed bytes the hub holds.
Status Register(HubConnection* c, const WorkspaceId& ws, const std::string& file, const std::string& manifest,
                uint64_t* held) {
  httplib::Result r(nullptr, httplib::Error::Unknown);
  HAMLET_RETURN_IF_ERROR(c->Signed(ws, "POST", FileTarget(ws, file), manifest, &r));
  return HeldFrom(r, held);
}

// How much the hub holds, asked cheaply after a cut (the manifest is 32
// bytes a chunk); registers the file again when the hub lacks it.
Status Held(HubConnection* c, const WorkspaceId& ws, const std::string& file, const std::string& manifest,
            uint64_t* held) {
  httplib::Result r(nullptr, httplib::Error::Unknown);
  Status s = c->Signed(ws, "GET", FileTarget(ws, file) + "/held", "", &r);
  if (s.code() == Code::kNotFound) return Register(c, ws, file, manifest, held);
  HAMLET_RETURN_IF_ERROR(s);
  return HeldFrom(r, held);
}

Status SendFile(HubConnection* c, const WorkspaceId& ws, const std::string& file) {
  Replica* replica = c->replica();
  AttachmentLayout m;
  HAMLET_RETURN_IF_ERROR(replica->AttachmentState(file, &m));
  const std::string& encoded = m.manifest;
  uint64_t held = 0;
  HAMLET_RETURN_IF_ERROR(Register(c, ws, file, encoded, &held));
  const uint64_t size = m.sealed_size;
  // The chunk last read, kept for the slices of one request.
  size_t cached_index = SIZE_MAX;
  std::string cached;
  int attempt = 0;
  while (held < size) {
    const uint64_t from = held;
    const size_t length = static_cast<size_t>(std::min<uint64_t>(kUploadBytes, size - from));
    Status read_failed;
    size_t wrote = 0;  // Handed to the link in this try.
    auto read = [&](size_t offset, std::string* piece) {
      wrote = offset;
      uint64_t at = from + offset;
      size_t index = static_cast<size_t>(at / m.sealed_chunk_bytes);
      uint64_t start = m.ChunkStart(index);
      if (index != cached_index) {
        read_failed = replica->ReadAttachmentChunk(file, index, &cached);
        if (!read_failed.ok()) return false;
        cached_index = index;
      }
      piece->assign(cached, static_cast<size_t>(at - start));
      return true;
    };
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = c->SendOnce(ws, "PUT", FileTarget(ws, file) + "/data?from=" + std::to_string(from), length, read, &r);
    if (!read_failed.ok()) return read_failed;
    if (s.ok()) {
      HAMLET_RETURN_IF_ERROR(HeldFrom(r, &held));
      attempt = 0;
      continue;
    }
    if (s.code() == Code::kUnauthenticated) {  // The session ran out: open another and go on.
      uint64_t unused = 0;
      HAMLET_RETURN_IF_ERROR(c->OpenSession(ws, &unused));
    } else if (s.code() == Code::kFailedPrecondition && r && r->has_header("Hamlet-Held")) {
      // Another try already moved the hub on: go on from where it is.
    } else if (s.Retryable()) {
      // A try that moved bytes before the cut counts as the link working:
      // the wait starts short again.
      if (wrote > 0) attempt = 0;
      HAMLET_RETURN_IF_ERROR(c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s));
    } else {
      return s;
    }
    // Where the hub stands after the cut: it kept what arrived.
    HAMLET_RETURN_IF_ERROR(Held(c, ws, file, encoded, &held));
  }
  return replica->MarkAttachmentSent(file);
}

}  // namespace

Status SendAttachments(HubConnection* c, const WorkspaceId& ws, size_t* sent) {
  *sent = 0;
  std::vector<std::string> files;
  HAMLET_RETURN_IF_ERROR(c->replica()->UnsentAttachments(ws, &files));
  if (files.empty()) return Status::OK();
  c->meter()->Begin(c->lane(), "upload");
  Status refused;
  for (const std::string& file : files) {
    Status s = SendFile(c, ws, file);
    if (s.code() == Code::kOutOfRange) {
      // Over the hub's limit or quota: the other files still go. A file no
      // live reference names is let go then (no hub was going to take it
      // for anyone); one the user still has waits for the operator.
      std::vector<Attachment> live;
      HAMLET_RETURN_IF_ERROR(c->replica()->Attachments(ws, nullptr, &live));
      bool named = std::any_of(live.begin(), live.end(), [&](const Attachment& a) { return a.file == file; });
      if (!named) {
        HAMLET_RETURN_IF_ERROR(c->replica()->MarkAttachmentSent(file));
      } else if (refused.ok()) {
        refused = s;
      }
      continue;
    }
    HAMLET_RETURN_IF_ERROR(s);
    c->meter()->Commits(c->lane(), 1);
    ++*sent;
  }
  return refused;
}

Status FetchAttachmentFile(HubConnection* c, const WorkspaceId& ws, const std::string& file) {
  Replica* replica = c->replica();
  AttachmentLayout m;
  Status known = replica->AttachmentState(file, &m);
  if (!known.ok() && known.code() != Code::kNotFound) return known;
  const std::string target = FileTarget(ws, file);
  if (!known.ok() || m.manifest.empty()) {
    httplib::Result r(nullptr, httplib::Error::Unknown);
    HAMLET_RETURN_IF_ERROR(c->Signed(ws, "GET", target, "", &r));
    HAMLET_RETURN_IF_ERROR(replica->TakeAttachmentManifest(ws, file, r->body));
    HAMLET_RETURN_IF_ERROR(replica->AttachmentState(file, &m));
  }
  size_t held = m.held_chunks;
  const uint64_t sealed_chunk = m.sealed_chunk_bytes;
  std::string partial;  // The first bytes of chunk `held`.
  int attempt = 0;
  while (held < m.chunks) {
    uint64_t from = held * sealed_chunk + partial.size();
    Status stored;
    auto take = [&](const char* data, size_t n) {
      partial.append(data, n);
      while (held < m.chunks && partial.size() >= m.ChunkSize(held)) {
        size_t size = m.ChunkSize(held);
        stored = replica->TakeAttachmentChunk(file, held, std::string_view(partial).substr(0, size));
        if (!stored.ok()) return false;
        partial.erase(0, size);
        held++;
      }
      return true;
    };
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = c->ReceiveOnce(ws, target + "/data?from=" + std::to_string(from), take, &r);
    if (!stored.ok()) return stored;
    if (s.ok()) {
      if (held < m.chunks && held * sealed_chunk + partial.size() == from) {
        return Status::DataLoss(Tr("hub: an attachment's data ended early"));
      }
      attempt = 0;
      continue;
    }
    if (s.code() == Code::kUnauthenticated) {
      uint64_t unused = 0;
      HAMLET_RETURN_IF_ERROR(c->OpenSession(ws, &unused));
    } else if (s.Retryable()) {
      if (held * sealed_chunk + partial.size() > from) attempt = 0;  // Bytes came before the cut.
      HAMLET_RETURN_IF_ERROR(c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s));
    } else {
      return s;
    }
  }
  return Status::OK();
}

}  // namespace hamlet
