// Wrong clocks (protocol.md, "Clocks"): a device set a year ahead, and a
// device whose clock fell back to 2000 after a flat battery.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "hlc.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {
constexpr int64_t kYear = 365LL * 86400000;
constexpr int64_t kY2000 = 946684800000;

std::string StatusOf(Replica& r, const RecordId& id) {
  Record rec;
  REQUIRE(r.Get(id, &rec).ok());
  return std::get<std::string>(rec.fields["status"]);
}
}  // namespace

TEST_CASE("the hybrid clock is monotonic and ignores far-future stamps", "[clock]") {
  ManualClockEnv env(kNow);
  HybridClock clock(&env, 0);
  uint64_t t1 = clock.Next();
  CHECK(HybridClock::Millis(t1) == kNow);
  env.Set(kY2000);  // The wall clock jumps back.
  uint64_t t2 = clock.Next();
  CHECK(t2 > t1);
  clock.Observe(HybridClock::Make(kY2000 + 60000, 0));  // Within five minutes of the wall: adopted.
  CHECK(clock.last() >= t2);
  uint64_t before = clock.last();
  clock.Observe(HybridClock::Make(kNow + kYear, 0));  // A year ahead of the wall: ignored.
  CHECK(clock.last() == before);
  env.Set(kNow);
  clock.Observe(HybridClock::Make(kNow + 120000, 7));  // Two minutes ahead: adopted.
  CHECK(clock.last() == HybridClock::Make(kNow + 120000, 7));
  CHECK(clock.Next() == HybridClock::Make(kNow + 120000, 8));
}

TEST_CASE("a device set a year ahead neither wins over later edits nor drags clocks", "[clock]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& good = *g.members[0];
  Replica& ahead = *g.members[1];
  Replica& other = *g.members[2];
  WriteBatch w;
  RecordId id = w.Insert("concerns", {{"status", std::string("received")}});
  REQUIRE(good.Commit(g.ws, w).ok());
  SyncOneWay(good, ahead, g.ws);
  SyncOneWay(good, other, g.ws);

  g.clocks[1]->Set(kNow + kYear);
  WriteBatch wa;
  wa.Update(id, {{"status", std::string("rejected")}});
  CommitInfo future;
  REQUIRE(ahead.Commit(g.ws, wa, &future).ok());
  CHECK(HybridClock::Millis(future.hlc) >= kNow + kYear);

  // good sees the future value, then edits: its edit is causally later.
  SyncOneWay(ahead, good, g.ws);
  CHECK(StatusOf(good, id) == "rejected");
  g.clocks[0]->Advance(60000);
  WriteBatch wg;
  wg.Update(id, {{"status", std::string("in progress")}});
  CommitInfo later;
  REQUIRE(good.Commit(g.ws, wg, &later).ok());
  // Its clock was not dragged a year ahead.
  CHECK(HybridClock::Millis(later.hlc) < kNow + 86400000);
  CHECK(later.hlc < future.hlc);

  for (Replica* from : {&good, &ahead}) {
    SyncOneWay(*from, other, g.ws);
  }
  SyncOneWay(good, ahead, g.ws);
  for (Replica* r : {&good, &ahead, &other}) {
    CHECK(StatusOf(*r, id) == "in progress");
    Record rec;
    REQUIRE(r->Get(id, &rec).ok());
    CHECK(rec.conflicts.empty());
  }
  // The third device, having merged the future commit, still stamps near its own time.
  WriteBatch wo;
  wo.Update(id, {{"status", std::string("resolved")}});
  CommitInfo mine;
  REQUIRE(other.Commit(g.ws, wo, &mine).ok());
  CHECK(HybridClock::Millis(mine.hlc) < kNow + 86400000);
  SyncOneWay(other, ahead, g.ws);
  CHECK(StatusOf(ahead, id) == "resolved");
}

