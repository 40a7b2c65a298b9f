#include "test_postgres.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "pg.h"

namespace hamlet::test {

namespace {

const std::string kBin = HAMLET_PG_BINDIR;
constexpr int kPort = 5432;  // Names the socket in the private folder; no TCP.
bool flush_to_disk = false;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void TestPostgres::FlushToDisk() { flush_to_disk = true; }

TestPostgres& TestPostgres::Get() {
  static std::unique_ptr<TestPostgres> server(new TestPostgres());
  return *server;
}

TestPostgres::TestPostgres() {
  char templ[] = "/tmp/hamlet-pg-XXXXXX";
  if (mkdtemp(templ) == nullptr) throw std::runtime_error("cannot make a folder for PostgreSQL");
  folder_ = templ;
  if (geteuid() == 0) {
    struct passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      throw std::runtime_error(
          "the tests run as root and PostgreSQL refuses root: no 'postgres' user to run it as "
          "(scripts/install-deps.sh installs Debian's postgresql, which makes one)");
    }
    if (chown(folder_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("cannot chown " + folder_);
  }
  if (RunAs(kBin + "/initdb -D " + folder_ + "/data -U hamlet -A trust -E UTF8 --locale=C --no-sync > " + folder_ +
            "/initdb.log 2>&1") != 0) {
    throw std::runtime_error("initdb failed: " + ReadFile(folder_ + "/initdb.log"));
  }
  Start();
  started_ = true;
}

TestPostgres::~TestPostgres() {
  if (started_) {
    RunAs(kBin + "/pg_ctl -D " + folder_ + "/data -m immediate -w stop > /dev/null 2>&1");
  }
  std::error_code ec;
  std::filesystem::remove_all(folder_, ec);
}

int TestPostgres::RunAs(const std::string& cmd) {
  // Everything the child needs is looked up before fork: a test's other
  // threads may hold a lock the child would wait for forever (only
  // async-signal-safe calls after fork).
  const bool root = geteuid() == 0;
  uid_t uid = 0;
  gid_t gid = 0;
  if (root) {
    struct passwd* pw = getpwnam("postgres");
    if (pw == nullptr) return -1;
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  const char* folder = folder_.c_str();
  const char* line = cmd.c_str();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (root && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(126);
    if (chdir(folder) != 0) _exit(126);
    execl("/bin/sh", "sh", "-c", line, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string TestPostgres::UrlOf(const std::string& database) const {
  return "postgresql://hamlet@/" + database + "?host=" + folder_ + "&port=" + std::to_string(kPort);
}

std::string TestPostgres::NewDatabase() {
  std::string name = "hub" + std::to_string(++databases_);
  std::unique_ptr<hub::PgConnection> c;
  Status s = hub::PgConnection::Connect(UrlOf("postgres"), &c);
  if (s.ok()) s = c->Exec("CREATE DATABASE " + name);
  if (!s.ok()) throw std::runtime_error("cannot make a database: " + s.ToString());
  return UrlOf(name);
}

void TestPostgres::Start() {
  // The tests run with fsync off: they crash the server, not the machine,
  // and the operating system keeps what was written.
  std::string options = "-k " + folder_ + " -p " + std::to_string(kPort) + " -c listen_addresses= -c fsync=" +
                        (flush_to_disk ? "on" : "off") + " -c max_connections=400 -c shared_buffers=" +
                        (flush_to_disk ? "256MB" : "32MB");
  if (RunAs(kBin + "/pg_ctl -D " + folder_ + "/data -l " + folder_ + "/server.log -w -t 300 -o '" + options +
            "' start > " + folder_ + "/pg_ctl.log 2>&1") != 0) {
    throw std::runtime_error("PostgreSQL did not start: " + ReadFile(folder_ + "/server.log"));
  }
}

void TestPostgres::Crash() {
  if (RunAs(kBin + "/pg_ctl -D " + folder_ + "/data -m immediate -w stop > " + folder_ + "/pg_ctl.log 2>&1") != 0) {
    throw std::runtime_error("pg_ctl stop failed: " + ReadFile(folder_ + "/pg_ctl.log"));
  }
}

int TestPostgres::Tool(const std::string& program, const std::string& args) {
  return RunAs(kBin + "/" + program + " " + args + " > " + folder_ + "/tool.log 2>&1");
}

std::string HubStoreFor(const std::string& backend, const std::string& dir) {
  if (backend == "postgresql") return TestPostgres::Get().NewDatabase();
  return dir + "/hub";
}

}  // namespace hamlet::test
