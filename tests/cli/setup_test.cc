// Setting up with the hamlet command line, as an officer and a cadre would:
// init, workspace create and publish, invite, join, sync, devices, revoke.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "helpers.h"
#include "hub_process.h"
#include "run_cli.h"

using namespace hamlet::test;

namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

// The text of the last line of s.
std::string LastLine(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

}  // namespace

TEST_CASE("an officer and a cadre set up a workspace with the command line", "[cli][setup]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  std::string officer_db = dir.File("officer.db"), cadre_db = dir.File("cadre.db");
  Env officer{{"HAMLET_DB", officer_db}, {"HAMLET_PASSPHRASE", "cán bộ xã An Bình"}};
  Env cadre{{"HAMLET_DB", cadre_db}, {"HAMLET_PASSPHRASE", "mật khẩu thôn 3"}};

  CliResult init = RunCli({"init"}, officer);
  REQUIRE(init.exit_code == 0);
  CHECK(init.out.find("Created " + officer_db) == 0);
  CliResult again = RunCli({"init"}, officer);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already a file") != std::string::npos);

  CliResult ws = RunCli({"workspace", "create", "--name", "Xã An Bình"}, officer);
  REQUIRE(ws.exit_code == 0);
  std::string ws_id = ws.out.substr(std::string("Created workspace ").size(), 32);
  CHECK(ws.out.find("for Xã An Bình") != std::string::npos);

  CliResult bad_token = RunCli({"workspace", "publish", "--hub", hub.url(), "--token", "nope"}, officer);
  CHECK(bad_token.exit_code == 1);
  CHECK(bad_token.err.find("token") != std::string::npos);
  CliResult pub = RunCli({"workspace", "publish", "--hub", hub.url(), "--token", hub.CreateToken()}, officer);
  REQUIRE(pub.exit_code == 0);

  CliResult inv = RunCli({"invite", "--role", "cadre"}, officer);
  REQUIRE(inv.exit_code == 0);
  std::string code = LastLine(inv.out);
  CHECK(!code.empty());
  CHECK(RunCli({"invite", "--role", "mayor"}, officer).exit_code == 2);

  // The cadre asks to join; the officer's next sync admits it.
  REQUIRE(RunCli({"init"}, cadre).exit_code == 0);
  CliResult asked = RunCli({"join", code, "--hub", hub.url()}, cadre);
  CHECK(asked.exit_code == 75);
  CHECK(asked.err.find("next sync") != std::string::npos);
  CliResult admit = RunCli({"sync"}, officer);
  REQUIRE(admit.exit_code == 0);
  CHECK(admit.out.find("Admitted 1 new device") != std::string::npos);
  CliResult joined = RunCli({"join"}, cadre);
  INFO(joined.err);
  REQUIRE(joined.exit_code == 0);
  CHECK(joined.out.find("Joined workspace " + ws_id) == 0);
  // The hub and workspace are remembered: a bare sync works.
  CliResult sync = RunCli({"sync"}, cadre);
  INFO(sync.err);
  REQUIRE(sync.exit_code == 0);
  CHECK(sync.out.find("received 1 (1 new") != std::string::npos);  // The workspace's name.

  // A receipt written on the cadre's phone checks out on the officer's laptop.
  CliResult concern = RunCli({"concern", "add", "--kind", "request", "--category", "infrastructure", "--summary",
                              "Đèn đường hỏng", "--hamlet", "Thôn 3"},
                             cadre);
  REQUIRE(concern.exit_code == 0);
  size_t t = concern.out.find("Ticket:");
  size_t v = concern.out.find("Verification code:");
  REQUIRE(t != std::string::npos);
  REQUIRE(v != std::string::npos);
  std::string ticket = concern.out.substr(t + 7, concern.out.find('\n', t) - t - 7);
  std::string receipt_code = concern.out.substr(v + 18, concern.out.find('\n', v) - v - 18);
  ticket.erase(0, ticket.find_first_not_of(' '));
  receipt_code.erase(0, receipt_code.find_first_not_of(' '));
  REQUIRE(RunCli({"sync"}, cadre).exit_code == 0);
  REQUIRE(RunCli({"sync"}, officer).exit_code == 0);
  CliResult verified = RunCli({"receipt", "verify", ticket, receipt_code}, officer);
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("genuine") != std::string::npos);

  CliResult devices = RunCli({"devices"}, cadre);
  REQUIRE(devices.exit_code == 0);
  CHECK(devices.out.find("admin") != std::string::npos);
  CHECK(devices.out.find("<- this device") != std::string::npos);
  CHECK(devices.out.find("last synced") != std::string::npos);
  CliResult as_json = RunCli({"devices", "--json"}, officer);
  REQUIRE(as_json.exit_code == 0);
  CHECK(as_json.out.find("\"role\": \"cadre\"") != std::string::npos);
  size_t at = as_json.out.find("\"role\": \"cadre\"");
  size_t id_at = as_json.out.rfind("\"device\": \"", at);
  REQUIRE(id_at != std::string::npos);
  std::string cadre_id = as_json.out.substr(id_at + 11, 32);

  CHECK(RunCli({"devices", "revoke", "zz"}, officer).exit_code == 2);
  CliResult revoke = RunCli({"devices", "revoke", cadre_id.substr(0, 8)}, officer);
  INFO(revoke.err);
  REQUIRE(revoke.exit_code == 0);
  CHECK(revoke.out.find("Revoked " + cadre_id) == 0);
  CliResult refused = RunCli({"sync"}, cadre);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("revoked") != std::string::npos);
  CliResult listed = RunCli({"devices"}, officer);
  CHECK(listed.out.find("revoked") != std::string::npos);
}
