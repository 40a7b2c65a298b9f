#include "helpers.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hamlet::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "hamlet-test-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  REQUIRE(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t SeedFromEnv(uint64_t fallback) {
  const char* s = std::getenv("HAMLET_SEED");
  return s ? std::strtoull(s, nullptr, 10) : fallback;
}

std::string TestKey(int n) {
  std::string k(32, '\0');
  for (int i = 0; i < 32; i++) k[i] = static_cast<char>(n * 31 + i * 7 + 1);
  return k;
}

void MakeGroup(int n, const std::string& dir, Group* g) {
  OpenOptions opt;
  opt.durable = false;
  for (int i = 0; i < n; i++) {
    g->clocks.push_back(std::make_unique<ManualClockEnv>(kNow));
    opt.env = g->clocks.back().get();
    std::string path = dir.empty() ? ":memory:" : dir + "/member" + std::to_string(i) + ".db";
    std::unique_ptr<Replica> r;
    Status s = Replica::OpenWithKey(path, TestKey(i), opt, &r);
    REQUIRE(s.ToString() == "OK");
    g->members.push_back(std::move(r));
  }
  REQUIRE(g->members[0]->CreateWorkspace(&g->ws).ok());
  for (int i = 1; i < n; i++) {
    std::string req, env;
    REQUIRE(g->members[i]->JoinRequest(&req).ok());
    REQUIRE(g->members[0]->Admit(g->ws, req, Role::kCadre, &env).ok());
    WorkspaceId joined;
    REQUIRE(g->members[i]->Accept(env, g->members[0]->device_id(), &joined).ok());
    REQUIRE(joined == g->ws);
  }
}

size_t SyncOneWay(Replica& from, Replica& to, const WorkspaceId& ws) {
  std::string cursor;
  REQUIRE(to.Cursor(ws, &cursor).ok());
  size_t applied = 0;
  for (;;) {
    ExportResult ex;
    REQUIRE(from.Export(ws, cursor, 1 << 20, &ex).ok());
    if (!ex.chunk.empty()) {
      ImportResult im;
      Status s = to.Import(ex.chunk, &im);
      REQUIRE(s.ToString() == "OK");
      applied += im.applied;
    }
    if (!ex.more) break;
    cursor = ex.next_cursor;
  }
  return applied;
}

std::string Digest(Replica& r, const WorkspaceId& ws) {
  std::string d;
  REQUIRE(r.StateDigest(ws, &d).ok());
  return d;
}

std::unique_ptr<Replica> AdmitNew(Group& g, int key, Role role, unsigned import_threads) {
  OpenOptions opt;
  opt.durable = false;
  opt.import_threads = import_threads;
  opt.env = g.clocks[0].get();
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithKey(":memory:", TestKey(key), opt, &r).ok());
  std::string req, env;
  REQUIRE(r->JoinRequest(&req).ok());
  REQUIRE(g.members[0]->Admit(g.ws, req, role, &env).ok());
  WorkspaceId joined;
  REQUIRE(r->Accept(env, g.members[0]->device_id(), &joined).ok());
  return r;
}

size_t Matching(Replica& r, const std::string& text) {
  Query q;
  q.collection = "concerns";
  q.text = text;
  QueryResult found;
  REQUIRE(r.Find(q, &found).ok());
  return found.total;
}

}  // namespace hamlet::test
