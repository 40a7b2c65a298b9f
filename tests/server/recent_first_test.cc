// Recent first through a real hub (protocol.md 13.4): a new device asks for
// the last days of a workspace first, has those records (and has pushed its
// own) before the older commits arrive, goes on with the older part where it
// stopped, over a link cut again and again, and ends up holding exactly what
// a device that pulled everything holds. The hub's days are made old by
// moving them back in its store while it is stopped, as the weeks would.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "cut_proxy.h"
#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hub_group.h"
#include "hub_process.h"
#include "pg.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// Moves every day the hub noted back by days, in the store at where (a
// data folder or a PostgreSQL URL) of a stopped hub.
void AgeArrivalDays(const std::string& where, int days) {
  const std::string sql = "UPDATE arrival_days SET day = day - " + std::to_string(days);
  if (hub::IsPostgresUrl(where)) {
    std::unique_ptr<hub::PgConnection> c;
    REQUIRE(hub::PgConnection::Connect(where, &c).ok());
    REQUIRE(c->Exec(sql).ok());
    return;
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((where + "/hub.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  int changed = sqlite3_changes(db);
  sqlite3_close_v2(db);
  REQUIRE(rc == SQLITE_OK);
  REQUIRE(changed > 0);
}

bool Warned(Replica& r, const WorkspaceId& ws, const std::string& kind) {
  std::vector<Warning> w;
  REQUIRE(r.Warnings(ws, &w).ok());
  for (const Warning& x : w) {
    if (x.kind == kind) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a new device gets the last days first, then the older commits, and holds what a full pull gives",
          "[hub][recent]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  const std::string where = HubStoreFor(backend, dir.path());
  HubProcess hub(where);
  Group g;
  MakeGroup(3, dir.path(), &g);
  PublishGroup(hub.url(), hub.CreateToken(), g);
  Replica& admin = *g.members[0];
  Replica& cadre = *g.members[1];
  Replica& other = *g.members[2];
  SyncOptions o = TestSyncOptions(hub.url());
  SyncReport rep;

  // Six weeks ago: 60 concerns, one of which changes later.
  Concerns(cadre, g.ws, 40, "Đường làng ngập nước");
  Concerns(other, g.ws, 20, "Xin cấp giấy chứng nhận");
  REQUIRE(SyncWith(cadre, g.ws, o, &rep).ok());
  REQUIRE(SyncWith(other, g.ws, o, &rep).ok());
  QueryResult q;
  Query all;
  all.collection = "concerns";
  REQUIRE(other.Find(all, &q).ok());
  REQUIRE(!q.records.empty());
  RecordId changed = q.records[0].id;
  hub.StopAndRestart([&] { AgeArrivalDays(where, 42); });

  // This week: 6 new concerns and the change.
  Concerns(cadre, g.ws, 6, "Xin hỗ trợ giống lúa");
  WriteBatch b;
  b.Update(changed, {{"summary", std::string("Đã xử lý xong")}});
  REQUIRE(other.Commit(g.ws, b).ok());
  REQUIRE(SyncWith(cadre, g.ws, o, &rep).ok());
  REQUIRE(SyncWith(other, g.ws, o, &rep).ok());

  // An officer's new device, on a link cut within the first 6 KB of every
  // connection, asks for the last 7 days and leaves the rest for later: it
  // has the recent records, not the old ones, and its own concern is on the
  // hub already.
  CutProxy cutting(hub.port(), 11, 100, 6 * 1024);
  SyncOptions cut = TestSyncOptions("http://127.0.0.1:" + std::to_string(cutting.port()));
  cut.recent_days = 7;
  auto fresh = NewMember(g, hub.url(), 100, Role::kOfficer);
  Concerns(*fresh, g.ws, 1, "Máy mới ghi");
  SyncOptions recent = cut;
  recent.older = false;
  REQUIRE(SyncWith(*fresh, g.ws, recent, &rep).ToString() == "OK");
  CHECK(rep.pulled == 7);
  CHECK(rep.pushed == 1);
  CHECK(rep.older_left > 0);
  CHECK(Matching(*fresh, "giong lua") == 6);
  CHECK(Matching(*fresh, "da xu ly xong") == 1);
  CHECK(Matching(*fresh, "duong lang ngap nuoc") == 0);
  CHECK_FALSE(Warned(*fresh, g.ws, "hub_withholds_commits"));
  uint64_t after = 0, upto = 0;
  REQUIRE(fresh->OlderRange(g.ws, cut.hub, &after, &upto).ok());
  CHECK(after == 0);
  CHECK(upto == rep.older_left);
  // Its position claims what it lacks: it makes no snapshot yet.
  std::string snapshot;
  SnapshotInfo info;
  CHECK(fresh->MakeSnapshot(g.ws, cut.hub, &snapshot, &info).code() == Code::kFailedPrecondition);
  // Another sync of the recent part only pulls nothing again.
  REQUIRE(SyncWith(*fresh, g.ws, recent, &rep).ok());
  CHECK(rep.pulled == 0);

  // The older part, stopped after its first page: what came stays, and the
  // range has moved on.
  {
    SyncOptions older = cut;
    HubClient* client = nullptr;
    older.progress = [&](const SyncProgress& p) {
      if (std::string(p.phase) == "older" && p.commits > 0) client->Cancel();
    };
    HubClient c(fresh.get(), older);
    client = &c;
    CHECK(c.Sync(g.ws, &rep).code() == Code::kCancelled);
  }
  REQUIRE(fresh->OlderRange(g.ws, cut.hub, &after, &upto).ok());
  CHECK(after > 0);
  CHECK(upto > after);
  const size_t some = Matching(*fresh, "duong lang ngap nuoc") + Matching(*fresh, "giay chung nhan");
  CHECK(some > 0);
  CHECK(some < 59);

  // The rest, through the cuts.
  REQUIRE(SyncWith(*fresh, g.ws, cut, &rep).ToString() == "OK");
  CHECK(rep.older_left == 0);
  CHECK(rep.retries > 0);
  REQUIRE(fresh->OlderRange(g.ws, cut.hub, &after, &upto).ok());
  CHECK(upto == 0);

  // A device that pulls everything holds the same.
  auto full = NewMember(g, hub.url(), 101, Role::kOfficer);
  REQUIRE(SyncWith(*full, g.ws, o, &rep).ok());
  CHECK(Digest(*fresh, g.ws) == Digest(*full, g.ws));
  CHECK(ChainsOf(*fresh, g.ws) == ChainsOf(*full, g.ws));
  CHECK(Matching(*fresh, "duong lang ngap nuoc") + Matching(*fresh, "giay chung nhan") == 59);
  CHECK(Matching(*fresh, "duong lang ngap nuoc") == Matching(*full, "duong lang ngap nuoc"));
  CHECK(Matching(*fresh, "da xu ly xong") == 1);
  CHECK_FALSE(Warned(*fresh, g.ws, "hub_withholds_commits"));
  // And everyone converges, the fresh device's snapshot allowed now.
  CHECK(fresh->MakeSnapshot(g.ws, cut.hub, &snapshot, &info).ok());
  for (int round = 0; round < 2; round++) {
    for (Replica* r : {&admin, &cadre, &other, fresh.get(), full.get()}) {
      REQUIRE(SyncWith(*r, g.ws, r == fresh.get() ? cut : o, &rep).ok());
    }
  }
  const std::string expected = Digest(admin, g.ws);
  for (Replica* r : {&cadre, &other, fresh.get(), full.get()}) CHECK(Digest(*r, g.ws) == expected);
}

TEST_CASE("recent first on a workspace whose commits are all recent, or all old", "[hub][recent]") {
  TempDir dir;
  const std::string where = dir.File("hub");
  HubProcess hub(where);
  Group g;
  MakeGroup(2, dir.path(), &g);
  PublishGroup(hub.url(), hub.CreateToken(), g);
  SyncOptions o = TestSyncOptions(hub.url());
  o.recent_days = 3;
  SyncReport rep;
  Concerns(*g.members[1], g.ws, 10, "Hôm nay");
  REQUIRE(SyncWith(*g.members[1], g.ws, o, &rep).ok());
  // All recent: no older part at all.
  auto a = NewMember(g, hub.url(), 100, Role::kCadre);
  REQUIRE(SyncWith(*a, g.ws, o, &rep).ok());
  CHECK(rep.pulled == 10);
  CHECK(rep.older_left == 0);
  // All old: the recent part is empty, the older part is everything.
  hub.StopAndRestart([&] { AgeArrivalDays(where, 10); });
  auto b = NewMember(g, hub.url(), 101, Role::kCadre);
  SyncOptions later = o;
  later.older = false;
  REQUIRE(SyncWith(*b, g.ws, later, &rep).ok());
  CHECK(rep.pulled == 0);
  CHECK(rep.older_left > 0);
  REQUIRE(SyncWith(*b, g.ws, o, &rep).ok());
  CHECK(rep.pulled == 10);
  CHECK(rep.older_left == 0);
  CHECK(Digest(*b, g.ws) == Digest(*a, g.ws));
  // A device that is not new never asks: it pulls on from where it was.
  Concerns(*g.members[1], g.ws, 2, "Mai");
  REQUIRE(SyncWith(*g.members[1], g.ws, o, &rep).ok());
  REQUIRE(SyncWith(*a, g.ws, o, &rep).ok());
  CHECK(rep.pulled == 2);
  CHECK(rep.older_left == 0);
}
