// hamlet sync, run as a user runs it, against a real hub.
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>

#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hub_process.h"
#include "run_cli.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

size_t CountLines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// An admin and a cadre replica on disk, opened with passphrases, in a
// workspace published on hub; each has recorded `writes` commits offline.
struct Pair {
  std::string admin_db, cadre_db;
  WorkspaceId ws;
  DeviceId cadre;
};

Pair MakePair(const TempDir& dir, HubProcess& hub, int writes) {
  Pair p;
  p.admin_db = dir.File("admin.db");
  p.cadre_db = dir.File("cadre.db");
  OpenOptions opt;
  opt.durable = false;
  std::unique_ptr<Replica> admin, cadre;
  REQUIRE(Replica::OpenWithPassphrase(p.admin_db, "mật khẩu của cán bộ", opt, &admin).ok());
  REQUIRE(Replica::OpenWithPassphrase(p.cadre_db, "cadre pass", opt, &cadre).ok());
  REQUIRE(admin->CreateWorkspace(&p.ws).ok());
  std::string req, env;
  REQUIRE(cadre->JoinRequest(&req).ok());
  REQUIRE(admin->Admit(p.ws, req, Role::kCadre, &env).ok());
  WorkspaceId joined;
  REQUIRE(cadre->Accept(env, admin->device_id(), &joined).ok());
  SyncOptions o;
  o.hub = hub.url();
  HubClient client(admin.get(), o);
  REQUIRE(client.Publish(p.ws, hub.CreateToken()).ok());
  REQUIRE(client.RegisterDevice(p.ws, cadre->device_id()).ok());
  for (int i = 0; i < writes; i++) {
    WriteBatch a, c;
    a.Insert("dialogues", {{"topic", std::string("Đối thoại thôn ") + std::to_string(i)}});
    c.Insert("concerns", {{"summary", std::string("Kiến nghị ") + std::to_string(i)}});
    REQUIRE(admin->Commit(p.ws, a).ok());
    REQUIRE(cadre->Commit(p.ws, c).ok());
  }
  p.cadre = cadre->device_id();
  return p;
}

std::string DigestOf(const std::string& db, const std::string& pass, const WorkspaceId& ws) {
  std::unique_ptr<Replica> r;
  REQUIRE(Replica::OpenWithPassphrase(db, pass, OpenOptions(), &r).ok());
  std::string hex;
  REQUIRE(r->StateDigest(ws, &hex).ok());
  return hex;
}

}  // namespace

TEST_CASE("hamlet sync moves records both ways and says what moved", "[cli][sync]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Pair p = MakePair(dir, hub, 12);
  CliResult a = RunCli({"--db", p.admin_db, "sync", "--hub", hub.url(), "--page-kib", "4"},
                       {{"HAMLET_PASSPHRASE", "mật khẩu của cán bộ"}});
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK(a.out.find("sent 12 commits") != std::string::npos);
  std::string pass_file = dir.File("pass");
  FILE* f = std::fopen(pass_file.c_str(), "w");
  std::fputs("cadre pass\n", f);
  std::fclose(f);
  CliResult c = RunCli({"--db", p.cadre_db, "--passphrase-file", pass_file, "sync"}, {{"HAMLET_HUB", hub.url()}});
  INFO(c.err);
  REQUIRE(c.exit_code == 0);
  CHECK(c.out.find("sent 12 commits") != std::string::npos);
  CHECK(c.out.find("received 12 (12 new") != std::string::npos);
  CliResult again = RunCli({"--db", p.admin_db, "sync", "--hub", hub.url()},
                           {{"HAMLET_PASSPHRASE", "mật khẩu của cán bộ"}});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("sent 0 commits") != std::string::npos);
  CHECK(again.out.find("received 12 (12 new") != std::string::npos);
  CHECK(DigestOf(p.admin_db, "mật khẩu của cán bộ", p.ws) == DigestOf(p.cadre_db, "cadre pass", p.ws));
}

