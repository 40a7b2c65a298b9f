// The hub and the sync client, against a real hamlet-hub process.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hex.h"
#include "cut_proxy.h"
#include "hub_group.h"
#include "hub_process.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

SyncOptions Options(const HubProcess& hub) { return TestSyncOptions(hub.url()); }

void Publish(HubProcess& hub, Group& g) { PublishGroup(hub.url(), hub.CreateToken(), g); }

void WriteSome(Replica& r, const WorkspaceId& ws, int n, std::mt19937_64& rng) {
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", std::string("Kiến nghị ") + std::to_string(rng() % 1000)},
                          {"status", std::string(rng() % 2 ? "received" : "resolved")}});
    REQUIRE(r.Commit(ws, b).ok());
  }
}

// Opens a session by hand, as an attacker or a third-party client would;
// returns the raw challenge.
std::string RawSession(httplib::Client& http, const WorkspaceId& ws, const DeviceId& device) {
  auto r = http.Post("/v1/workspaces/" + ws.Hex() + "/session", "{\"device\":\"" + device.Hex() + "\"}",
                     "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  std::string challenge;
  REQUIRE(HexDecode(r->body.substr(r->body.find("\"challenge\":\"") + 13, 32), &challenge));
  return challenge;
}

}  // namespace

TEST_CASE("replicas sync through a real hub and converge", "[hub]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(4, dir.path(), &g);
  Publish(hub, g);
  uint64_t seed = SeedFromEnv(77);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  // Offline edits everywhere, then syncs in random order, twice around.
  for (auto& m : g.members) WriteSome(*m, g.ws, 5 + static_cast<int>(rng() % 20), rng);
  std::vector<size_t> order{0, 1, 2, 3};
  for (int round = 0; round < 2; round++) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      HubClient c(g.members[i].get(), Options(hub));
      SyncReport rep;
      Status s = c.Sync(g.ws, &rep);
      REQUIRE(s.ToString() == "OK");
      CHECK(rep.retries == 0);
    }
  }
  std::string d0 = Digest(*g.members[0], g.ws);
  for (auto& m : g.members) CHECK(Digest(*m, g.ws) == d0);

  // A second sync moves nothing and pushes nothing twice.
  HubClient c(g.members[2].get(), Options(hub));
  SyncReport rep;
  REQUIRE(c.Sync(g.ws, &rep).ok());
  CHECK(rep.pushed == 0);
  CHECK(rep.pulled == 0);

  // The status page knows every device, for the operator alone; the hub
  // holds no readable value.
  httplib::Client http(hub.url());
  for (const char* page : {"/", "/v1/status", "/metrics"}) {
    auto anyone = http.Get(page);
    REQUIRE(anyone);
    CHECK(anyone->status == 401);
    CHECK(anyone->body.find(g.members[3]->device_id().Hex()) == std::string::npos);
    CHECK(http.Get(page, httplib::Headers{{"Authorization", "Bearer 00112233445566778899aabbccddeeff"}})->status ==
          401);
  }
  std::string token = hub.CreateToken(true);
  httplib::Headers op{{"Authorization", "Bearer " + token}};
  auto st = http.Get("/v1/status", op);
  REQUIRE(st);
  CHECK(st->status == 200);
  CHECK(st->body.find(g.members[3]->device_id().Hex()) != std::string::npos);
  auto page = http.Get("/?token=" + token);  // A browser on the operator's desk.
  REQUIRE(page);
  CHECK(page->body.find("Hamlet hub") != std::string::npos);
  auto metrics = http.Get("/metrics", op);
  REQUIRE(metrics);
  CHECK(metrics->body.find("hamlet_commits_stored_total") != std::string::npos);
}

