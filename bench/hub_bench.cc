// Hub benchmarks against a real hamlet-hub process on loopback. Usage:
//   hub_bench [concurrent|steady|offline|all] [--runs N] [--devices 50,200] [--commits C]
//             [--rates 2500,5000,7500,10000]  (the steady load's offered commits/s)
//             [--hub-threads N]  (the hub's --threads; its default otherwise)
//             [--store sqlite|postgresql] [--hub-processes N]  (N processes on
//             one PostgreSQL database, devices spread over them; SQLite: one)
//
// concurrent: N devices, each holding C new commits, sync at the same time:
//   a session, signed pushes of 64 KiB pages, then pulls of 256 KiB pages
//   until caught up, as HubClient does (the load generator sends the same
//   requests but does not import what it pulls, so the client work does not
//   crowd the hub on this 2-core machine). Reports commits ingested per
//   second, request latency (p50, p99), errors and the hub's peak RSS.
// steady: the same devices push small pages at a paced, staggered rate
//   (2,500 to 10,000 commits/s offered): what the hub ingests and the push
//   latency when it is not hit by everyone in the same instant.
// offline: a device back after 30 days (2,000 commits of its own, 20,000
//   from ten others on the hub) runs a real HubClient sync through a relay
//   that counts the bytes crossing the wire each way.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <latch>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "commit.h"
#include "cut_proxy.h"
#include "hamlet/hub_client.h"
#include "hamlet/replica.h"
#include "hex.h"
#include "hub_process.h"
#include "pg.h"
#include "plain_replicas.h"
#include "test_postgres.h"
#include "workload.h"

using namespace hamlet;
using namespace hamlet::bench;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

struct Config {
  std::string what = "all";
  int runs = 3;
  std::vector<int> devices{50, 200};
  int commits = 50;
  std::vector<double> rates{2500, 5000, 7500, 10000};
  std::string store = "sqlite";
  int hub_processes = 1;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::unique_ptr<Replica> NewReplica(int n) {
  std::unique_ptr<Replica> r;
  Must(test::OpenInMemory(static_cast<uint64_t>(n), &r), "open");
  return r;
}

void Join(Replica& admin, const WorkspaceId& ws, Replica& device) { Must(test::JoinDirect(admin, ws, device), "join"); }

// Records n new concerns, one per commit; returns the bytes of their
// plaintext bodies, encoded exactly as the engine encodes them.
size_t WriteConcerns(Replica& r, const WorkspaceId& ws, int n, std::mt19937_64& rng) {
  size_t plain = 0;
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    RecordOp op;
    std::map<std::string, Value> fields = Concern(rng);
    op.record = b.Insert("concerns", fields);
    op.collection = "concerns";
    for (auto& [name, v] : fields) op.fields.push_back(FieldWrite{name, v, {}});
    std::string body;
    Must(EncodeBody(r.device_id(), {op}, &body), "encode");
    plain += body.size();
    Must(r.Commit(ws, b), "commit");
  }
  return plain;
}

// ---- Many devices at once ----

struct Device {
  std::unique_ptr<Replica> replica;
  std::vector<std::string> pages;  // Push bodies, in order.
};

// The body that asks for a challenge session for d, and the challenge in
// the hub's answer (false when there is none).
std::string SessionBody(const Device& d) { return json{{"device", d.replica->device_id().Hex()}}.dump(); }

bool ParseChallenge(const httplib::Result& answer, std::string* challenge) {
  if (!answer || answer->status != 200) return false;
  json j = json::parse(answer->body, nullptr, false);
  return !j.is_discarded() && j.contains("challenge") && j["challenge"].is_string() &&
         HexDecode(j["challenge"].get<std::string>(), challenge);
}

// Every simulated device connects from loopback, one address to the hub:
// the per-address limits, meant for one client among many, are lifted.
// --hub-threads N adds the hub's --threads N.
std::vector<std::string> kManyDevicesOneAddress = {"--max-connections-per-address", "100000",
                                                   "--unsigned-requests-per-minute", "1000000"};

