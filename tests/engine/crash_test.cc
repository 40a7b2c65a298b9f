// Crash safety: a child process commits in a loop and is killed with SIGKILL
// at random moments. After each kill, every commit it reported done must be
// there, whole, and SQLite's integrity check must pass.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// The highest n of the complete "done n" lines in text, or none.
long LastReported(const std::string& text, long none) {
  long last = none;
  size_t pos = 0;
  while ((pos = text.find("done ", pos)) != std::string::npos) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // A line cut short was not reported.
    last = std::strtol(text.c_str() + pos + 5, nullptr, 10);
    pos = end;
  }
  return last;
}

// Starts the child and kills it at a moment tied to its progress, not to
// the clock: once it has reported `after` more commits past its first one
// (so a slow or busy machine only slows the test down), then a few hundred
// microseconds later, to land anywhere inside the commit under way.
// Returns the highest n it reported done (or first - 1).
long RunAndKill(const std::string& db, long first, int after, int jitter_us) {
  std::string n = std::to_string(first);  // Made before fork: the child only execs.
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(HAMLET_CRASH_CHILD, "crash_child", db.c_str(), n.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  const long target = first + after;
  while (LastReported(text, first - 1) < target) {
    ssize_t got = read(out[0], buf, sizeof buf);  // Blocks until the child reports, or exits.
    if (got <= 0) break;
    text.append(buf, static_cast<size_t>(got));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(jitter_us));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  // Whatever it printed before dying counts as reported.
  fcntl(out[0], F_SETFL, 0);
  for (;;) {
    ssize_t got = read(out[0], buf, sizeof buf);
    if (got <= 0) break;
    text.append(buf, static_cast<size_t>(got));
  }
  close(out[0]);
  INFO("child output: " << text.substr(0, 200));
  REQUIRE(WIFSIGNALED(status));  // It was still running: it never stops by itself.
  return LastReported(text, first - 1);
}

}  // namespace

TEST_CASE("commits reported done survive SIGKILL at random moments", "[crash]") {
  TempDir dir;
  std::string db = dir.File("crash.db");
  uint64_t seed = SeedFromEnv(std::random_device{}());
  std::mt19937_64 rng(seed);
  INFO("seed " << seed << " (replay with HAMLET_SEED)");
  int kills = 100;
  if (const char* k = std::getenv("HAMLET_KILLS")) kills = std::atoi(k);
  long next = 1;
  long total_reported = 0;
  for (int round = 0; round < kills; round++) {
    int after = static_cast<int>(rng() % 8);
    int jitter_us = static_cast<int>(rng() % 3000);
    long last = RunAndKill(db, next, after, jitter_us);
    total_reported += last - next + 1;

    std::unique_ptr<Replica> r;
    Status s = Replica::OpenWithKey(db, std::string(32, 'k'), OpenOptions(), &r);
    REQUIRE(s.ToString() == "OK");
    std::string integrity;
    REQUIRE(r->IntegrityCheck(&integrity).ok());
    REQUIRE(integrity == "ok");
    std::vector<WorkspaceId> spaces;
    REQUIRE(r->Workspaces(&spaces).ok());
    if (spaces.empty()) continue;  // Killed before it created the workspace.
    REQUIRE(spaces.size() == 1);
    // Every reported batch is there, whole.
    for (long n = next; n <= last; n++) {
      Query q;
      q.collection = "concerns";
      q.equals = {{"n", Value(int64_t{n})}};
      q.limit = 100;
      QueryResult res;
      REQUIRE(r->Find(q, &res).ok());
      INFO("round " << round << ", batch " << n);
      REQUIRE(res.total == static_cast<size_t>(1 + n % 17));
    }
    // A commit the child finished but had not yet reported may be there too;
    // numbering continues after whatever is stored.
    std::vector<ChainStatus> chains;
    REQUIRE(r->Chains(spaces[0], &chains).ok());
    if (chains.empty()) {
      REQUIRE(last < next);  // Killed before its first commit: nothing was reported.
      continue;
    }
    REQUIRE(chains.size() == 1);
    CHECK(chains[0].contiguous == chains[0].head);
    Query probe;
    probe.collection = "concerns";
    probe.equals = {{"n", Value(int64_t{last + 1})}};
    QueryResult extra;
    REQUIRE(r->Find(probe, &extra).ok());
    next = last + 1 + (extra.total > 0 ? 1 : 0);
  }
  std::cerr << "crash test: " << kills << " kills, " << total_reported << " commits reported and verified\n";
  CHECK(total_reported >= kills);  // Each round waits for at least one reported commit.
}
