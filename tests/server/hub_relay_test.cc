// Hub to hub (protocol.md 13.7): cadres' devices sync with a commune hub,
// which relays the workspace to and from the district hub under a
// certificate the admin gave it for relaying only; the officer (the admin)
// syncs at the district. Both hops go through proxies that cut connections
// at random.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include <httplib.h>

#include "cut_proxy.h"
#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hub_group.h"
#include "hub_process.h"
#include "hub_store.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// Polls the condition until it holds, a tenth of a second apart; bounded
// only so that a hang ends the test (about ten minutes).
template <class Fn>
bool Eventually(Fn&& done) {
  for (int i = 0; i < 6000; i++) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

SyncOptions CutLinkOptions(const std::string& url) {
  SyncOptions o = TestSyncOptions(url);
  o.give_up_after_ms = 20000;
  return o;
}

Status TrySync(Replica& r, const WorkspaceId& ws, const std::string& url) {
  HubClient c(&r, CutLinkOptions(url));
  SyncReport rep;
  return c.Sync(ws, &rep);
}

size_t Concerns(Replica& r, const WorkspaceId& ws) {
  Query q;
  q.workspace = ws;
  q.collection = "concerns";
  q.limit = 1;
  QueryResult res;
  REQUIRE(r.Find(q, &res).ok());
  return res.total;
}

// Every commit a hub store holds, once each, by (author, seq).
std::set<std::pair<DeviceId, uint64_t>> StoredCommits(const std::string& dir, const WorkspaceId& ws,
                                                      size_t* rows) {
  std::unique_ptr<hub::HubStore> store;
  REQUIRE((dir.rfind("postgresql://", 0) == 0 ? hub::OpenPostgresHubStore(dir, &store)
                                              : hub::OpenSqliteHubStore(dir, &store))
              .ok());
  std::set<std::pair<DeviceId, uint64_t>> seen;
  *rows = 0;
  uint64_t after = 0;
  for (bool more = true; more;) {
    std::vector<std::string> raw;
    uint64_t next = 0;
    REQUIRE(store->ReadAfter(ws, DeviceId(), after, 0, 1 << 20, &raw, &next, &more).ok());
    for (const std::string& bytes : raw) {
      SealedCommit c;
      REQUIRE(ParseCommit(bytes, &c).ok());
      seen.insert({c.header.author, c.header.seq});
      (*rows)++;
    }
    after = next;
  }
  return seen;
}

}  // namespace

