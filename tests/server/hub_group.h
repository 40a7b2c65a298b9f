// Workspaces of test replicas on a real hub.
#ifndef HAMLET_TESTS_HUB_GROUP_H_
#define HAMLET_TESTS_HUB_GROUP_H_

#include <memory>
#include <string>

#include "hamlet/hub_client.h"
#include "helpers.h"

namespace hamlet::test {

// Sync options for a test against hub_url: small pages (many requests, as
// on a 2G link) and short waits between tries.
SyncOptions TestSyncOptions(const std::string& hub_url);

// Publishes g's workspace on the hub at hub_url with a publish token, its
// admin (member 0) registering every other member.
void PublishGroup(const std::string& hub_url, const std::string& token, Group& g);

// One Sync of r with options o, going on for up to a minute without progress.
Status SyncWith(Replica& r, const WorkspaceId& ws, SyncOptions o, SyncReport* rep);

// A new device admitted to g's workspace with role, registered with the
// hub at url by the admin (member 0).
std::unique_ptr<Replica> NewMember(Group& g, const std::string& url, int key, Role role);

// Records n concerns on r, one commit each, their summaries words and a number.
void Concerns(Replica& r, const WorkspaceId& ws, int n, const std::string& words);

// Every chain r holds of ws and how far without a gap, as one line to compare.
std::string ChainsOf(Replica& r, const WorkspaceId& ws);

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_HUB_GROUP_H_