// The hub under load: one process on SQLite in a data folder, or several
// on one PostgreSQL database (a new one each run), the devices spread over
// them.
struct Hubs {
  Hubs(const Config& c, const std::string& dir) {
    if (c.store == "postgresql") {
      store = test::TestPostgres::Get().NewDatabase();
    } else {
      std::filesystem::remove_all(dir);
      store = dir;
    }
    for (int i = 0; i < c.hub_processes; i++) {
      processes.push_back(std::make_unique<test::HubProcess>(store, kManyDevicesOneAddress));
    }
  }
  test::HubProcess& first() { return *processes[0]; }
  int PortFor(int device) const { return processes[static_cast<size_t>(device) % processes.size()]->port(); }
  // The peak resident memory of each process, MiB.
  std::vector<double> PeakRssMb() const {
    std::vector<double> out;
    for (const auto& p : processes) out.push_back(static_cast<double>(p->PeakRssKb()) / 1024);
    return out;
  }
  // What the store takes on disk: the database, or the data folder's files.
  double StoreBytes() const {
    if (hub::IsPostgresUrl(store)) {
      std::unique_ptr<hub::PgConnection> c;
      hub::PgResult r;
      Must(hub::PgConnection::Connect(store, &c), "connect");
      Must(c->Query("SELECT pg_database_size(current_database())", {}, &r), "size");
      return static_cast<double>(r.Int(0, 0));
    }
    double bytes = 0;
    for (const auto& e : std::filesystem::directory_iterator(store)) {
      if (e.is_regular_file()) bytes += static_cast<double>(e.file_size());
    }
    return bytes;
  }
  std::string store;
  std::vector<std::unique_ptr<test::HubProcess>> processes;
};

// A workspace published on hub with n member devices, each filled by fill
// (which records commits and prepares the device's push pages).
struct Fleet {
  std::unique_ptr<Replica> admin;
  WorkspaceId ws;
  std::vector<Device> devices;
};

Fleet MakeFleet(test::HubProcess& hub, int n, const std::function<void(const WorkspaceId&, Device&)>& fill) {
  Fleet f;
  f.admin = NewReplica(0);
  Must(f.admin->CreateWorkspace(&f.ws), "workspace");
  SyncOptions o;
  o.hub = hub.url();
  HubClient admin_client(f.admin.get(), o);
  Must(admin_client.Publish(f.ws, hub.CreateToken()), "publish");
  f.devices.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    Device& d = f.devices[static_cast<size_t>(i)];
    d.replica = NewReplica(i + 1);
    Join(*f.admin, f.ws, *d.replica);
    Must(admin_client.RegisterDevice(f.ws, d.replica->device_id()), "register");
    fill(f.ws, d);
  }
  return f;
}

struct Loaded {
  std::vector<double> push_ms, pull_ms, session_ms;
  int retries = 0;
  Clock::time_point pushed_at, pull_start;
  size_t pulled_bytes = 0;
  int errors = 0;
};

