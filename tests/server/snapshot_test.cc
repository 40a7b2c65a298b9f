// Snapshots through a real hub (protocol.md 6.5): an officer's device gives
// the hub one, a new device starts from it and pulls only what came after,
// and ends up holding exactly what a device that pulled everything holds;
// over a link cut again and again as well.
#include <catch2/catch.hpp>

#include "cut_proxy.h"
#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hub_group.h"
#include "hub_process.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

size_t ConflictCount(Replica& r, const WorkspaceId& ws) {
  std::vector<Conflict> c;
  REQUIRE(r.Conflicts(ws, &c).ok());
  return c.size();
}

}  // namespace

TEST_CASE("a new device starts from the officer's snapshot and holds what a full pull gives", "[hub][snapshot]") {
  TempDir dir;
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  HubProcess hub(HubStoreFor(backend, dir.path()));
  Group g;
  MakeGroup(3, dir.path(), &g);
  PublishGroup(hub.url(), hub.CreateToken(), g);
  Replica& admin = *g.members[0];
  Replica& cadre = *g.members[1];
  Replica& other = *g.members[2];
  SyncOptions o = TestSyncOptions(hub.url());
  o.snapshot_every = 1;
  SyncReport rep;

  Concerns(cadre, g.ws, 40, "Đường làng ngập nước");
  Concerns(other, g.ws, 40, "Xin cấp giấy chứng nhận");
  REQUIRE(SyncWith(cadre, g.ws, o, &rep).ok());
  REQUIRE(SyncWith(other, g.ws, o, &rep).ok());
  // Both edit one concern: a conflict the snapshot must carry as it is.
  QueryResult q;
  Query all;
  all.collection = "concerns";
  REQUIRE(cadre.Find(all, &q).ok());
  REQUIRE(!q.records.empty());
  RecordId shared = q.records[0].id;
  REQUIRE(SyncWith(other, g.ws, o, &rep).ok());
  for (Replica* r : {&cadre, &other}) {
    WriteBatch b;
    b.Update(shared, {{"summary", std::string(r == &cadre ? "bản của cán bộ" : "bản khác")}});
    REQUIRE(r->Commit(g.ws, b).ok());
    REQUIRE(SyncWith(*r, g.ws, o, &rep).ok());
  }
  // A cadre's device makes no snapshot; the admin's does.
  CHECK_FALSE(rep.snapshot_given);
  REQUIRE(SyncWith(admin, g.ws, o, &rep).ok());
  CHECK(rep.snapshot_given);
  CHECK(ConflictCount(admin, g.ws) == 1);
  Concerns(cadre, g.ws, 5, "Sau ảnh chụp");
  REQUIRE(SyncWith(cadre, g.ws, o, &rep).ok());

  auto started = NewMember(g, hub.url(), 100, Role::kCadre);
  auto full = NewMember(g, hub.url(), 101, Role::kCadre);
  SyncReport from_snapshot, from_start;
  REQUIRE(SyncWith(*started, g.ws, TestSyncOptions(hub.url()), &from_snapshot).ok());
  CHECK(from_snapshot.started_from_snapshot);
  CHECK(from_snapshot.snapshot_refused.empty());
  CHECK(from_snapshot.pulled == 5);  // What came after the snapshot, alone.
  SyncOptions no_snapshot = TestSyncOptions(hub.url());
  no_snapshot.from_snapshot = false;
  REQUIRE(SyncWith(*full, g.ws, no_snapshot, &from_start).ok());
  CHECK_FALSE(from_start.started_from_snapshot);
  CHECK(from_start.pulled == 40 + 40 + 2 + 5);
  CHECK(Digest(*started, g.ws) == Digest(*full, g.ws));
  CHECK(ChainsOf(*started, g.ws) == ChainsOf(*full, g.ws));
  CHECK(ConflictCount(*started, g.ws) == 1);
  CHECK(Matching(*started, "duong lang ngap nuoc") == Matching(*full, "duong lang ngap nuoc"));

  // Both go on with everyone else.
  Concerns(*started, g.ws, 3, "Máy mới");
  Concerns(*full, g.ws, 2, "Máy khác");
  for (int round = 0; round < 2; round++) {
    for (Replica* r : {&admin, &cadre, &other, started.get(), full.get()}) REQUIRE(SyncWith(*r, g.ws, o, &rep).ok());
  }
  std::string expected = Digest(admin, g.ws);
  for (Replica* r : {&cadre, &other, started.get(), full.get()}) CHECK(Digest(*r, g.ws) == expected);
}

TEST_CASE("a snapshot crosses a link cut again and again, up and down", "[hub][snapshot]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, dir.path(), &g);
  PublishGroup(hub.url(), hub.CreateToken(), g);
  Concerns(*g.members[1], g.ws, 1500,
           "Phản ánh về trật tự xây dựng ở thôn: nhà văn hoá xây lấn sang đường đi chung của các hộ dân");
  SyncReport rep;
  REQUIRE(SyncWith(*g.members[1], g.ws, TestSyncOptions(hub.url()), &rep).ok());

  // Cut within the first 12 KB of every connection: the snapshot is several times that.
  CutProxy cutting(hub.port(), 7, 100, 12 * 1024);
  const std::string cut_url = "http://127.0.0.1:" + std::to_string(cutting.port());
  SyncOptions o = TestSyncOptions(cut_url);
  o.snapshot_every = 0;
  REQUIRE(SyncWith(*g.members[0], g.ws, o, &rep).ToString() == "OK");
  CHECK_FALSE(rep.snapshot_given);
  // Caught up: this sync's bytes are the snapshot going up.
  const int cuts_before_up = cutting.cuts();
  o.snapshot_every = 1;
  REQUIRE(SyncWith(*g.members[0], g.ws, o, &rep).ok());
  CHECK(rep.snapshot_given);
  std::string made;
  SnapshotInfo info;
  REQUIRE(g.members[0]->MakeSnapshot(g.ws, cut_url, &made, &info).ok());
  INFO("the snapshot travels as " << made.size() << " bytes");
  const int cuts_up = cutting.cuts() - cuts_before_up;
  CHECK(cuts_up >= 3);

  auto started = NewMember(g, hub.url(), 100, Role::kCadre);
  const int cuts_before_down = cutting.cuts();
  REQUIRE(SyncWith(*started, g.ws, TestSyncOptions(cut_url), &rep).ok());
  const int cuts_down = cutting.cuts() - cuts_before_down;
  INFO(cuts_up << " cuts on the way up, " << cuts_down << " on the way down");
  CHECK(rep.started_from_snapshot);
  CHECK(cuts_down >= 3);
  CHECK(rep.pulled == 0);
  CHECK(Digest(*started, g.ws) == Digest(*g.members[0], g.ws));
}
