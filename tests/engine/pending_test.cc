// Grouped local commits and the pending file (protocol.md 8): commits that
// SQLite had not yet committed when the process ended are merged again at
// the next open; a torn last entry is ignored; the file holds nothing
// readable; a commit forged into it is set aside, not merged.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "coding.h"
#include "crypto.h"
#include "format.h"
#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

OpenOptions Relaxed() {
  OpenOptions o;
  o.durable = false;
  return o;
}

// Runs in a child process: creates the store with a workspace, makes n
// commits of one record each (field "n" = 1..n, "text" = word), then ends
// the process without closing anything, as a crash or a killed app would.
// Returns the workspace id's hex, which the child prints.
std::string CommitAndVanish(const std::string& db, int n, const std::string& word) {
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(out[0]);
    std::unique_ptr<Replica> r;
    WorkspaceId ws;
    if (!Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r).ok() || !r->CreateWorkspace(&ws).ok()) _exit(1);
    for (int i = 1; i <= n; i++) {
      WriteBatch b;
      b.Insert("concerns", {{"n", Value(int64_t{i})}, {"text", Value(word + " " + std::to_string(i))}});
      if (!r->Commit(ws, b).ok()) _exit(2);
    }
    std::string hex = ws.Hex();
    if (write(out[1], hex.data(), hex.size()) != static_cast<ssize_t>(hex.size())) _exit(3);
    _exit(0);  // No destructor runs: the group is never committed.
  }
  close(out[1]);
  std::string hex;
  char buf[256];
  ssize_t got;
  while ((got = read(out[0], buf, sizeof buf)) > 0) hex.append(buf, static_cast<size_t>(got));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return hex;
}

size_t CountRecords(Replica& r) {
  Query q;
  q.collection = "concerns";
  q.limit = 1000;
  QueryResult res;
  REQUIRE(r.Find(q, &res).ok());
  return res.total;
}

// Rows of the commit log as another connection sees the file.
int64_t CommittedRows(const std::string& db) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, "SELECT count(*) FROM commits", -1, &q, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  int64_t n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(h);
  return n;
}

// The pending file's entries, as the attacker's own reader splits them.
std::vector<std::string> Entries(const std::string& file) {
  std::vector<std::string> out;
  REQUIRE(file.size() >= 5);
  REQUIRE(file.substr(0, 4) == "HMLP");
  Reader r(std::string_view(file).substr(5));
  while (r.remaining() > 0) {
    uint64_t n = r.Varint();
    std::string_view payload = r.Raw(static_cast<size_t>(n));
    r.Raw(16);
    REQUIRE(r.ok());
    out.emplace_back(payload);
  }
  return out;
}

std::string Entry(std::string_view payload) {
  std::string e;
  Writer w(&e);
  w.Varint(payload.size());
  w.Raw(payload);
  w.Raw(Hash(payload, 16));
  return e;
}

}  // namespace

TEST_CASE("local commits reach SQLite in groups, and the rest on close", "[pending]") {
  TempDir dir;
  std::string db = dir.File("group.db");
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  const int n = static_cast<int>(format::kGroupMaxCommits) + 44;
  for (int i = 1; i <= n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"n", Value(int64_t{i})}});
    REQUIRE(r->Commit(ws, b).ok());
    // The replica's own reads see every commit at once.
    if (i == 10) CHECK(CountRecords(*r) == 10);
  }
  CHECK(CommittedRows(db) == static_cast<int64_t>(format::kGroupMaxCommits));
  CHECK(ReadAll(db + "-pending").size() > 44 * 1000);
  // Any other write ends the group first.
  REQUIRE(r->SetLocalSetting("k", "v").ok());
  CHECK(CommittedRows(db) == n);
  CHECK(ReadAll(db + "-pending").size() == 5);  // Emptied: the header alone.
  WriteBatch b;
  b.Insert("concerns", {{"n", Value(int64_t{n + 1})}});
  REQUIRE(r->Commit(ws, b).ok());
  r.reset();
  CHECK(CommittedRows(db) == n + 1);
  CHECK(access((db + "-pending").c_str(), F_OK) != 0);  // Removed on close.
}