// One device's sync, as raw requests. Like HubClient, it sends a request
// again (newly signed) when the link fails before an answer, as happens when
// the hub closes an idle kept-alive connection just as the next request
// leaves; those count as retries, and a request that fails five times, or
// any error answer, as an error.
void RunDevice(const std::string& host, int port, const WorkspaceId& ws, Device& d, std::latch& go,
               std::latch& pushed, Loaded* out) {
  httplib::Client http(host, port);
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);
  http.set_read_timeout(60, 0);
  http.set_write_timeout(60, 0);
  const std::string base = "/v1/workspaces/" + ws.Hex();
  auto send = [&](const std::function<httplib::Result()>& request, std::vector<double>* ms) {
    auto t = Clock::now();
    httplib::Result r = request();
    for (int attempt = 1; !r && attempt < 5; attempt++) {
      out->retries++;
      r = request();
    }
    ms->push_back(Ms(Clock::now() - t));
    return r;
  };
  go.arrive_and_wait();
  auto session = send([&] { return http.Post(base + "/session", SessionBody(d), "application/json"); },
                      &out->session_ms);
  std::string challenge;
  if (!ParseChallenge(session, &challenge)) {
    std::fprintf(stderr, "session failed: %s\n",
                 session ? session->body.c_str() : httplib::to_string(session.error()).c_str());
    out->errors++;
    out->pushed_at = Clock::now();
    pushed.arrive_and_wait();
    out->pull_start = Clock::now();
    return;
  }
  uint64_t counter = 0;
  auto signed_request = [&](const std::string& method, const std::string& target, const std::string& body) {
    return [&, method, target] {
      std::string auth;
      Must(d.replica->AuthorizeRequest(ws, method, target, challenge, ++counter, body, &auth), "authorize");
      if (method == "GET") return http.Get(target, {{"Authorization", auth}});
      return http.Post(target, {{"Authorization", auth}}, body, "application/octet-stream");
    };
  };
  for (const std::string& page : d.pages) {
    auto r = send(signed_request("POST", base + "/push", page), &out->push_ms);
    if (!r || r->status != 200) {
      std::fprintf(stderr, "push failed: %s\n", r ? r->body.c_str() : httplib::to_string(r.error()).c_str());
      out->errors++;
    }
  }
  out->pushed_at = Clock::now();
  // Pulls start when every device has pushed, so that the push figures
  // measure ingest alone.
  pushed.arrive_and_wait();
  out->pull_start = Clock::now();
  uint64_t after = 0;
  for (;;) {
    std::string target = base + "/pull?after=" + std::to_string(after) + "&max_bytes=262144";
    auto r = send(signed_request("GET", target, ""), &out->pull_ms);
    if (!r || (r->status != 200 && r->status != 204)) {
      std::fprintf(stderr, "pull failed: %s\n", r ? r->body.c_str() : httplib::to_string(r.error()).c_str());
      out->errors++;
      return;
    }
    out->pulled_bytes += r->body.size();
    after = std::stoull(r->get_header_value("Hamlet-Next"));
    if (r->get_header_value("Hamlet-More") != "1") break;
  }
}

struct ConcurrentRun {
  double ingest_per_s, push_p50, push_p99;  // Sessions and pushes.
  double pull_mb_per_s, pull_p50, pull_p99;  // Pulls until caught up.
  double pulled_mb;
  int errors, retries;
  std::vector<double> hub_rss_mb;  // Peak, each process.
  double store_mb_per_million;     // The store's size over the commits it holds, per million.
};

ConcurrentRun RunConcurrent(const Config& c, int n, int commits, const std::string& dir) {
  Hubs hubs(c, dir);
  test::HubProcess& hub = hubs.first();
  std::mt19937_64 rng(42);
  Fleet fleet = MakeFleet(hub, n, [&](const WorkspaceId& ws, Device& d) {
    WriteConcerns(*d.replica, ws, commits, rng);
    uint64_t after = 0;
    for (;;) {
      ExportResult ex;
      Must(d.replica->ExportAuthored(ws, after, 64 << 10, &ex), "export");
      if (ex.commits == 0) break;
      d.pages.push_back(ex.chunk);
      after += ex.commits;
    }
  });
  const WorkspaceId& ws = fleet.ws;
  std::vector<Device>& devices = fleet.devices;
  std::vector<Loaded> loaded(static_cast<size_t>(n));
  std::latch go(n + 1), pushed(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; i++) {
    threads.emplace_back(RunDevice, "127.0.0.1", hubs.PortFor(i), ws, std::ref(devices[static_cast<size_t>(i)]),
                         std::ref(go), std::ref(pushed), &loaded[static_cast<size_t>(i)]);
  }
  go.arrive_and_wait();
  auto start = Clock::now();
  for (auto& t : threads) t.join();
  auto end = Clock::now();
  ConcurrentRun run{};
  std::vector<double> push, pull;
  Clock::time_point last_push = start, pull_start = end;
  size_t pulled = 0;
  for (const Loaded& l : loaded) {
    push.insert(push.end(), l.session_ms.begin(), l.session_ms.end());
    push.insert(push.end(), l.push_ms.begin(), l.push_ms.end());
    pull.insert(pull.end(), l.pull_ms.begin(), l.pull_ms.end());
    last_push = std::max(last_push, l.pushed_at);
    pull_start = std::min(pull_start, l.pull_start);
    run.errors += l.errors;
    run.retries += l.retries;
    pulled += l.pulled_bytes;
  }
  // What the hub holds must be every commit, once.
  httplib::Client status("127.0.0.1", hub.port());
  auto st = status.Get("/v1/status", httplib::Headers{{"Authorization", "Bearer " + hub.CreateToken(true)}});
  std::string expect = "\"commits\":" + std::to_string(n * commits) + ",";
  if (!st || st->body.find(expect) == std::string::npos) run.errors++;
  run.ingest_per_s = n * commits / std::chrono::duration<double>(last_push - start).count();
  run.push_p50 = Percentile(push, 0.50);
  run.push_p99 = Percentile(push, 0.99);
  run.pull_p50 = Percentile(pull, 0.50);
  run.pull_p99 = Percentile(pull, 0.99);
  run.pulled_mb = static_cast<double>(pulled) / 1e6;
  run.pull_mb_per_s = run.pulled_mb / std::chrono::duration<double>(end - pull_start).count();
  run.hub_rss_mb = hubs.PeakRssMb();
  run.store_mb_per_million = hubs.StoreBytes() / 1e6 / (n * commits) * 1e6;
  return run;
}

