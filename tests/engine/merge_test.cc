#include <algorithm>
#include <set>
#include <catch2/catch.hpp>

#include "helpers.h"
#include "merge.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

DeviceId Dev(uint8_t n) {
  DeviceId d;
  d.bytes[0] = n;
  return d;
}

struct W {
  Version v;
  std::vector<WriteRef> base;
};

Register ApplyAll(const std::vector<W>& writes, const std::vector<size_t>& order) {
  std::set<WriteRef> applied;
  Register reg;
  for (size_t i : order) {
    auto is_applied = [&](const WriteRef& r) { return applied.count(r) > 0; };
    ApplyWrite(&reg, writes[i].v, writes[i].base, is_applied);
    applied.insert(writes[i].v.id);
  }
  return reg;
}

}  // namespace

TEST_CASE("register heads do not depend on the order writes arrive in", "[merge]") {
  // a and b concurrent; c saw a only; d saw c and b (settles everything but e);
  // e concurrent with all of them.
  WriteRef a{Dev(1), 1}, b{Dev(2), 1}, c{Dev(1), 2}, d{Dev(3), 1}, e{Dev(4), 1};
  std::vector<W> writes = {
      {{a, 100, Value(std::string("a"))}, {}},
      {{b, 105, Value(std::string("b"))}, {}},
      {{c, 110, Value(std::string("c"))}, {a}},
      {{d, 90, Value(std::string("d"))}, {c, b}},  // An older clock, yet it saw c and b.
      {{e, 95, Value(std::string("e"))}, {}},
  };
  std::vector<size_t> order = {0, 1, 2, 3, 4};
  Register first = ApplyAll(writes, order);
  REQUIRE(first.heads.size() == 2);
  CHECK(first.winner()->id == e);  // 95 > 90: among the heads, the clock decides.
  CHECK(first.heads[1].id == d);
  CHECK(first.orphans.empty());
  int permutations = 0;
  while (std::next_permutation(order.begin(), order.end())) {
    Register r = ApplyAll(writes, order);
    CHECK(r.heads == first.heads);
    CHECK(r.orphans.empty());
    permutations++;
  }
  CHECK(permutations == 119);
}

TEST_CASE("a write whose base has not arrived supersedes it when it does", "[merge]") {
  WriteRef a{Dev(1), 1}, b{Dev(2), 1};
  std::set<WriteRef> applied;
  auto is_applied = [&](const WriteRef& r) { return applied.count(r) > 0; };
  Register reg;
  ApplyWrite(&reg, Version{b, 200, Value(int64_t{2})}, {a}, is_applied);
  applied.insert(b);
  REQUIRE(reg.orphans.size() == 1);
  ApplyWrite(&reg, Version{a, 300, Value(int64_t{1})}, {}, is_applied);
  REQUIRE(reg.heads.size() == 1);
  CHECK(reg.winner()->id == b);  // a has the later clock, but b was written after seeing it.
  CHECK(reg.orphans.empty());
}

TEST_CASE("equal stamps are ordered by device id", "[merge]") {
  Version lo{WriteRef{Dev(1), 1}, 500, Value(true)};
  Version hi{WriteRef{Dev(2), 1}, 500, Value(false)};
  CHECK(Outranks(hi, lo));
  CHECK_FALSE(Outranks(lo, hi));
}

TEST_CASE("record state survives its encoding", "[merge]") {
  RecordState st;
  st.collection = "concerns";
  auto none = [](const WriteRef&) { return false; };
  ApplyWrite(&st.alive, Version{WriteRef{Dev(1), 1}, 10, Value(true)}, {}, none);
  ApplyWrite(&st.fields["summary"], Version{WriteRef{Dev(1), 1}, 10, Value(std::string("Khiếu nại"))}, {}, none);
  ApplyWrite(&st.fields["summary"], Version{WriteRef{Dev(2), 4}, 11, Value(std::string("x"))}, {WriteRef{Dev(3), 9}},
             none);
  ApplyWrite(&st.fields["due"], Version{WriteRef{Dev(2), 4}, 11, Value(Timestamp{-5})}, {}, none);
  std::string enc;
  EncodeState(st, &enc);
  RecordState back;
  REQUIRE(DecodeState(enc, &back).ok());
  CHECK(back.collection == st.collection);
  CHECK(back.alive.heads == st.alive.heads);
  CHECK(back.fields["summary"].heads == st.fields["summary"].heads);
  CHECK(back.fields["summary"].orphans == st.fields["summary"].orphans);
  CHECK(back.fields["due"].heads == st.fields["due"].heads);
  for (size_t cut = 0; cut < enc.size(); cut++) {
    RecordState partial;
    CHECK_FALSE(DecodeState(std::string_view(enc).substr(0, cut), &partial).ok());
  }
}