TEST_CASE("commits of a group never committed are merged again at the next open", "[pending]") {
  TempDir dir;
  std::string db = dir.File("vanish.db");
  std::string hex = CommitAndVanish(db, 12, "alpha");
  CHECK(CommittedRows(db) == 0);
  std::string file = ReadAll(db + "-pending");
  REQUIRE(Entries(file).size() == 12);

  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r).ok());
  std::vector<WorkspaceId> spaces;
  REQUIRE(r->Workspaces(&spaces).ok());
  REQUIRE(spaces.size() == 1);
  CHECK(spaces[0].Hex() == hex);
  CHECK(CountRecords(*r) == 12);
  CHECK(CommittedRows(db) == 12);
  std::vector<ChainStatus> chains;
  REQUIRE(r->Chains(spaces[0], &chains).ok());
  REQUIRE(chains.size() == 1);
  CHECK(chains[0].head == 12);
  CHECK(chains[0].contiguous == 12);
  std::vector<SetAsideCommit> aside;
  REQUIRE(r->SetAside(spaces[0], &aside).ok());
  CHECK(aside.empty());
  // Numbering goes on after them.
  WriteBatch b;
  b.Insert("concerns", {{"n", Value(int64_t{13})}});
  CommitInfo info;
  REQUIRE(r->Commit(spaces[0], b, &info).ok());
  CHECK(info.seq == 13);
  std::string integrity;
  REQUIRE(r->IntegrityCheck(&integrity).ok());
  CHECK(integrity == "ok");
}

TEST_CASE("a pending file cut inside its last entry gives back every whole one", "[pending]") {
  TempDir dir;
  std::string db = dir.File("torn.db");
  CommitAndVanish(db, 5, "beta");
  std::string file = ReadAll(db + "-pending");
  // A crash in the middle of the fifth append.
  WriteAll(db + "-pending", file.substr(0, file.size() - 300));
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r).ok());
  CHECK(CountRecords(*r) == 4);
  std::vector<WorkspaceId> spaces;
  REQUIRE(r->Workspaces(&spaces).ok());
  WriteBatch b;
  b.Insert("concerns", {{"n", Value(int64_t{5})}});
  CommitInfo info;
  REQUIRE(r->Commit(spaces[0], b, &info).ok());
  CHECK(info.seq == 5);  // The fifth was never reported done; its number is free.
}

TEST_CASE("the pending file holds nothing readable", "[pending]") {
  TempDir dir;
  std::string db = dir.File("blind.db");
  const std::string word = "xylophonically";
  CommitAndVanish(db, 3, word);
  std::string file = ReadAll(db + "-pending");
  REQUIRE(Entries(file).size() == 3);
  CHECK(file.find(word) == std::string::npos);
  CHECK(file.find("concerns") == std::string::npos);
}

TEST_CASE("a pending file of another kind is refused and left as it was", "[pending]") {
  TempDir dir;
  std::string db = dir.File("other.db");
  {
    std::unique_ptr<Replica> r;
    REQUIRE(Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r).ok());
  }
  WriteAll(db + "-pending", "not a pending file");
  std::unique_ptr<Replica> r;
  Status s = Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("pending") != std::string::npos);
  CHECK(ReadAll(db + "-pending") == "not a pending file");
}

// The attacker can write the device's files but holds no key: it rewrites
// the last entry with a changed byte and a fresh check (BLAKE2b is keyless).
TEST_CASE("attack: a commit forged into the pending file is set aside, not merged", "[pending][attack]") {
  TempDir dir;
  std::string db = dir.File("forged.db");
  CommitAndVanish(db, 4, "gamma");
  std::string file = ReadAll(db + "-pending");
  std::vector<std::string> entries = Entries(file);
  REQUIRE(entries.size() == 4);
  std::string forged = entries[3];
  forged[forged.size() - 10] ^= 0x01;  // Inside the sealed body.
  std::string rewritten = file.substr(0, 5);
  for (int i = 0; i < 3; i++) rewritten += Entry(entries[i]);
  rewritten += Entry(forged);
  WriteAll(db + "-pending", rewritten);

  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), Relaxed(), &r).ok());
  CHECK(CountRecords(*r) == 3);
  std::vector<WorkspaceId> spaces;
  REQUIRE(r->Workspaces(&spaces).ok());
  std::vector<SetAsideCommit> aside;
  REQUIRE(r->SetAside(spaces[0], &aside).ok());
  REQUIRE(aside.size() == 1);
  CHECK(aside[0].seq == 4);
}

namespace {

// Files as the real file system has them, except that while fail is set,
// an append to the pending file writes half its bytes and then fails, as
// a full disk would.
class FullDiskEnv : public Env {
 public:
  int64_t NowMillis() override { return Env::Default()->NowMillis(); }
  Status OpenAppendFile(const std::string& path, std::unique_ptr<AppendFile>* out) override {
    std::unique_ptr<AppendFile> real;
    HAMLET_RETURN_IF_ERROR(Env::Default()->OpenAppendFile(path, &real));
    out->reset(new File(std::move(real), &fail));
    return Status::OK();
  }
  bool fail = false;

