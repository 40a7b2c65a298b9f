// Backing a hub up and restoring it, on both stores: SQLite with
// `hamlet-hub backup`, PostgreSQL with pg_dump and pg_restore and then
// `hamlet-hub restored`. Devices that synced after the backup was made find
// the hub restored: they pull everything again (nothing missed) and push
// again what it lost (nothing lost).
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hub_group.h"
#include "hub_process.h"
#include "pg.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

void Write(Replica& r, const WorkspaceId& ws, int n, std::mt19937_64& rng) {
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", std::string("Đơn thư ") + std::to_string(rng() % 100000)}});
    REQUIRE(r.Commit(ws, b).ok());
  }
}

SyncReport Sync(Replica& r, const WorkspaceId& ws, const HubProcess& hub) {
  HubClient c(&r, TestSyncOptions(hub.url()));
  SyncReport rep;
  Status s = c.Sync(ws, &rep);
  REQUIRE(s.ToString() == "OK");
  return rep;
}

bool Warned(Replica& r, const WorkspaceId& ws, const std::string& kind) {
  std::vector<Warning> warnings;
  REQUIRE(r.Warnings(ws, &warnings).ok());
  for (const Warning& w : warnings) {
    if (w.kind == kind) return true;
  }
  return false;
}

// What a backend's operator does: a backup now, and a way to put it back
// in place of the store while the hub is stopped.
struct Backup {
  std::function<void()> make;
  std::function<void()> restore;
};

Backup BackupFor(const std::string& backend, const std::string& store, const std::string& dir) {
  if (backend == "sqlite") {
    const std::string copy = dir + "/backup";
    return {[=] { REQUIRE(HubProcess::Run({"backup", "--data", store, "--to", copy}) == 0); },
            [=] {
              for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store + "/hub.db" + suffix);
              std::filesystem::copy_file(copy + "/hub.db", store + "/hub.db");
            }};
  }
  TestPostgres& pg = TestPostgres::Get();
  const std::string file = pg.folder() + "/hub.dump";
  // postgresql://USER@/DATABASE?host=...: the same server's "postgres"
  // database is where the operator drops and makes the hub's again.
  const size_t at = store.find("@/") + 2, query = store.find('?');
  const std::string database = store.substr(at, query - at);
  const std::string admin_url = store.substr(0, at) + "postgres" + store.substr(query);
  return {[=, &pg] { REQUIRE(pg.Tool("pg_dump", "-Fc -f " + file + " -d '" + store + "'") == 0); },
          [=, &pg] {
            std::unique_ptr<hub::PgConnection> c;
            REQUIRE(hub::PgConnection::Connect(admin_url, &c).ok());
            REQUIRE(c->Exec("DROP DATABASE " + database).ok());
            REQUIRE(c->Exec("CREATE DATABASE " + database).ok());
            REQUIRE(pg.Tool("pg_restore", "-d '" + store + "' " + file) == 0);
            REQUIRE(HubProcess::Run({"restored", "--store", store}) == 0);
          }};
}

}  // namespace

TEST_CASE("a hub restored from an older backup: devices miss nothing and lose nothing", "[hub][backup]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  TempDir dir;
  const std::string store = HubStoreFor(backend, dir.path());
  HubProcess hub(store);
  Group g;
  MakeGroup(3, "", &g);
  PublishGroup(hub.url(), hub.CreateToken(), g);
  std::mt19937_64 rng(SeedFromEnv(31));
  Replica &a = *g.members[1], &b = *g.members[2];
  Write(a, g.ws, 5, rng);
  Write(b, g.ws, 5, rng);
  for (int round = 0; round < 2; round++) {
    Sync(a, g.ws, hub);
    Sync(b, g.ws, hub);
  }
  Backup backup = BackupFor(backend, store, dir.path());
  backup.make();
  // After the backup: more commits reach the hub, and both devices pull
  // past every position the backup holds.
  Write(a, g.ws, 7, rng);
  Write(b, g.ws, 7, rng);
  for (int round = 0; round < 2; round++) {
    Sync(a, g.ws, hub);
    Sync(b, g.ws, hub);
  }
  REQUIRE(Digest(a, g.ws) == Digest(b, g.ws));
  hub.StopAndRestart(backup.restore);

  // The restored hub lacks what came after the backup. Each device finds
  // it restored, pulls from the start, and pushes what the hub lost.
  Write(b, g.ws, 3, rng);
  SyncReport ra = Sync(a, g.ws, hub);
  CHECK(Warned(a, g.ws, "hub_restored"));
  CHECK(ra.pushed == 7);   // a's commits since the backup, again...
  CHECK(ra.relayed == 7);  // ...and b's, which a holds (protocol.md 13.3).
  SyncReport rb = Sync(b, g.ws, hub);
  CHECK(rb.pushed == 3);  // Only b's new ones are left for b.
  CHECK(rb.pulled >= 12);  // Pulled from the start: a's 5 + 7 at least.
  Sync(a, g.ws, hub);
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));
  // A third device that never synced gets everything from the restored hub.
  Replica& c = *g.members[0];
  Sync(c, g.ws, hub);
  Sync(a, g.ws, hub);
  Sync(b, g.ws, hub);
  CHECK(Digest(c, g.ws) == Digest(a, g.ws));
  CHECK(Digest(b, g.ws) == Digest(a, g.ws));
  // The next sync finds the same hub whole.
  Sync(a, g.ws, hub);
  CHECK_FALSE(Warned(a, g.ws, "hub_restored"));
}