TEST_CASE("concurrent edits are kept as conflicts until a later write settles them", "[merge]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  Replica& c = *g.members[2];
  WriteBatch w;
  RecordId id = w.Insert("concerns", {{"status", std::string("received")}, {"summary", std::string("Đèn đường hỏng")}});
  REQUIRE(a.Commit(g.ws, w).ok());
  SyncOneWay(a, b, g.ws);
  // Both edit the same field without seeing each other; b's clock is later.
  g.clocks[1]->Advance(1000);
  WriteBatch wa, wb;
  wa.Update(id, {{"status", std::string("in progress")}});
  wb.Update(id, {{"status", std::string("resolved")}});
  REQUIRE(a.Commit(g.ws, wa).ok());
  REQUIRE(b.Commit(g.ws, wb).ok());
  SyncOneWay(a, c, g.ws);
  SyncOneWay(b, c, g.ws);
  SyncOneWay(c, a, g.ws);
  SyncOneWay(c, b, g.ws);
  for (Replica* r : {&a, &b, &c}) {
    Record rec;
    REQUIRE(r->Get(id, &rec).ok());
    CHECK(std::get<std::string>(rec.fields["status"]) == "resolved");
    REQUIRE(rec.conflicts.count("status") == 1);
    CHECK(rec.conflicts["status"] == std::vector<Value>{Value(std::string("in progress"))});
    CHECK(rec.conflicts.count("summary") == 0);
    std::vector<Conflict> all;
    REQUIRE(r->Conflicts(g.ws, &all).ok());
    REQUIRE(all.size() == 1);
    CHECK(all[0].field == "status");
  }
  // c settles it by choosing the losing value; everyone agrees, no conflict left.
  WriteBatch settle;
  settle.Update(id, {{"status", std::string("in progress")}});
  REQUIRE(c.Commit(g.ws, settle).ok());
  SyncOneWay(c, a, g.ws);
  SyncOneWay(c, b, g.ws);
  for (Replica* r : {&a, &b, &c}) {
    Record rec;
    REQUIRE(r->Get(id, &rec).ok());
    CHECK(std::get<std::string>(rec.fields["status"]) == "in progress");
    CHECK(rec.conflicts.empty());
  }
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));
  CHECK(Digest(b, g.ws) == Digest(c, g.ws));
}

TEST_CASE("a delete is a tombstone that a later write or a restore undoes", "[merge]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  WriteBatch w;
  RecordId id = w.Insert("concerns", {{"status", std::string("received")}, {"hamlet", std::string("Thôn 1")}});
  REQUIRE(a.Commit(g.ws, w).ok());
  WriteBatch del;
  del.Delete(id);
  REQUIRE(a.Commit(g.ws, del).ok());
  Record rec;
  REQUIRE(a.Get(id, &rec).ok());
  CHECK(rec.deleted);
  CHECK(std::get<std::string>(rec.fields["hamlet"]) == "Thôn 1");  // Hidden, not erased.
  SyncOneWay(a, b, g.ws);
  REQUIRE(b.Get(id, &rec).ok());
  CHECK(rec.deleted);
  // b, having seen the delete, writes: the record lives again with all fields.
  WriteBatch up;
  up.Update(id, {{"status", std::string("in progress")}});
  REQUIRE(b.Commit(g.ws, up).ok());
  SyncOneWay(b, a, g.ws);
  REQUIRE(a.Get(id, &rec).ok());
  CHECK_FALSE(rec.deleted);
  CHECK(std::get<std::string>(rec.fields["hamlet"]) == "Thôn 1");
  CHECK(std::get<std::string>(rec.fields["status"]) == "in progress");
  // Delete again, then restore.
  WriteBatch del2, res;
  del2.Delete(id);
  REQUIRE(a.Commit(g.ws, del2).ok());
  res.Restore(id);
  REQUIRE(a.Commit(g.ws, res).ok());
  REQUIRE(a.Get(id, &rec).ok());
  CHECK_FALSE(rec.deleted);
  SyncOneWay(a, b, g.ws);
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));
}

TEST_CASE("bad batches are refused and change nothing", "[merge]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& a = *g.members[0];
  std::string before = Digest(a, g.ws);
  WriteBatch unknown;
  unknown.Update(*RecordId::FromHex("0123456789abcdef0123456789abcdef"), {{"x", int64_t{1}}});
  CHECK(a.Commit(g.ws, unknown).code() == Code::kNotFound);
  WriteBatch bad_utf8;
  bad_utf8.Insert("concerns", {{"summary", std::string("\xff\xfe")}});
  CHECK(a.Commit(g.ws, bad_utf8).code() == Code::kInvalidArgument);
  WriteBatch reserved;
  reserved.Insert("concerns", {{"_id", int64_t{1}}});
  CHECK(a.Commit(g.ws, reserved).code() == Code::kInvalidArgument);
  WriteBatch twice;
  RecordId id = twice.Insert("concerns", {{"a", int64_t{1}}});
  twice.Update(id, {{"b", int64_t{2}}});
  CHECK(a.Commit(g.ws, twice).code() == Code::kInvalidArgument);
  WriteBatch empty;
  CHECK(a.Commit(g.ws, empty).code() == Code::kInvalidArgument);
  WriteBatch nameless;
  nameless.Insert("", {{"a", int64_t{1}}});
  CHECK(a.Commit(g.ws, nameless).code() == Code::kInvalidArgument);
  CHECK(Digest(a, g.ws) == before);
  std::vector<ChainStatus> chains;
  REQUIRE(a.Chains(g.ws, &chains).ok());
  CHECK(chains.empty());  // Not one commit was recorded.
}
