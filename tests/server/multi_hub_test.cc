// Several hub processes on one PostgreSQL database, none special: any
// request of a session may reach any of them, no puller skips or doubles a
// position, and behind haproxy a hub killed mid-push or a database crashed
// mid-sync loses nothing acknowledged.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hub_group.h"
#include "hub_process.h"
#include "pg.h"
#include "raw_connection.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// Hubs of these tests take every session the devices open: the limit per
// client address is not what is tested, and every device here is 127.0.0.1.
const std::vector<std::string> kHubArgs{"--unsigned-requests-per-minute", "1000000",
                                        "--max-connections-per-address", "1000"};

void Write(Replica& r, const WorkspaceId& ws, int n, std::mt19937_64& rng) {
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", std::string("Phản ánh ") + std::to_string(rng() % 100000)}});
    REQUIRE(r.Commit(ws, b).ok());
  }
}

int64_t CountCommits(const std::string& url) {
  std::unique_ptr<hub::PgConnection> c;
  REQUIRE(hub::PgConnection::Connect(url, &c).ok());
  hub::PgResult r;
  REQUIRE(c->Query("SELECT count(*) FROM commits", {}, &r).ok());
  return r.Int(0, 0);
}

// A free loopback port (for haproxy, which cannot be told to pick one).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