TEST_CASE("the hub refuses strangers, forged relays and replays", "[hub][bad-input]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(3, dir.path(), &g);
  // Member 2 joined the workspace but the admin never registered it here.
  HubClient admin(g.members[0].get(), Options(hub));
  REQUIRE(admin.Publish(g.ws, hub.CreateToken()).ok());
  REQUIRE(admin.RegisterDevice(g.ws, g.members[1]->device_id()).ok());
  CHECK(admin.Publish(g.ws, "not-a-token").code() == Code::kPermissionDenied);

  HubClient stranger(g.members[2].get(), Options(hub));
  SyncReport rep;
  Status s = stranger.Sync(g.ws, &rep);
  CHECK(s.code() == Code::kNotFound);
  CHECK_FALSE(s.Retryable());

  std::mt19937_64 rng(5);
  WriteSome(*g.members[0], g.ws, 3, rng);
  REQUIRE(admin.Sync(g.ws, &rep).ok());
  CHECK(rep.pushed == 3);
  SyncOneWay(*g.members[0], *g.members[1], g.ws);

  // Member 1 relays member 0's commits: the hub holds them already.
  httplib::Client http(hub.url());
  std::string challenge = RawSession(http, g.ws, g.members[1]->device_id());
  ExportResult ex;
  REQUIRE(g.members[1]->Export(g.ws, "", 1 << 20, &ex, ChunkForm::kBlind).ok());
  std::string target = "/v1/workspaces/" + g.ws.Hex() + "/push";
  std::string auth;
  REQUIRE(g.members[1]->AuthorizeRequest(g.ws, "POST", target, challenge, 1, ex.chunk, &auth).ok());
  auto pushed = http.Post(target, {{"Authorization", auth}}, ex.chunk, "application/octet-stream");
  REQUIRE(pushed);
  CHECK(pushed->status == 200);
  CHECK(pushed->body.find("\"duplicates\":3") != std::string::npos);
  // The same chunk damaged near its end: refused whole, and the session
  // goes on.
  std::string bad_relay = ex.chunk;
  bad_relay[bad_relay.size() - 40] ^= 1;
  REQUIRE(g.members[1]->AuthorizeRequest(g.ws, "POST", target, challenge, 2, bad_relay, &auth).ok());
  pushed = http.Post(target, {{"Authorization", auth}}, bad_relay, "application/octet-stream");
  REQUIRE(pushed);
  CHECK((pushed->status == 422 || pushed->status == 403 || pushed->status == 400));
  challenge = RawSession(http, g.ws, g.members[1]->device_id());

  // A valid signed request, sent again: refused as a replay.
  std::string pull = "/v1/workspaces/" + g.ws.Hex() + "/pull?after=0";
  REQUIRE(g.members[1]->AuthorizeRequest(g.ws, "GET", pull, challenge, 2, "", &auth).ok());
  auto first = http.Get(pull, {{"Authorization", auth}});
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->get_header_value("Hamlet-More") == "0");
  CHECK_FALSE(first->body.empty());
  auto again = http.Get(pull, {{"Authorization", auth}});
  REQUIRE(again);
  CHECK(again->status == 401);
  CHECK(again->body.find("replayed") != std::string::npos);
  // A signature over another target does not pass.
  REQUIRE(g.members[1]->AuthorizeRequest(g.ws, "GET", pull + "0", challenge, 3, "", &auth).ok());
  auto forged = http.Get(pull, {{"Authorization", auth}});
  REQUIRE(forged);
  CHECK(forged->status == 401);
  // Junk bodies and oversized ones get JSON errors.
  auto junk = http.Post("/v1/workspaces/" + g.ws.Hex() + "/session", "{{{", "application/json");
  REQUIRE(junk);
  CHECK(junk->status == 400);
  CHECK(junk->body.find("\"retryable\":false") != std::string::npos);
}

TEST_CASE("a hub killed mid-sync loses nothing it acknowledged", "[hub]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(2, dir.path(), &g);
  Publish(hub, g);
  std::mt19937_64 rng(9);
  WriteSome(*g.members[0], g.ws, 40, rng);
  HubClient c(g.members[0].get(), Options(hub));
  SyncReport rep;
  REQUIRE(c.Sync(g.ws, &rep).ok());
  CHECK(rep.pushed == 40);
  hub.KillAndRestart();
  WriteSome(*g.members[0], g.ws, 10, rng);
  REQUIRE(c.Sync(g.ws, &rep).ok());
  CHECK(rep.pushed == 10);  // Nothing acknowledged before the kill is sent again.
  HubClient other(g.members[1].get(), Options(hub));
  REQUIRE(other.Sync(g.ws, &rep).ok());
  CHECK(rep.pulled == 50);
  CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
}

