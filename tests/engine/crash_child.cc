// The process the crash test kills. It opens (or creates) a replica, and
// commits batches of records in a loop, printing "done N" after commit N has
// returned. Usage: crash_child DB_PATH FIRST_N
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hamlet/replica.h"

using namespace hamlet;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_child DB_PATH FIRST_N\n");
    return 2;
  }
  std::string key(32, 'k');
  std::unique_ptr<Replica> r;
  Status s = Replica::OpenWithKey(argv[1], key, OpenOptions(), &r);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<WorkspaceId> spaces;
  if (!r->Workspaces(&spaces).ok()) return 1;
  WorkspaceId ws;
  if (spaces.empty()) {
    if (!r->CreateWorkspace(&ws).ok()) return 1;
  } else {
    ws = spaces[0];
  }
  long n = std::strtol(argv[2], nullptr, 10);
  for (;; n++) {
    WriteBatch b;
    // Batches of varying size, so kills land in commits large and small.
    for (long i = 0, count = 1 + n % 17; i < count; i++) {
      b.Insert("concerns", {{"n", int64_t{n}}, {"i", int64_t{i}},
                            {"summary", std::string(static_cast<size_t>(40 + (n * 37 + i) % 400), 'x')}});
    }
    s = r->Commit(ws, b);
    if (!s.ok()) {
      std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("done %ld\n", n);
    std::fflush(stdout);
  }
}
