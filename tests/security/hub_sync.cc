#include "hub_sync.h"

#include <catch2/catch.hpp>

namespace hamlet::test {

SyncOptions Options(const std::string& url) {
  SyncOptions o;
  o.hub = url;
  o.chunk_bytes = 4096;
  o.first_backoff_ms = 10;
  o.max_attempts = 2;
  return o;
}

void Publish(HubProcess& hub, Group& g) {
  HubClient admin(g.members[0].get(), Options(hub.url()));
  REQUIRE(admin.Publish(g.ws, hub.CreateToken()).ToString() == "OK");
  for (size_t i = 1; i < g.members.size(); i++) {
    REQUIRE(admin.RegisterDevice(g.ws, g.members[i]->device_id()).ToString() == "OK");
  }
}

void Sync(Replica& r, const WorkspaceId& ws, const std::string& url) {
  HubClient c(&r, Options(url));
  SyncReport rep;
  REQUIRE(c.Sync(ws, &rep).ToString() == "OK");
}

}  // namespace hamlet::test
