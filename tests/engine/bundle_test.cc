// Bundle files (protocol.md, "Bundles"): export, import, damage.
#include <catch2/catch.hpp>

#include "bundle.h"
#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

TEST_CASE("a bundle carries what a peer lacks, and importing it twice is harmless", "[bundle]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  Replica& c = *g.members[2];
  for (int i = 0; i < 40; i++) {
    WriteBatch batch;
    batch.Insert("concerns", {{"summary", std::string(3000, 'a' + i % 26)}, {"n", int64_t{i}}});
    REQUIRE(b.Commit(g.ws, batch).ok());
  }
  std::string bundle;
  size_t commits = 0;
  REQUIRE(b.ExportBundle(g.ws, "", &bundle, &commits).ok());
  CHECK(commits == 40);
  Bundle decoded;
  REQUIRE(DecodeBundle(bundle, &decoded).ok());
  CHECK(decoded.exporter == b.device_id());
  CHECK(decoded.workspace == g.ws);

  BundleImportResult r;
  REQUIRE(a.ImportBundle(bundle, &r).ok());
  CHECK(r.applied == 40);
  CHECK(r.exporter == b.device_id());
  std::string b_cursor;
  REQUIRE(b.Cursor(g.ws, &b_cursor).ok());
  CHECK(r.exporter_cursor == b_cursor);
  REQUIRE(a.ImportBundle(bundle, &r).ok());
  CHECK(r.applied == 0);
  CHECK(r.duplicates == 40);
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));

  // From the peer's cursor: only what is new since.
  WriteBatch more;
  more.Insert("concerns", {{"summary", std::string("mới")}});
  REQUIRE(b.Commit(g.ws, more).ok());
  REQUIRE(b.ExportBundle(g.ws, r.exporter_cursor, &bundle, &commits).ok());
  CHECK(commits == 1);
  REQUIRE(a.ImportBundle(bundle, &r).ok());
  CHECK(r.applied == 1);

  // A bare chunk saved to a file is a bundle too.
  ExportResult ex;
  REQUIRE(a.Export(g.ws, "", 1 << 24, &ex).ok());
  REQUIRE(c.ImportBundle(ex.chunk, &r).ok());
  CHECK(r.exporter.IsZero());
  CHECK(r.applied == 41);
  CHECK(Digest(c, g.ws) == Digest(b, g.ws));

  SECTION("damaged, truncated and foreign bytes are refused and change nothing") {
    std::string before = Digest(c, g.ws);
    std::string whole;
    REQUIRE(b.ExportBundle(g.ws, "", &whole, &commits).ok());
    for (size_t cut : {size_t{0}, size_t{4}, size_t{40}, whole.size() / 2, whole.size() - 1}) {
      CHECK(c.ImportBundle(whole.substr(0, cut), &r).code() == Code::kDataLoss);
    }
    std::string flipped = whole;
    flipped[flipped.size() / 3] ^= 1;
    CHECK(c.ImportBundle(flipped, &r).code() == Code::kDataLoss);
    CHECK(c.ImportBundle("hello", &r).code() == Code::kDataLoss);
    Group other;
    MakeGroup(1, "", &other);
    CHECK(other.members[0]->ImportBundle(whole, &r).code() == Code::kNotFound);
    CHECK(Digest(c, g.ws) == before);
  }
}