TEST_CASE("a concurrent value from a fast clock wins but the other stays listed", "[clock]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& ahead = *g.members[0];
  Replica& normal = *g.members[1];
  WriteBatch w;
  RecordId id = w.Insert("concerns", {{"status", std::string("received")}});
  REQUIRE(ahead.Commit(g.ws, w).ok());
  SyncOneWay(ahead, normal, g.ws);
  g.clocks[0]->Set(kNow + kYear);
  WriteBatch wa, wn;
  wa.Update(id, {{"status", std::string("rejected")}});
  wn.Update(id, {{"status", std::string("resolved")}});
  REQUIRE(ahead.Commit(g.ws, wa).ok());
  REQUIRE(normal.Commit(g.ws, wn).ok());
  SyncOneWay(ahead, normal, g.ws);
  Record rec;
  REQUIRE(normal.Get(id, &rec).ok());
  CHECK(std::get<std::string>(rec.fields["status"]) == "rejected");
  CHECK(rec.conflicts["status"] == std::vector<Value>{Value(std::string("resolved"))});
}

TEST_CASE("a clock reset to 2000 after a restart still makes causally later edits win", "[clock]") {
  TempDir dir;
  Group g;
  MakeGroup(2, dir.path(), &g);
  Replica& office = *g.members[0];
  WriteBatch w;
  RecordId id = w.Insert("concerns", {{"status", std::string("received")}});
  REQUIRE(office.Commit(g.ws, w).ok());
  SyncOneWay(office, *g.members[1], g.ws);

  // The phone's battery runs flat: it restarts with its clock at 2000.
  g.members[1].reset();
  auto flat = std::make_unique<ManualClockEnv>(kY2000);
  OpenOptions opt;
  opt.env = flat.get();
  opt.durable = false;
  std::unique_ptr<Replica> phone;
  REQUIRE(Replica::OpenWithKey(dir.File("member1.db"), TestKey(1), opt, &phone).ok());
  WriteBatch wp;
  wp.Update(id, {{"status", std::string("in progress")}});
  CommitInfo info;
  REQUIRE(phone->Commit(g.ws, wp, &info).ok());
  SyncOneWay(*phone, office, g.ws);
  CHECK(StatusOf(office, id) == "in progress");
  CHECK(StatusOf(*phone, id) == "in progress");
  // The office clock is not pulled back: its next stamp is at its own time.
  WriteBatch wo;
  wo.Update(id, {{"status", std::string("resolved")}});
  CommitInfo o;
  REQUIRE(office.Commit(g.ws, wo, &o).ok());
  CHECK(HybridClock::Millis(o.hlc) >= kNow);
  SyncOneWay(office, *phone, g.ws);
  CHECK(StatusOf(*phone, id) == "resolved");

  // An hour on, the office edits again. The phone, its wall clock still in
  // 2000, does not adopt the office's newer stamp, so its next edit carries
  // an older stamp; made after seeing the office's value, it still wins.
  g.clocks[0]->Advance(3600000);
  WriteBatch wo2;
  wo2.Update(id, {{"status", std::string("transferred")}});
  CommitInfo office_later;
  REQUIRE(office.Commit(g.ws, wo2, &office_later).ok());
  SyncOneWay(office, *phone, g.ws);
  WriteBatch wp2;
  wp2.Update(id, {{"status", std::string("rejected")}});
  CommitInfo phone_later;
  REQUIRE(phone->Commit(g.ws, wp2, &phone_later).ok());
  CHECK(phone_later.hlc < office_later.hlc);
  SyncOneWay(*phone, office, g.ws);
  CHECK(StatusOf(office, id) == "rejected");
  Record rec;
  REQUIRE(office.Get(id, &rec).ok());
  CHECK(rec.conflicts.empty());
}

TEST_CASE("a replica's stamps keep growing across a restart with its clock set back", "[clock]") {
  // Local commits do not write the clock apart: each keeps its own stamp,
  // and a replica opened again starts after the latest of them.
  TempDir dir;
  Group g;
  MakeGroup(1, dir.path(), &g);
  CommitInfo last;
  for (int i = 0; i < 3; i++) {
    WriteBatch w;
    w.Insert("notes", {{"n", int64_t{i}}});
    REQUIRE(g.members[0]->Commit(g.ws, w, &last).ok());
  }
  g.members[0].reset();
  auto flat = std::make_unique<ManualClockEnv>(kY2000);
  OpenOptions opt;
  opt.env = flat.get();
  opt.durable = false;
  std::unique_ptr<Replica> again;
  REQUIRE(Replica::OpenWithKey(dir.File("member0.db"), TestKey(0), opt, &again).ok());
  WriteBatch w;
  w.Insert("notes", {{"n", int64_t{3}}});
  CommitInfo next;
  REQUIRE(again->Commit(g.ws, w, &next).ok());
  CHECK(next.hlc > last.hlc);
}
