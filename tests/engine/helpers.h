// Shared fixtures for the engine tests: a settable clock, temporary
// directories, and workspaces with several member replicas.
#ifndef HAMLET_TESTS_HELPERS_H_
#define HAMLET_TESTS_HELPERS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "hamlet/env.h"
#include "hamlet/replica.h"

namespace hamlet::test {

// An Env whose clock the test sets; files go to the real file system.
class ManualClockEnv : public Env {
 public:
  explicit ManualClockEnv(int64_t now) : now_(now) {}
  int64_t NowMillis() override { return now_.load(); }
  void Set(int64_t now) { now_ = now; }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
};

// A fresh directory under the system's temporary directory, removed with
// everything in it when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// 32 bytes derived from n: a distinct raw store key per replica.
std::string TestKey(int n);

// The whole file at path; empty when it cannot be read.
std::string ReadAll(const std::string& path);

inline constexpr int64_t kNow = 1795000000000;  // 2026-11-18.

// A workspace created by member 0 with members 1..n-1 admitted.
struct Group {
  // The clocks are the members' Envs, so they go after them (declared first).
  std::vector<std::unique_ptr<ManualClockEnv>> clocks;
  std::vector<std::unique_ptr<Replica>> members;
  WorkspaceId ws;
};
// Each member's store lives in dir (files member0.db, ...), or in memory
// when dir is empty. durable=false: the tests do not need fsync.
void MakeGroup(int n, const std::string& dir, Group* g);

// Admits a fresh in-memory replica (store key TestKey(key)) into g's
// workspace with role, sharing member 0's clock.
std::unique_ptr<Replica> AdmitNew(Group& g, int key, Role role, unsigned import_threads = 0);

// Moves every commit a has that b lacks into b; returns the number applied.
size_t SyncOneWay(Replica& from, Replica& to, const WorkspaceId& ws);

std::string Digest(Replica& r, const WorkspaceId& ws);

// How many concerns r finds by text (every word in it, diacritics optional).
size_t Matching(Replica& r, const std::string& text);

// The seed of a randomized test: HAMLET_SEED when set (to replay a failure),
// else fallback. Tests print it with INFO so a failure names it.
uint64_t SeedFromEnv(uint64_t fallback);

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_HELPERS_H_
