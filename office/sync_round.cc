#include "sync_round.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "hamlet/language.h"
#include "workspace.h"

namespace hamlet::office {

Status SyncWorkspace(Replica& r, const WorkspaceId& ws, HubClient& client, SyncOutcome* out) {
  *out = SyncOutcome();
  std::vector<DeviceStatus> devices;
  HAMLET_RETURN_IF_ERROR(r.Devices(ws, &devices));
  for (const DeviceStatus& d : devices) {
    if (d.self && d.role == Role::kAdmin)
      HAMLET_RETURN_IF_ERROR(client.AdmitPending(ws, &out->admitted, &out->refused));
  }
  HAMLET_RETURN_IF_ERROR(client.Sync(ws, &out->report));
  // A failure to remember it loses nothing: the next sync starts as this one did.
  r.SetLocalSetting(LastSyncSetting(ws), std::to_string(std::time(nullptr)));
  return Status::OK();
}

Status ReadSyncState(Replica& r, const WorkspaceId& ws, const std::string& hub, SyncState* out) {
  *out = SyncState();
  std::string last;
  bool synced = false;
  HAMLET_RETURN_IF_ERROR(r.LocalSetting(LastSyncSetting(ws), &last, &synced));
  if (synced) out->last_sync = std::stoll(last);
  std::vector<DeviceStatus> devices;
  HAMLET_RETURN_IF_ERROR(r.Devices(ws, &devices));
  for (const DeviceStatus& d : devices) {
    if (d.self) out->written = d.contiguous;
  }
  if (!hub.empty()) HAMLET_RETURN_IF_ERROR(r.Delivered(ws, hub, &out->delivered));
  return Status::OK();
}

std::string ByteSize(size_t bytes) {
  char buf[32];
  if (bytes < 10 * 1024) {
    std::snprintf(buf, sizeof buf, "%zu B", bytes);
  } else if (bytes < 10 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return buf;
}

std::string PhaseText(const SyncProgress& p) {
  if (p.phase[0] == '\0') return Tr("connecting");
  const char* format = Tr("push: %llu commits, %s");
  if (std::strcmp(p.phase, "pull") == 0) format = Tr("pull: %llu commits, %s");
  if (std::strcmp(p.phase, "older") == 0) {
    format = Tr("recent records are here; older ones: %llu commits, %s");
  }
  if (std::strcmp(p.phase, "upload") == 0) format = Tr("attachments sent: %llu, %s");
  if (std::strcmp(p.phase, "download") == 0) format = Tr("attachments fetched: %llu, %s");
  if (std::strcmp(p.phase, "snapshot") == 0) format = Tr("snapshot of the workspace: %llu, %s");
  if (std::strcmp(p.phase, "snapshot up") == 0) format = Tr("snapshot given to the hub: %llu, %s");
  return Format(format, static_cast<unsigned long long>(p.commits), ByteSize(p.bytes).c_str());
}

std::string LinkDownText(const SyncProgress& p) {
  if (!p.link_down) return "";
  return " - " + Format(Tr("the link is down, trying again (nothing has come through for %lld s; giving up after %lld "
                           "s)"),
                        static_cast<long long>(p.waiting_ms / 1000), static_cast<long long>(p.give_up_ms / 1000));
}

std::string MovedText(const SyncReport& r) {
  std::string out = Format(Tr("sent %zu commits (%s), received %zu (%zu new, %s)"), r.pushed,
                           ByteSize(r.bytes_up).c_str(), r.pulled, r.applied, ByteSize(r.bytes_down).c_str());
  if (r.started_from_snapshot) {
    out += "; " + std::string(Tr("started from the hub's snapshot of the workspace, then received what came after"));
  }
  if (!r.snapshot_refused.empty()) {
    out += "; " + Format(Tr("the hub's snapshot was refused (%s), so everything was pulled instead"),
                         r.snapshot_refused.c_str());
  }
  if (r.snapshot_given) out += "; " + std::string(Tr("gave the hub a new snapshot of the workspace"));
  if (r.older_left > 0) {
    out += "; " + std::string(Tr("older records are still to fetch: the next sync goes on with them"));
  }
  if (r.relayed > 0) {
    out += "; " + Format(TrN("passed on %zu commit of other devices that the hub lacked",
                             "passed on %zu commits of other devices that the hub lacked", r.relayed),
                         r.relayed);
  }
  if (r.files_sent > 0) {
    out += "; " + Format(TrN("sent %zu attachment", "sent %zu attachments", r.files_sent), r.files_sent);
  }
  if (r.files_fetched > 0) {
    out += "; " + Format(TrN("fetched %zu attachment", "fetched %zu attachments", r.files_fetched), r.files_fetched);
  }
  if (r.retries > 0) {
    out += "; " + Format(TrN("the link dropped or the hub was busy %zu time, and the sync went on from where it "
                             "stopped",
                             "the link dropped or the hub was busy %zu times, and each time the sync went on from "
                             "where it stopped",
                             r.retries),
                         r.retries);
  }
  return out;
}

}  // namespace hamlet::office
