#include "cli_workspace.h"

#include <catch2/catch.hpp>

namespace hamlet::test {

CliResult MustRun(const std::vector<std::string>& args, const CliEnv& user) {
  CliResult r = RunCli(args, user);
  std::string command;
  for (const std::string& a : args) command += a + " ";
  INFO("hamlet " << command << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

std::string CliWorkspace::DbOf(const CliEnv& user) {
  for (const auto& [name, value] : user) {
    if (name == "HAMLET_DB") return value;
  }
  return "";
}

CliWorkspace::CliWorkspace(int n_cadres, const std::string& name) : hub(dir.File("hub")) {
  officer = {{"HAMLET_DB", dir.File("officer.db")}, {"HAMLET_PASSPHRASE", "cán bộ xã"}};
  MustRun({"init"}, officer);
  CliResult created = MustRun({"workspace", "create", "--name", name}, officer);
  ws = created.out.substr(std::string("Created workspace ").size(), 32);
  MustRun({"workspace", "publish", "--hub", hub.url(), "--token", hub.CreateToken()}, officer);
  for (int i = 0; i < n_cadres; i++) {
    CliEnv cadre{{"HAMLET_DB", dir.File("cadre" + std::to_string(i + 1) + ".db")},
                 {"HAMLET_PASSPHRASE", "mật khẩu thôn " + std::to_string(i + 1)}};
    MustRun({"init"}, cadre);
    CliResult invite = MustRun({"invite", "--role", "cadre"}, officer);
    std::string code = invite.out.substr(invite.out.find("hamlet2:"));
    code = code.substr(0, code.find('\n'));
    CliResult asked = RunCli({"join", code, "--hub", hub.url()}, cadre);
    REQUIRE(asked.exit_code == 75);
    cadres.push_back(cadre);
  }
  MustRun({"sync"}, officer);
  for (const CliEnv& cadre : cadres) {
    MustRun({"join"}, cadre);
    MustRun({"sync"}, cadre);
  }
}

}  // namespace hamlet::test
