#include "hub_transfer.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hamlet {

using nlohmann::json;

size_t SmallestPage(const SyncOptions& options) { return std::min<size_t>(4 << 10, options.chunk_bytes); }

size_t FirstPage(const SyncOptions& options) {
  return std::max(SmallestPage(options), std::min(options.first_page_bytes, options.chunk_bytes));
}

Status PushChain(HubConnection* c, const WorkspaceId& ws, uint64_t acknowledged) {
  const SyncOptions& options = c->options();
  Replica* replica = c->replica();
  const std::string base = "/v1/workspaces/" + ws.Hex();
  const size_t smallest = SmallestPage(options);
  size_t page_bytes = FirstPage(options);
  c->meter()->Begin(c->lane(), "push");
  int attempt = 0;
  for (;;) {
    ExportResult ex;
    HAMLET_RETURN_IF_ERROR(replica->ExportAuthored(ws, acknowledged, page_bytes, &ex));
    if (ex.chunk.empty()) break;
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = c->PushOnce(ws, base + "/push", ex.chunk, &r);
    if (s.code() == Code::kUnauthenticated) {  // The session ran out: open another and go on.
      HAMLET_RETURN_IF_ERROR(c->OpenSession(ws, &acknowledged));
      continue;
    }
    if (!s.ok()) {
      if (!s.Retryable()) return s;
      page_bytes = std::max(smallest, page_bytes / 2);
      HAMLET_RETURN_IF_ERROR(c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s));
      continue;
    }
    if (attempt == 0) page_bytes = std::min(options.chunk_bytes, page_bytes * 2);
    attempt = 0;
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("contiguous") || !j["contiguous"].is_number_unsigned()) {
      return Status::DataLoss("hub: malformed push answer");
    }
    uint64_t now_held = j["contiguous"].get<uint64_t>();
    if (c->report() != nullptr) c->report()->pushed += j.value("stored", size_t{0});
    c->meter()->Commits(c->lane(), ex.commits);
    if (now_held > acknowledged) HAMLET_RETURN_IF_ERROR(replica->SetDelivered(ws, options.hub, now_held));
    if (now_held <= acknowledged && !ex.more) break;
    acknowledged = now_held;
  }
  return Status::OK();
}

Status PullLog(HubConnection* c, const WorkspaceId& ws, uint64_t position, const std::map<DeviceId, uint64_t>& heads) {
  const SyncOptions& options = c->options();
  Replica* replica = c->replica();
  const std::string base = "/v1/workspaces/" + ws.Hex();
  const size_t smallest = SmallestPage(options);
  // A pull page cut in transit goes on from its byte: a large page costs
  // nothing more on a link that drops, and fewer pages wait fewer round
  // trips.
  size_t page_bytes = options.chunk_bytes;
  c->meter()->Begin(c->lane(), "pull");
  for (bool from_start = position == 0;; from_start = true) {
    HubConnection::Page page;
    int attempt = 0;
    for (;;) {
      if (!page.named) {
        page.after = position;
        page.max_bytes = page_bytes;
      }
      httplib::Result r(nullptr, httplib::Error::Unknown);
      Status s = c->PullOnce(ws, base, &page, &r);
      if (s.code() == Code::kUnauthenticated) {
        uint64_t unused = 0;
        HAMLET_RETURN_IF_ERROR(c->OpenSession(ws, &unused));
        continue;
      }
      if (s.code() == Code::kAborted) continue;  // Another page than the one cut: from its start.
      if (!s.ok()) {
        if (!s.Retryable() && s.code() != Code::kDataLoss) return s;
        if (s.code() == Code::kDataLoss && attempt >= 2) return s;
        page_bytes = std::max(smallest, page_bytes / 2);
        HAMLET_RETURN_IF_ERROR(c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s));
        continue;
      }
      if (attempt == 0) page_bytes = std::min(options.chunk_bytes, page_bytes * 2);
      attempt = 0;
      size_t commits = 0;
      if (!page.empty) {
        ImportResult im;
        HAMLET_RETURN_IF_ERROR(replica->Import(page.bytes, &im));
        if (c->report() != nullptr) {
          c->report()->pulled += im.commits;
          c->report()->applied += im.applied;
        }
        commits = im.commits;
      }
      if (page.upto > position) HAMLET_RETURN_IF_ERROR(replica->SetPullPosition(ws, options.hub, page.upto));
      position = std::max(position, page.upto);
      c->meter()->Commits(c->lane(), commits);
      bool more = page.more;
      page = HubConnection::Page();
      if (!more) break;
    }
    bool short_of = false;
    HAMLET_RETURN_IF_ERROR(replica->CheckHubHeads(ws, options.hub, heads, &short_of));
    if (!short_of || from_start) return Status::OK();
    position = 0;
  }
}

}  // namespace hamlet
