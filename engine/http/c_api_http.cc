// hamlet_http.h: the C face of HubClient.
#include "hamlet_http.h"

#include <memory>
#include <mutex>
#include <string>

#include "c_api_util.h"
#include "hamlet/hub_client.h"

using hamlet::Status;
using hamlet::capi::CopyString;
using hamlet::capi::Fail;
using hamlet::capi::Guarded;
using hamlet::capi::ParseId;

struct hamlet_hub {
  hamlet::Replica* replica = nullptr;
  hamlet::SyncOptions options;
  hamlet_progress_fn progress = nullptr;
  void* progress_ctx = nullptr;
  hamlet_link_fn link = nullptr;
  void* link_ctx = nullptr;
  // Made on first use and after an option changes; keeps its connection and
  // session between calls.
  std::unique_ptr<hamlet::HubClient> client;
  // The client of the hamlet_hub_sync running now, for hamlet_hub_cancel.
  std::mutex running_mu;
  hamlet::HubClient* running = nullptr;

  hamlet::HubClient& Client() {
    if (!client) {
      hamlet::SyncOptions o = options;
      if (progress != nullptr || link != nullptr) {
        hamlet_progress_fn fn = progress;
        void* ctx = progress_ctx;
        hamlet_link_fn link_fn = link;
        void* lctx = link_ctx;
        auto down = std::make_shared<bool>(false);
        o.progress = [fn, ctx, link_fn, lctx, down](const hamlet::SyncProgress& p) {
          if (link_fn != nullptr && (p.link_down || *down)) link_fn(lctx, p.link_down ? 1 : 0, p.waiting_ms, p.give_up_ms);
          *down = p.link_down;
          if (fn != nullptr && !p.link_down) fn(ctx, p.phase, p.commits, p.bytes, p.retries);
        };
      }
      client = std::make_unique<hamlet::HubClient>(replica, std::move(o));
    }
    return *client;
  }
};

namespace {

int Result(const Status& s) { return s.ok() ? HAMLET_OK : Fail(s); }

}  // namespace

extern "C" {

int hamlet_hub_open(hamlet_replica* r, const char* url, hamlet_hub** out) {
  HAMLET_CHECK_ARG(out, "out is NULL");
  *out = nullptr;
  HAMLET_CHECK_ARG(r && url, "replica and url are required");
  std::string u(url);
  HAMLET_CHECK_ARG(u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0,
                   "the hub url starts with http:// or https://");
  return Guarded([&] {
    auto h = std::make_unique<hamlet_hub>();
    h->replica = hamlet::ReplicaOfHandle(r);
    h->options.hub = u;
    *out = h.release();
    return HAMLET_OK;
  });
}

void hamlet_hub_close(hamlet_hub* h) { delete h; }

int hamlet_hub_set_ca_file(hamlet_hub* h, const char* path) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  return Guarded([&] {
    h->options.ca_file = path ? path : "";
    h->client.reset();
    return HAMLET_OK;
  });
}

int hamlet_hub_set_page_bytes(hamlet_hub* h, size_t bytes) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  HAMLET_CHECK_ARG(bytes >= (4u << 10) && bytes <= (16u << 20), "page bytes must be 4 KiB to 16 MiB");
  h->options.chunk_bytes = bytes;
  h->client.reset();
  return HAMLET_OK;
}

int hamlet_hub_set_retries(hamlet_hub* h, int max_attempts, int64_t first_backoff_ms, int64_t max_backoff_ms) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  HAMLET_CHECK_ARG(max_attempts >= 0 && first_backoff_ms >= 0 && max_backoff_ms >= first_backoff_ms,
                   "need max_attempts >= 0 and 0 <= first_backoff_ms <= max_backoff_ms");
  h->options.max_attempts = max_attempts;
  h->options.first_backoff_ms = first_backoff_ms;
  h->options.max_backoff_ms = max_backoff_ms;
  h->client.reset();
  return HAMLET_OK;
}

int hamlet_hub_set_give_up_after(hamlet_hub* h, int64_t ms) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  HAMLET_CHECK_ARG(ms >= 1000, "the give-up time is at least 1000 ms");
  h->options.give_up_after_ms = ms;
  h->client.reset();
  return HAMLET_OK;
}

int hamlet_hub_set_recent_first(hamlet_hub* h, int days, int older) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  HAMLET_CHECK_ARG(days >= 0 && days <= 36500 && (older == 0 || older == 1),
                   "days must be 0 to 36500 and older 0 or 1");
  h->options.recent_days = days;
  h->options.older = older == 1;
  h->client.reset();
  return HAMLET_OK;
}

int hamlet_hub_older_left(hamlet_hub* h, const char* workspace, uint64_t* out) {
  HAMLET_CHECK_ARG(h && out, "hub and out are required");
  *out = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    Status s = ParseId(workspace, "workspace", &ws);
    uint64_t after = 0, upto = 0;
    if (s.ok()) s = h->replica->OlderRange(ws, h->options.hub, &after, &upto);
    if (s.ok()) *out = upto > after ? upto - after : 0;
    return Result(s);
  });
}