TEST_CASE("the operator bounds the hub's pull pages whatever a device asks for", "[hub]") {
  // 40 commits of at least 1 KiB each (size buckets): one page of the
  // device's 256 KiB, or at least five of a hub that serves 8 KiB.
  for (bool bounded : {false, true}) {
    INFO("--max-pull-kib 8: " << bounded);
    TempDir dir;
    HubProcess hub(dir.File("hub"), bounded ? std::vector<std::string>{"--max-pull-kib", "8"}
                                            : std::vector<std::string>{});
    Group g;
    MakeGroup(2, dir.path(), &g);
    Publish(hub, g);
    std::mt19937_64 rng(11);
    WriteSome(*g.members[0], g.ws, 40, rng);
    SyncOptions o = Options(hub);
    o.chunk_bytes = 256 << 10;
    SyncReport rep;
    HubClient writer(g.members[0].get(), o);
    REQUIRE(writer.Sync(g.ws, &rep).ToString() == "OK");
    REQUIRE(rep.pushed == 40);
    HubClient reader(g.members[1].get(), o);
    REQUIRE(reader.Sync(g.ws, &rep).ToString() == "OK");
    CHECK(rep.pulled == 40);
    CHECK(rep.retries == 0);
    // Session, keys and the pull pages (the push had nothing).
    size_t pages = rep.requests - 2;
    if (bounded) {
      CHECK(pages >= 5);
    } else {
      CHECK(pages == 1);
    }
    CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
  }
  CHECK(HubProcess::Run({"serve", "--data", "unused", "--max-pull-kib", "2"}) != 0);
}

TEST_CASE("syncs through a link cut at random bytes and a hub killed at random lose nothing", "[hub][faults]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  // Every cut costs a new session, and a hub on PostgreSQL keeps the
  // count of unsigned requests per address across its restarts: the
  // limit (not tested here) is lifted.
  HubProcess hub(HubStoreFor(backend, dir.path()), {"--unsigned-requests-per-minute", "100000"});
  Group g;
  MakeGroup(3, dir.path(), &g);
  Publish(hub, g);
  uint64_t seed = SeedFromEnv(4242);
  INFO("seed " << seed << " (replay with HAMLET_SEED)");
  std::mt19937_64 rng(seed);
  CutProxy proxy(hub.port(), seed, 60, 12000);
  SyncOptions through = Options(hub);
  through.hub = "http://127.0.0.1:" + std::to_string(proxy.port());
  through.chunk_bytes = 2048;
  through.max_attempts = 2;
  through.first_backoff_ms = 1;
  through.max_backoff_ms = 5;
  through.connect_timeout_s = 2;
  through.read_timeout_s = 1;

  std::vector<size_t> written(g.members.size(), 0);
  int kills = 0, failed_syncs = 0;
  for (int round = 0; proxy.cuts() + kills < 100 && round < 400; round++) {
    size_t i = rng() % g.members.size();
    int n = 1 + static_cast<int>(rng() % 6);
    WriteSome(*g.members[i], g.ws, n, rng);
    written[i] += static_cast<size_t>(n);
    // Now and then the hub dies mid-sync, by SIGKILL, and comes back.
    std::thread killer;
    if (rng() % 8 == 0) {
      int delay = static_cast<int>(rng() % 30);
      killer = std::thread([&hub, delay] {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        hub.KillAndRestart();
      });
      kills++;
    }
    HubClient c(g.members[i].get(), through);
    SyncReport rep;
    Status s = c.Sync(g.ws, &rep);
    if (killer.joinable()) killer.join();
    if (!s.ok()) {
      INFO(s.ToString());
      REQUIRE(s.Retryable());  // A cut link is never reported as bad data.
      failed_syncs++;
    }
  }
  CHECK(proxy.cuts() + kills >= 100);
  // The link heals: everyone syncs directly until nothing moves.
  for (int pass = 0; pass < 2; pass++) {
    for (auto& m : g.members) {
      HubClient c(m.get(), Options(hub));
      SyncReport rep;
      REQUIRE(c.Sync(g.ws, &rep).ToString() == "OK");
    }
  }
  std::string d0 = Digest(*g.members[0], g.ws);
  for (size_t i = 0; i < g.members.size(); i++) {
    CHECK(Digest(*g.members[i], g.ws) == d0);
    std::vector<ChainStatus> chains;
    REQUIRE(g.members[i]->Chains(g.ws, &chains).ok());
    for (const ChainStatus& c : chains) CHECK(c.contiguous == c.head);
  }
  // The hub holds each commit exactly once.
  size_t total = 0;
  for (size_t w : written) total += w;
  httplib::Client http(hub.url());
  auto st = http.Get("/v1/status", httplib::Headers{{"Authorization", "Bearer " + hub.CreateToken(true)}});
  REQUIRE(st);
  INFO(st->body);
  CHECK(st->body.find("\"commits\":" + std::to_string(total) + ",") != std::string::npos);
  std::cerr << "faults: " << proxy.cuts() << " cuts, " << kills << " hub kills, " << failed_syncs
            << " syncs gave up and were retried later, " << total << " commits\n";
}