void BenchConcurrent(const Config& c, const std::string& dir) {
  std::printf("\n## Devices syncing at once (%d new commits each; push pages 64 KiB, pull pages 256 KiB)\n\n",
              c.commits);
  std::printf("Store: %s, %d hub process%s.\n\n", c.store.c_str(), c.hub_processes, c.hub_processes == 1 ? "" : "es");
  std::printf("| devices | commits/s ingested | push p50 ms | push p99 ms | pull MB/s | pull p50 ms | pull p99 ms | "
              "pulled MB | retries | errors | peak RSS of a hub process, MiB | store MB per million commits |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (int n : c.devices) {
    std::vector<double> ingest, push50, push99, pull_rate, pull50, pull99, mb, rss, store_mb;
    int errors = 0, retries = 0;
    for (int i = 0; i < c.runs; i++) {
      ConcurrentRun r = RunConcurrent(c, n, c.commits, dir + "/hub");
      std::fprintf(stderr, "  %d devices, run %d: %.0f commits/s, push p50 %.1f ms p99 %.1f ms, pull %.1f MB/s, errors %d\n",
                   n, i + 1, r.ingest_per_s, r.push_p50, r.push_p99, r.pull_mb_per_s, r.errors);
      ingest.push_back(r.ingest_per_s);
      push50.push_back(r.push_p50);
      push99.push_back(r.push_p99);
      pull_rate.push_back(r.pull_mb_per_s);
      pull50.push_back(r.pull_p50);
      pull99.push_back(r.pull_p99);
      mb.push_back(r.pulled_mb);
      for (double m : r.hub_rss_mb) rss.push_back(m);
      store_mb.push_back(r.store_mb_per_million);
      errors += r.errors;
      retries += r.retries;
    }
    std::printf("| %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %.0f | %.0f |\n", n, Median(ingest),
                Median(push50), Median(push99), Median(pull_rate), Median(pull50), Median(pull99), Median(mb), retries,
                errors, *std::max_element(rss.begin(), rss.end()), Median(store_mb));
    std::fflush(stdout);
  }
}

// ---- Devices syncing steadily ----

// n devices each push `per_push` new commits every interval, staggered so
// that the hub sees an even offered load of `rate` commits per second, for
// `rounds` pushes each. Pulls are left out: their cost grows with the number
// of readers, not with ingest, and the burst figures above show it.
struct SteadyRun {
  double offered, ingested, p50, p99;
  int errors, retries;
  std::vector<double> rss_mb;  // Peak, each hub process.
};

