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
#include <map>

#include "hub_connection.h"

namespace hamlet {

// The smallest page after halving, and the first page, for options.
size_t SmallestPage(const SyncOptions& options);
size_t FirstPage(const SyncOptions& options);

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

}  // namespace hamlet

#endif  // HAMLET_HTTP_HUB_TRANSFER_H_