TEST_CASE("bad pushes get the right 4xx and store nothing", "[hub][bad-input]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(2, dir.path(), &g);
  Publish(hub, g);
  std::mt19937_64 rng(3);
  WriteSome(*g.members[1], g.ws, 4, rng);
  ExportResult ex;
  REQUIRE(g.members[1]->ExportAuthored(g.ws, 0, 1 << 20, &ex).ok());
  httplib::Client http(hub.url());
  std::string challenge = RawSession(http, g.ws, g.members[1]->device_id());
  uint64_t counter = 0;
  std::string target = "/v1/workspaces/" + g.ws.Hex() + "/push";
  auto push = [&](const std::string& body) {
    std::string auth;
    REQUIRE(g.members[1]->AuthorizeRequest(g.ws, "POST", target, challenge, ++counter, body, &auth).ok());
    auto r = http.Post(target, {{"Authorization", auth}}, body, "application/octet-stream");
    REQUIRE(r);
    return std::make_pair(r->status, r->body);
  };
  // Truncated and damaged chunks.
  auto [s1, b1] = push(ex.chunk.substr(0, ex.chunk.size() / 2));
  CHECK(s1 == 422);
  CHECK(b1.find("\"code\":\"data_loss\"") != std::string::npos);
  auto [s2, b2] = push("not a chunk at all, just some words");
  CHECK(s2 == 400);
  // A chunk of another workspace.
  Group other;
  MakeGroup(1, "", &other);
  WriteBatch w;
  w.Insert("concerns", {{"x", int64_t{1}}});
  REQUIRE(other.members[0]->Commit(other.ws, w).ok());
  ExportResult foreign;
  REQUIRE(other.members[0]->Export(other.ws, "", 1 << 20, &foreign, ChunkForm::kBlind).ok());
  auto [s3, b3] = push(foreign.chunk);
  CHECK(s3 == 400);
  CHECK(b3.find("another workspace") != std::string::npos);
  // A member chunk, which no hub can open.
  ExportResult sealed;
  REQUIRE(g.members[1]->Export(g.ws, "", 1 << 20, &sealed, ChunkForm::kMember).ok());
  auto [s_member, b_member] = push(sealed.chunk);
  CHECK(s_member == 400);
  CHECK(b_member.find("member chunk") != std::string::npos);
  // A body over the limit is refused before it is read whole.
  auto big = http.Post(target, std::string(17 << 20, 'x'), "application/octet-stream");
  REQUIRE(big);
  CHECK(big->status == 413);
  // An unknown workspace.
  auto none = http.Post("/v1/workspaces/" + std::string(32, 'a') + "/session",
                        "{\"device\":\"" + g.members[1]->device_id().Hex() + "\"}", "application/json");
  REQUIRE(none);
  CHECK(none->status == 404);
  // Nothing of it was stored; the real chunk still goes in whole.
  auto [s4, b4] = push(ex.chunk);
  CHECK(s4 == 200);
  CHECK(b4.find("\"stored\":4") != std::string::npos);
  auto [s5, b5] = push(ex.chunk);  // Again: all duplicates.
  CHECK(s5 == 200);
  CHECK(b5.find("\"duplicates\":4") != std::string::npos);
}