 private:
  class File : public AppendFile {
   public:
    File(std::unique_ptr<AppendFile> real, bool* fail) : real_(std::move(real)), fail_(fail) {}
    Status Append(std::string_view data) override {
      if (!*fail_) return real_->Append(data);
      HAMLET_RETURN_IF_ERROR(real_->Append(data.substr(0, data.size() / 2)));
      return Status::Unavailable("no space left on the device");
    }
    Status Sync() override { return real_->Sync(); }
    Status Truncate(uint64_t size) override { return real_->Truncate(size); }

   private:
    std::unique_ptr<AppendFile> real_;
    bool* fail_;
  };
};

}  // namespace

TEST_CASE("a commit that fails midway loses none of its group, and one refused changes nothing", "[pending]") {
  TempDir dir;
  std::string db = dir.File("full.db");
  FullDiskEnv env;
  OpenOptions o = Relaxed();
  o.env = &env;
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), o, &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  auto insert = [&](int n) {
    WriteBatch b;
    b.Insert("concerns", {{"n", Value(int64_t{n})}, {"text", Value("letter " + std::to_string(n))}});
    return r->Commit(ws, b);
  };
  for (int i = 1; i <= 5; i++) REQUIRE(insert(i).ok());

  // Refused before anything is written: the group goes on untouched.
  WriteBatch unknown;
  unknown.Update(*RecordId::FromHex("0123456789abcdef0123456789abcdef"), {{"n", Value(int64_t{0})}});
  CHECK(r->Commit(ws, unknown).code() == Code::kNotFound);
  REQUIRE(insert(6).ok());
  CHECK(CommittedRows(db) == 0);
  CHECK(CountRecords(*r) == 6);

  // Fails after its rows are in the transaction: the group is rolled back
  // and its six commits are merged again from the pending file, at once.
  env.fail = true;
  Status s = insert(7);
  env.fail = false;
  CHECK(s.code() == Code::kUnavailable);
  CHECK(CountRecords(*r) == 6);
  CHECK(CommittedRows(db) == 6);

  CommitInfo info;
  WriteBatch next;
  next.Insert("concerns", {{"n", Value(int64_t{8})}});
  REQUIRE(r->Commit(ws, next, &info).ok());
  CHECK(info.seq == 7);  // The failed commit took no number.
  r.reset();

  std::unique_ptr<Replica> again;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), Relaxed(), &again).ok());
  CHECK(CountRecords(*again) == 7);
  std::vector<ChainStatus> chains;
  REQUIRE(again->Chains(ws, &chains).ok());
  REQUIRE(chains.size() == 1);
  CHECK(chains[0].head == 7);
  CHECK(chains[0].contiguous == 7);
  std::vector<SetAsideCommit> aside;
  REQUIRE(again->SetAside(ws, &aside).ok());
  CHECK(aside.empty());
}

TEST_CASE("records a group changed are found in the order of its commits", "[pending]") {
  TempDir dir;
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(dir.File("order.db"), TestKey(1), Relaxed(), &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  // Eight records: that their ids fall in the order of the commits by
  // chance is one in 40,320.
  std::vector<RecordId> ids;
  for (int i = 0; i < 8; i++) {
    WriteBatch b;
    ids.push_back(b.Insert("concerns", {{"text", Value(std::string("giay to dat"))}}));
    REQUIRE(r->Commit(ws, b).ok());
  }
  WriteBatch again;
  again.Update(ids[1], {{"status", Value(std::string("resolved"))}});
  REQUIRE(r->Commit(ws, again).ok());
  Query q;
  q.collection = "concerns";
  q.text = "giay to";
  QueryResult res;
  REQUIRE(r->Find(q, &res).ok());
  REQUIRE(res.records.size() == 8);
  const std::vector<RecordId> newest_first{ids[1], ids[7], ids[6], ids[5], ids[4], ids[3], ids[2], ids[0]};
  for (size_t i = 0; i < 8; i++) CHECK(res.records[i].id == newest_first[i]);
}

TEST_CASE("a replica opened ungrouped commits each local commit to SQLite on its own", "[pending]") {
  TempDir dir;
  std::string db = dir.File("shared.db");
  OpenOptions o = Relaxed();
  o.group_commits = false;
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(db, TestKey(1), o, &r).ok());
  WorkspaceId ws;
  REQUIRE(r->CreateWorkspace(&ws).ok());
  for (int i = 1; i <= 3; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"n", Value(int64_t{i})}});
    REQUIRE(r->Commit(ws, b).ok());
    // Another connection sees it at once, and may write: no lock is held.
    CHECK(CommittedRows(db) == i);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &other) == SQLITE_OK);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE; ROLLBACK;", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(other);
  }
  CHECK(access((db + "-pending").c_str(), F_OK) != 0);  // Never written.
  CHECK(CountRecords(*r) == 3);
}
