#include "workspace.h"

#include "hamlet/language.h"

namespace hamlet::office {

std::string WorkspaceName(Replica& r, const WorkspaceId& ws) {
  // The collection also holds the workspace's settings (deadlines.h): the
  // name is the record with a "name" field.
  Query q;
  q.workspace = ws;
  q.collection = kWorkspaceCollection;
  q.limit = 1000;
  QueryResult res;
  if (!r.Find(q, &res).ok()) return "";
  for (const Record& rec : res.records) {
    auto it = rec.fields.find("name");
    if (!rec.deleted && it != rec.fields.end() && std::holds_alternative<std::string>(it->second)) {
      return std::get<std::string>(it->second);
    }
  }
  return "";
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kOfficer:
      return "officer";
    case Role::kRelay:
      return "relay";
    default:
      return "cadre";
  }
}

const char* RoleLabel(Role r) {
  switch (r) {
    case Role::kAdmin:
      return Tr("admin");
    case Role::kOfficer:
      return Tr("officer");
    case Role::kRelay:
      return Tr("relay");
    default:
      return Tr("cadre");
  }
}

std::string HubSetting(const WorkspaceId& ws) { return "hub:" + ws.Hex(); }
std::string LastSyncSetting(const WorkspaceId& ws) { return "last-sync:" + ws.Hex(); }
std::string PeerCursorSetting(const WorkspaceId& ws, const DeviceId& device) {
  return "peer-cursor:" + ws.Hex() + ":" + device.Hex();
}

}  // namespace hamlet::office