TEST_CASE("a revoked device is refused at once and cannot read what follows", "[hub][revoke]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(3, dir.path(), &g);
  Publish(hub, g);
  std::mt19937_64 rng(11);
  for (auto& m : g.members) WriteSome(*m, g.ws, 3, rng);
  for (int pass = 0; pass < 2; pass++) {
    for (auto& m : g.members) {
      HubClient c(m.get(), Options(hub));
      SyncReport rep;
      REQUIRE(c.Sync(g.ws, &rep).ok());
    }
  }
  HubClient admin(g.members[0].get(), Options(hub));
  RevokeResult rr;
  REQUIRE(admin.Revoke(g.ws, g.members[2]->device_id(), &rr).ToString() == "OK");

  // The revoked device is refused, clearly and for good.
  HubClient gone(g.members[2].get(), Options(hub));
  SyncReport rep;
  Status s = gone.Sync(g.ws, &rep);
  CHECK(s.code() == Code::kPermissionDenied);
  CHECK_FALSE(s.Retryable());
  CHECK(s.message().find("revoked") != std::string::npos);

  // The admin writes with the new key; the device that stayed gets the key
  // at its next sync and reads it.
  WriteBatch b;
  RecordId after = b.Insert("concerns", {{"summary", std::string("sau khi thu hồi")}});
  REQUIRE(g.members[0]->Commit(g.ws, b).ok());
  SyncReport r0;
  REQUIRE(admin.Sync(g.ws, &r0).ok());
  HubClient kept(g.members[1].get(), Options(hub));
  SyncReport r1;
  REQUIRE(kept.Sync(g.ws, &r1).ToString() == "OK");
  Record rec;
  REQUIRE(g.members[1]->Get(after, &rec).ok());
  CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
  // Even holding the hub's bytes, the revoked device cannot open them.
  ExportResult ex;
  REQUIRE(g.members[0]->Export(g.ws, "", 1 << 20, &ex, ChunkForm::kBlind).ok());
  ImportResult im;
  REQUIRE(g.members[2]->Import(ex.chunk, &im).ok());
  CHECK(im.set_aside >= 1);  // Sealed with the new key: kept aside, unread.
  CHECK(g.members[2]->Get(after, &rec).code() == Code::kNotFound);
}

TEST_CASE("a server that is not a current hub is named as such", "[hub]") {
  // A plain HTTP server on loopback answers 404 to everything, as an old or
  // foreign server would.
  httplib::Server other;
  int port = other.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { other.listen_after_bind(); });
  Group g;
  MakeGroup(1, "", &g);
  SyncOptions o;
  o.hub = "http://127.0.0.1:" + std::to_string(port);
  o.max_attempts = 1;
  HubClient c(g.members[0].get(), o);
  SyncReport rep;
  Status s = c.Sync(g.ws, &rep);
  other.stop();
  serving.join();
  CHECK(s.code() == Code::kUnimplemented);
  CHECK(s.message().find("not a Hamlet hub") != std::string::npos);
  // Nobody listening: retryable.
  o.hub = "http://127.0.0.1:1";
  HubClient down(g.members[0].get(), o);
  s = down.Sync(g.ws, &rep);
  CHECK(s.code() == Code::kUnavailable);
  CHECK(s.Retryable());
}

