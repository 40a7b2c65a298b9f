// Attacks on snapshots (protocol.md 6.5), as the attacker's own programs: a
// member that gives the hub a snapshot it may not make, or one another
// device made, and a hub that serves a new device an altered snapshot or
// another workspace's. None of them gets into a device; the device pulls
// everything instead and holds what the others hold.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "crypto.h"
#include "hamlet/hub_client.h"
#include "hand_device.h"
#include "helpers.h"
#include "hex.h"
#include "hub_process.h"
#include "hub_sync.h"
#include "request_auth.h"
#include "snapshot.h"
#include "tampering_proxy.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// The attacker's upload: a session of its own device, a PUT it signs itself.
httplib::Result RoguePut(const std::string& url, const HandDevice& dev, const std::string& snapshot) {
  httplib::Client http(url);
  auto s = http.Post("/v1/workspaces/" + dev.ws.Hex() + "/session", "{\"device\":\"" + dev.id().Hex() + "\"}",
                     "application/json");
  REQUIRE(s);
  REQUIRE(s->status == 200);
  std::string challenge;
  REQUIRE(HexDecode(nlohmann::json::parse(s->body)["challenge"].get<std::string>(), &challenge));
  std::string target =
      "/v1/workspaces/" + dev.ws.Hex() + "/snapshot?size=" + std::to_string(snapshot.size()) + "&from=0";
  std::string auth = SignRequest(dev.id(), dev.sign.secret_key, "PUT", target, challenge, 1, "");
  return http.Put(target, httplib::Headers{{"Authorization", auth}}, snapshot, "application/octet-stream");
}

std::unique_ptr<Replica> NewMember(HubProcess& hub, Group& g, int key) {
  auto r = AdmitNew(g, key, Role::kCadre);
  HubClient admin(g.members[0].get(), Options(hub.url()));
  REQUIRE(admin.RegisterDevice(g.ws, r->device_id()).ok());
  return r;
}

void Notes(Replica& r, const WorkspaceId& ws, int n) {
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", "Phản ánh " + std::to_string(i)}, {"kind", std::string("complaint")}});
    REQUIRE(r.Commit(ws, b).ok());
  }
}

}  // namespace

TEST_CASE("a hub keeps no snapshot from a cadre's device, nor one its uploader did not make", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  Notes(*g.members[1], g.ws, 3);
  Sync(*g.members[1], g.ws, hub.url());
  Sync(*g.members[0], g.ws, hub.url());
  HandDevice rogue(*g.members[0], g.ws);
  Register(hub, *g.members[0], rogue);

  // Its own, signed with its own key: a cadre may not vouch for a workspace's state.
  SnapshotHeader h;
  h.workspace = g.ws;
  h.maker_certificate = rogue.cert;
  SnapshotBody body;
  body.records.emplace_back(*RecordId::FromBytes(std::string(16, 'r')), std::string("forged"));
  std::string encoded;
  EncodeSnapshotBody(body, &encoded);
  auto r = RoguePut(hub.url(), rogue, SealSnapshot(h, rogue.data_key, rogue.sign.secret_key, encoded));
  REQUIRE(r);
  CHECK(r->status == 403);

  // The admin's genuine snapshot, given by the cadre as its own.
  std::string genuine;
  SnapshotInfo info;
  REQUIRE(g.members[0]->MakeSnapshot(g.ws, hub.url(), &genuine, &info).ok());
  r = RoguePut(hub.url(), rogue, genuine);
  REQUIRE(r);
  CHECK(r->status == 403);

  // Nothing was kept: a new device pulls everything.
  auto fresh = NewMember(hub, g, 100);
  HubClient c(fresh.get(), Options(hub.url()));
  SyncReport rep;
  REQUIRE(c.Sync(g.ws, &rep).ok());
  CHECK_FALSE(rep.started_from_snapshot);
  CHECK(rep.pulled == 3);
}

TEST_CASE("a hub that serves an altered snapshot, or another workspace's, gets nothing into a new device",
          "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  Notes(*g.members[1], g.ws, 5);
  Sync(*g.members[1], g.ws, hub.url());
  SyncOptions o = Options(hub.url());
  o.snapshot_every = 1;
  {
    HubClient admin(g.members[0].get(), o);
    SyncReport rep;
    REQUIRE(admin.Sync(g.ws, &rep).ok());
    REQUIRE(rep.snapshot_given);
  }
  // Another workspace on the same hub, with a snapshot of its own.
  Group other;
  MakeGroup(1, "", &other);
  Publish(hub, other);
  Notes(*other.members[0], other.ws, 2);
  std::string theirs;
  SnapshotInfo info;
  Sync(*other.members[0], other.ws, hub.url());
  REQUIRE(other.members[0]->MakeSnapshot(other.ws, hub.url(), &theirs, &info).ok());

  TamperingProxy liar(hub.url());
  auto served = [&](std::function<void(std::string*)> change) {
    liar.SetTamper([change](const httplib::Request& req, httplib::Response& res) {
      if (req.path.size() >= 9 && req.path.compare(req.path.size() - 9, 9, "/snapshot") == 0 && res.status == 200) {
        change(&res.body);
      }
    });
    auto fresh = NewMember(hub, g, 100);
    HubClient c(fresh.get(), Options(liar.url()));
    SyncReport rep;
    Status s = c.Sync(g.ws, &rep);
    INFO(s.ToString() << "; refused: " << rep.snapshot_refused);
    REQUIRE(s.ok());
    CHECK_FALSE(rep.started_from_snapshot);
    CHECK_FALSE(rep.snapshot_refused.empty());
    CHECK(rep.pulled == 5);  // Everything, from the start.
    CHECK(Digest(*fresh, g.ws) == Digest(*g.members[1], g.ws));
  };
  SECTION("a record changed") {
    served([](std::string* b) { (*b)[b->size() / 2] ^= 0x04; });
  }
  SECTION("signed again by the hub") {
    served([](std::string* b) {
      SignKeyPair hub_key = SignKeygen();
      std::string resigned = b->substr(0, b->size() - kSignatureBytes);
      resigned += SignDetached(hub_key.secret_key, std::string("hamlet snapshot signature v1") + resigned);
      *b = resigned;
    });
  }
  SECTION("another workspace's") {
    served([&](std::string* b) { *b = theirs; });
  }
}
