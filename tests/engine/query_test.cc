#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <set>

#include "helpers.h"
#include "text.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

const char* kStatuses[] = {"received", "in progress", "resolved", "transferred", "rejected"};
const char* kHamlets[] = {"Thôn 1", "Thôn 2", "Bản Mường", "Xóm Đông"};
constexpr int64_t kDay = 86400000;

struct Fixture {
  Group g;
  std::vector<std::map<std::string, Value>> rows;
  std::vector<RecordId> ids;

  Fixture() {
    MakeGroup(1, "", &g);
    std::mt19937 rng(7);
    WriteBatch b;
    for (int i = 0; i < 300; i++) {
      std::map<std::string, Value> f{
          {"status", std::string(kStatuses[rng() % 5])},
          {"hamlet", std::string(kHamlets[rng() % 4])},
          {"received_at", Timestamp{kNow + static_cast<int64_t>(rng() % 60) * kDay}},
          {"priority", static_cast<int64_t>(rng() % 10)},
      };
      rows.push_back(f);
      ids.push_back(b.Insert("concerns", f));
    }
    b.Insert("dialogues", {{"status", std::string("received")}, {"hamlet", std::string("Thôn 1")}});
    REQUIRE(g.members[0]->Commit(g.ws, b).ok());
  }
  Replica& r() { return *g.members[0]; }
};

}  // namespace

TEST_CASE("text folding for search", "[query]") {
  using V = std::vector<std::string>;
  CHECK(SearchWords("Tranh chấp ĐẤT ĐAI, thôn 3!") == V{"tranh", "chap", "dat", "dai", "thon", "3"});
  // The same words typed in NFD (combining marks) fold the same way.
  CHECK(SearchWords("\xc4\x91" "a\xcc\x82\xcc\x81t \xc4\x91" "ai") == V{"dat", "dai"});
  CHECK(SearchWords("") == V{});
  CHECK(SearchWords("\xff\xfe") == V{});
  CHECK(IsValidUtf8("Dân vận khéo"));
  CHECK_FALSE(IsValidUtf8("\xc3"));
}

TEST_CASE("list by field equality and time range, sorted and paged", "[query]") {
  Fixture fx;
  for (const char* status : kStatuses) {
    for (const char* hamlet : kHamlets) {
      Query q;
      q.collection = "concerns";
      q.equals = {{"status", Value(std::string(status))}, {"hamlet", Value(std::string(hamlet))}};
      q.limit = 1000;
      QueryResult res;
      REQUIRE(fx.r().Find(q, &res).ok());
      size_t expected = std::count_if(fx.rows.begin(), fx.rows.end(), [&](auto& row) {
        return std::get<std::string>(row.at("status")) == status && std::get<std::string>(row.at("hamlet")) == hamlet;
      });
      CHECK(res.total == expected);
      CHECK(res.records.size() == expected);
      for (const Record& rec : res.records) {
        CHECK(rec.collection == "concerns");
        CHECK(std::get<std::string>(rec.fields.at("status")) == status);
      }
    }
  }
  // A time range, ordered by date and paged.
  Query q;
  q.collection = "concerns";
  q.time_field = "received_at";
  q.from = Timestamp{kNow + 10 * kDay};
  q.to = Timestamp{kNow + 20 * kDay};
  q.order_by = "received_at";
  q.limit = 7;
  size_t expected = std::count_if(fx.rows.begin(), fx.rows.end(), [&](auto& row) {
    int64_t t = std::get<Timestamp>(row.at("received_at")).millis;
    return t >= kNow + 10 * kDay && t < kNow + 20 * kDay;
  });
  REQUIRE(expected > 14);
  std::vector<Record> all;
  for (q.offset = 0;; q.offset += q.limit) {
    QueryResult res;
    REQUIRE(fx.r().Find(q, &res).ok());
    CHECK(res.total == expected);
    if (res.records.empty()) break;
    CHECK(res.records.size() <= 7);
    for (Record& rec : res.records) all.push_back(std::move(rec));
  }
  CHECK(all.size() == expected);
  for (size_t i = 1; i < all.size(); i++) {
    CHECK(std::get<Timestamp>(all[i - 1].fields["received_at"]) <= std::get<Timestamp>(all[i].fields["received_at"]));
    CHECK(all[i - 1].id != all[i].id);
  }
  q.descending = true;
  q.offset = 0;
  q.limit = 1;
  QueryResult top;
  REQUIRE(fx.r().Find(q, &top).ok());
  CHECK(top.records.at(0).fields["received_at"] == all.back().fields["received_at"]);
  // Bad queries say what is wrong.
  Query bad;
  CHECK(fx.r().Find(bad, &top).code() == Code::kInvalidArgument);
  bad.collection = "concerns";
  bad.from = Timestamp{0};
  CHECK(fx.r().Find(bad, &top).code() == Code::kInvalidArgument);
}

