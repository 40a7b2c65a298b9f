#include "snapshot_transfer.h"

#include <nlohmann/json.hpp>

namespace hamlet {

namespace {

// What one request of an upload carries: the hub's request bodies are
// bounded, and a piece cut in transit is kept by the hub up to where it
// stopped.
constexpr size_t kUploadBytes = 4 << 20;
constexpr int kMostTriesWithoutProgress = 20;

std::string Base(const WorkspaceId& ws) { return "/v1/workspaces/" + ws.Hex() + "/snapshot"; }

Status HeldFrom(const httplib::Result& r, uint64_t* held) {
  try {
    *held = std::stoull(r->get_header_value("Hamlet-Held"));
    return Status::OK();
  } catch (...) {
    return Status::DataLoss(Tr("hub: malformed answer to a snapshot upload"));
  }
}

}  // namespace

Status FetchSnapshot(HubConnection* c, const WorkspaceId& ws, std::string* snapshot, bool* found) {
  *found = false;
  snapshot->clear();
  c->meter()->Begin(c->lane(), "snapshot");
  size_t size = 0;
  std::string digest;  // Of the snapshot the bytes held belong to; empty before the first answer.
  int attempt = 0, damaged = 0;
  for (;;) {
    if (!digest.empty() && snapshot->size() == size) {
      if (Replica::PullPageDigest(*snapshot) == digest) {
        *found = true;
        return Status::OK();
      }
      if (++damaged > 2) return Status::DataLoss(Tr("hub: the snapshot does not match the digest it names"));
      snapshot->clear();
      digest.clear();
      continue;
    }
    const size_t from = snapshot->size();
    bool other = false;
    auto head = [&](const httplib::Response& r) {
      size_t named = 0;
      std::string d = r.get_header_value("Hamlet-Snapshot-Digest");
      try {
        named = std::stoull(r.get_header_value("Hamlet-Snapshot-Size"));
      } catch (...) {
        d.clear();
      }
      if (d.empty() || r.get_header_value("Hamlet-Offset") != std::to_string(from) ||
          (!digest.empty() && (named != size || d != digest))) {
        other = true;  // Another snapshot than the one begun, or a malformed answer.
        if (!digest.empty() || from > 0) return false;
      }
      size = named;
      digest = d;
      return !other;
    };
    auto take = [&](const char* data, size_t n) {
      if (snapshot->size() + n > size) return false;
      snapshot->append(data, n);
      return true;
    };
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = c->ReceiveOnce(ws, Base(ws) + "?from=" + std::to_string(from), take, &r, head);
    if (s.code() == Code::kNotFound) return Status::OK();
    if (other) {
      if (++damaged > 2) return Status::DataLoss(Tr("hub: malformed snapshot answer"));
      snapshot->clear();
      digest.clear();
      continue;
    }
    if (s.ok()) {
      if (snapshot->size() != size) return Status::DataLoss(Tr("hub: the snapshot ended early"));
      attempt = 0;
      continue;
    }
    if (s.code() == Code::kUnauthenticated) {
      uint64_t unused = 0;
      HAMLET_RETURN_IF_ERROR(c->OpenSession(ws, &unused));
    } else if (s.Retryable()) {
      if (snapshot->size() > from) attempt = 0;  // Bytes came before the cut.
      HAMLET_RETURN_IF_ERROR(c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s));
    } else {
      return s;
    }
  }
}

Status GiveSnapshot(HubConnection* c, const WorkspaceId& ws, const std::string& snapshot, bool* kept) {
  *kept = false;
  c->meter()->Begin(c->lane(), "snapshot up");
  const uint64_t size = snapshot.size();
  uint64_t held = 0, most = 0;
  int attempt = 0, stalled = 0;
  for (;;) {
    // Bytes that cross without the hub's copy growing would never end the
    // wait for the link: a hub that keeps none of them is given up on.
    if (held > most) {
      most = held;
      stalled = 0;
    } else if (++stalled > kMostTriesWithoutProgress) {
      return Status::Unavailable(Tr("hub: the snapshot upload makes no progress: it is tried again at the next sync"));
    }
    const uint64_t from = held;
    const size_t length = static_cast<size_t>(std::min<uint64_t>(kUploadBytes, size - from));
    size_t wrote = 0;
    auto read = [&](size_t offset, std::string* piece) {
      wrote = offset;
      piece->assign(snapshot, static_cast<size_t>(from) + offset, std::min<size_t>(64 << 10, length - offset));
      return true;
    };
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = c->SendOnce(ws, "PUT", Base(ws) + "?size=" + std::to_string(size) + "&from=" + std::to_string(from),
                           length, read, &r);
    if (s.ok()) {
      HAMLET_RETURN_IF_ERROR(HeldFrom(r, &held));
      if (held == size) {
        nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
        *kept = !j.is_discarded() && j.contains("kept") && j["kept"].is_boolean() && j["kept"].get<bool>();
        return Status::OK();
      }
      attempt = 0;
      continue;
    }
    if (s.code() == Code::kUnauthenticated) {
      uint64_t unused = 0;
      HAMLET_RETURN_IF_ERROR(c->OpenSession(ws, &unused));
    } else if (s.code() == Code::kFailedPrecondition && r && r->has_header("Hamlet-Held")) {
      HAMLET_RETURN_IF_ERROR(HeldFrom(r, &held));
      continue;
    } else if (s.Retryable()) {
      if (wrote > 0) attempt = 0;
      HAMLET_RETURN_IF_ERROR(c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s));
    } else {
      return s;
    }
    // Where the hub stands after the cut: it kept what arrived.
    httplib::Result h(nullptr, httplib::Error::Unknown);
    HAMLET_RETURN_IF_ERROR(c->Signed(ws, "GET", Base(ws) + "/held", "", &h));
    HAMLET_RETURN_IF_ERROR(HeldFrom(h, &held));
  }
}

}  // namespace hamlet