TEST_CASE("a device joins with an invite code whose secret never reaches the hub", "[hub][invite]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(1, dir.path(), &g);
  Replica& admin = *g.members[0];
  HubClient ac(&admin, Options(hub));
  REQUIRE(ac.Publish(g.ws, hub.CreateToken()).ok());
  std::mt19937_64 rng(21);
  WriteSome(admin, g.ws, 5, rng);
  SyncReport rep;
  REQUIRE(ac.Sync(g.ws, &rep).ok());

  std::string code;
  REQUIRE(admin.CreateInvite(g.ws, Role::kCadre, &code).ok());
  CHECK(code.rfind("hamlet2:", 0) == 0);

  Group fresh;
  MakeGroup(2, "", &fresh);  // Two devices with no workspace of ours yet.
  Replica& newcomer = *fresh.members[0];
  Replica& impostor = *fresh.members[1];
  HubClient nc(&newcomer, Options(hub));
  WorkspaceId ws;
  std::string invite;
  REQUIRE(nc.RequestJoin(code, &ws, &invite).ToString() == "OK");
  CHECK(ws == g.ws);
  // Before the admin answers: a clear, retryable "not yet".
  Status early = nc.CompleteJoin(ws, invite);
  CHECK(early.code() == Code::kUnavailable);
  CHECK(early.Retryable());

  // An impostor who saw only the invite id (as the hub does) cannot join:
  // its request carries no valid secret.
  std::string forged_code = code.substr(0, code.size() - 66) + std::string(32, '0') + code.substr(code.size() - 34);
  HubClient ic(&impostor, Options(hub));
  WorkspaceId ws2;
  std::string invite2;
  REQUIRE(ic.RequestJoin(forged_code, &ws2, &invite2).ok());

  size_t admitted = 0, refused = 0;
  REQUIRE(ac.AdmitPending(g.ws, &admitted, &refused).ToString() == "OK");
  CHECK(admitted == 1);
  REQUIRE(nc.CompleteJoin(ws, invite).ToString() == "OK");
  REQUIRE(nc.Sync(ws, &rep).ToString() == "OK");
  CHECK(rep.pulled == 5);
  CHECK(Digest(newcomer, g.ws) == Digest(admin, g.ws));
  // The impostor (same invite id, wrong secret) can fetch the envelope, but
  // it is sealed to the admitted device: its replica refuses it.
  Status taken = ic.CompleteJoin(ws2, invite2);
  CHECK(taken.code() == Code::kInvalidArgument);
  CHECK(taken.message().find("admits another device") != std::string::npos);
  std::vector<WorkspaceId> spaces;
  REQUIRE(impostor.Workspaces(&spaces).ok());
  CHECK(std::find(spaces.begin(), spaces.end(), g.ws) == spaces.end());
  // The same code cannot admit a second device.
  WorkspaceId w3;
  std::string i3;
  REQUIRE(ic.RequestJoin(code, &w3, &i3).ok());
  REQUIRE(ac.AdmitPending(g.ws, &admitted, &refused).ok());
  CHECK(admitted == 0);

  // The hub's files never held the invite secret.
  std::string secret_hex = code.substr(8 + 32 + 16, 32);
  std::string secret;
  REQUIRE(HexDecode(secret_hex, &secret));
  Env* env = Env::Default();
  for (const char* f : {"/hub.db", "/hub.db-wal"}) {
    std::string bytes;
    if (env->ReadFile(dir.File("hub") + f, &bytes).ok()) {
      CHECK(bytes.find(secret) == std::string::npos);
      CHECK(bytes.find(secret_hex) == std::string::npos);
    }
  }
}

TEST_CASE("the hub serves HTTPS and the client checks its certificate", "[hub][tls]") {
  TempDir dir;
  std::string cert = dir.File("cert.pem"), key = dir.File("key.pem");
  std::string make = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                     "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                     key + " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(make.c_str()) == 0);
  HubProcess hub(dir.File("hub"), cert, key);
  REQUIRE(hub.url().rfind("https://", 0) == 0);
  Group g;
  MakeGroup(2, dir.path(), &g);
  SyncOptions o = Options(hub);
  o.ca_file = cert;
  HubClient admin(g.members[0].get(), o);
  REQUIRE(admin.Publish(g.ws, hub.CreateToken()).ToString() == "OK");
  REQUIRE(admin.RegisterDevice(g.ws, g.members[1]->device_id()).ok());
  std::mt19937_64 rng(31);
  WriteSome(*g.members[0], g.ws, 4, rng);
  SyncReport rep;
  REQUIRE(admin.Sync(g.ws, &rep).ToString() == "OK");
  HubClient other(g.members[1].get(), o);
  REQUIRE(other.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(rep.pulled == 4);
  CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
  // A client that does not trust the certificate refuses the hub, and says why.
  SyncOptions untrusting = Options(hub);
  untrusting.max_attempts = 1;
  HubClient wary(g.members[1].get(), untrusting);
  Status s = wary.Sync(g.ws, &rep);
  CHECK(s.code() == Code::kUnauthenticated);
  CHECK(s.message().find("certificate") != std::string::npos);
}