TEST_CASE("search finds Vietnamese text with or without diacritics, NFC or NFD", "[query]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  WriteBatch b;
  RecordId nfc = b.Insert("concerns", {{"summary", std::string("Tranh chấp đất đai giữa hai hộ")}});
  RecordId nfd = b.Insert("concerns", {{"details", std::string("Hỏi về \xc4\x91" "a\xcc\x82\xcc\x81t \xc4\x91" "ai")}});
  RecordId other = b.Insert("concerns", {{"summary", std::string("Đường điện hỏng")}});
  b.Insert("dialogues", {{"notes", std::string("Bàn về đất đai")}});
  REQUIRE(r.Commit(g.ws, b).ok());
  auto search = [&](const std::string& text) {
    Query q;
    q.collection = "concerns";
    q.text = text;
    QueryResult res;
    REQUIRE(r.Find(q, &res).ok());
    std::vector<RecordId> ids;
    for (auto& rec : res.records) ids.push_back(rec.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  std::vector<RecordId> both{nfc, nfd};
  std::sort(both.begin(), both.end());
  CHECK(search("dat dai") == both);
  CHECK(search("đất đai") == both);
  CHECK(search("ĐẤT ĐAI") == both);
  CHECK(search("\xc4\x91" "a\xcc\x82\xcc\x81t") == both);
  CHECK(search("tranh dat") == std::vector<RecordId>{nfc});
  CHECK(search("duong dien") == std::vector<RecordId>{other});
  CHECK(search("dat dien").empty());
  CHECK(search("khong co").empty());

  // The index follows edits, deletes and restores.
  WriteBatch edit;
  edit.Update(other, {{"summary", std::string("Đất lở sau mưa")}});
  REQUIRE(r.Commit(g.ws, edit).ok());
  CHECK(search("duong").empty());
  CHECK(search("dat").size() == 3);
  WriteBatch del;
  del.Delete(nfc);
  REQUIRE(r.Commit(g.ws, del).ok());
  CHECK(search("tranh").empty());
  WriteBatch res;
  res.Restore(nfc);
  REQUIRE(r.Commit(g.ws, res).ok());
  CHECK(search("tranh") == std::vector<RecordId>{nfc});
}

TEST_CASE("queries keep workspaces apart unless asked for all", "[query]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  WorkspaceId second;
  REQUIRE(r.CreateWorkspace(&second).ok());
  WriteBatch a, b;
  a.Insert("concerns", {{"status", std::string("received")}});
  b.Insert("concerns", {{"status", std::string("received")}});
  REQUIRE(r.Commit(g.ws, a).ok());
  REQUIRE(r.Commit(second, b).ok());
  Query q;
  q.collection = "concerns";
  q.equals = {{"status", Value(std::string("received"))}};
  QueryResult res;
  REQUIRE(r.Find(q, &res).ok());
  CHECK(res.total == 2);
  q.workspace = second;
  REQUIRE(r.Find(q, &res).ok());
  REQUIRE(res.total == 1);
  CHECK(res.records[0].workspace == second);
}

TEST_CASE("time ranges across days, months and years match a hand count", "[query]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  uint64_t seed = SeedFromEnv(20261122);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const int64_t start = 1735689600000;  // 2025-01-01T00:00Z
  const int64_t span = 3 * 366 * kDay;
  std::vector<int64_t> times;
  WriteBatch b;
  for (int i = 0; i < 400; i++) {
    // Many values at midnight and on month starts, where the edges are.
    int64_t t = start + static_cast<int64_t>(rng() % span);
    if (i % 5 == 0) t -= t % kDay;
    times.push_back(t);
    b.Insert("concerns", {{"at", Timestamp{t}}, {"odd", int64_t{i % 2}}});
  }
  b.Insert("concerns", {{"odd", int64_t{0}}});  // No time at all: never in a range.
  REQUIRE(r.Commit(g.ws, b).ok());
  for (int trial = 0; trial < 300; trial++) {
    int64_t from = start - 40 * kDay + static_cast<int64_t>(rng() % (span + 80 * kDay));
    int64_t to = from + static_cast<int64_t>(rng() % (trial % 3 == 0 ? 800 * kDay : 70 * kDay));
    if (trial % 4 == 0) from -= from % kDay;  // Midnight-aligned bounds.
    if (trial % 4 == 1) to -= to % kDay;
    if (trial % 7 == 0) to = from;  // Empty.
    Query q;
    q.collection = "concerns";
    q.time_field = "at";
    q.from = Timestamp{from};
    q.to = Timestamp{to};
    if (trial % 2) q.equals = {{"odd", Value(int64_t{1})}};
    q.limit = 1000;
    QueryResult res;
    REQUIRE(r.Find(q, &res).ok());
    size_t expected = 0;
    for (size_t i = 0; i < times.size(); i++) {
      if (times[i] >= from && times[i] < to && (!(trial % 2) || i % 2 == 1)) expected++;
    }
    INFO("trial " << trial << ": [" << from << ", " << to << ")");
    REQUIRE(res.total == expected);
    REQUIRE(res.records.size() == expected);
    for (const Record& rec : res.records) {
      int64_t t = std::get<Timestamp>(rec.fields.at("at")).millis;
      REQUIRE((t >= from && t < to));
    }
  }
}

TEST_CASE("without an order, the records changed last come first", "[query]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  std::vector<RecordId> ids;
  for (int i = 0; i < 5; i++) {
    WriteBatch b;
    ids.push_back(b.Insert("concerns", {{"n", int64_t{i}}}));
    REQUIRE(r.Commit(g.ws, b).ok());
  }
  WriteBatch touch;
  touch.Update(ids[1], {{"status", std::string("resolved")}});
  REQUIRE(r.Commit(g.ws, touch).ok());
  Query q;
  q.collection = "concerns";
  q.limit = 3;
  QueryResult res;
  REQUIRE(r.Find(q, &res).ok());
  CHECK(res.total == 5);
  REQUIRE(res.records.size() == 3);
  CHECK(res.records[0].id == ids[1]);
  CHECK(res.records[1].id == ids[4]);
  CHECK(res.records[2].id == ids[3]);
  q.offset = 3;
  REQUIRE(r.Find(q, &res).ok());
  REQUIRE(res.records.size() == 2);
  CHECK(res.records[0].id == ids[2]);
  CHECK(res.records[1].id == ids[0]);
}

TEST_CASE("the index answers like a scan of every record through random writes, merges and deletes", "[query]") {
  uint64_t seed = SeedFromEnv(20261202);
  INFO("seed " << seed << " (set HAMLET_SEED to repeat)");
  std::mt19937_64 rng(seed);
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  const char* words[] = {"đất", "đai", "nước", "sạch", "điện", "đường", "trường", "học"};
  auto text = [&] {
    std::string s;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; i++) s += std::string(i ? " " : "") + words[rng() % 8];
    return s;
  };
  std::vector<RecordId> ids;
  auto write = [&](Replica& r) {
    WriteBatch w;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 5); k < n; k++) {
      int what = ids.empty() ? 0 : static_cast<int>(rng() % 10);
      if (what < 3) {
        ids.push_back(w.Insert("notes", {{"status", std::string(kStatuses[rng() % 5])}, {"summary", text()}}));
        continue;
      }
      RecordId id = ids[rng() % ids.size()];
      Record rec;
      if (!r.Get(id, &rec).ok()) continue;  // Not here yet.
      bool listed = false;
      for (const auto& e : w.entries()) listed = listed || e.id == id;
      if (listed) continue;
      if (what == 3) {
        rec.deleted ? w.Restore(id) : w.Delete(id);
      } else if (what < 7) {
        w.Update(id, {{"status", std::string(kStatuses[rng() % 5])}});
      } else {
        w.Update(id, {{"summary", text()}});
      }
    }
    if (!w.empty()) REQUIRE(r.Commit(g.ws, w).ToString() == "OK");
  };
  // Every query's answer against the records read one by one.
  auto check = [&](Replica& r) {
    std::vector<Record> all;
    for (const RecordId& id : ids) {
      Record rec;
      if (r.Get(id, &rec).ok() && !rec.deleted) all.push_back(rec);
    }
    for (int i = 0; i < 6; i++) {
      Query q;
      q.collection = "notes";
      q.limit = 1000;
      if (i < 5) q.equals = {{"status", Value(std::string(kStatuses[i]))}};
      if (i >= 3) q.text = SearchWords(words[rng() % 8]).at(0);
      std::set<RecordId> expected;
      for (const Record& rec : all) {
        bool ok = q.equals.empty() || rec.fields.at("status") == q.equals[0].second;
        if (!q.text.empty()) {
          bool has = false;
          ForEachSearchWord(std::get<std::string>(rec.fields.at("summary")),
                            [&](std::string_view w) { has = has || w == q.text; });
          ok = ok && has;
        }
        if (ok) expected.insert(rec.id);
      }
      QueryResult res;
      REQUIRE(r.Find(q, &res).ok());
      std::set<RecordId> got;
      for (const Record& rec : res.records) got.insert(rec.id);
      REQUIRE(res.total == expected.size());
      REQUIRE(got == expected);
    }
  };
  for (int round = 0; round < 12; round++) {
    for (int i = 0; i < 15; i++) write(rng() % 2 ? a : b);
    if (round % 3 == 2) {
      SyncOneWay(a, b, g.ws);
      SyncOneWay(b, a, g.ws);
    }
    check(a);
    check(b);
  }
}
