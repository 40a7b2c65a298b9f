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

// Starts the child, lets it run for about run_ms, kills it; returns the
// highest n it reported done (or first - 1).
long RunAndKill(const std::string& db, long first, int run_ms) {
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::string n = std::to_string(first);
    execl(HAMLET_CRASH_CHILD, "crash_child", db.c_str(), n.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t got = read(out[0], buf, sizeof buf);
    if (got > 0) text.append(buf, static_cast<size_t>(got));
    else std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
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
  REQUIRE(WIFSIGNALED(status));
  long last = first - 1;
  size_t pos = 0;
  while ((pos = text.find("done ", pos)) != std::string::npos) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // A line cut short was not reported.
    last = std::strtol(text.c_str() + pos + 5, nullptr, 10);
    pos = end;
  }
  return last;
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
    int run_ms = 10 + static_cast<int>(rng() % 110);
    long last = RunAndKill(db, next, run_ms);
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
  CHECK(total_reported > kills);
}