TEST_CASE("pushes written together keep their own outcomes", "[hub][bad-input]") {
  // Concurrent pushes are written in groups, one transaction each: a forked
  // push in a group must fail alone, and the others must be stored.
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(6, dir.path(), &g);
  Publish(hub, g);
  std::mt19937_64 rng(5);
  // Member 1's store is copied after its first commit; both copies then make
  // a different commit 2, each validly signed: a fork.
  WriteSome(*g.members[1], g.ws, 1, rng);
  REQUIRE(g.members[1]->Checkpoint().ok());
  std::filesystem::copy_file(dir.File("member1.db"), dir.File("fork.db"));
  std::unique_ptr<Replica> fork;
  OpenOptions opt;
  opt.durable = false;
  REQUIRE(Replica::OpenWithKey(dir.File("fork.db"), TestKey(1), opt, &fork).ok());
  WriteSome(*fork, g.ws, 1, rng);
  ExportResult forked;
  REQUIRE(fork->ExportAuthored(g.ws, 0, 1 << 20, &forked).ok());
  WriteSome(*g.members[1], g.ws, 1, rng);
  {
    HubClient c(g.members[1].get(), Options(hub));
    SyncReport rep;
    REQUIRE(c.Sync(g.ws, &rep).ok());
  }
  const int kRounds = 15;
  for (size_t i = 2; i < g.members.size(); i++) WriteSome(*g.members[i], g.ws, kRounds, rng);
  // Sessions first, on this thread: Catch's assertions are not thread safe.
  std::vector<std::string> challenges(g.members.size());
  {
    httplib::Client http(hub.url());
    for (size_t i = 1; i < g.members.size(); i++) challenges[i] = RawSession(http, g.ws, g.members[i]->device_id());
  }
  std::vector<std::thread> pushers;
  std::atomic<int> good{0}, refused{0}, wrong{0};
  for (size_t i = 1; i < g.members.size(); i++) {
    pushers.emplace_back([&, i] {
      httplib::Client http(hub.url());
      Replica& r = *g.members[i];
      const std::string& challenge = challenges[i];
      std::string target = "/v1/workspaces/" + g.ws.Hex() + "/push";
      uint64_t counter = 0;
      for (int k = 0; k < kRounds; k++) {
        std::string body;
        if (i == 1) {
          body = forked.chunk;  // The fork, again and again.
        } else {
          ExportResult ex;
          if (!r.ExportAuthored(g.ws, static_cast<uint64_t>(k), 1, &ex).ok()) wrong++;
          body = ex.chunk;
        }
        std::string auth;
        if (!r.AuthorizeRequest(g.ws, "POST", target, challenge, ++counter, body, &auth).ok()) wrong++;
        auto res = http.Post(target, {{"Authorization", auth}}, body, "application/octet-stream");
        if (!res) {
          wrong++;
        } else if (i == 1 && res->status == 422) {
          refused++;
        } else if (i != 1 && res->status == 200 && res->body.find("\"stored\":1") != std::string::npos) {
          good++;
        } else {
          wrong++;
        }
      }
    });
  }
  for (auto& t : pushers) t.join();
  CHECK(wrong == 0);
  CHECK(refused == kRounds);
  CHECK(good == kRounds * 4);
  // The hub holds each good commit once and member 1's two genuine ones.
  httplib::Client http(hub.url());
  auto st = http.Get("/v1/status", httplib::Headers{{"Authorization", "Bearer " + hub.CreateToken(true)}});
  REQUIRE(st);
  CHECK(st->body.find("\"commits\":" + std::to_string(2 + kRounds * 4) + ",") != std::string::npos);
}

