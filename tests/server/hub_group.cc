#include "hub_group.h"

#include <catch2/catch.hpp>

namespace hamlet::test {

SyncOptions TestSyncOptions(const std::string& hub_url) {
  SyncOptions o;
  o.hub = hub_url;
  o.chunk_bytes = 4096;  // Many small pages, as on a 2G link.
  o.first_backoff_ms = 10;
  return o;
}

void PublishGroup(const std::string& hub_url, const std::string& token, Group& g) {
  HubClient admin(g.members[0].get(), TestSyncOptions(hub_url));
  REQUIRE(admin.Publish(g.ws, token).ToString() == "OK");
  for (size_t i = 1; i < g.members.size(); i++) {
    REQUIRE(admin.RegisterDevice(g.ws, g.members[i]->device_id()).ToString() == "OK");
  }
}

}  // namespace hamlet::test