int hamlet_hub_set_link_watch(hamlet_hub* h, hamlet_link_fn fn, void* ctx) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  h->link = fn;
  h->link_ctx = ctx;
  h->client.reset();
  return HAMLET_OK;
}

int hamlet_hub_set_progress(hamlet_hub* h, hamlet_progress_fn fn, void* ctx) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  h->progress = fn;
  h->progress_ctx = ctx;
  h->client.reset();
  return HAMLET_OK;
}

int hamlet_hub_sync(hamlet_hub* h, const char* workspace, hamlet_sync_report* report) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  if (report) *report = hamlet_sync_report{};
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    Status s = ParseId(workspace, "workspace", &ws);
    hamlet::SyncReport rep;
    if (s.ok()) {
      hamlet::HubClient& client = h->Client();
      {
        std::lock_guard<std::mutex> lock(h->running_mu);
        h->running = &client;
      }
      s = client.Sync(ws, &rep);
      std::lock_guard<std::mutex> lock(h->running_mu);
      h->running = nullptr;
    }
    if (report) {
      *report = hamlet_sync_report{rep.pushed,   rep.pulled,  rep.applied, rep.bytes_up,   rep.bytes_down,
                                   rep.requests, rep.retries, rep.relayed, rep.files_sent, rep.files_fetched};
    }
    return Result(s);
  });
}

int hamlet_hub_fetch_attachment(hamlet_hub* h, const char* workspace, const char* attachment) {
  HAMLET_CHECK_ARG(h && attachment, "hub and attachment are required");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    hamlet::RecordId reference;
    Status s = ParseId(workspace, "workspace", &ws);
    if (s.ok()) s = ParseId(attachment, "attachment", &reference);
    if (s.ok()) {
      hamlet::HubClient& client = h->Client();
      {
        std::lock_guard<std::mutex> lock(h->running_mu);
        h->running = &client;
      }
      s = client.FetchAttachment(ws, reference);
      std::lock_guard<std::mutex> lock(h->running_mu);
      h->running = nullptr;
    }
    return Result(s);
  });
}

int hamlet_hub_cancel(hamlet_hub* h) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  std::lock_guard<std::mutex> lock(h->running_mu);
  if (h->running != nullptr) h->running->Cancel();
  return HAMLET_OK;
}

int hamlet_hub_publish(hamlet_hub* h, const char* workspace, const char* token) {
  HAMLET_CHECK_ARG(h && token, "hub and token are required");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    Status s = ParseId(workspace, "workspace", &ws);
    if (s.ok()) s = h->Client().Publish(ws, token);
    return Result(s);
  });
}

int hamlet_hub_register_device(hamlet_hub* h, const char* workspace, const char* device) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    hamlet::DeviceId d;
    Status s = ParseId(workspace, "workspace", &ws);
    if (s.ok()) s = ParseId(device, "device", &d);
    if (s.ok()) s = h->Client().RegisterDevice(ws, d);
    return Result(s);
  });
}

int hamlet_hub_admit_pending(hamlet_hub* h, const char* workspace, size_t* admitted, size_t* refused) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  if (admitted) *admitted = 0;
  if (refused) *refused = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    size_t a = 0, r = 0;
    Status s = ParseId(workspace, "workspace", &ws);
    if (s.ok()) s = h->Client().AdmitPending(ws, &a, &r);
    if (admitted) *admitted = a;
    if (refused) *refused = r;
    return Result(s);
  });
}

int hamlet_hub_revoke(hamlet_hub* h, const char* workspace, const char* device) {
  HAMLET_CHECK_ARG(h, "hub is NULL");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    hamlet::DeviceId d;
    hamlet::RevokeResult result;
    Status s = ParseId(workspace, "workspace", &ws);
    if (s.ok()) s = ParseId(device, "device", &d);
    if (s.ok()) s = h->Client().Revoke(ws, d, &result);
    return Result(s);
  });
}

int hamlet_hub_request_join(hamlet_hub* h, const char* code, char** out_workspace, char** out_invite) {
  HAMLET_CHECK_ARG(out_workspace && out_invite, "out_workspace and out_invite are required");
  *out_workspace = nullptr;
  *out_invite = nullptr;
  HAMLET_CHECK_ARG(h && code, "hub and code are required");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    std::string invite;
    Status s = h->Client().RequestJoin(code, &ws, &invite);
    if (!s.ok()) return Fail(s);
    *out_workspace = CopyString(ws.Hex());
    *out_invite = CopyString(invite);
    return HAMLET_OK;
  });
}

int hamlet_hub_complete_join(hamlet_hub* h, const char* workspace, const char* invite) {
  HAMLET_CHECK_ARG(h && invite, "hub and invite are required");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    Status s = ParseId(workspace, "workspace", &ws);
    if (s.ok()) s = h->Client().CompleteJoin(ws, invite);
    return Result(s);
  });
}

}  // extern "C"
