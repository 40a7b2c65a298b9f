// HubClient: syncs a Replica with a hub over HTTP or HTTPS (protocol.md,
// "Hub protocol"). It lives in libhamlet_http, outside the sans-IO core:
// apps with their own network stack use Replica's export/import and
// AuthorizeRequest calls directly instead.
//
// Calls block until done or failed; run them off the UI thread. A HubClient
// is not thread safe; use one per thread. The Replica must outlive it.
#ifndef HAMLET_HUB_CLIENT_H_
#define HAMLET_HUB_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hamlet/export.h"
#include "hamlet/replica.h"

namespace hamlet {

// One phase's progress. A sync whose push needs more than one page pushes
// and pulls at once: the callback is then told of each phase in turn.
struct SyncProgress {
  // "push", "pull", "older" (recent first), "upload" or "download" (attachments), "snapshot" or "snapshot up"
  // (static text); "" before any.
  const char* phase = "";
  size_t commits = 0;          // Commits (files, in upload and download) moved so far in this phase.
  size_t bytes = 0;            // Bytes moved so far in this phase, as they cross.
  size_t retries = 0;          // Requests tried again so far.
  bool link_down = false;      // The last try failed; Sync waits to try again.
  int64_t waiting_ms = 0;      // While link_down: how long nothing has moved...
  int64_t give_up_ms = 0;      // ...and how long Sync waits in all before it stops.
};

struct SyncOptions {
  std::string hub;                       // "http://host:port" or "https://host:port".
  // Push pages start at first_page_bytes and pull pages at chunk_bytes;
  // both double while they arrive whole, up to chunk_bytes, and halve after
  // a cut (protocol.md 13.4).
  size_t chunk_bytes = 256 << 10;
  size_t first_page_bytes = 16 << 10;
  // Sync keeps trying while something moves, and stops (Unavailable) when
  // nothing has for this long.
  int64_t give_up_after_ms = 120000;
  int max_attempts = 0;                  // Above 0: also at most this many tries of one request.
  int64_t first_backoff_ms = 250;        // Doubles after each failed try, up to max_backoff_ms.
  int64_t max_backoff_ms = 4000;
  int connect_timeout_s = 10;
  int read_timeout_s = 30;               // The longest wait for the next byte of an answer.
  std::string ca_file;                   // PEM CA bundle for a hub with a private certificate.
  // Snapshots (protocol.md 6.5). A device that holds no other member's
  // commit of the workspace starts from the hub's snapshot when it has one
  // (from_snapshot), then pulls what came after. An officer's or the
  // admin's device makes one and gives it to the hub once the hub's log has
  // grown by snapshot_every positions since the newest it holds (0: never).
  bool from_snapshot = true;
  uint64_t snapshot_every = 20000;
  // Recent first (protocol.md 13.4). A device's first pull of a workspace
  // that did not start from a snapshot, with recent_days above 0, begins
  // with the commits the hub stored in the last recent_days days (whole
  // days of the hub's clock), so that the recent records are there first;
  // the older commits follow once the recent ones, this device's push and
  // its attachments are through (phase "older"), in this sync unless older
  // is false, and in the next ones if this one stops. Records read while
  // it runs show what has arrived so far.
  int recent_days = 0;
  bool older = true;
  // Called as bytes move (at most every 200 ms), after every page, and
  // before each wait for the link. Runs on the thread that called Sync.
  std::function<void(const SyncProgress&)> progress;
};

struct SyncReport {
  size_t pushed = 0;      // Commits the hub stored from this device.
  size_t relayed = 0;     // Commits of other members the hub stored from this device (it held them, the hub not).
  size_t pulled = 0;      // Commits received from the hub.
  size_t applied = 0;     // Of those, new to this replica.
  size_t bytes_up = 0;    // Request bodies sent.
  size_t bytes_down = 0;  // Response bodies received.
  size_t requests = 0;
  size_t retries = 0;
  size_t files_sent = 0;     // Attachments the hub now holds whole from this device.
  size_t files_fetched = 0;  // Attachments fetched because they were wanted.
  bool started_from_snapshot = false;  // This sync began with the hub's snapshot (SyncOptions::from_snapshot).
  bool snapshot_given = false;         // This device gave the hub a new snapshot.
  // Recent first: positions of the hub's log older than the recent ones
  // still to pull (SyncOptions::recent_days); 0 when all are in.
  uint64_t older_left = 0;
  // Why the hub's snapshot was not taken (then everything was pulled), for people; empty when it was, or none was
  // offered.
  std::string snapshot_refused;
};

class HAMLET_EXPORT HubClient {
 public:
  HubClient(Replica* replica, SyncOptions options);
  ~HubClient();

  // Publishes ws (this device must be its admin) with a token the hub
  // operator made.
  Status Publish(const WorkspaceId& ws, const std::string& token);
  // As admin of ws, gives the hub a member's certificate so it can sync.
  Status RegisterDevice(const WorkspaceId& ws, const DeviceId& device);
  // On a new device: posts the join request for an invite code; sets the
  // workspace and the invite id to complete the join with.
  Status RequestJoin(const std::string& code, WorkspaceId* ws, std::string* invite_id);
  // On a new device: fetches the admin's answer and joins. Unavailable
  // (retryable) while the admin has not answered yet.
  Status CompleteJoin(const WorkspaceId& ws, const std::string& invite_id);
  // As admin of ws: admits the devices whose join requests carry a valid
  // invite, registers them with the hub and leaves their envelopes for
  // pickup. Requests with a wrong or spent invite are skipped and counted.
  Status AdmitPending(const WorkspaceId& ws, size_t* admitted, size_t* refused);

  // As admin of ws: revokes a device and rotates the workspace key
  // (Replica::Revoke), then gives the hub the revocation, which refuses the
  // device at once, and the new key's grants for the remaining devices.
  Status Revoke(const WorkspaceId& ws, const DeviceId& device, RevokeResult* result);
  // Fetches key grants and revocations, pushes this device's commits the
  // hub lacks and pulls until caught up: one after the other when the push
  // fits one page, else at once on a second connection with its own
  // session (protocol.md 13.3). Goes on through cuts for as long
  // as something moves: a pull page cut in transit is resumed at the byte
  // where it stopped, a push resumes after what the hub acknowledged.
  // Unavailable when nothing moved for give_up_after_ms; a later Sync
  // continues from the last page that arrived whole. Errors say whether
  // retrying later can help (Status::Retryable).
  Status Sync(const WorkspaceId& ws, SyncReport* report);

  // After the commits, Sync sends this device's attachments the hub lacks
  // (phase "upload"), fetches the ones wanted (Replica::WantAttachment;
  // "download") and lets go of the bytes of dropped ones the hub holds.
  // Other devices' files are not fetched unless wanted. A file the hub
  // refuses for its size limit or quota stays on the device, and Sync
  // returns that refusal (OutOfRange, not retryable) after doing all the
  // rest; once the user drops the file's reference, it is let go.

  // Fetches the file of one attachment reference of ws now (phase
  // "download"), from the byte where an earlier fetch stopped; nothing
  // when this device holds it. DataLoss when the hub serves bytes that do
  // not match what the reference names; FailedPrecondition when the hub
  // does not hold the whole file yet (its device has not sent it).
  Status FetchAttachment(const WorkspaceId& ws, const RecordId& reference);

  // Stops the call running on another thread (or from its progress
  // callback) at once: it returns Cancelled (retryable), having kept what
  // arrived, a pull page cut off included, for the next Sync to go on
  // from. A call that starts afterwards is not affected. Thread safe.
  void Cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hamlet

#endif  // HAMLET_HUB_CLIENT_H_
