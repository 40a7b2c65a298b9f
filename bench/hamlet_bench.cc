// Hamlet's benchmarks. Each figure is the median of several runs, next to a
// baseline measured in the same run. Usage:
//   hamlet_bench [writes|apply|query|bytes|all] [--dir DIR] [--runs N] [--ops N]
// --ops is the number of field operations for the remote-apply benchmark
// (default 1,000,000; its replica also serves the query benchmark).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "chunk.h"
#include "commit.h"
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
  int runs = 5;
  long ops = 1000000;
};

// ---- Local writes ----

// Plain SQLite: the same rows, plaintext, in the same transactions, with
// the same durability (WAL, synchronous=FULL).
// indexed adds what an app needs to answer the same queries from plain
// SQLite: indexes on status, hamlet and received_at, and FTS5 over the text.
double SqliteWrites(const std::string& path, int txns, int per_txn, uint64_t seed, bool indexed) {
  RemoveDb(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
  MustSql(sqlite3_exec(db,
                       "CREATE TABLE concerns(id BLOB PRIMARY KEY, kind TEXT, category TEXT, summary TEXT, "
                       "details TEXT, reporter TEXT, contact TEXT, hamlet TEXT, status TEXT, received_at INTEGER, "
                       "due INTEGER)",
                       nullptr, nullptr, nullptr),
         db, "create");
  if (indexed) {
    MustSql(sqlite3_exec(db,
                         "CREATE INDEX by_status ON concerns(status, hamlet); "
                         "CREATE INDEX by_received ON concerns(received_at); "
                         "CREATE VIRTUAL TABLE concerns_fts USING fts5(summary, details, reporter, "
                         "content='concerns', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'); "
                         "CREATE TRIGGER concerns_ai AFTER INSERT ON concerns BEGIN "
                         "INSERT INTO concerns_fts(rowid, summary, details, reporter) "
                         "VALUES (new.rowid, new.summary, new.details, new.reporter); END;",
                         nullptr, nullptr, nullptr),
           db, "index");
  }
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO concerns VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &ins, nullptr);
  std::mt19937_64 rng(seed);
  std::vector<std::map<std::string, Value>> rows;
  for (int i = 0; i < txns * per_txn; i++) rows.push_back(Concern(rng));
  const char* cols[] = {"kind", "category", "summary", "details", "reporter", "contact", "hamlet", "status"};
  double secs = Seconds([&] {
    size_t k = 0;
    for (int t = 0; t < txns; t++) {
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      for (int i = 0; i < per_txn; i++, k++) {
        auto& row = rows[k];
        std::string id(16, '\0');
        std::memcpy(id.data(), &k, sizeof k);
        id[15] = static_cast<char>(seed);
        sqlite3_bind_blob(ins, 1, id.data(), 16, SQLITE_TRANSIENT);
        for (int c = 0; c < 8; c++) {
          const std::string& v = std::get<std::string>(row[cols[c]]);
          sqlite3_bind_text(ins, c + 2, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        }
        sqlite3_bind_int64(ins, 10, std::get<Timestamp>(row["received_at"]).millis);
        sqlite3_bind_int64(ins, 11, std::get<Timestamp>(row["due"]).millis);
        MustSql(sqlite3_step(ins), db, "insert");
        sqlite3_reset(ins);
      }
      MustSql(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    }
  });
  sqlite3_finalize(ins);
  sqlite3_close(db);
  RemoveDb(path);
  return secs;
}

double HamletWrites(const std::string& path, int txns, int per_txn, uint64_t seed) {
  RemoveDb(path);
  auto r = OpenReplica(path, true, 0);
  WorkspaceId ws;
  Must(r->CreateWorkspace(&ws), "workspace");
  std::mt19937_64 rng(seed);
  std::vector<WriteBatch> batches(txns);
  for (auto& b : batches) {
    for (int i = 0; i < per_txn; i++) b.Insert("concerns", Concern(rng));
  }
  double secs = Seconds([&] {
    for (auto& b : batches) Must(r->Commit(ws, b), "commit");
  });
  r.reset();
  RemoveDb(path);
  return secs;
}

void BenchWrites(const Config& c) {
  std::printf("\n## Local writes (durable: WAL, synchronous=FULL)\n\n");
  std::printf(
      "| shape | Hamlet records/s | plain SQLite records/s | plain / Hamlet | SQLite + indexes + FTS5 records/s | "
      "indexed / Hamlet |\n|---|---|---|---|---|---|\n");
  struct Shape {
    const char* name;
    int txns, per_txn;
  } shapes[] = {{"1,000 records per transaction (one commit)", 20, 1000},
                {"one record per transaction (one commit each)", 300, 1}};
  for (const Shape& s : shapes) {
    std::vector<double> h, q, x;
    for (int run = 0; run < c.runs; run++) {
      double records = static_cast<double>(s.txns) * s.per_txn;
      q.push_back(records / SqliteWrites(c.dir + "/plain.db", s.txns, s.per_txn, run + 1, false));
      x.push_back(records / SqliteWrites(c.dir + "/indexed.db", s.txns, s.per_txn, run + 1, true));
      h.push_back(records / HamletWrites(c.dir + "/hamlet.db", s.txns, s.per_txn, run + 1));
    }
    double hm = Median(h), qm = Median(q), xm = Median(x);
    std::printf("| %s | %.0f | %.0f | %.2fx | %.0f | %.2fx |\n", s.name, hm, qm, qm / hm, xm, xm / hm);
    std::fflush(stdout);
  }
}

// ---- Remote apply, queries ----

struct Source {
  std::unique_ptr<Replica> replica;
  WorkspaceId ws;
  std::vector<std::string> chunks;
  long field_ops = 0;
  long commits = 0;
};

void MakeSource(const Config& c, Source* src) {
  std::string path = c.dir + "/source.db";
  RemoveDb(path);
  src->replica = OpenReplica(path, false, 1);
  Must(src->replica->CreateWorkspace(&src->ws), "workspace");
  std::mt19937_64 rng(42);
  double secs = Seconds([&] {
    while (src->field_ops < c.ops) {
      WriteBatch b;
      auto fields = Concern(rng);
      src->field_ops += static_cast<long>(fields.size());
      b.Insert("concerns", std::move(fields));
      Must(src->replica->Commit(src->ws, b), "commit");
      src->commits++;
    }
  });
  std::string cursor;
  size_t bytes = 0;
  for (;;) {
    ExportResult ex;
    Must(src->replica->Export(src->ws, cursor, 4 << 20, &ex), "export");
    if (!ex.chunk.empty()) {
      bytes += ex.chunk.size();
      src->chunks.push_back(std::move(ex.chunk));
    }
    if (!ex.more) break;
    cursor = ex.next_cursor;
  }
  std::printf("\n(source: %ld commits, %ld field ops written in %.1f s; %zu chunks, %.1f MB)\n", src->commits,
              src->field_ops, secs, src->chunks.size(), bytes / 1e6);
}

std::unique_ptr<Replica> Receiver(const Config& c, Source& src, int n) {
  std::string path = c.dir + "/receiver" + std::to_string(n) + ".db";
  RemoveDb(path);
  auto r = OpenReplica(path, true, 2 + n);
  std::string req, env;
  Must(r->JoinRequest(&req), "join");
  Must(src.replica->Admit(src.ws, req, Role::kOfficer, &env), "admit");
  WorkspaceId ws;
  Must(r->Accept(env, src.replica->device_id(), &ws), "accept");
  return r;
}

std::unique_ptr<Replica> BenchApply(const Config& c, Source& src) {
  std::printf("\n## Remote apply: import %ld field ops (%ld commits) made by another replica\n\n", src.field_ops,
              src.commits);
  std::vector<double> rates;
  std::unique_ptr<Replica> last;
  int runs = std::max(1, std::min(c.runs, 3));
  for (int run = 0; run < runs; run++) {
    auto r = Receiver(c, src, run);
    double secs = Seconds([&] {
      for (const std::string& chunk : src.chunks) {
        ImportResult res;
        Must(r->Import(chunk, &res), "import");
      }
    });
    rates.push_back(src.field_ops / secs);
    std::printf("run %d: %.2f s, %.0f field ops/s\n", run + 1, secs, src.field_ops / secs);
    std::fflush(stdout);
    last = std::move(r);
  }
  std::string a, b;
  Must(src.replica->StateDigest(src.ws, &a), "digest");
  Must(last->StateDigest(src.ws, &b), "digest");
  std::printf("\n| field ops/s (median of %d) | digest matches source |\n|---|---|\n| %.0f | %s |\n", runs,
              Median(rates), a == b ? "yes" : "NO");
  return last;
}

void BenchQueries(const Config& c, Replica& r, const WorkspaceId& ws, long records) {
  std::printf("\n## Queries on %ld records (ms, median of 21)\n\n", records);
  std::printf("| query | matches | ms |\n|---|---|---|\n");
  auto run = [&](const char* name, const std::function<Query(int)>& make) {
    std::vector<double> ms;
    size_t total = 0;
    for (int i = 0; i < 21; i++) {
      Query q = make(i);
      QueryResult res;
      ms.push_back(1000 * Seconds([&] { Must(r.Find(q, &res), "find"); }));
      total = res.total;
    }
    std::printf("| %s | %zu | %.2f |\n", name, total, Median(ms));
    std::fflush(stdout);
  };
  run("status = S and hamlet = H, newest 50 by received_at", [&](int i) {
    Query q;
    q.workspace = ws;
    q.collection = "concerns";
    q.equals = {{"status", Value(std::string(kStatuses[i % 5]))}, {"hamlet", Value(HamletName(i % kHamlets))}};
    q.order_by = "received_at";
    q.descending = true;
    return q;
  });
  run("status = S and received_at in one month", [&](int i) {
    Query q;
    q.workspace = ws;
    q.collection = "concerns";
    q.equals = {{"status", Value(std::string(kStatuses[i % 5]))}};
    q.time_field = "received_at";
    q.from = Timestamp{kStart + (i % 12) * 30LL * 86400000};
    q.to = Timestamp{kStart + (i % 12 + 1) * 30LL * 86400000};
    return q;
  });
  run("search \"dat dai\" (a sixth of all concerns)", [&](int) {
    Query q;
    q.workspace = ws;
    q.collection = "concerns";
    q.text = "dat dai";
    return q;
  });
  run("search \"tro cap ngheo\" in one hamlet", [&](int i) {
    Query q;
    q.workspace = ws;
    q.collection = "concerns";
    q.text = "tro cap ngheo";
    q.equals = {{"hamlet", Value(HamletName(i % kHamlets))}};
    return q;
  });
  (void)c;
}

// ---- Bytes on the wire ----

void BenchBytes(const Config& c) {
  std::printf("\n## Bytes: a chunk of 1,000 typical commits\n\n");
  std::string path = c.dir + "/bytes.db";
  RemoveDb(path);
  auto r = OpenReplica(path, false, 9);
  WorkspaceId ws;
  Must(r->CreateWorkspace(&ws), "workspace");
  std::mt19937_64 rng(7);
  // 70% new concerns, 30% status changes of earlier ones. The same ops are
  // encoded here exactly as the engine encodes them, to know the plaintext.
  std::vector<RecordId> ids;
  std::map<std::pair<RecordId, std::string>, uint64_t> last_write;  // register -> seq of its last write
  size_t body_bytes = 0, content_bytes = 0;
  DeviceId me = r->device_id();
  for (uint64_t seq = 1; seq <= 1000; seq++) {
    WriteBatch b;
    RecordOp op;
    std::map<std::string, Value> fields;
    if (ids.empty() || rng() % 10 < 7) {
      fields = Concern(rng);
      op.record = b.Insert("concerns", fields);
      ids.push_back(op.record);
    } else {
      op.record = ids[rng() % ids.size()];
      fields = StatusChange(rng);
      b.Update(op.record, fields);
      op.alive_base = {WriteRef{me, last_write[{op.record, ""}]}};
    }
    op.collection = "concerns";
    for (auto& [name, v] : fields) {
      FieldWrite f{name, v, {}};
      if (auto it = last_write.find({op.record, name}); it != last_write.end()) f.base = {WriteRef{me, it->second}};
      op.fields.push_back(f);
      content_bytes += name.size();
      if (auto* s = std::get_if<std::string>(&v)) content_bytes += s->size();
      else content_bytes += 8;
    }
    content_bytes += 16;
    for (auto& [name, v] : fields) last_write[{op.record, name}] = seq;
    last_write[{op.record, ""}] = seq;
    std::string body;
    Must(EncodeBody(me, {op}, &body), "encode");
    body_bytes += body.size();
    Must(r->Commit(ws, b), "commit");
  }
  ExportResult ex, member;
  Must(r->Export(ws, "", 64 << 20, &ex, ChunkForm::kBlind), "export");
  Must(r->Export(ws, "", 64 << 20, &member, ChunkForm::kMember), "export");
  Chunk parsed;
  Must(DecodeChunk(ex.chunk, &parsed), "decode");
  size_t sealed = 0;
  for (auto& sc : parsed.commits) sealed += sc.bytes.size();
  std::printf("| measure | bytes | chunk / measure |\n|---|---|---|\n");
  std::printf("| chunk on the wire, blind form (1,000 commits, %zu certificate) | %zu | |\n",
              parsed.certificates.size(), ex.chunk.size());
  std::printf("| member chunk of the same commits (protocol.md 6.4) | %zu | %.3f of the blind chunk; %.3f of the "
              "bodies |\n",
              member.chunk.size(), static_cast<double>(member.chunk.size()) / ex.chunk.size(),
              static_cast<double>(member.chunk.size()) / body_bytes);
  std::printf("| plaintext commit bodies (binary, before compression) | %zu | %.3f |\n", body_bytes,
              static_cast<double>(ex.chunk.size()) / body_bytes);
  std::printf("| field names and values alone, plus record ids | %zu | %.3f |\n", content_bytes,
              static_cast<double>(ex.chunk.size()) / content_bytes);
  std::printf("| the same commits as stored (canonical sealed bytes) | %zu | %.3f |\n", sealed,
              static_cast<double>(sealed) / body_bytes);
  r.reset();
  RemoveDb(path);
}

// What a hub sees of one commit of each kind: its sealed size, for a
// workspace of an admin, `officers` officers and a cadre who records a
// typical request, complaint and denunciation (whose reporter name and
// contact are sealed to the admin and every officer).
void BenchKinds(const Config& c) {
  std::printf("\n## Bytes: one commit of each kind, as the hub sees it\n\n");
  std::printf("| officers | request | complaint | denunciation | short request | short denunciation |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (int officers : {1, 2, 3, 5}) {
    auto admin = OpenReplica(":memory:", false, 20);
    WorkspaceId ws;
    Must(admin->CreateWorkspace(&ws), "workspace");
    auto join = [&](int n, Role role) {
      auto r = OpenReplica(":memory:", false, n);
      std::string req, env;
      Must(r->JoinRequest(&req), "join request");
      Must(admin->Admit(ws, req, role, &env), "admit");
      WorkspaceId joined;
      Must(r->Accept(env, admin->device_id(), &joined), "accept");
      return r;
    };
    auto cadre = join(21, Role::kCadre);
    std::vector<std::unique_ptr<Replica>> held;
    for (int i = 0; i < officers; i++) {
      held.push_back(join(22 + i, Role::kOfficer));
      std::string cert;
      Must(admin->DeviceCertificate(ws, held.back()->device_id(), &cert), "certificate");
      Must(cadre->AcceptCertificate(cert), "accept certificate");
    }
    std::mt19937_64 rng(5);
    auto size_of = [&](std::map<std::string, Value> fields, bool sealed) {
      if (sealed) {
        std::string name, contact;
        Must(cadre->SealForOfficers(ws, std::get<std::string>(fields["reporter"]), &name), "seal");
        Must(cadre->SealForOfficers(ws, std::get<std::string>(fields["contact"]), &contact), "seal");
        fields.erase("reporter");
        fields.erase("contact");
        fields["reporter_name"] = name;
        fields["reporter_contact"] = contact;
      }
      WriteBatch b;
      b.Insert("concerns", fields);
      CommitInfo info;
      Must(cadre->Commit(ws, b, &info), "commit");
      return info.sealed_bytes;
    };
    std::map<std::string, Value> typical = Concern(rng);
    std::map<std::string, Value> request = typical, complaint = typical, denunciation = typical;
    request["kind"] = std::string("request");
    complaint["kind"] = std::string("complaint");
    denunciation["kind"] = std::string("denunciation");
    std::map<std::string, Value> brief = {{"kind", std::string("request")},
                                          {"summary", std::string("Xin sửa cầu tràn thôn 3")},
                                          {"reporter", std::string("Lê Văn Tám")},
                                          {"contact", std::string("0912345678")},
                                          {"status", std::string("received")}};
    std::map<std::string, Value> brief_denunciation = brief;
    brief_denunciation["kind"] = std::string("denunciation");
    brief_denunciation["summary"] = std::string("Thu tiền không biên lai");
    std::printf("| %d | %zu | %zu | %zu | %zu | %zu |\n", officers, size_of(request, false), size_of(complaint, false),
                size_of(denunciation, true), size_of(brief, false), size_of(brief_denunciation, true));
  }
  std::printf("\nTypical records have the workload's 45-word details; short ones a summary of a few words.\n");
  (void)c;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) c.dir = argv[++i];
    else if (a == "--runs" && i + 1 < argc) c.runs = std::atoi(argv[++i]);
    else if (a == "--ops" && i + 1 < argc) c.ops = std::atol(argv[++i]);
    else if (a[0] != '-') c.what = a;
    else {
      std::fprintf(stderr, "usage: hamlet_bench [writes|apply|query|bytes|all] [--dir DIR] [--runs N] [--ops N]\n");
      return 2;
    }
  }
  if (c.dir.empty()) c.dir = (fs::temp_directory_path() / "hamlet-bench").string();
  fs::create_directories(c.dir);
  if (c.what == "writes" || c.what == "all") BenchWrites(c);
  if (c.what == "bytes" || c.what == "all") {
    BenchBytes(c);
    BenchKinds(c);
  }
  if (c.what == "apply" || c.what == "query" || c.what == "all") {
    Source src;
    MakeSource(c, &src);
    auto receiver = BenchApply(c, src);
    if (c.what != "apply") BenchQueries(c, *receiver, src.ws, src.commits);
  }
  fs::remove_all(c.dir);
  return 0;
}
