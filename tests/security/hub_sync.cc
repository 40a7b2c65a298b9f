#include "hub_sync.h"

#include <catch2/catch.hpp>

#include "hex.h"
#include "request_auth.h"

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

void Register(HubProcess& hub, Replica& admin, const HandDevice& dev) {
  REQUIRE(admin.AcceptCertificate(dev.cert).ok());
  HubClient ac(&admin, Options(hub.url()));
  REQUIRE(ac.RegisterDevice(dev.ws, dev.id()).ToString() == "OK");
}

httplib::Result HandPush(const std::string& url, const HandDevice& dev, const std::string& chunk) {
  httplib::Client http(url);
  auto s = http.Post("/v1/workspaces/" + dev.ws.Hex() + "/session", "{\"device\":\"" + dev.id().Hex() + "\"}",
                     "application/json");
  if (!s || s->status != 200) return s;
  std::string challenge;
  size_t at = s->body.find("\"challenge\":\"");
  REQUIRE(HexDecode(s->body.substr(at + 13, 32), &challenge));
  std::string target = "/v1/workspaces/" + dev.ws.Hex() + "/push";
  std::string auth = SignRequest(dev.id(), dev.sign.secret_key, "POST", target, challenge, 1, chunk);
  return http.Post(target, httplib::Headers{{"Authorization", auth}}, chunk, "application/octet-stream");
}

}  // namespace hamlet::test