SteadyRun RunSteady(const Config& c, int n, double rate, int per_push, int rounds, const std::string& dir) {
  Hubs hubs(c, dir);
  test::HubProcess& hub = hubs.first();
  std::mt19937_64 rng(11);
  Fleet fleet = MakeFleet(hub, n, [&](const WorkspaceId& ws, Device& d) {
    for (int r = 0; r < rounds; r++) {
      WriteConcerns(*d.replica, ws, per_push, rng);
      ExportResult ex;
      Must(d.replica->ExportAuthored(ws, static_cast<uint64_t>(r * per_push), 1 << 20, &ex), "export");
      d.pages.push_back(ex.chunk);
    }
  });
  const WorkspaceId& ws = fleet.ws;
  std::vector<Device>& devices = fleet.devices;
  const double interval_s = n * per_push / rate;
  std::vector<std::vector<double>> ms(static_cast<size_t>(n));
  std::atomic<int> errors{0}, retries{0};
  std::latch go(n + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; i++) {
    threads.emplace_back([&, i] {
      Device& d = devices[static_cast<size_t>(i)];
      httplib::Client http("127.0.0.1", hubs.PortFor(i));
      http.set_keep_alive(true);
      http.set_tcp_nodelay(true);
      const std::string base = "/v1/workspaces/" + ws.Hex();
      std::string challenge;
      if (!ParseChallenge(http.Post(base + "/session", SessionBody(d), "application/json"), &challenge)) {
        errors++;
        go.count_down();
        return;
      }
      go.arrive_and_wait();
      auto start = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(interval_s * i / n));
      uint64_t counter = 0;
      for (int r = 0; r < rounds; r++) {
        std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(interval_s * r)));
        const std::string& page = d.pages[static_cast<size_t>(r)];
        auto t = Clock::now();
        httplib::Result res(nullptr, httplib::Error::Unknown);
        for (int attempt = 0; attempt < 5 && !res; attempt++) {
          if (attempt > 0) retries++;
          std::string auth, target = base + "/push";
          Must(d.replica->AuthorizeRequest(ws, "POST", target, challenge, ++counter, page, &auth), "authorize");
          res = http.Post(target, {{"Authorization", auth}}, page, "application/octet-stream");
        }
        ms[static_cast<size_t>(i)].push_back(Ms(Clock::now() - t));
        if (!res || res->status != 200) errors++;
      }
    });
  }
  go.arrive_and_wait();
  auto start = Clock::now();
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : ms) all.insert(all.end(), v.begin(), v.end());
  return SteadyRun{rate,          n * per_push * rounds / secs, Percentile(all, 0.5), Percentile(all, 0.99),
                   errors.load(), retries.load(),          hubs.PeakRssMb()};
}

void BenchSteady(const Config& c, const std::string& dir) {
  const int kPerPush = 10, kRounds = 20;
  std::printf("\n## Devices syncing steadily (pushes of %d commits, %d per device, staggered)\n\n", kPerPush,
              kRounds);
  std::printf("Store: %s, %d hub process%s.\n\n", c.store.c_str(), c.hub_processes, c.hub_processes == 1 ? "" : "es");
  std::printf("| devices | offered commits/s | ingested commits/s | push p50 ms | push p99 ms | p99 of each run, ms | retries | errors | peak RSS of a hub process, MiB |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (int n : c.devices) {
    for (double rate : c.rates) {
      std::vector<double> ingested, p50, p99;
      double rss = 0;
      int errors = 0, retries = 0;
      std::string each;
      for (int i = 0; i < c.runs; i++) {
        SteadyRun r = RunSteady(c, n, rate, kPerPush, kRounds, dir + "/hub");
        std::fprintf(stderr, "  %d devices at %.0f/s, run %d: %.0f commits/s, p50 %.1f ms, p99 %.1f ms, retries %d, errors %d\n",
                     n, rate, i + 1, r.ingested, r.p50, r.p99, r.retries, r.errors);
        ingested.push_back(r.ingested);
        p50.push_back(r.p50);
        p99.push_back(r.p99);
        errors += r.errors;
        retries += r.retries;
        for (double m : r.rss_mb) rss = std::max(rss, m);
        char one[32];
        std::snprintf(one, sizeof one, "%s%.0f", each.empty() ? "" : ", ", r.p99);
        each += one;
      }
      std::printf("| %d | %.0f | %.0f | %.1f | %.1f | %s | %d | %d | %.0f |\n", n, rate, Median(ingested), Median(p50),
                  Median(p99), each.c_str(), retries, errors, rss);
      std::fflush(stdout);
    }
  }
}

// ---- A month offline ----

