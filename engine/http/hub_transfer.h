// The two halves of a sync, each over one HubConnection: pushing this
// device's chain (protocol.md 13.3) and pulling the hub's log (13.4, 13.6).
// Push pages start at SyncOptions::first_page_bytes and pull pages at
// chunk_bytes; both double while they arrive whole, up to chunk_bytes, and
// halve after a cut. Both may run at once on
// two connections (two threads); each counts on its connection's report
// and meter lane.
#ifndef HAMLET_HTTP_HUB_TRANSFER_H_
#define HAMLET_HTTP_HUB_TRANSFER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "hub_connection.h"

namespace hamlet {

// The smallest page after halving, and the first page, for options.
size_t SmallestPage(const SyncOptions& options);
size_t FirstPage(const SyncOptions& options);

// The page loop of a push, for a device's chain, relayed commits, or a hub
// relaying to another hub: export_page makes a chunk of at most the given
// size (empty when nothing is left); took reads the hub's answer to it and
// says whether the push is over; a session that ran out is opened again by
// reopen. Pages halve after a failed try and double after each that goes
// through.
Status PushPages(HubConnection* c, const WorkspaceId& ws,
                 const std::function<Status(size_t, ExportResult*)>& export_page,
                 const std::function<Status(const nlohmann::json&, const ExportResult&, bool*)>& took,
                 const std::function<Status()>& reopen);

// Where the pages of a pull go: a replica, or a hub relaying from another.
class PullTarget {
 public:
  virtual ~PullTarget() = default;
  // A page cut when an earlier pull stopped, if one was kept and starts at
  // position; *page is left alone otherwise.
  virtual Status TakePartialPage(uint64_t position, HubConnection::Page* page) = 0;
  // Keeps what came of a page when the pull stops.
  virtual Status KeepPartialPage(const HubConnection::Page& page) = 0;
  // Stores a whole page; *commits counts what it carried.
  virtual Status Apply(const std::string& page, size_t* commits) = 0;
  // Everything up to position is applied.
  virtual Status SetPosition(uint64_t position) = 0;
  // Whether some chain falls short of what heads says the hub held.
  virtual Status ShortOf(const std::map<DeviceId, uint64_t>& heads, bool* short_of) = 0;
};

// The page loop of a pull from position into target, as PullLog describes;
// with bound above 0, only positions up to bound (PullOlder). phase names
// it to the meter (static text).
Status PullPages(HubConnection* c, const WorkspaceId& ws, uint64_t position, const std::map<DeviceId, uint64_t>& heads,
                 PullTarget* target, uint64_t bound = 0, const char* phase = "pull");

// Pushes what the hub lacks of this device's chain, after acknowledged
// (how far the hub holds it), page by page; the hub says after each page
// how far it holds the chain, so a cut connection resumes from there.
Status PushChain(HubConnection* c, const WorkspaceId& ws, uint64_t acknowledged);

// Relays what the hub lacks of other members' chains (protocol.md 13.3):
// held is how far the hub held each chain when the session opened (its
// heads). Page by page, as PushChain; a page the hub took moves held on.
Status PushRelayed(HubConnection* c, const WorkspaceId& ws, std::map<DeviceId, uint64_t> held);

// Pulls everything after position, a page at a time; a page cut in transit
// goes on from the byte where it stopped, in this sync or, kept in the
// replica when the sync stops, in the next one. At the end of the hub's log,
// every chain must reach what heads (from the session answer) said the hub
// held; if not, and the pull did not start at the beginning, once more from
// there (a hub restored from a copy made by hand can hand old positions to
// new commits).
Status PullLog(HubConnection* c, const WorkspaceId& ws, uint64_t position, const std::map<DeviceId, uint64_t>& heads);

// Recent first (protocol.md 13.4): pulls the older part of the hub's log
// that a first pull left (Replica::OlderRange), page by page up to its end,
// keeping its progress in the replica, and then checks the chains against
// heads as PullLog does at the end of the log. Nothing when none is left.
Status PullOlder(HubConnection* c, const WorkspaceId& ws, const std::map<DeviceId, uint64_t>& heads);

}  // namespace hamlet

#endif  // HAMLET_HTTP_HUB_TRANSFER_H_
