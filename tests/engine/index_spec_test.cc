// Index specs (Replica::SetIndex): what the local index keeps of each field.
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <set>
#include <sqlite3.h>

#include "hamlet/json.h"
#include "helpers.h"
#include "text.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

constexpr int64_t kDay = 86400000;

std::set<RecordId> Found(Replica& r, const Query& q) {
  QueryResult res;
  Status s = r.Find(q, &res);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(res.total == res.records.size());
  std::set<RecordId> ids;
  for (const Record& rec : res.records) ids.insert(rec.id);
  return ids;
}

Query Words(const std::string& text) {
  Query q;
  q.collection = "concerns";
  q.text = text;
  q.limit = 1000;
  return q;
}

Query Equal(const std::string& field, Value v) {
  Query q;
  q.collection = "concerns";
  q.equals = {{field, std::move(v)}};
  q.limit = 1000;
  return q;
}

int64_t FileBytes(const std::string& path) {
  int64_t n = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path + suffix, ec);
    if (!ec) n += static_cast<int64_t>(size);
  }
  return n;
}

}  // namespace

TEST_CASE("an index spec decides which words text finds and keeps every other answer", "[index]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  WriteBatch b;
  RecordId a = b.Insert("concerns", {{"summary", std::string("đường điện hỏng")},
                                     {"details", std::string("trường học thiếu nước")},
                                     {"status", std::string("received")},
                                     {"received", Timestamp{kNow}}});
  RecordId c = b.Insert("concerns", {{"summary", std::string("nước sạch")},
                                     {"details", std::string("đường làng")},
                                     {"status", std::string("resolved")},
                                     {"received", Timestamp{kNow + 3 * kDay}}});
  RecordId other = b.Insert("dialogues", {{"details", std::string("trường học")}});
  REQUIRE(r.Commit(g.ws, b).ok());
  CHECK(Found(r, Words("truong")) == std::set<RecordId>{a});
  CHECK(Found(r, Words("nuoc")) == std::set<RecordId>{a, c});

  IndexSpec spec;
  spec.fields["summary"] = FieldIndex::kWords;
  spec.fields["received"] = FieldIndex::kNone;
  spec.others = FieldIndex::kExact;
  REQUIRE(r.SetIndex("concerns", spec).ok());
  CHECK(r.GetIndex("concerns") == spec);
  CHECK(r.GetIndex("dialogues") == IndexSpec{});
  // Words of details are no longer searched; those of summary are.
  CHECK(Found(r, Words("truong")).empty());
  CHECK(Found(r, Words("nuoc")) == std::set<RecordId>{c});
  CHECK(Found(r, Words("duong")) == std::set<RecordId>{a});
  // Another collection keeps its words.
  Query d = Words("truong hoc");
  d.collection = "dialogues";
  CHECK(Found(r, d) == std::set<RecordId>{other});
  // Exact values are found as before, and so are fields left unindexed.
  CHECK(Found(r, Equal("details", std::string("đường làng"))) == std::set<RecordId>{c});
  CHECK(Found(r, Equal("status", std::string("received"))) == std::set<RecordId>{a});
  CHECK(Found(r, Equal("received", Timestamp{kNow + 3 * kDay})) == std::set<RecordId>{c});
  Query range;
  range.collection = "concerns";
  range.time_field = "received";
  range.from = Timestamp{kNow + kDay};
  range.to = Timestamp{kNow + 10 * kDay};
  CHECK(Found(r, range) == std::set<RecordId>{c});

  // Later writes follow the spec, and setting the default back finds all.
  WriteBatch u;
  u.Update(c, {{"details", std::string("trường mầm non")}, {"summary", std::string("trường mầm non")}});
  REQUIRE(r.Commit(g.ws, u).ok());
  CHECK(Found(r, Words("mam non")) == std::set<RecordId>{c});
  CHECK(Found(r, Words("nuoc")).empty());
  REQUIRE(r.SetIndex("concerns", IndexSpec{}).ok());
  CHECK(Found(r, Words("truong")) == std::set<RecordId>{a, c});
  CHECK(Found(r, Words("nuoc")) == std::set<RecordId>{a});
}

