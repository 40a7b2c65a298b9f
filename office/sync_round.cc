#include "sync_round.h"

#include <ctime>
#include <vector>

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

}  // namespace hamlet::office
