#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "applier.h"
#include "crypto.h"
#include "helpers.h"
#include "keystore.h"
#include "store.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// Cheap Argon2id limits: the tests check behaviour, not cost.
OpenOptions FastKdf() {
  OpenOptions o;
  o.pwhash_opslimit = 1;
  o.pwhash_memlimit = 8192;
  return o;
}

}  // namespace

TEST_CASE("no record content reaches the database file, its WAL or journal", "[store]") {
  TempDir dir;
  std::string path = dir.File("replica.db");
  const std::string marker = "ZQXMARKER7731";
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithPassphrase(path, "mật khẩu", FastKdf(), &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  for (int i = 0; i < 50; i++) {
    WriteBatch b;
    RecordId id = b.Insert("concerns", {{"summary", marker + " khiếu nại số " + std::to_string(i)},
                                        {"reporter", std::string("Nguyễn Văn ") + marker},
                                        {"status", marker},
                                        {"count", int64_t{i}}});
    REQUIRE(r->Commit(ws, b).ok());
    if (i % 5 == 0) {
      WriteBatch u;
      u.Update(id, {{"details", marker + " cập nhật"}});
      REQUIRE(r->Commit(ws, u).ok());
    }
  }
  auto scan = [&](const char* when) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::string file = path + suffix;
      if (!std::filesystem::exists(file)) continue;
      std::string bytes = ReadAll(file);
      INFO(when << ": " << file << " (" << bytes.size() << " bytes)");
      CHECK(bytes.find(marker) == std::string::npos);
      CHECK(bytes.find("zqxmarker7731") == std::string::npos);  // Nor its folded form.
      CHECK(bytes.find("khiếu nại") == std::string::npos);
      CHECK(bytes.find("Nguyễn") == std::string::npos);
    }
  };
  scan("before checkpoint");
  REQUIRE(std::filesystem::file_size(path + "-wal") > 0);  // The WAL was really looked at.
  REQUIRE(r->Checkpoint().ok());
  scan("after checkpoint");
  // The data is all there for the key holder.
  QueryResult res;
  Query q;
  q.collection = "concerns";
  q.equals = {{"status", Value(marker)}};
  q.limit = 100;
  REQUIRE(r->Find(q, &res).ok());
  CHECK(res.total == 50);
  r.reset();
  scan("after close");
}

TEST_CASE("a wrong passphrase or key is refused and changes nothing", "[store]") {
  TempDir dir;
  std::string path = dir.File("replica.db");
  WorkspaceId ws;
  RecordId id;
  {
    std::unique_ptr<Replica> r;
    REQUIRE(Replica::OpenWithPassphrase(path, "đúng rồi", FastKdf(), &r).ok());
    REQUIRE(r->CreateWorkspace(&ws).ok());
    WriteBatch b;
    id = b.Insert("dialogues", {{"notes", std::string("Buổi đối thoại")}});
    REQUIRE(r->Commit(ws, b).ok());
  }
  std::string db_before = ReadAll(path);
  bool wal_before = std::filesystem::exists(path + "-wal");
  std::string wal_bytes = wal_before ? ReadAll(path + "-wal") : "";

  std::unique_ptr<Replica> r;
  Status s = Replica::OpenWithPassphrase(path, "sai rồi", FastKdf(), &r);
  CHECK(s.code() == Code::kPermissionDenied);
  CHECK(s.message() == "wrong passphrase");
  CHECK_FALSE(s.Retryable());
  CHECK(r == nullptr);
  s = Replica::OpenWithKey(path, TestKey(1), FastKdf(), &r);
  CHECK(s.code() == Code::kPermissionDenied);
  s = Replica::OpenWithKey(path, "short", FastKdf(), &r);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(ReadAll(path) == db_before);
  CHECK(std::filesystem::exists(path + "-wal") == wal_before);
  if (wal_before) CHECK(ReadAll(path + "-wal") == wal_bytes);

  REQUIRE(Replica::OpenWithPassphrase(path, "đúng rồi", FastKdf(), &r).ok());
  Record rec;
  REQUIRE(r->Get(id, &rec).ok());
  CHECK(std::get<std::string>(rec.fields["notes"]) == "Buổi đối thoại");
}

