#include <catch2/catch.hpp>

#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

TEST_CASE("two replicas write offline, exchange chunks and converge", "[sync]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  WriteBatch wa;
  RecordId ra = wa.Insert("concerns", {{"summary", std::string("Đường ngập nước")}, {"status", std::string("received")}});
  REQUIRE(a.Commit(g.ws, wa).ok());
  WriteBatch wb;
  RecordId rb = wb.Insert("dialogues", {{"notes", std::string("Họp dân thôn 3")}, {"attendees", int64_t{42}}});
  REQUIRE(b.Commit(g.ws, wb).ok());
  CHECK(SyncOneWay(a, b, g.ws) == 1);
  CHECK(SyncOneWay(b, a, g.ws) == 1);
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));
  Record r;
  REQUIRE(b.Get(ra, &r).ok());
  CHECK(std::get<std::string>(r.fields["summary"]) == "Đường ngập nước");
  REQUIRE(a.Get(rb, &r).ok());
  CHECK(std::get<int64_t>(r.fields["attendees"]) == 42);
  // Again: nothing new either way.
  CHECK(SyncOneWay(a, b, g.ws) == 0);
  CHECK(SyncOneWay(b, a, g.ws) == 0);
}
