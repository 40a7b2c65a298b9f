// The workloads Hamlet is compared on beside the libraries an app developer
// would pick instead (BENCHMARKS.md, "Beside other libraries"):
//   A  one replica: creates, then single-field updates, one commit each,
//      beside plain SQLite doing the same rows, one transaction each;
//   B  three replicas that worked offline merge everything;
//   C  after B, 100 updates on one replica reach a converged peer.
// Usage: compare_bench [a|b|c|all] [--dir DIR] [--runs N] [--durable] [--scale F] [--all-words]
// --durable measures A with synchronous=FULL on both sides (default NORMAL,
// Hamlet's durable=false); --scale multiplies every count (1 = the issue's);
// --all-words keeps Hamlet's default index (every field searched by words)
// instead of the spec an app would declare (AppIndex).
// B and C use one set of replicas per run; C runs after B.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "hamlet/replica.h"
#include "workload.h"

using namespace hamlet;
using namespace hamlet::bench;
namespace fs = std::filesystem;

namespace {

struct Config {
  std::string what = "all";
  std::string dir;
  int runs = 3;
  bool durable = false;
  double scale = 1;
  bool all_words = false;  // Leave the default index spec: every field by words.

  int Count(int n) const { return std::max(1, static_cast<int>(n * scale)); }
};

uintmax_t FileSize(const std::string& path) {
  uintmax_t total = 0;
  std::error_code ec;
  for (const char* s : {"", "-wal"}) {
    uintmax_t n = fs::file_size(path + s, ec);
    if (!ec) total += n;
  }
  return total;
}

// What an app with these records would declare: words of the title, body
// and resolution searched, the other five fields found by exact value.
IndexSpec AppIndex() {
  IndexSpec spec;
  for (const char* f : {"title", "body", "resolution"}) spec.fields[f] = FieldIndex::kWords;
  spec.others = FieldIndex::kExact;
  return spec;
}

std::unique_ptr<Replica> Open(const Config& c, const std::string& path, bool durable, int n) {
  RemoveDb(path);
  std::unique_ptr<Replica> r = OpenReplica(path, durable, n);
  if (!c.all_words) Must(r->SetIndex("records", AppIndex()), "declaring the index");
  return r;
}

// The operations of workload A, drawn once so both sides do the same.
struct OpsA {
  std::vector<std::map<std::string, Value>> creates;
  std::vector<std::pair<size_t, std::pair<std::string, Value>>> updates;  // (record index, field)
};

OpsA MakeOpsA(const Config& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  OpsA ops;
  int n = c.Count(20000);
  for (int i = 0; i < n; i++) ops.creates.push_back(AppRecord(rng));
  for (int i = 0; i < n; i++) ops.updates.emplace_back(rng() % n, AppField(rng));
  return ops;
}

struct ResultA {
  double creates_per_s = 0, updates_per_s = 0, mb = 0;
};

ResultA SqliteA(const Config& c, const OpsA& ops) {
  std::string path = c.dir + "/a_sqlite.db";
  RemoveDb(path);
  sqlite3* db = nullptr;
  MustSql(sqlite3_open(path.c_str(), &db), db, "open");
  MustSql(sqlite3_exec(db, c.durable ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                     : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                       nullptr, nullptr, nullptr),
          db, "pragma");
  std::string create = "CREATE TABLE records(id BLOB PRIMARY KEY";
  for (const char* f : kAppFields) create += std::string(", ") + f + " TEXT";
  create += ")";
  MustSql(sqlite3_exec(db, create.c_str(), nullptr, nullptr, nullptr), db, "create");
  sqlite3_stmt* ins = nullptr;
  MustSql(sqlite3_prepare_v2(db, "INSERT INTO records VALUES(?,?,?,?,?,?,?,?,?)", -1, &ins, nullptr), db, "prep");
  std::map<std::string, sqlite3_stmt*> upd;
  for (const char* f : kAppFields) {
    std::string sql = std::string("UPDATE records SET ") + f + "=? WHERE id=?";
    MustSql(sqlite3_prepare_v2(db, sql.c_str(), -1, &upd[f], nullptr), db, "prep");
  }
  sqlite3_stmt *begin = nullptr, *commit = nullptr;
  sqlite3_prepare_v2(db, "BEGIN", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  auto txn = [&](sqlite3_stmt* st) {
    MustSql(sqlite3_step(begin), db, "begin");
    sqlite3_reset(begin);
    MustSql(sqlite3_step(st), db, "write");
    sqlite3_reset(st);
    MustSql(sqlite3_step(commit), db, "commit");
    sqlite3_reset(commit);
  };
  // The ids an app would use: 16 random bytes, as Hamlet's.
  std::mt19937_64 rng(99);
  std::vector<std::string> ids(ops.creates.size(), std::string(16, '\0'));
  for (auto& id : ids) {
    for (char& ch : id) ch = static_cast<char>(rng());
  }
  ResultA r;
  double secs = Seconds([&] {
    for (size_t i = 0; i < ops.creates.size(); i++) {
      sqlite3_bind_blob(ins, 1, ids[i].data(), 16, SQLITE_STATIC);
      int col = 2;
      for (const char* f : kAppFields) {
        const std::string& v = std::get<std::string>(ops.creates[i].at(f));
        sqlite3_bind_text(ins, col++, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      }
      txn(ins);
    }
  });
  r.creates_per_s = ops.creates.size() / secs;
  secs = Seconds([&] {
    for (const auto& [rec, field] : ops.updates) {
      sqlite3_stmt* st = upd.at(field.first);
      const std::string& v = std::get<std::string>(field.second);
      sqlite3_bind_text(st, 1, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      sqlite3_bind_blob(st, 2, ids[rec].data(), 16, SQLITE_STATIC);
      txn(st);
    }
  });
  r.updates_per_s = ops.updates.size() / secs;
  MustSql(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr), db, "checkpoint");
  r.mb = FileSize(path) / 1e6;
  for (auto& [f, st] : upd) sqlite3_finalize(st);
  sqlite3_finalize(ins);
  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  RemoveDb(path);
  return r;
}

ResultA HamletA(const Config& c, const OpsA& ops) {
  std::string path = c.dir + "/a_hamlet.db";
  auto r = Open(c, path, c.durable, 0);
  WorkspaceId ws;
  Must(r->CreateWorkspace(&ws), "workspace");
  std::vector<RecordId> ids;
  ResultA out;
  double secs = Seconds([&] {
    for (const auto& fields : ops.creates) {
      WriteBatch b;
      ids.push_back(b.Insert("records", fields));
      Must(r->Commit(ws, b), "create");
    }
  });
  out.creates_per_s = ops.creates.size() / secs;
  secs = Seconds([&] {
    for (const auto& [rec, field] : ops.updates) {
      WriteBatch b;
      b.Update(ids[rec], {field});
      Must(r->Commit(ws, b), "update");
    }
  });
  out.updates_per_s = ops.updates.size() / secs;
  Must(r->Checkpoint(), "checkpoint");
  out.mb = FileSize(path) / 1e6;
  r.reset();
  RemoveDb(path);
  return out;
}

void BenchA(const Config& c) {
  OpsA ops = MakeOpsA(c, 11);
  std::printf("\n## A: %zu creates, then %zu single-field updates, one commit each (synchronous=%s)\n\n",
              ops.creates.size(), ops.updates.size(), c.durable ? "FULL" : "NORMAL");
  std::printf("| run | Hamlet creates/s | SQLite creates/s | Hamlet updates/s | SQLite updates/s | Hamlet MB | SQLite MB |\n");
  std::printf("|---|--:|--:|--:|--:|--:|--:|\n");
  std::vector<double> hc, sc, hu, su, hm, sm, rc, ru, rm;
  for (int run = 0; run < c.runs; run++) {
    ResultA s = SqliteA(c, ops);
    ResultA h = HamletA(c, ops);
    std::printf("| %d | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f |\n", run + 1, h.creates_per_s, s.creates_per_s,
                h.updates_per_s, s.updates_per_s, h.mb, s.mb);
    std::fflush(stdout);
    hc.push_back(h.creates_per_s), sc.push_back(s.creates_per_s), hu.push_back(h.updates_per_s);
    su.push_back(s.updates_per_s), hm.push_back(h.mb), sm.push_back(s.mb);
    rc.push_back(h.creates_per_s / s.creates_per_s), ru.push_back(h.updates_per_s / s.updates_per_s);
    rm.push_back(h.mb / s.mb);
  }
  std::printf("| **median** | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f |\n", Median(hc), Median(sc), Median(hu),
              Median(su), Median(hm), Median(sm));
  std::printf("\nHamlet / SQLite, median of the per-run ratios: creates %.2fx, updates %.2fx, size %.2fx\n",
              Median(rc), Median(ru), Median(rm));
}

// ---- B and C ----

struct Peer {
  std::unique_ptr<Replica> replica;
  std::vector<RecordId> own;
};

// Everything from's replica holds that to's lacks, as to's cursor says, in
// as many chunks as it takes.
std::vector<std::string> Delta(Replica& from, const WorkspaceId& ws, const std::string& to_cursor, size_t* bytes) {
  std::vector<std::string> chunks;
  std::string cursor = to_cursor;
  *bytes += cursor.size();
  for (;;) {
    ExportResult ex;
    Must(from.Export(ws, cursor, 64 << 20, &ex), "export");
    if (!ex.chunk.empty()) {
      *bytes += ex.chunk.size();
      chunks.push_back(std::move(ex.chunk));
    }
    if (!ex.more) break;
    cursor = ex.next_cursor;
  }
  return chunks;
}

void ImportAll(Replica& to, const std::vector<std::string>& chunks) {
  for (const std::string& chunk : chunks) {
    ImportResult res;
    Must(to.Import(chunk, &res), "import");
    if (res.set_aside != 0) {
      std::fprintf(stderr, "import set %zu commits aside\n", res.set_aside);
      std::exit(1);
    }
  }
}

void Sync(Replica& from, Replica& to, const WorkspaceId& ws) {
  std::string cursor;
  Must(to.Cursor(ws, &cursor), "cursor");
  size_t unused = 0;
  ImportAll(to, Delta(from, ws, cursor, &unused));
}

struct ResultB {
  double merge_s = 0, export_s = 0, import_s = 0, mb = 0;
  bool converged = false;
  double c_ms = 0, c_kb = 0;
};

ResultB RunBC(const Config& c, int run) {
  std::mt19937_64 rng(1000 + run);
  std::vector<Peer> peers(3);
  WorkspaceId ws;
  for (int i = 0; i < 3; i++) peers[i].replica = Open(c, c.dir + "/b" + std::to_string(i) + ".db", false, 10 + i);
  Must(peers[0].replica->CreateWorkspace(&ws), "workspace");
  for (int i = 1; i < 3; i++) {
    std::string req, env;
    WorkspaceId joined;
    Must(peers[i].replica->JoinRequest(&req), "join");
    Must(peers[0].replica->Admit(ws, req, Role::kOfficer, &env), "admit");
    Must(peers[i].replica->Accept(env, peers[0].replica->device_id(), &joined), "accept");
  }
  auto commit = [&](Peer& p, const WriteBatch& b) { Must(p.replica->Commit(ws, b), "commit"); };
  std::vector<RecordId> shared;
  for (int i = 0; i < c.Count(500); i++) {
    WriteBatch b;
    shared.push_back(b.Insert("records", AppRecord(rng)));
    commit(peers[0], b);
  }
  for (int i = 1; i < 3; i++) Sync(*peers[0].replica, *peers[i].replica, ws);
  for (Peer& p : peers) {
    for (int i = 0; i < c.Count(5000); i++) {
      WriteBatch b;
      p.own.push_back(b.Insert("records", AppRecord(rng)));
      commit(p, b);
    }
    for (int i = 0; i < c.Count(5000); i++) {
      WriteBatch b;
      b.Update(p.own[rng() % p.own.size()], {AppField(rng)});
      commit(p, b);
    }
    for (int i = 0; i < c.Count(1000); i++) {
      WriteBatch b;
      b.Update(shared[rng() % shared.size()], {AppField(rng)});
      commit(p, b);
    }
  }
  for (Peer& p : peers) Must(p.replica->Checkpoint(), "checkpoint");

  ResultB r;
  size_t bytes = 0;
  std::vector<std::string> cursors(3);
  std::vector<std::vector<std::string>> deltas(9);  // [from * 3 + to]
  r.export_s = Seconds([&] {
    for (int to = 0; to < 3; to++) Must(peers[to].replica->Cursor(ws, &cursors[to]), "cursor");
    for (int from = 0; from < 3; from++) {
      for (int to = 0; to < 3; to++) {
        if (from != to) deltas[from * 3 + to] = Delta(*peers[from].replica, ws, cursors[to], &bytes);
      }
    }
  });
  r.import_s = Seconds([&] {
    for (int to = 0; to < 3; to++) {
      for (int from = 0; from < 3; from++) {
        if (from != to) ImportAll(*peers[to].replica, deltas[from * 3 + to]);
      }
    }
  });
  r.merge_s = r.export_s + r.import_s;
  r.mb = bytes / 1e6;
  std::string d[3];
  for (int i = 0; i < 3; i++) Must(peers[i].replica->StateDigest(ws, &d[i]), "digest");
  r.converged = d[0] == d[1] && d[1] == d[2];

  // C: 100 single-field updates on replica 1; replica 2 pulls them.
  for (int i = 0; i < 100; i++) {
    WriteBatch b;
    const auto& pool = (i % 2) ? shared : peers[0].own;
    b.Update(pool[rng() % pool.size()], {AppField(rng)});
    commit(peers[0], b);
  }
  size_t c_bytes = 0;
  r.c_ms = 1000 * Seconds([&] {
             std::string cursor;
             Must(peers[1].replica->Cursor(ws, &cursor), "cursor");
             ImportAll(*peers[1].replica, Delta(*peers[0].replica, ws, cursor, &c_bytes));
           });
  r.c_kb = c_bytes / 1e3;
  Must(peers[0].replica->StateDigest(ws, &d[0]), "digest");
  Must(peers[1].replica->StateDigest(ws, &d[1]), "digest");
  r.converged = r.converged && d[0] == d[1];
  for (int i = 0; i < 3; i++) {
    peers[i].replica.reset();
    RemoveDb(c.dir + "/b" + std::to_string(i) + ".db");
  }
  return r;
}

void BenchBC(const Config& c) {
  std::printf("\n## B: three replicas merge (%d shared records; each %d creates, %d + %d updates offline)\n",
              c.Count(500), c.Count(5000), c.Count(5000), c.Count(1000));
  std::printf("## C: then 100 single-field updates reach a converged peer\n\n");
  std::printf("| run | B export s | B import s | B merge s | B MB | C ms | C KB | all digests equal |\n");
  std::printf("|---|--:|--:|--:|--:|--:|--:|---|\n");
  std::vector<double> merge, mb, cms, ckb;
  bool all = true;
  for (int run = 0; run < c.runs; run++) {
    ResultB r = RunBC(c, run);
    std::printf("| %d | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %s |\n", run + 1, r.export_s, r.import_s, r.merge_s,
                r.mb, r.c_ms, r.c_kb, r.converged ? "yes" : "NO");
    std::fflush(stdout);
    merge.push_back(r.merge_s), mb.push_back(r.mb), cms.push_back(r.c_ms), ckb.push_back(r.c_kb);
    all = all && r.converged;
  }
  std::printf("| **median** | | | %.2f | %.1f | %.1f | %.1f | %s |\n", Median(merge), Median(mb), Median(cms),
              Median(ckb), all ? "yes" : "NO");
  if (!all) std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      c.dir = argv[++i];
    } else if (a == "--runs" && i + 1 < argc) {
      c.runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--scale" && i + 1 < argc) {
      c.scale = std::atof(argv[++i]);
    } else if (a == "--durable") {
      c.durable = true;
    } else if (a == "--all-words") {
      c.all_words = true;
    } else if (a == "a" || a == "b" || a == "c" || a == "bc" || a == "all") {
      c.what = a;
    } else {
      std::fprintf(stderr, "usage: compare_bench [a|b|c|all] [--dir DIR] [--runs N] [--durable] [--scale F] [--all-words]\n");
      return 2;
    }
  }
  if (c.dir.empty()) c.dir = (fs::temp_directory_path() / "hamlet-compare").string();
  fs::create_directories(c.dir);
  if (c.what == "a" || c.what == "all") BenchA(c);
  if (c.what != "a") BenchBC(c);
  return 0;
}