TEST_CASE("a key-protected store and a missing store", "[store]") {
  TempDir dir;
  std::string path = dir.File("replica.db");
  std::unique_ptr<Replica> r;
  OpenOptions no_create;
  no_create.create_if_missing = false;
  CHECK(Replica::OpenWithKey(path, TestKey(3), no_create, &r).code() == Code::kNotFound);
  REQUIRE(Replica::OpenWithKey(path, TestKey(3), OpenOptions(), &r).ok());
  DeviceId device = r->device_id();
  r.reset();
  CHECK(Replica::OpenWithPassphrase(path, "anything", FastKdf(), &r).code() == Code::kPermissionDenied);
  REQUIRE(Replica::OpenWithKey(path, TestKey(3), no_create, &r).ok());
  CHECK(r->device_id() == device);  // The device identity persists.
}

TEST_CASE("a file that is not a Hamlet store is refused", "[store]") {
  TempDir dir;
  std::string path = dir.File("notes.txt");
  {
    std::ofstream f(path);
    f << "this is not a database, just a note that happens to be here\n";
  }
  std::string before = ReadAll(path);
  std::unique_ptr<Replica> r;
  Status s = Replica::OpenWithKey(path, TestKey(1), OpenOptions(), &r);
  CHECK(s.code() == Code::kDataLoss);
  CHECK(ReadAll(path) == before);
}

TEST_CASE("a passphrase under 8 characters makes no store", "[store][security]") {
  TempDir dir;
  std::unique_ptr<Replica> r;
  // Characters, not bytes: seven accented letters are 21 bytes and still too few.
  for (const char* weak : {"", "1234567", "ậậậậậậậ"}) {
    INFO(weak);
    std::string path = dir.File("weak.db");
    Status s = Replica::OpenWithPassphrase(path, weak, FastKdf(), &r);
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message().find("at least 8 characters") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  }
  REQUIRE(Replica::OpenWithPassphrase(dir.File("ok.db"), "ậậậậậậậậ", FastKdf(), &r).ok());
}

