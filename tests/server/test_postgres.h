// A real PostgreSQL server for the tests: initdb into a temporary folder,
// started on a Unix socket in that folder (no TCP port), as an unprivileged
// user (PostgreSQL refuses to run as root: when the tests run as root, the
// server runs as the "postgres" user that Debian's package creates), and
// stopped when the test process ends.
#ifndef HAMLET_TESTS_TEST_POSTGRES_H_
#define HAMLET_TESTS_TEST_POSTGRES_H_

#include <string>

namespace hamlet::test {

class TestPostgres {
 public:
  // The server of this test process, started on first use. A server that
  // cannot be started fails the test that asked (the message says why).
  static TestPostgres& Get();
  // Makes the server, when first started, flush to disk as a production
  // one does (fsync on): for benchmarks. The tests run without.
  static void FlushToDisk();

  // A new, empty database on the server; its libpq URL.
  std::string NewDatabase();
  // Stops the server as a crash would (pg_ctl -m immediate: no checkpoint,
  // connections cut); Start starts it again on the same socket and waits
  // until it takes connections.
  void Crash();
  void Start();
  // Runs a program of PostgreSQL's (pg_dump, pg_restore, psql, ...) with
  // args, as the server's user; returns its exit status. Output goes to
  // the server's folder (log of the last tool).
  int Tool(const std::string& program, const std::string& args);

  const std::string& folder() const { return folder_; }
  ~TestPostgres();

 private:
  TestPostgres();
  // Runs the shell command line cmd as the server's user; returns its exit status.
  int RunAs(const std::string& cmd);
  std::string UrlOf(const std::string& database) const;

  std::string folder_;
  int databases_ = 0;
  bool started_ = false;
};

// Where a hub of the given backend keeps its store: "sqlite" gives a data
// folder under dir, "postgresql" a new database of the tests' server.
std::string HubStoreFor(const std::string& backend, const std::string& dir);

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_TEST_POSTGRES_H_
