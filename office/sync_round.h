// One sync of a workspace as the programs built on the office layer run it
// (`hamlet sync`, the web app's sync page): the admin's device first admits
// those who asked to join with its invites, then pushes and pulls; a sync
// that went through is remembered as the last one. And what a person is
// told about it before: the hub, the last sync, what has not reached the hub.
#ifndef HAMLET_OFFICE_SYNC_ROUND_H_
#define HAMLET_OFFICE_SYNC_ROUND_H_

#include <cstdint>
#include <string>

#include "hamlet/hub_client.h"
#include "hamlet/replica.h"

namespace hamlet::office {

struct SyncOutcome {
  SyncReport report;
  size_t admitted = 0, refused = 0;  // Join requests, on the admin's device.
};
// What a sync is, as people read it (the command line's progress line and
// summary, the web app's sync page).
// "812 B", "12.5 KiB", "3.2 MiB".
std::string ByteSize(size_t bytes);
// "pull: 120 commits, 48.0 KiB": the phase p is in and how far it came.
std::string PhaseText(const SyncProgress& p);
// " - the link is down, trying again (...)" while p says so, else "".
std::string LinkDownText(const SyncProgress& p);
// "sent 3 commits (2.1 KiB), received 40 (38 new, 51.2 KiB)", and what was
// passed on for others and how often the link dropped, when any.
std::string MovedText(const SyncReport& r);

// Runs one round with client (which names the hub); thread safe as the
// replica is; client.Cancel() from another thread stops it (Cancelled).
Status SyncWorkspace(Replica& r, const WorkspaceId& ws, HubClient& client, SyncOutcome* out);

struct SyncState {
  int64_t last_sync = 0;   // Unix seconds of the last sync that went through; 0 for never.
  uint64_t written = 0;    // Commits this device wrote to ws.
  uint64_t delivered = 0;  // Of those, how many hub has acknowledged.
  uint64_t Undelivered() const { return written > delivered ? written - delivered : 0; }
};
// hub may be empty (none known): then nothing counts as delivered.
Status ReadSyncState(Replica& r, const WorkspaceId& ws, const std::string& hub, SyncState* out);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_SYNC_ROUND_H_