TEST_CASE("hub to hub: devices, a commune hub, a district hub and the officer converge over cut links",
          "[hub][relay]") {
  // The commune hub on either store (its relay state lives there).
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  const uint64_t seed = SeedFromEnv(1208);
  INFO("seed " << seed << " (HAMLET_SEED replays it); commune hub on " << backend);
  std::mt19937_64 rng(seed);
  TempDir dir;
  const std::string district_dir = dir.path() + "/district", commune_dir = HubStoreFor(backend, dir.path());
  HubProcess district(district_dir);
  Group g;
  MakeGroup(5, "", &g);  // Member 0 is the admin, an officer at the district; 1..4 are cadres at the commune.
  Replica& officer = *g.members[0];
  PublishGroup(district.url(), district.CreateToken(), g);

  // The commune hub's operator makes its relay identity; the admin
  // certifies it and registers it with the district hub.
  const std::string store_flag = backend == "sqlite" ? "--data" : "--store";
  const std::string request = HubProcess::Output({"relay", "key", store_flag, commune_dir});
  DeviceId relay;
  std::string file;
  REQUIRE(officer.CertifyRelay(g.ws, request, &relay, &file).ok());
  REQUIRE(HubClient(&officer, TestSyncOptions(district.url())).RegisterDevice(g.ws, relay).ToString() == "OK");
  REQUIRE(Env::Default()->WriteFileAtomic(dir.path() + "/relay", file).ok());
  REQUIRE(HubProcess::Run({"relay", "add", dir.path() + "/relay", store_flag, commune_dir}) == 0);

  // The relay's hop cuts one connection in two somewhere in its first 3 KiB,
  // the devices' one in three in its first 16 KiB.
  CutProxy upstream(district.port(), seed, 50, 3 << 10);
  auto commune = std::make_unique<HubProcess>(
      commune_dir, std::vector<std::string>{"--upstream", "http://127.0.0.1:" + std::to_string(upstream.port()),
                                            "--relay-every", "0.2"});
  CutProxy field(commune->port(), seed + 1, 35, 16 << 10);
  const std::string commune_url = "http://127.0.0.1:" + std::to_string(field.port());

  // The cadres' devices are known at the commune once the relay has
  // brought the membership down from the district.
  REQUIRE(Eventually([&] { return TrySync(*g.members[1], g.ws, commune->url()).ok(); }));

  // Everyone writes and syncs, over the cut links, in random order.
  size_t written = 0;
  for (int round = 0; round < 6; round++) {
    std::vector<int> order{0, 1, 2, 3, 4};
    std::shuffle(order.begin(), order.end(), rng);
    for (int m : order) {
      int n = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < n; i++) {
        // A page of notes each, so that pages on both hops are large
        // enough to be cut.
        std::string notes;
        while (notes.size() < 3000) notes += std::to_string(rng()) + " ";
        WriteBatch b;
        b.Insert("concerns", {{"summary", "Kiến nghị " + std::to_string(round) + "-" + std::to_string(m) + "-" +
                                              std::to_string(i)},
                              {"kind", "request"},
                              {"notes", notes}});
        REQUIRE(g.members[m]->Commit(g.ws, b).ok());
        written++;
      }
      // A sync cut too often gives up; the next round goes on from there.
      (void)TrySync(*g.members[m], g.ws, m == 0 ? district.url() : commune_url);
    }
  }

  // Then everyone syncs until every replica holds every record.
  auto converged = [&] {
    for (int m = 0; m < 5; m++) (void)TrySync(*g.members[m], g.ws, m == 0 ? district.url() : commune_url);
    std::string d = Digest(officer, g.ws);
    for (int m = 0; m < 5; m++) {
      if (Concerns(*g.members[m], g.ws) != written || Digest(*g.members[m], g.ws) != d) return false;
    }
    return true;
  };
  REQUIRE(Eventually(converged));
  {
    httplib::Client http(commune->url());
    auto st = http.Get("/v1/status", {{"Authorization", "Bearer " + commune->CreateToken(true)}});
    REQUIRE(st);
    CHECK(st->body.find("\"relay\":{") != std::string::npos);
  }
  INFO("upstream: " << upstream.cuts() << " cuts, " << upstream.bytes_up() << " bytes up, " << upstream.bytes_down()
                     << " down; field: " << field.cuts() << " cuts, " << field.bytes_up() << " up");
  CHECK(upstream.cuts() > 0);
  CHECK(field.cuts() > 0);

  // A revocation at the district reaches the commune: the revoked cadre is
  // refused there, and the others get the new key from the commune hub.
  HubClient admin(&officer, TestSyncOptions(district.url()));
  RevokeResult revoked;
  REQUIRE(admin.Revoke(g.ws, g.members[4]->device_id(), &revoked).ToString() == "OK");
  REQUIRE(Eventually([&] {
    return TrySync(*g.members[4], g.ws, commune->url()).code() == Code::kPermissionDenied;
  }));
  WriteBatch after;
  after.Insert("concerns", {{"summary", "Sau khi thu hồi"}, {"kind", "request"}});
  REQUIRE(officer.Commit(g.ws, after).ok());
  written++;
  REQUIRE(TrySync(officer, g.ws, district.url()).ok());
  REQUIRE(Eventually([&] {
    for (int m = 1; m < 4; m++) (void)TrySync(*g.members[m], g.ws, commune_url);
    for (int m = 1; m < 4; m++) {
      if (Concerns(*g.members[m], g.ws) != written || Digest(*g.members[m], g.ws) != Digest(officer, g.ws)) {
        return false;
      }
    }
    return true;
  }));
  CHECK(Concerns(*g.members[4], g.ws) == written - 1);

  // Nothing doubled: each hub holds each commit of every chain once.
  std::vector<DeviceStatus> devices;
  REQUIRE(officer.Devices(g.ws, &devices).ok());
  std::set<std::pair<DeviceId, uint64_t>> expected;
  for (const DeviceStatus& d : devices) {
    for (uint64_t seq = 1; seq <= d.contiguous; seq++) expected.insert({d.device, seq});
  }
  commune.reset();
  district.Stop();
  for (const std::string& hub_dir : {district_dir, commune_dir}) {
    INFO(hub_dir);
    size_t rows = 0;
    CHECK(StoredCommits(hub_dir, g.ws, &rows) == expected);
    CHECK(rows == expected.size());
  }
}

