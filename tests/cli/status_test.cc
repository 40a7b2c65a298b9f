// hamlet status: undelivered commits, last sync, devices heard from.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_workspace.h"

using namespace hamlet::test;
using nlohmann::json;

TEST_CASE("hamlet status says what has not reached the hub and whom it has heard from", "[cli][status]") {
  CliWorkspace w(2);
  const CliEnv& cadre = w.cadres[0];
  CliResult fresh = MustRun({"status"}, cadre);
  INFO(fresh.out);
  CHECK(fresh.out.find("Workspace " + w.ws + ": Xã An Bình") == 0);
  CHECK(ValueAfter(fresh.out, "Hub") == w.hub.url());
  CHECK(fresh.out.find("nothing written on this device yet") != std::string::npos);
  // The officer (its name record); the other cadre is not known here yet.
  CHECK(ValueAfter(fresh.out, "Heard from") == "1 of the 1 other devices of the workspace");

  MustRun({"concern", "add", "--kind", "request", "--category", "other", "--summary", "Một"}, cadre);
  MustRun({"concern", "add", "--kind", "request", "--category", "other", "--summary", "Hai"}, cadre);
  w.hub.Stop();  // Offline: status still answers, from what the replica knows.
  CliResult pending = MustRun({"status"}, cadre);
  INFO(pending.out);
  CHECK(pending.out.find("2 of 2 commits written on this device are NOT yet at the hub") != std::string::npos);
  json j = json::parse(MustRun({"status", "--json"}, cadre).out);
  CHECK(j["not_delivered"] == 2);
  CHECK(j["written_here"] == 2);
  CHECK(j["workspace"] == w.ws);
  CHECK(!j["last_sync"].is_null());
  CHECK(RunCli({"sync", "--give-up-after", "1"}, cadre).exit_code == 75);
  CHECK(MustRun({"status", "--json"}, cadre).out.find("\"not_delivered\": 2") != std::string::npos);
  CHECK(RunCli({"status", "--workspace", std::string(32, '0')}, cadre).exit_code != 0);
}

TEST_CASE("hamlet status after a sync", "[cli][status]") {
  CliWorkspace w(1);
  const CliEnv& cadre = w.cadres[0];
  MustRun({"concern", "add", "--kind", "request", "--category", "other", "--summary", "Ba"}, cadre);
  MustRun({"sync"}, cadre);
  CHECK(MustRun({"status"}, cadre).out.find("all 1 commits written on this device are at the hub") !=
        std::string::npos);
  MustRun({"sync"}, w.officer);
  CliResult officer = MustRun({"status"}, w.officer);
  CHECK(ValueAfter(officer.out, "Heard from") == "1 of the 1 other devices of the workspace");
  CHECK(officer.out.find("Cursor (for hamlet bundle export --since): ") != std::string::npos);
}