TEST_CASE("hamlet sync --recent-days on a new device asks the hub for the recent part first", "[cli][sync]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Pair p = MakePair(dir, hub, 5);
  std::vector<std::pair<std::string, std::string>> admin_env{{"HAMLET_PASSPHRASE", "mật khẩu của cán bộ"}};
  std::vector<std::pair<std::string, std::string>> cadre_env{{"HAMLET_PASSPHRASE", "cadre pass"}};
  CliResult zero = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url(), "--recent-days", "0"}, cadre_env);
  CHECK(zero.exit_code == 2);
  CHECK(zero.err.find("--recent-days") != std::string::npos);
  REQUIRE(RunCli({"--db", p.admin_db, "sync", "--hub", hub.url()}, admin_env).exit_code == 0);
  // Everything on the hub came today: all of it is recent, nothing is left.
  CliResult c =
      RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url(), "--recent-days", "7", "--recent-only"}, cadre_env);
  INFO(c.err);
  REQUIRE(c.exit_code == 0);
  CHECK(c.out.find("received 5 (5 new") != std::string::npos);
  CHECK(c.out.find("older records") == std::string::npos);
}

TEST_CASE("hamlet sync refuses clearly, with an exit status that says whether to retry", "[cli][sync]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Pair p = MakePair(dir, hub, 2);
  std::vector<std::pair<std::string, std::string>> cadre_env{{"HAMLET_PASSPHRASE", "cadre pass"}};

  SECTION("usage errors exit 2") {
    CliResult none = RunCli({"--db", p.cadre_db, "sync"}, cadre_env);
    CHECK(none.exit_code == 2);
    CHECK(none.err.find("--hub") != std::string::npos);
    CliResult ftp = RunCli({"--db", p.cadre_db, "sync", "--hub", "ftp://hub"}, cadre_env);
    CHECK(ftp.exit_code == 2);
    CHECK(CountLines(ftp.err) == 1);
    CliResult ws = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url(), "--workspace", "xyz"}, cadre_env);
    CHECK(ws.exit_code == 2);
    CliResult nodb = RunCli({"sync", "--hub", hub.url()}, cadre_env);
    CHECK(nodb.exit_code == 2);
    CHECK(nodb.err.find("HAMLET_DB") != std::string::npos);
    CliResult help = RunCli({"sync", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Exit status") != std::string::npos);
  }
  SECTION("a wrong passphrase or a missing replica") {
    CliResult wrong = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url()}, {{"HAMLET_PASSPHRASE", "nope"}});
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.err == "hamlet: wrong passphrase for " + p.cadre_db + "\n");
    CliResult missing = RunCli({"--db", dir.File("nothing.db"), "sync", "--hub", hub.url()}, cadre_env);
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("there is no replica") != std::string::npos);
    CHECK(!std::ifstream(dir.File("nothing.db")).good());
    CliResult no_pass = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url()});
    CHECK(no_pass.exit_code == 1);
    CHECK(no_pass.err.find("HAMLET_PASSPHRASE") != std::string::npos);
  }
  SECTION("a revoked device") {
    std::unique_ptr<Replica> admin;
    REQUIRE(Replica::OpenWithPassphrase(p.admin_db, "mật khẩu của cán bộ", OpenOptions(), &admin).ok());
    SyncOptions o;
    o.hub = hub.url();
    HubClient client(admin.get(), o);
    RevokeResult rr;
    REQUIRE(client.Revoke(p.ws, p.cadre, &rr).ok());
    CliResult r = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url()}, cadre_env);
    CHECK(r.exit_code == 1);
    CHECK(CountLines(r.err) == 1);
    CHECK(r.err.find("revoked") != std::string::npos);
    CHECK(r.err.find("can no longer sync") != std::string::npos);
  }
  SECTION("a hub that is down") {
    std::string url = hub.url();
    hub.Stop();
    CliResult r = RunCli({"--db", p.cadre_db, "sync", "--hub", url, "--give-up-after", "1"}, cadre_env);
    CHECK(r.exit_code == 75);
    CHECK(r.err.find("nothing is lost") != std::string::npos);
    // In words, not the HTTP library's name for the failure.
    CHECK(r.err.find("could not connect to the hub") != std::string::npos);
    CHECK(r.err.find("Connection") == std::string::npos);
  }
  SECTION("a workspace the hub does not have") {
    std::unique_ptr<Replica> cadre;
    REQUIRE(Replica::OpenWithPassphrase(p.cadre_db, "cadre pass", OpenOptions(), &cadre).ok());
    WorkspaceId own;
    REQUIRE(cadre->CreateWorkspace(&own).ok());
    cadre.reset();
    // Every workspace is synced: the one the hub has goes through, the
    // other is refused for good, and the exit status says so.
    CliResult several = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url()}, cadre_env);
    CHECK(several.exit_code == 1);
    CHECK(several.out.find("Synced 1 of 2 workspaces") != std::string::npos);
    CHECK(several.err.find("does not have this workspace") != std::string::npos);
    CliResult r = RunCli({"--db", p.cadre_db, "sync", "--hub", hub.url(), "--workspace", own.Hex()}, cadre_env);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("does not have this workspace") != std::string::npos);
  }
}