void BenchOffline(const Config& c, const std::string& dir) {
  const int kOwn = 2000, kOthers = 20000, kOtherDevices = 10;
  std::printf("\n## A device back after 30 days offline (%d own commits, %d from %d others)\n\n", kOwn, kOthers,
              kOtherDevices);
  std::vector<double> secs, up, down, requests, ratio_up, ratio_down;
  size_t plain_up = 0, plain_down = 0;
  for (int run = 0; run < c.runs; run++) {
    std::filesystem::remove_all(dir + "/hub");
    test::HubProcess hub(dir + "/hub");
    auto admin = NewReplica(0);
    WorkspaceId ws;
    Must(admin->CreateWorkspace(&ws), "workspace");
    SyncOptions o;
    o.hub = hub.url();
    HubClient admin_client(admin.get(), o);
    Must(admin_client.Publish(ws, hub.CreateToken()), "publish");
    std::mt19937_64 rng(7);
    auto back = NewReplica(100);
    Join(*admin, ws, *back);
    Must(admin_client.RegisterDevice(ws, back->device_id()), "register");
    plain_down = 0;
    for (int i = 0; i < kOtherDevices; i++) {
      auto other = NewReplica(i + 1);
      Join(*admin, ws, *other);
      Must(admin_client.RegisterDevice(ws, other->device_id()), "register");
      plain_down += WriteConcerns(*other, ws, kOthers / kOtherDevices, rng);
      HubClient client(other.get(), o);
      SyncReport rep;
      Must(client.Sync(ws, &rep), "others sync");
    }
    plain_up = WriteConcerns(*back, ws, kOwn, rng);
    test::CutProxy relay(hub.port(), 1, 0, 1);
    SyncOptions via = o;
    via.hub = "http://127.0.0.1:" + std::to_string(relay.port());
    HubClient client(back.get(), via);
    SyncReport rep;
    auto t = Clock::now();
    Must(client.Sync(ws, &rep), "sync after a month");
    double s = std::chrono::duration<double>(Clock::now() - t).count();
    if (rep.pushed != static_cast<size_t>(kOwn) || rep.applied != static_cast<size_t>(kOthers)) {
      std::fprintf(stderr, "moved %zu up and %zu down, expected %d and %d\n", rep.pushed, rep.applied, kOwn, kOthers);
      std::exit(1);
    }
    secs.push_back(s);
    up.push_back(static_cast<double>(relay.bytes_up()));
    down.push_back(static_cast<double>(relay.bytes_down()));
    requests.push_back(static_cast<double>(rep.requests));
    std::fprintf(stderr, "  run %d: %.2f s, %zu bytes up, %zu down, %zu requests\n", run + 1, s,
                 static_cast<size_t>(relay.bytes_up()), static_cast<size_t>(relay.bytes_down()), rep.requests);
  }
  std::printf("| measure | up (device to hub) | down (hub to device) |\n|---|---|---|\n");
  std::printf("| commits | %d | %d |\n", kOwn, kOthers);
  std::printf("| plaintext commit bodies, bytes | %zu | %zu |\n", plain_up, plain_down);
  std::printf("| bytes on the wire (TCP payload, HTTP included) | %.0f | %.0f |\n", Median(up), Median(down));
  std::printf("| wire / plaintext | %.3f | %.3f |\n", Median(up) / static_cast<double>(plain_up),
              Median(down) / static_cast<double>(plain_down));
  std::printf("\nRound trips (HTTP requests): %.0f. Seconds on loopback, the client importing and verifying "
              "everything: %.2f.\n",
              Median(requests), Median(secs));
}

// ---- A new device's first sync ----

// The plaintext of a merged record as an app reads it: its collection, and
// each field's name and value (text as its bytes, other values 8 bytes).
size_t RecordPlaintext(const Record& r) {
  size_t n = r.collection.size();
  for (const auto& [name, v] : r.fields) {
    n += name.size();
    const std::string* text = std::get_if<std::string>(&v);
    n += text ? text->size() : 8;
  }
  return n;
}