TEST_CASE("members learn the officers from the hub and seal values to them", "[hub][sealed]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(2, dir.path(), &g);  // Admin and a cadre.
  Replica& admin = *g.members[0];
  Replica& cadre = *g.members[1];
  Publish(hub, g);
  // An officer admitted later, who writes nothing.
  std::unique_ptr<Replica> officer;
  OpenOptions opt;
  opt.durable = false;
  REQUIRE(Replica::OpenWithKey(dir.File("officer.db"), TestKey(9), opt, &officer).ok());
  std::string req, env;
  REQUIRE(officer->JoinRequest(&req).ok());
  REQUIRE(admin.Admit(g.ws, req, Role::kOfficer, &env).ok());
  WorkspaceId joined;
  REQUIRE(officer->Accept(env, admin.device_id(), &joined).ok());
  HubClient ac(&admin, Options(hub));
  REQUIRE(ac.RegisterDevice(g.ws, officer->device_id()).ok());

  std::vector<DeviceId> readers;
  std::string before;
  REQUIRE(cadre.SealForOfficers(g.ws, "x", &before).ok());
  REQUIRE(Replica::SealedReaders(before, &readers).ok());
  CHECK(readers.size() == 1);  // Only the admin, from the join envelope.

  HubClient cc(&cadre, Options(hub));
  SyncReport rep;
  REQUIRE(cc.Sync(g.ws, &rep).ToString() == "OK");
  const std::string reporter = "Lê Văn Tám";
  std::string sealed;
  REQUIRE(cadre.SealForOfficers(g.ws, reporter, &sealed).ok());
  REQUIRE(Replica::SealedReaders(sealed, &readers).ok());
  CHECK(readers.size() == 2);
  WriteBatch b;
  RecordId id = b.Insert("concerns", {{"kind", std::string("denunciation")}, {"reporter_name", sealed}});
  REQUIRE(cadre.Commit(g.ws, b).ok());
  REQUIRE(cc.Sync(g.ws, &rep).ToString() == "OK");

  HubClient oc(officer.get(), Options(hub));
  REQUIRE(oc.Sync(g.ws, &rep).ToString() == "OK");
  Record rec;
  REQUIRE(officer->Get(id, &rec).ok());
  std::string text;
  REQUIRE(officer->Unseal(g.ws, std::get<std::string>(rec.fields.at("reporter_name")), &text).ok());
  CHECK(text == reporter);
  CHECK(cadre.Unseal(g.ws, sealed, &text).code() == Code::kPermissionDenied);

  // The hub sends the officers' certificates only to a member whose digest
  // of the officers it knows differs from the hub's: once known, a sync on
  // a 2G link does not carry them again.
  std::string digest;
  REQUIRE(cadre.OfficersDigest(g.ws, &digest).ok());
  httplib::Client http("127.0.0.1", hub.port());
  std::string challenge = RawSession(http, g.ws, cadre.device_id());
  uint64_t counter = 1;
  auto keys = [&](const std::string& sent_digest) {
    std::string target = "/v1/workspaces/" + g.ws.Hex() + "/keys?officers=" + sent_digest, auth;
    REQUIRE(cadre.AuthorizeRequest(g.ws, "GET", target, challenge, counter++, "", &auth).ok());
    auto r = http.Get(target, {{"Authorization", auth}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return nlohmann::json::parse(r->body);
  };
  nlohmann::json known = keys(digest);
  CHECK(known["officers"].empty());
  CHECK(known["officers_digest"] == digest);
  CHECK(keys(std::string(16, '0'))["officers"].size() == 2);
  std::string admin_digest;
  REQUIRE(g.members[0]->OfficersDigest(g.ws, &admin_digest).ok());  // The admin knows the same two.
  CHECK(admin_digest == digest);
}

TEST_CASE("a device passes on other members' commits the hub lacks", "[hub][relay]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(3, dir.path(), &g);
  Publish(hub, g);
  Replica &officer = *g.members[0], &cadre = *g.members[1], &other = *g.members[2];
  std::mt19937_64 rng(SeedFromEnv(41));
  // The cadre's week reaches the officer's laptop on an SD card, not the hub.
  WriteSome(cadre, g.ws, 6, rng);
  WriteSome(officer, g.ws, 2, rng);
  REQUIRE(SyncOneWay(cadre, officer, g.ws) == 6);
  HubClient o(&officer, Options(hub));
  SyncReport rep;
  REQUIRE(o.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(rep.relayed == 6);
  CHECK(rep.pushed >= 2);
  // Another member gets the cadre's week from the hub...
  HubClient x(&other, Options(hub));
  REQUIRE(x.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(Digest(other, g.ws) == Digest(officer, g.ws));
  // ...and the cadre, syncing at last, has nothing of it to send.
  HubClient c(&cadre, Options(hub));
  REQUIRE(c.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(rep.pushed == 0);
  CHECK(rep.relayed == 0);
  // Syncing again relays nothing and costs no request for it; nor does
  // the officer pull back the week it brought (protocol.md 13.3).
  REQUIRE(o.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(rep.relayed == 0);
  CHECK(rep.pulled == 0);
  CHECK(rep.requests <= 4);
  CHECK(Digest(cadre, g.ws) == Digest(officer, g.ws));
}