TEST_CASE("an index spec is kept in the store and an unchanged one writes nothing", "[index]") {
  TempDir dir;
  std::string path = dir.File("replica.db");
  OpenOptions options;
  options.durable = false;
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(path, TestKey(1), options, &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  WriteBatch b;
  RecordId id = b.Insert("concerns", {{"summary", std::string("ruộng lúa")}, {"details", std::string("mương nước")}});
  REQUIRE(r->Commit(ws, b).ok());
  IndexSpec spec;
  spec.fields["details"] = FieldIndex::kExact;
  REQUIRE(r->SetIndex("concerns", spec).ok());
  std::string digest;
  REQUIRE(r->StateDigest(ws, &digest).ok());
  r.reset();

  REQUIRE(Replica::OpenWithKey(path, TestKey(1), options, &r).ok());
  CHECK(r->GetIndex("concerns") == spec);
  CHECK(Found(*r, Words("muong")).empty());
  CHECK(Found(*r, Words("ruong")) == std::set<RecordId>{id});
  // The spec changes the index only: the records are the same.
  std::string after;
  REQUIRE(r->StateDigest(ws, &after).ok());
  CHECK(after == digest);
  REQUIRE(r->Checkpoint().ok());
  int64_t before_bytes = FileBytes(path);
  REQUIRE(r->SetIndex("concerns", spec).ok());
  CHECK(FileBytes(path) == before_bytes);
  r.reset();

  // The spec is sealed: no collection or field name in the file.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k='index specs'", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  std::string stored(static_cast<const char*>(sqlite3_column_blob(st, 0)), sqlite3_column_bytes(st, 0));
  CHECK(stored.find("details") == std::string::npos);
  CHECK(stored.find("concerns") == std::string::npos);
  sqlite3_finalize(st);
  // A damaged spec is refused at open, not guessed at.
  REQUIRE(sqlite3_exec(db, "UPDATE meta SET v=x'00' || substr(v, 2) WHERE k='index specs'", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  Status s = Replica::OpenWithKey(path, TestKey(1), options, &r);
  CHECK(s.code() == Code::kDataLoss);
  CHECK(s.message().find("index settings") != std::string::npos);
}

TEST_CASE("a bad index spec is refused and changes nothing", "[index]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  IndexSpec good;
  good.others = FieldIndex::kExact;
  REQUIRE(r.SetIndex("concerns", good).ok());
  IndexSpec empty_name;
  empty_name.fields[""] = FieldIndex::kNone;
  CHECK(r.SetIndex("concerns", empty_name).code() == Code::kInvalidArgument);
  CHECK(r.SetIndex("", good).code() == Code::kInvalidArgument);
  IndexSpec out_of_range;
  out_of_range.fields["x"] = static_cast<FieldIndex>(7);
  CHECK(r.SetIndex("concerns", out_of_range).code() == Code::kInvalidArgument);
  CHECK(r.GetIndex("concerns") == good);

  IndexSpec parsed;
  REQUIRE(ParseIndexSpecJson(R"({"fields":{"summary":"words","notes":"none"},"others":"exact"})", &parsed).ok());
  CHECK(parsed.Of("summary") == FieldIndex::kWords);
  CHECK(parsed.Of("notes") == FieldIndex::kNone);
  CHECK(parsed.Of("status") == FieldIndex::kExact);
  for (const char* bad : {R"({"fields":{"summary":"all"}})", R"({"others":1})", R"({"field":{}})", "[]", "{"}) {
    INFO(bad);
    Status s = ParseIndexSpecJson(bad, &parsed);
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(!s.message().empty());
  }
}

TEST_CASE("with specs changing at random, the index answers like a scan of every record", "[index]") {
  uint64_t seed = SeedFromEnv(20261203);
  INFO("seed " << seed << " (set HAMLET_SEED to repeat)");
  std::mt19937_64 rng(seed);
  Group g;
  MakeGroup(2, "", &g);
  const char* words[] = {"đất", "đai", "nước", "sạch", "điện", "đường", "trường", "học"};
  const char* statuses[] = {"received", "resolved", "rejected"};
  const char* fields[] = {"summary", "details", "status"};
  const char* collections[] = {"notes", "visits"};
  auto text = [&] {
    std::string s;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; i++) s += std::string(i ? " " : "") + words[rng() % 8];
    return s;
  };
  std::vector<RecordId> ids;
  auto write = [&](Replica& r) {
    WriteBatch w;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; k++) {
      int what = ids.empty() ? 0 : static_cast<int>(rng() % 10);
      if (what < 3) {
        ids.push_back(w.Insert(collections[rng() % 2], {{"status", std::string(statuses[rng() % 3])},
                                                        {"summary", text()},
                                                        {"details", text()}}));
        continue;
      }
      RecordId id = ids[rng() % ids.size()];
      Record rec;
      if (!r.Get(id, &rec).ok()) continue;
      bool listed = false;
      for (const auto& e : w.entries()) listed = listed || e.id == id;
      if (listed) continue;
      if (what == 3) {
        rec.deleted ? w.Restore(id) : w.Delete(id);
      } else if (what < 6) {
        w.Update(id, {{"status", std::string(statuses[rng() % 3])}});
      } else {
        w.Update(id, {{fields[rng() % 2], text()}});
      }
    }
    if (!w.empty()) REQUIRE(r.Commit(g.ws, w).ToString() == "OK");
  };
  auto random_spec = [&] {
    IndexSpec spec;
    for (const char* f : fields) {
      if (rng() % 3) spec.fields[f] = static_cast<FieldIndex>(rng() % 3);
    }
    spec.others = static_cast<FieldIndex>(rng() % 3);
    return spec;
  };
  auto check = [&](Replica& r) {
    for (const char* collection : collections) {
      IndexSpec spec = r.GetIndex(collection);
      std::vector<Record> all;
      for (const RecordId& id : ids) {
        Record rec;
        if (r.Get(id, &rec).ok() && !rec.deleted && rec.collection == collection) all.push_back(rec);
      }
      for (int i = 0; i < 5; i++) {
        Query q;
        q.collection = collection;
        q.limit = 1000;
        if (i < 3) q.equals = {{"status", Value(std::string(statuses[i]))}};
        if (i >= 2) q.text = SearchWords(words[rng() % 8]).at(0);
        std::set<RecordId> expected;
        for (const Record& rec : all) {
          bool ok = q.equals.empty() || rec.fields.at("status") == q.equals[0].second;
          if (!q.text.empty()) {
            bool has = false;
            for (const char* f : {"summary", "details"}) {
              if (spec.Of(f) != FieldIndex::kWords) continue;
              ForEachSearchWord(std::get<std::string>(rec.fields.at(f)),
                                [&](std::string_view w) { has = has || w == q.text; });
            }
            ok = ok && has;
          }
          if (ok) expected.insert(rec.id);
        }
        INFO("collection " << collection << ", query " << i << ", text " << q.text);
        REQUIRE(Found(r, q) == expected);
      }
    }
  };
  for (int round = 0; round < 12; round++) {
    for (int i = 0; i < 12; i++) write(*g.members[rng() % 2]);
    if (rng() % 2) {
      Replica& r = *g.members[rng() % 2];
      const char* collection = collections[rng() % 2];
      IndexSpec spec = random_spec();
      REQUIRE(r.SetIndex(collection, spec).ToString() == "OK");
    }
    if (round % 3 == 2) {
      SyncOneWay(*g.members[0], *g.members[1], g.ws);
      SyncOneWay(*g.members[1], *g.members[0], g.ws);
    }
    check(*g.members[0]);
    check(*g.members[1]);
  }
  // Specs are local: replicas with different specs still hold the same records.
  SyncOneWay(*g.members[0], *g.members[1], g.ws);
  SyncOneWay(*g.members[1], *g.members[0], g.ws);
  CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
}

TEST_CASE("writes that only take tags away keep the index sound", "[index]") {
  // A sealed value has no tags: sealing one field after another removes
  // tags and adds none, again and again. FTS5 counts one row less for each
  // removal; unbalanced, the count went below zero and the store called
  // itself malformed.
  Group g;
  MakeGroup(1, "", &g);
  Replica& r = *g.members[0];
  WriteBatch b;
  RecordId id = b.Insert("notes", {{"a", std::string("đất đai")}, {"b", std::string("nước sạch")},
                                   {"c", std::string("đường điện")}});
  REQUIRE(r.Commit(g.ws, b).ok());
  for (const char* field : {"a", "b", "c"}) {
    std::string sealed;
    REQUIRE(r.SealForOfficers(g.ws, "trường học", &sealed).ok());
    WriteBatch u;
    u.Update(id, {{field, sealed}});
    INFO(field);
    REQUIRE(r.Commit(g.ws, u).ToString() == "OK");
  }
  Query q;
  q.collection = "notes";
  CHECK(Found(r, q) == std::set<RecordId>{id});
  q.text = "nuoc";
  CHECK(Found(r, q).empty());
  WriteBatch again;
  again.Update(id, {{"a", std::string("nước")}});
  REQUIRE(r.Commit(g.ws, again).ToString() == "OK");
  CHECK(Found(r, q) == std::set<RecordId>{id});
  std::string check;
  REQUIRE(r.IntegrityCheck(&check).ok());
  CHECK(check == "ok");
}