TEST_CASE("an officer holding several communes syncs them all with one hamlet sync", "[cli][sync]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Pair first = MakePair(dir, hub, 3);
  // The officer's second commune, with a cadre of its own, on the same hub.
  OpenOptions opt;
  opt.durable = false;
  WorkspaceId second;
  std::string other_cadre = dir.File("other.db");
  {
    std::unique_ptr<Replica> admin, cadre;
    REQUIRE(Replica::OpenWithPassphrase(first.admin_db, "mật khẩu của cán bộ", opt, &admin).ok());
    REQUIRE(Replica::OpenWithPassphrase(other_cadre, "other pass", opt, &cadre).ok());
    REQUIRE(admin->CreateWorkspace(&second).ok());
    std::string req, env;
    REQUIRE(cadre->JoinRequest(&req).ok());
    REQUIRE(admin->Admit(second, req, Role::kCadre, &env).ok());
    WorkspaceId joined;
    REQUIRE(cadre->Accept(env, admin->device_id(), &joined).ok());
    SyncOptions o;
    o.hub = hub.url();
    HubClient client(admin.get(), o);
    REQUIRE(client.Publish(second, hub.CreateToken()).ok());
    REQUIRE(client.RegisterDevice(second, cadre->device_id()).ok());
    for (int i = 0; i < 4; i++) {
      WriteBatch c;
      c.Insert("concerns", {{"summary", std::string("Phản ánh xã thứ hai ") + std::to_string(i)}});
      REQUIRE(cadre->Commit(second, c).ok());
    }
    HubClient cc(cadre.get(), o);
    SyncReport rep;
    REQUIRE(cc.Sync(second, &rep).ok());
  }
  CliResult cadre = RunCli({"--db", first.cadre_db, "sync", "--hub", hub.url()}, {{"HAMLET_PASSPHRASE", "cadre pass"}});
  REQUIRE(cadre.exit_code == 0);
  CliResult officer = RunCli({"--db", first.admin_db, "sync", "--hub", hub.url()},
                             {{"HAMLET_PASSPHRASE", "mật khẩu của cán bộ"}});
  INFO(officer.out << officer.err);
  REQUIRE(officer.exit_code == 0);
  // One summary for both, then a line for each.
  CHECK(officer.out.find("Synced 2 of 2 workspaces") != std::string::npos);
  CHECK(officer.out.find("received 7 (7 new") != std::string::npos);
  CHECK(officer.out.find(first.ws.Hex()) != std::string::npos);
  CHECK(officer.out.find(second.Hex()) != std::string::npos);
  REQUIRE(RunCli({"--db", first.cadre_db, "sync", "--hub", hub.url()}, {{"HAMLET_PASSPHRASE", "cadre pass"}}).exit_code ==
          0);
  CHECK(DigestOf(first.admin_db, "mật khẩu của cán bộ", first.ws) == DigestOf(first.cadre_db, "cadre pass", first.ws));
  CHECK(DigestOf(first.admin_db, "mật khẩu của cán bộ", second) == DigestOf(other_cadre, "other pass", second));
  // --workspace still syncs just one.
  CliResult one = RunCli({"--db", first.admin_db, "sync", "--hub", hub.url(), "--workspace", second.Hex()},
                         {{"HAMLET_PASSPHRASE", "mật khẩu của cán bộ"}});
  REQUIRE(one.exit_code == 0);
  CHECK(one.out.find("Synced workspace " + second.Hex()) != std::string::npos);
}
