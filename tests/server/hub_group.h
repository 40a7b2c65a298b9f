// Workspaces of test replicas on a real hub.
#ifndef HAMLET_TESTS_HUB_GROUP_H_
#define HAMLET_TESTS_HUB_GROUP_H_

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

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_HUB_GROUP_H_
