// Snapshots between a device and a hub (protocol.md 6.5 and 13.3): fetching
// the hub's newest, and giving it a new one. Both directions go on from the
// byte where a cut stopped them.
#ifndef HAMLET_HTTP_SNAPSHOT_TRANSFER_H_
#define HAMLET_HTTP_SNAPSHOT_TRANSFER_H_

#include <string>

#include "hub_connection.h"

namespace hamlet {

// The hub's newest snapshot of ws into *snapshot, whole and matching the
// size and digest the hub named; *found false when it holds none. When the
// hub starts serving another snapshot midway, it starts again from the
// first byte. Progress counts on the connection's lane, phase "snapshot".
Status FetchSnapshot(HubConnection* c, const WorkspaceId& ws, std::string* snapshot, bool* found);

// Gives the hub snapshot (which this device made), a piece at a time;
// *kept says whether the hub took it as the workspace's newest.
Status GiveSnapshot(HubConnection* c, const WorkspaceId& ws, const std::string& snapshot, bool* kept);

}  // namespace hamlet

#endif  // HAMLET_HTTP_SNAPSHOT_TRANSFER_H_