TEST_CASE("a store of format 3 keeps its records and their order when first unlocked", "[store]") {
  TempDir dir;
  std::string path = dir.File("replica.db");
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(path, TestKey(4), OpenOptions(), &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  std::vector<RecordId> ids;
  for (int i = 0; i < 4; i++) {
    WriteBatch b;
    ids.push_back(b.Insert("concerns", {{"summary", std::string("dat dai ") + std::to_string(i)}}));
    REQUIRE(r->Commit(ws, b).ok());
  }
  WriteBatch touch;
  touch.Update(ids[1], {{"status", std::string("resolved")}});
  REQUIRE(r->Commit(ws, touch).ok());
  std::string digest;
  REQUIRE(r->StateDigest(ws, &digest).ok());
  r.reset();

  // What format 3 wrote: no order column; rowids in the order of change.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const char* to_format_3 =
      "DROP INDEX records_by_changed; ALTER TABLE records DROP COLUMN changed; "
      "UPDATE meta SET v='hamlet-store-3' WHERE k='format';";
  REQUIRE(sqlite3_exec(db, to_format_3, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  // A wrong key changes nothing; the right one brings the store to format 7.
  CHECK(Replica::OpenWithKey(path, TestKey(5), OpenOptions(), &r).code() == Code::kPermissionDenied);
  REQUIRE(Replica::OpenWithKey(path, TestKey(4), OpenOptions(), &r).ok());
  std::string after;
  REQUIRE(r->StateDigest(ws, &after).ok());
  CHECK(after == digest);
  Query q;
  q.collection = "concerns";
  q.text = "dat dai";
  QueryResult res;
  REQUIRE(r->Find(q, &res).ok());
  REQUIRE(res.records.size() == 4);
  CHECK(res.records[0].id == ids[1]);  // Changed last.
  CHECK(res.records[1].id == ids[3]);
  // A write after the change comes first; the others keep their order.
  WriteBatch again;
  again.Update(ids[0], {{"status", std::string("transferred")}});
  REQUIRE(r->Commit(ws, again).ok());
  REQUIRE(r->Find(q, &res).ok());
  REQUIRE(res.records.size() == 4);
  CHECK(res.records[0].id == ids[0]);
  CHECK(res.records[1].id == ids[1]);
  CHECK(res.records[2].id == ids[3]);
  CHECK(res.records[3].id == ids[2]);
  r.reset();
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k='format'", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "hamlet-store-7");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_CASE("record states sealed the format-4 way are still read, and rewritten the new way", "[store]") {
  TempDir dir;
  std::string path = dir.File("replica.db");
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(path, TestKey(4), OpenOptions(), &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  WriteBatch b;
  RecordId id = b.Insert("concerns", {{"summary", std::string(400, 'a') + " đất đai"}, {"votes", int64_t{7}}});
  REQUIRE(r->Commit(ws, b).ok());
  std::string digest;
  REQUIRE(r->StateDigest(ws, &digest).ok());
  r.reset();

  // Seal the record's state as format 4 did: raw, under "hamlet record ".
  size_t legacy_size = 0;
  {
    std::unique_ptr<Store> store;
    REQUIRE(Store::Open(path, false, false, &store).ok());
    std::unique_ptr<Keystore> keys;
    REQUIRE(Keystore::Open(store.get(), UserSecret{false, TestKey(4)}, OpenOptions(), &keys).ok());
    int64_t rowid = 0;
    WorkspaceId stored_ws;
    std::string sealed;
    bool found = false;
    REQUIRE(store->LoadRecord(id, &rowid, &stored_ws, &sealed, &found).ok());
    REQUIRE(found);
    RecordState st;
    REQUIRE(Applier::OpenState(keys->record_key(), id, ws, sealed, &st).ok());
    std::string plain;
    EncodeState(st, &plain);
    std::string ad = "hamlet record ";
    ad.append(id.View());
    ad.append(ws.View());
    std::string legacy = Keystore::SealAtRest(keys->record_key(), ad, plain);
    CHECK(legacy.size() > sealed.size());  // The new way compressed it.
    legacy_size = legacy.size();
    REQUIRE(store->Begin().ok());
    REQUIRE(store->SaveRecord(id, ws, legacy, &rowid).ok());
    REQUIRE(store->Commit().ok());
  }
  REQUIRE(Replica::OpenWithKey(path, TestKey(4), OpenOptions(), &r).ok());
  std::string after;
  REQUIRE(r->StateDigest(ws, &after).ok());
  CHECK(after == digest);
  Record rec;
  REQUIRE(r->Get(id, &rec).ok());
  CHECK(std::get<int64_t>(rec.fields.at("votes")) == 7);
  WriteBatch u;
  u.Update(id, {{"votes", int64_t{8}}});
  REQUIRE(r->Commit(ws, u).ok());
  REQUIRE(r->Get(id, &rec).ok());
  CHECK(std::get<int64_t>(rec.fields.at("votes")) == 8);
  r.reset();
  // Changed, the record was sealed the new way: compressed, smaller.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT length(state) FROM records WHERE rid=?", -1, &st, nullptr) == SQLITE_OK);
  sqlite3_bind_blob(st, 1, id.bytes.data(), 16, SQLITE_STATIC);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(static_cast<size_t>(sqlite3_column_int64(st, 0)) < legacy_size);
  sqlite3_finalize(st);
  sqlite3_close(db);
}