TEST_CASE("a relay certificate admits a hub to relay, and to nothing else", "[hub][relay]") {
  TempDir dir;
  HubProcess district(dir.path() + "/district");
  Group g;
  MakeGroup(2, "", &g);
  Replica& admin = *g.members[0];
  PublishGroup(district.url(), district.CreateToken(), g);
  const std::string commune_dir = dir.path() + "/commune";
  const std::string request = HubProcess::Output({"relay", "key", "--data", commune_dir});
  // The same request twice gives the same identity: it is made once.
  CHECK(HubProcess::Output({"relay", "key", "--data", commune_dir}) == request);

  DeviceId relay;
  std::string file;
  REQUIRE(admin.CertifyRelay(g.ws, request, &relay, &file).ok());
  // Only the admin certifies; an invite or an admission cannot make a relay.
  DeviceId other;
  std::string other_file;
  CHECK(g.members[1]->CertifyRelay(g.ws, request, &other, &other_file).code() == Code::kPermissionDenied);
  std::string code;
  CHECK(admin.CreateInvite(g.ws, Role::kRelay, &code).code() == Code::kInvalidArgument);
  CHECK(admin.CertifyRelay(g.ws, "not hex", &other, &other_file).code() == Code::kInvalidArgument);

  // A relay file for another hub's identity is refused by this one.
  const std::string stranger_dir = dir.path() + "/stranger";
  (void)HubProcess::Output({"relay", "key", "--data", stranger_dir});
  REQUIRE(Env::Default()->WriteFileAtomic(dir.path() + "/relay", file).ok());
  CHECK(HubProcess::Run({"relay", "add", dir.path() + "/relay", "--data", stranger_dir}) != 0);
  REQUIRE(Env::Default()->WriteFileAtomic(dir.path() + "/bad", "hamlet relay 1\nzz\n").ok());
  CHECK(HubProcess::Run({"relay", "add", dir.path() + "/bad", "--data", commune_dir}) != 0);
  REQUIRE(HubProcess::Run({"relay", "add", dir.path() + "/relay", "--data", commune_dir}) == 0);

  // The operator sees on the status page how the last relay round went:
  // here, an upstream that does not answer.
  {
    HubProcess commune(commune_dir, {"--upstream", "http://127.0.0.1:1", "--relay-every", "0.1",
                                     "--upstream-give-up", "0.5"});
    httplib::Client http(commune.url());
    const httplib::Headers op{{"Authorization", "Bearer " + commune.CreateToken(true)}};
    std::string body;
    REQUIRE(Eventually([&] {
      auto st = http.Get("/v1/status", op);
      body = st ? st->body : "";
      return body.find("\"relay\":{") != std::string::npos;
    }));
    INFO(body);
    CHECK(body.find("http://127.0.0.1:1") != std::string::npos);
    CHECK(body.find("could not connect") != std::string::npos);
    CHECK(body.find("\"last_success\":0") != std::string::npos);
  }

  // The relay is never an officer: values sealed for officers are not
  // sealed to it, and a revocation's new key is not granted to it.
  std::vector<DeviceStatus> devices;
  REQUIRE(admin.Devices(g.ws, &devices).ok());
  bool listed = false;
  for (const DeviceStatus& d : devices) listed = listed || (d.device == relay && d.role == Role::kRelay);
  CHECK(listed);
  RevokeResult rr;
  REQUIRE(admin.Revoke(g.ws, g.members[1]->device_id(), &rr).ok());
  CHECK(rr.grants.empty());  // The admin keeps the key; the relay gets none.
}
