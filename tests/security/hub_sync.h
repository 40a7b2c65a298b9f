// What the security tests share to set up a workspace on a real hub.
#ifndef HAMLET_TESTS_SECURITY_HUB_SYNC_H_
#define HAMLET_TESTS_SECURITY_HUB_SYNC_H_

#include <httplib.h>

#include <string>

#include "hamlet/hub_client.h"
#include "hand_device.h"
#include "helpers.h"
#include "hub_process.h"

namespace hamlet::test {

// Sync options for a test: small pages, short backoff, two tries.
SyncOptions Options(const std::string& url);

// Publishes g's workspace on hub as member 0 and registers every other member.
void Publish(HubProcess& hub, Group& g);

// Syncs r's ws with the hub at url and requires it to succeed.
void Sync(Replica& r, const WorkspaceId& ws, const std::string& url);

// Registers a hand-made device's certificate with the hub, as its admin.
void Register(HubProcess& hub, Replica& admin, const HandDevice& dev);

// A push made by hand with the device's own key, as a modified client would.
httplib::Result HandPush(const std::string& url, const HandDevice& dev, const std::string& chunk);

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_SECURITY_HUB_SYNC_H_