void BenchFirstSync(const Config& c, const std::string& dir) {
  const int kDevices = 10, kConcernsEach = 5000, kChangesEach = 25000;
  // Ten fields a concern, two a status change.
  const size_t kOps = size_t{kDevices} * (kConcernsEach * 10 + kChangesEach * 2);
  const size_t kCommits = size_t{kDevices} * (kConcernsEach + kChangesEach);
  std::printf("\n## A new device's first sync: %zu field ops in %zu commits from %d devices\n\n", kOps, kCommits,
              kDevices);
  // The workspace is written once; each run makes two new devices, one
  // pulling everything and one starting from the snapshot the admin's
  // device gave the hub.
  std::filesystem::remove_all(dir + "/hub");
  test::HubProcess hub(dir + "/hub");
  auto admin = NewReplica(0);
  WorkspaceId ws;
  Must(admin->CreateWorkspace(&ws), "workspace");
  SyncOptions o;
  o.hub = hub.url();
  HubClient admin_client(admin.get(), o);
  Must(admin_client.Publish(ws, hub.CreateToken()), "publish");
  std::mt19937_64 rng(11);
  for (int i = 0; i < kDevices; i++) {
    auto device = NewReplica(i + 1);
    Join(*admin, ws, *device);
    Must(admin_client.RegisterDevice(ws, device->device_id()), "register");
    std::vector<RecordId> own;
    for (int k = 0; k < kConcernsEach; k++) {
      WriteBatch b;
      own.push_back(b.Insert("concerns", Concern(rng)));
      Must(device->Commit(ws, b), "commit");
    }
    for (int k = 0; k < kChangesEach; k++) {
      WriteBatch b;
      b.Update(own[rng() % own.size()], StatusChange(rng));
      Must(device->Commit(ws, b), "commit");
    }
    HubClient client(device.get(), o);
    SyncReport rep;
    Must(client.Sync(ws, &rep), "writer's sync");
  }
  SyncOptions maker = o;
  maker.snapshot_every = 1;
  SyncReport made;
  Must(HubClient(admin.get(), maker).Sync(ws, &made), "admin's sync");
  if (!made.snapshot_given) {
    std::fprintf(stderr, "the admin's device gave the hub no snapshot\n");
    std::exit(1);
  }
  std::string snapshot;
  SnapshotInfo info;
  Must(admin->MakeSnapshot(ws, o.hub, &snapshot, &info), "snapshot");

  struct Way {
    const char* name;
    bool from_snapshot;
    std::vector<double> secs, down, requests;
  } ways[] = {{"full pull", false, {}, {}, {}}, {"snapshot", true, {}, {}, {}}};
  size_t records = 0, state_plain = 0;
  int key = 100;
  for (int run = 0; run < c.runs; run++) {
    for (Way& w : ways) {
      auto fresh = NewReplica(key++);
      Join(*admin, ws, *fresh);
      Must(admin_client.RegisterDevice(ws, fresh->device_id()), "register");
      test::CutProxy relay(hub.port(), 1, 0, 1);
      SyncOptions via = o;
      via.hub = "http://127.0.0.1:" + std::to_string(relay.port());
      via.from_snapshot = w.from_snapshot;
      HubClient client(fresh.get(), via);
      SyncReport rep;
      auto t = Clock::now();
      Must(client.Sync(ws, &rep), "first sync");
      double s = std::chrono::duration<double>(Clock::now() - t).count();
      if (rep.started_from_snapshot != w.from_snapshot || (!w.from_snapshot && rep.applied != kCommits)) {
        std::fprintf(stderr, "%s: applied %zu commits, snapshot %d\n", w.name, rep.applied,
                     static_cast<int>(rep.started_from_snapshot));
        std::exit(1);
      }
      Query q;
      q.workspace = ws;
      q.collection = "concerns";
      q.limit = SIZE_MAX;
      QueryResult all;
      Must(fresh->Find(q, &all), "find");
      records = all.records.size();
      state_plain = 0;
      for (const Record& r : all.records) state_plain += RecordPlaintext(r);
      w.secs.push_back(s);
      w.down.push_back(static_cast<double>(relay.bytes_down()));
      w.requests.push_back(static_cast<double>(rep.requests));
      std::fprintf(stderr, "  run %d, %s: %.2f s, %zu bytes down, %zu requests\n", run + 1, w.name, s,
                   static_cast<size_t>(relay.bytes_down()), rep.requests);
    }
  }
  std::printf("| measure | full pull | snapshot |\n|---|---|---|\n");
  std::printf("| records in the merged state | %zu | %zu |\n", records, records);
  std::printf("| plaintext of the merged state (names and values), bytes | %zu | %zu |\n", state_plain, state_plain);
  std::printf("| snapshot plaintext (its body before compression), bytes | | %zu |\n", info.plaintext);
  std::printf("| snapshot as it travels (compressed, sealed), bytes | | %zu |\n", info.bytes);
  std::printf("| bytes down (TCP payload, HTTP included) | %.0f | %.0f |\n", Median(ways[0].down),
              Median(ways[1].down));
  std::printf("| bytes down / snapshot plaintext | %.2f | %.2f |\n",
              Median(ways[0].down) / static_cast<double>(info.plaintext),
              Median(ways[1].down) / static_cast<double>(info.plaintext));
  std::printf("| bytes down / plaintext of the merged state | %.2f | %.2f |\n",
              Median(ways[0].down) / static_cast<double>(state_plain),
              Median(ways[1].down) / static_cast<double>(state_plain));
  std::printf("| seconds on loopback | %.2f | %.2f |\n", Median(ways[0].secs), Median(ways[1].secs));
  std::printf("| HTTP requests | %.0f | %.0f |\n", Median(ways[0].requests), Median(ways[1].requests));
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      c.runs = std::atoi(argv[++i]);
    } else if (a == "--commits" && i + 1 < argc) {
      c.commits = std::atoi(argv[++i]);
    } else if (a == "--devices" && i + 1 < argc) {
      c.devices.clear();
      std::stringstream list(argv[++i]);
      std::string item;
      while (std::getline(list, item, ',')) c.devices.push_back(std::atoi(item.c_str()));
    } else if (a == "--rates" && i + 1 < argc) {
      c.rates.clear();
      std::stringstream list(argv[++i]);
      std::string item;
      while (std::getline(list, item, ',')) c.rates.push_back(std::atof(item.c_str()));
    } else if (a == "--hub-threads" && i + 1 < argc) {
      kManyDevicesOneAddress.push_back("--threads");
      kManyDevicesOneAddress.push_back(argv[++i]);
    } else if (a == "--store" && i + 1 < argc) {
      c.store = argv[++i];
    } else if (a == "--hub-processes" && i + 1 < argc) {
      c.hub_processes = std::atoi(argv[++i]);
    } else if (a == "concurrent" || a == "steady" || a == "offline" || a == "firstsync" || a == "all") {
      c.what = a;
    } else {
      std::fprintf(
          stderr,
          "usage: hub_bench [concurrent|steady|offline|firstsync|all] [--runs N] [--devices 50,200] [--commits C] "
          "[--rates 2500,5000] [--hub-threads N] [--store sqlite|postgresql] [--hub-processes N]\n");
      return 2;
    }
  }
  if (c.runs < 1 || c.commits < 1 || c.devices.empty() || c.rates.empty() || c.hub_processes < 1) {
    std::fprintf(stderr, "hub_bench: --runs, --commits, --devices, --rates and --hub-processes must be positive\n");
    return 2;
  }
  if (c.store != "sqlite" && c.store != "postgresql") {
    std::fprintf(stderr, "hub_bench: --store is sqlite or postgresql\n");
    return 2;
  }
  if (c.store == "sqlite" && c.hub_processes != 1) {
    std::fprintf(stderr, "hub_bench: a SQLite hub is one process; several serve a PostgreSQL database\n");
    return 2;
  }
  // A benchmark's database flushes to disk, as a hub's must.
  test::TestPostgres::FlushToDisk();
  std::string dir = (std::filesystem::temp_directory_path() / ("hub_bench_" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  if (c.what == "concurrent" || c.what == "all") BenchConcurrent(c, dir);
  if (c.what == "steady" || c.what == "all") BenchSteady(c, dir);
  if (c.what == "offline" || c.what == "all") BenchOffline(c, dir);
  if (c.what == "firstsync" || c.what == "all") BenchFirstSync(c, dir);
  std::filesystem::remove_all(dir);
  return 0;
}
