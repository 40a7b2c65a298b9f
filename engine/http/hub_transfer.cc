#include "hub_transfer.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "hamlet/language.h"

namespace hamlet {

using nlohmann::json;

namespace {

// A pull page cut off when a sync stops, kept in the replica so that the
// next sync asks only for the rest of it (protocol.md 13.4). The setting
// holds the page's name as JSON, a newline, then the bytes that came.
std::string PartialPageKey(const WorkspaceId& ws, const std::string& hub) {
  return "partial-pull-page:" + ws.Hex() + ":" + hub;
}

// The same for a page of the older part of the log (recent first).
std::string PartialOlderPageKey(const WorkspaceId& ws, const std::string& hub) {
  return "partial-older-page:" + ws.Hex() + ":" + hub;
}

Status KeepPartialPage(Replica* replica, const std::string& key, const HubConnection::Page& page) {
  if (!page.named || page.bytes.empty() || page.bytes.size() >= page.size) return Status::OK();
  json name{{"after", page.after}, {"max_bytes", page.max_bytes}, {"upto", page.upto},
            {"size", page.size},   {"more", page.more},           {"digest", page.digest}};
  return replica->SetLocalSetting(key, name.dump() + "\n" + page.bytes);
}

// The kept page if it starts at position; *page is left alone otherwise.
// A kept page that does not parse is dropped: it only saves bytes.
Status TakePartialPage(Replica* replica, const std::string& key, uint64_t position, HubConnection::Page* page) {
  std::string kept;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(replica->LocalSetting(key, &kept, &found));
  if (!found || kept.empty()) return Status::OK();
  HAMLET_RETURN_IF_ERROR(replica->SetLocalSetting(key, ""));
  size_t nl = kept.find('\n');
  if (nl == std::string::npos) return Status::OK();
  json name = json::parse(kept.substr(0, nl), nullptr, false);
  HubConnection::Page p;
  try {
    p.after = name.at("after").get<uint64_t>();
    p.max_bytes = name.at("max_bytes").get<size_t>();
    p.upto = name.at("upto").get<uint64_t>();
    p.size = name.at("size").get<size_t>();
    p.more = name.at("more").get<bool>();
    p.digest = name.at("digest").get<std::string>();
  } catch (const json::exception&) {
    return Status::OK();
  }
  p.bytes = kept.substr(nl + 1);
  if (p.after != position || p.bytes.empty() || p.bytes.size() >= p.size) return Status::OK();
  p.named = true;
  *page = std::move(p);
  return Status::OK();
}

}  // namespace

size_t SmallestPage(const SyncOptions& options) { return std::min<size_t>(4 << 10, options.chunk_bytes); }

size_t FirstPage(const SyncOptions& options) {
  return std::max(SmallestPage(options), std::min(options.first_page_bytes, options.chunk_bytes));
}

Status PushPages(HubConnection* c, const WorkspaceId& ws, const std::function<Status(size_t, ExportResult*)>& export_page,
                 const std::function<Status(const json&, const ExportResult&, bool*)>& took,
                 const std::function<Status()>& reopen) {
  const SyncOptions& options = c->options();
  const std::string target = "/v1/workspaces/" + ws.Hex() + "/push";
  const size_t smallest = SmallestPage(options);
  size_t page_bytes = FirstPage(options);
  int attempt = 0;
  for (;;) {
    ExportResult ex;
    HAMLET_RETURN_IF_ERROR(export_page(page_bytes, &ex));
    if (ex.chunk.empty()) return Status::OK();
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = c->PushOnce(ws, target, ex.chunk, &r);
    if (s.code() == Code::kUnauthenticated) {  // The session ran out: open another and go on.
      HAMLET_RETURN_IF_ERROR(reopen());
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
    if (j.is_discarded() || !j.contains("stored") || !j["stored"].is_number_unsigned() || !j.contains("contiguous") ||
        !j["contiguous"].is_number_unsigned()) {
      return Status::DataLoss(Tr("hub: malformed push answer"));
    }
    c->meter()->Commits(c->lane(), ex.commits);
    bool done = false;
    HAMLET_RETURN_IF_ERROR(took(j, ex, &done));
    if (done) return Status::OK();
  }
}

Status PushChain(HubConnection* c, const WorkspaceId& ws, uint64_t acknowledged) {
  Replica* replica = c->replica();
  c->meter()->Begin(c->lane(), "push");
  return PushPages(
      c, ws,
      [&](size_t page_bytes, ExportResult* ex) { return replica->ExportAuthored(ws, acknowledged, page_bytes, ex); },
      [&](const json& j, const ExportResult& ex, bool* done) {
        uint64_t now_held = j["contiguous"].get<uint64_t>();
        if (c->report() != nullptr) c->report()->pushed += j["stored"].get<size_t>();
        if (now_held > acknowledged) HAMLET_RETURN_IF_ERROR(replica->SetDelivered(ws, c->options().hub, now_held));
        *done = now_held <= acknowledged && !ex.more;
        acknowledged = now_held;
        return Status::OK();
      },
      [&] { return c->OpenSession(ws, &acknowledged); });
}

Status PushRelayed(HubConnection* c, const WorkspaceId& ws, std::map<DeviceId, uint64_t> held) {
  Replica* replica = c->replica();
  std::map<DeviceId, uint64_t> after;
  return PushPages(
      c, ws,
      [&](size_t page_bytes, ExportResult* ex) {
        after = held;
        return replica->ExportRelayed(ws, &after, page_bytes, ex);
      },
      [&](const json& j, const ExportResult&, bool*) {
        if (c->report() != nullptr) c->report()->relayed += j["stored"].get<size_t>();
        held = after;
        return Status::OK();
      },
      [&] {
        uint64_t unused = 0;
        return c->OpenSession(ws, &unused);
      });
}

namespace {

// A replica's pull: pages merged into it, its position per hub, a cut page
// kept in it for the next sync.
class ReplicaPullTarget : public PullTarget {
 public:
  ReplicaPullTarget(HubConnection* c, const WorkspaceId& ws, std::string kept_key)
      : c_(c), replica_(c->replica()), ws_(ws), kept_key_(std::move(kept_key)) {}
  Status TakePartialPage(uint64_t position, HubConnection::Page* page) override {
    return hamlet::TakePartialPage(replica_, kept_key_, position, page);
  }
  Status KeepPartialPage(const HubConnection::Page& page) override {
    return hamlet::KeepPartialPage(replica_, kept_key_, page);
  }
  Status Apply(const std::string& page, size_t* commits) override {
    ImportResult im;
    HAMLET_RETURN_IF_ERROR(replica_->Import(page, &im));
    if (c_->report() != nullptr) {
      c_->report()->pulled += im.commits;
      c_->report()->applied += im.applied;
    }
    *commits = im.commits;
    return Status::OK();
  }
  Status SetPosition(uint64_t position) override {
    return replica_->SetPullPosition(ws_, c_->options().hub, position);
  }
  Status ShortOf(const std::map<DeviceId, uint64_t>& heads, bool* short_of) override {
    return replica_->CheckHubHeads(ws_, c_->options().hub, heads, short_of);
  }

 protected:
  HubConnection* c_;
  Replica* replica_;
  WorkspaceId ws_;
  std::string kept_key_;
};

// The older part of the log after a recent-first pull: its progress is the
// replica's older range, and the check of the hub's heads waits until it is
// all in.
class OlderPullTarget final : public ReplicaPullTarget {
 public:
  OlderPullTarget(HubConnection* c, const WorkspaceId& ws, uint64_t upto)
      : ReplicaPullTarget(c, ws, PartialOlderPageKey(ws, c->options().hub)), upto_(upto) {}
  Status SetPosition(uint64_t position) override {
    return replica_->SetOlderRange(ws_, c_->options().hub, position, upto_);
  }
  Status ShortOf(const std::map<DeviceId, uint64_t>& heads, bool* short_of) override {
    // All in: the range is done with, and every chain must now reach the
    // heads the hub claimed. A shortfall makes the next pull start from the
    // beginning (CheckHubHeads); this one does not go round again.
    HAMLET_RETURN_IF_ERROR(replica_->SetOlderRange(ws_, c_->options().hub, 0, 0));
    *short_of = false;
    return replica_->CheckHubHeads(ws_, c_->options().hub, heads);
  }

 private:
  uint64_t upto_;
};

}  // namespace

Status PullLog(HubConnection* c, const WorkspaceId& ws, uint64_t position, const std::map<DeviceId, uint64_t>& heads) {
  ReplicaPullTarget target(c, ws, PartialPageKey(ws, c->options().hub));
  return PullPages(c, ws, position, heads, &target);
}

Status PullOlder(HubConnection* c, const WorkspaceId& ws, const std::map<DeviceId, uint64_t>& heads) {
  uint64_t after = 0, upto = 0;
  HAMLET_RETURN_IF_ERROR(c->replica()->OlderRange(ws, c->options().hub, &after, &upto));
  if (upto == 0) return Status::OK();
  OlderPullTarget target(c, ws, upto);
  return PullPages(c, ws, after, heads, &target, upto, "older");
}

Status PullPages(HubConnection* c, const WorkspaceId& ws, uint64_t position, const std::map<DeviceId, uint64_t>& heads,
                 PullTarget* target, uint64_t bound, const char* phase) {
  const SyncOptions& options = c->options();
  const std::string base = "/v1/workspaces/" + ws.Hex();
  const size_t smallest = SmallestPage(options);
  // A pull page cut in transit goes on from its byte: a large page costs
  // nothing more on a link that drops, and fewer pages wait fewer round
  // trips.
  size_t page_bytes = options.chunk_bytes;
  c->meter()->Begin(c->lane(), phase);
  HubConnection::Page page;
  HAMLET_RETURN_IF_ERROR(target->TakePartialPage(position, &page));
  if (page.named) page_bytes = page.max_bytes;
  // When the sync stops, what came of a page is kept for the next one.
  auto stop = [&](const Status& s) {
    Status kept = target->KeepPartialPage(page);
    return kept.ok() ? s : kept;
  };
  for (bool from_start = position == 0;; from_start = true) {
    int attempt = 0;
    for (;;) {
      if (!page.named) {
        page.after = position;
        page.max_bytes = page_bytes;
        page.bound = bound;
      }
      httplib::Result r(nullptr, httplib::Error::Unknown);
      Status s = c->PullOnce(ws, base, &page, &r);
      if (s.code() == Code::kUnauthenticated) {
        uint64_t unused = 0;
        s = c->OpenSession(ws, &unused);
        if (!s.ok()) return stop(s);
        continue;
      }
      if (s.code() == Code::kAborted) continue;  // Another page than the one cut: from its start.
      if (!s.ok()) {
        if (!s.Retryable() && s.code() != Code::kDataLoss) return stop(s);
        if (s.code() == Code::kDataLoss && attempt >= 2) return s;
        page_bytes = std::max(smallest, page_bytes / 2);
        s = c->WaitToRetry(++attempt, HubConnection::RetryAfterMs(r), s);
        if (!s.ok()) return stop(s);
        continue;
      }
      if (attempt == 0) page_bytes = std::min(options.chunk_bytes, page_bytes * 2);
      attempt = 0;
      size_t commits = 0;
      if (!page.empty) HAMLET_RETURN_IF_ERROR(target->Apply(page.bytes, &commits));
      if (page.upto > position) HAMLET_RETURN_IF_ERROR(target->SetPosition(page.upto));
      position = std::max(position, page.upto);
      c->meter()->Commits(c->lane(), commits);
      // A bounded pull ends at its bound, or at a page with nothing in it
      // (the hub's "more" then speaks of what lies beyond the bound).
      bool more = page.more && !page.empty && (bound == 0 || position < bound);
      page = HubConnection::Page();
      if (!more) break;
    }
    bool short_of = false;
    HAMLET_RETURN_IF_ERROR(target->ShortOf(heads, &short_of));
    if (!short_of || from_start) return Status::OK();
    position = 0;
  }
}

}  // namespace hamlet
