// What the programs built on the office layer know of a workspace beyond its
// records: its name, the roles of its devices as people read them, and the
// names of the local settings kept for it (its hub, its last sync).
#ifndef HAMLET_OFFICE_WORKSPACE_H_
#define HAMLET_OFFICE_WORKSPACE_H_

#include <string>

#include "hamlet/replica.h"

namespace hamlet::office {

// The record that names a workspace (workspace create --name writes it).
inline constexpr const char* kWorkspaceCollection = "workspace";
// The workspace's name; "" when it has none.
std::string WorkspaceName(Replica& r, const WorkspaceId& ws);

// "admin", "officer", "relay" or "cadre", as JSON output and the command
// line's options name the roles.
const char* RoleName(Role r);
// The role as a person reads it, in the chosen language.
const char* RoleLabel(Role r);

// Local setting names.
inline constexpr const char* kDefaultWorkspaceSetting = "workspace";
std::string HubSetting(const WorkspaceId& ws);
std::string LastSyncSetting(const WorkspaceId& ws);  // Unix seconds of the last good sync.
// The cursor a device's latest bundle said it held: what it needs no more.
std::string PeerCursorSetting(const WorkspaceId& ws, const DeviceId& device);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_WORKSPACE_H_
