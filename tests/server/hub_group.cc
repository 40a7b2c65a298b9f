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

Status SyncWith(Replica& r, const WorkspaceId& ws, SyncOptions o, SyncReport* rep) {
  o.give_up_after_ms = 60000;
  HubClient c(&r, o);
  return c.Sync(ws, rep);
}

std::unique_ptr<Replica> NewMember(Group& g, const std::string& url, int key, Role role) {
  auto r = AdmitNew(g, key, role);
  HubClient admin(g.members[0].get(), TestSyncOptions(url));
  REQUIRE(admin.RegisterDevice(g.ws, r->device_id()).ok());
  return r;
}

void Concerns(Replica& r, const WorkspaceId& ws, int n, const std::string& words) {
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", words + " " + std::to_string(i)}, {"kind", std::string("request")}});
    REQUIRE(r.Commit(ws, b).ok());
  }
}

std::string ChainsOf(Replica& r, const WorkspaceId& ws) {
  std::vector<ChainStatus> chains;
  REQUIRE(r.Chains(ws, &chains).ok());
  std::string out;
  for (const ChainStatus& c : chains) out += c.device.Hex() + ":" + std::to_string(c.contiguous) + " ";
  return out;
}

}  // namespace hamlet::test