// haproxy in front of hubs, balancing each request on its own.
class Haproxy {
 public:
  // With send_proxy, haproxy opens each connection to a hub with a PROXY
  // protocol line naming the client.
  Haproxy(const std::string& dir, const std::vector<std::unique_ptr<HubProcess>>& hubs, bool send_proxy = false)
      : port_(FreePort()) {
    std::string cfg = dir + "/haproxy.cfg";
    std::ofstream out(cfg);
    out << "global\n  maxconn 4000\n"
        << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 120s\n  timeout server 120s\n"
        << "  retries 3\n  option redispatch\n"
        << "frontend hubs\n  bind 127.0.0.1:" << port_ << "\n  default_backend hubs\n"
        << "backend hubs\n  balance roundrobin\n";
    for (size_t i = 0; i < hubs.size(); i++) {
      out << "  server hub" << i << " 127.0.0.1:" << hubs[i]->port() << (send_proxy ? " send-proxy" : "") << "\n";
    }
    out.close();
    // Only async-signal-safe calls after fork: the log is opened before.
    int log = open((dir + "/haproxy.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(log >= 0);
    const char* config = cfg.c_str();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      execl("/usr/sbin/haproxy", "haproxy", "-db", "-f", config, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(log);
    // Ready once it answers (a hub's 401 for the status page, through it).
    httplib::Client http(url());
    for (int tries = 0;; tries++) {
      auto r = http.Get("/v1/status");
      if (r) break;
      int status = 0;
      REQUIRE(waitpid(pid_, &status, WNOHANG) == 0);  // haproxy still running.
      REQUIRE(tries < 6000);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Haproxy() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

// Syncs r until a sync succeeds; a retryable failure (a hub gone, the
// database restarting) is tried again. Adds what the syncs did to *total.
void SyncUntilDone(Replica& r, const WorkspaceId& ws, const SyncOptions& o, SyncReport* total,
                   std::atomic<int>* refused) {
  for (;;) {
    HubClient c(&r, o);
    SyncReport rep;
    Status s = c.Sync(ws, &rep);
    total->pushed += rep.pushed;
    total->pulled += rep.pulled;
    if (s.ok()) return;
    if (!s.Retryable()) {
      (*refused)++;
      UNSCOPED_INFO("sync refused: " << s.ToString());
      return;
    }
  }
}

}  // namespace

TEST_CASE("three hub processes on one database: devices push to any, no puller skips or doubles a commit",
          "[hub][postgresql][positions]") {
  TempDir dir;
  const std::string store = TestPostgres::Get().NewDatabase();
  std::vector<std::unique_ptr<HubProcess>> hubs;
  for (int i = 0; i < 3; i++) hubs.push_back(std::make_unique<HubProcess>(store, kHubArgs));
  // Pullers go through haproxy, which hands each request to the next
  // process: a session opened at one is used at the others, and a page's
  // position from one is continued at another (a device keeps its position
  // per hub address).
  Haproxy proxy(dir.path(), hubs);
  constexpr int kDevices = 50, kPullers = 3, kRounds = 4, kPerRound = 3;
  Group g;
  MakeGroup(1 + kDevices + kPullers, "", &g);
  PublishGroup(hubs[0]->url(), hubs[0]->CreateToken(), g);
  uint64_t seed = SeedFromEnv(2026);
  INFO("seed " << seed);

  std::atomic<int> writing{kDevices};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int d = 0; d < kDevices; d++) {
    threads.emplace_back([&, d] {
      std::mt19937_64 rng(seed + d);
      Replica& r = *g.members[1 + d];
      SyncReport total;
      for (int round = 0; round < kRounds; round++) {
        Write(r, g.ws, kPerRound, rng);
        SyncUntilDone(r, g.ws, TestSyncOptions(hubs[rng() % hubs.size()]->url()), &total, &refused);
      }
      writing--;
    });
  }
  // Pullers pull throughout, and once more at the end.
  std::vector<SyncReport> pulled(kPullers);
  for (int p = 0; p < kPullers; p++) {
    threads.emplace_back([&, p] {
      Replica& r = *g.members[1 + kDevices + p];
      for (;;) {
        bool last = writing.load() == 0;
        SyncUntilDone(r, g.ws, TestSyncOptions(proxy.url()), &pulled[p], &refused);
        if (last) break;
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(refused == 0);
  const int64_t stored = CountCommits(store);
  CHECK(stored == int64_t{kDevices} * kRounds * kPerRound);
  const std::string digest = Digest(*g.members[1 + kDevices], g.ws);
  for (int p = 0; p < kPullers; p++) {
    INFO("puller " << p);
    // Every commit arrived exactly once: a skipped position would have
    // been missing at the end, and found and pulled again (twice).
    CHECK(pulled[p].pulled == static_cast<size_t>(stored));
    CHECK(Digest(*g.members[1 + kDevices + p], g.ws) == digest);
    std::vector<Warning> warnings;
    REQUIRE(g.members[1 + kDevices + p]->Warnings(g.ws, &warnings).ok());
    for (const Warning& w : warnings) CHECK(w.kind != "hub_withholds_commits");
  }
}

TEST_CASE("behind haproxy, a hub killed mid-push and a database crashed mid-sync lose and double nothing",
          "[hub][postgresql][haproxy]") {
  TempDir dir;
  const std::string store = TestPostgres::Get().NewDatabase();
  std::vector<std::unique_ptr<HubProcess>> hubs;
  for (int i = 0; i < 3; i++) hubs.push_back(std::make_unique<HubProcess>(store, kHubArgs));
  Haproxy proxy(dir.path(), hubs);
  constexpr int kDevices = 12, kRounds = 12, kPerRound = 2;
  Group g;
  MakeGroup(1 + kDevices, "", &g);
  PublishGroup(proxy.url(), hubs[0]->CreateToken(), g);
  uint64_t seed = SeedFromEnv(2027);
  INFO("seed " << seed);

  std::atomic<size_t> pushed{0};  // Stored as the hub acknowledged them (a retried push's are duplicates).
  std::atomic<int> running{kDevices};
  std::atomic<int> refused{0};
  std::vector<std::thread> devices;
  for (int d = 0; d < kDevices; d++) {
    devices.emplace_back([&, d] {
      std::mt19937_64 rng(seed + d);
      Replica& r = *g.members[1 + d];
      for (int round = 0; round < kRounds; round++) {
        Write(r, g.ws, kPerRound, rng);
        SyncReport total;
        SyncUntilDone(r, g.ws, TestSyncOptions(proxy.url()), &total, &refused);
        pushed += total.pushed;
      }
      running--;
    });
  }
  const size_t all = size_t{kDevices} * kRounds * kPerRound;
  // A hub dies while devices push through it, once a third has been pushed.
  while (pushed < all / 3 && running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  hubs[1]->Kill();
  // The database crashes once two thirds have been pushed: the hubs answer
  // 503, retryable, while it is down, and serve again once it is back,
  // without being restarted.
  while (pushed < 2 * all / 3 && running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  TestPostgres::Get().Crash();
  {
    httplib::Client http(hubs[0]->url());
    auto r = http.Post("/v1/workspaces/" + g.ws.Hex() + "/session",
                       "{\"device\":\"" + g.members[1]->device_id().Hex() + "\"}", "application/json");
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(r->body.find("\"retryable\":true") != std::string::npos);
  }
  TestPostgres::Get().Start();
  for (auto& t : devices) t.join();
  REQUIRE(refused == 0);
  // Everything acknowledged is there, once.
  CHECK(CountCommits(store) == static_cast<int64_t>(all));
  // Two rounds of syncs bring every device everything.
  for (int round = 0; round < 2; round++) {
    for (int d = 0; d < kDevices; d++) {
      SyncReport total;
      SyncUntilDone(*g.members[1 + d], g.ws, TestSyncOptions(proxy.url()), &total, &refused);
    }
  }
  REQUIRE(refused == 0);
  const std::string digest = Digest(*g.members[1], g.ws);
  for (int d = 1; d < kDevices; d++) CHECK(Digest(*g.members[1 + d], g.ws) == digest);
}

TEST_CASE("behind a balancer, requests without a signature are limited per client across every hub process",
          "[hub][postgresql][proxy]") {
  TempDir dir;
  const std::string store = TestPostgres::Get().NewDatabase();
  std::vector<std::unique_ptr<HubProcess>> hubs;
  for (int i = 0; i < 2; i++) {
    hubs.push_back(std::make_unique<HubProcess>(
        store, std::vector<std::string>{"--proxy-protocol-from", "127.0.0.1", "--unsigned-requests-per-minute", "4"}));
  }
  Haproxy proxy(dir.path(), hubs, /*send_proxy=*/true);
  Group g;
  MakeGroup(2, "", &g);
  PublishGroup(proxy.url(), hubs[0]->CreateToken(), g);
  // What haproxy sends, written by hand: a PROXY line naming a client,
  // then the request (opening a session: no signature).
  auto session = [&](size_t hub, const std::string& client, const char* source = "127.0.0.1") {
    RawConnection c(hubs[hub]->port(), source);
    REQUIRE(c.connected());
    std::string body = "{\"device\":\"" + g.members[1]->device_id().Hex() + "\"}";
    std::string proxy_line = client.empty() ? "" : "PROXY TCP4 " + client + " 127.0.0.1 40000 8787\r\n";
    c.Send(proxy_line + "POST /v1/workspaces/" + g.ws.Hex() + "/session HTTP/1.1\r\nHost: hub\r\n" +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body);
    return c.ReadAll(60000);
  };
  // Four a minute for 203.0.113.7, taken at either process...
  for (int i = 0; i < 4; i++) CHECK(session(i % 2, "203.0.113.7").rfind("HTTP/1.1 200", 0) == 0);
  // ...and then none at either.
  for (size_t hub = 0; hub < 2; hub++) {
    std::string answer = session(hub, "203.0.113.7");
    CHECK(answer.rfind("HTTP/1.1 429", 0) == 0);
    CHECK(answer.find("Retry-After") != std::string::npos);
  }
  // Another client behind the same balancer has its own.
  CHECK(session(1, "203.0.113.8").rfind("HTTP/1.1 200", 0) == 0);
  // The balancer's connection must say whom it is for: without the line,
  // nothing is answered.
  CHECK(session(0, "").empty());
  // Anyone else's PROXY line is a forgery: not taken as naming a client.
  std::string forged = session(0, "203.0.113.9", "127.0.0.2");
  CHECK(forged.rfind("HTTP/1.1 200", 0) != 0);
  CHECK(forged.rfind("HTTP/1.1 4", 0) == 0);
}
