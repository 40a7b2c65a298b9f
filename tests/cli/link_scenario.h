// A cadre's sync over a slow link, as the 2G tests and the link benchmark
// run it: a real hamlet-hub holding what other devices pushed, a cadre's
// replica file with its own unsent commits, and the real `hamlet sync`
// run through a LinkEmulator until it succeeds.
//
// The set-up goes straight to the hub on loopback; only the cadre's sync
// crosses the emulated link. Construct and use on one thread.
#ifndef HAMLET_TESTS_CLI_LINK_SCENARIO_H_
#define HAMLET_TESTS_CLI_LINK_SCENARIO_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hamlet/replica.h"
#include "hamlet/status.h"
#include "hub_process.h"
#include "link_emulator.h"

namespace hamlet::test {

struct ScenarioSize {
  int own = 0;            // Commits the cadre wrote offline and has not sent.
  int others = 0;         // Commits of other devices on the hub the cadre lacks.
  int other_devices = 5;  // Devices those came from.
  int synced_before = 0;  // Commits of others the cadre pulled in an earlier sync.
};

struct SyncOutcome {
  int runs = 0;             // Times `hamlet sync` was started.
  int exit_code = -1;       // Of the last run.
  std::vector<int> exits;   // Of every run.
  double seconds = 0;       // Wall time of all runs together.
  LinkCounts link;
  uint64_t requests = 0;    // Requests the hub answered during the runs.
  std::string out, err;     // What the last run printed.
};

class LinkScenario {
 public:
  // Builds everything under dir (which must exist). The commits' contents
  // follow seed, so two scenarios with the same size and seed move the same
  // number of bytes.
  LinkScenario(const std::string& dir, ScenarioSize size, uint64_t seed);
  ~LinkScenario();

  // Runs `hamlet sync --hub LINK extra_args...` (the binary at hamlet) through
  // a LinkEmulator with profile, again after each failure, until it exits 0
  // or max_runs runs were made. interrupt, when given, is asked of what each
  // run printed to stderr so far; when it says so, the run gets SIGINT.
  SyncOutcome Sync(const LinkProfile& profile, const std::string& hamlet, const std::vector<std::string>& extra_args,
                   int max_runs, const std::function<bool(const std::string&)>& interrupt = nullptr);

  // OK when the cadre holds every commit of every device, and the hub every
  // commit of the cadre; otherwise says what is missing.
  Status Verify();

  // The environment a hamlet command for the cadre needs.
  std::vector<std::pair<std::string, std::string>> CadreEnv() const;
  const std::string& db() const { return db_; }
  // The hub's address as the cadre knows it: the link's.
  std::string LinkUrl() const { return "http://127.0.0.1:" + std::to_string(link_port_); }
  const WorkspaceId& workspace() const { return ws_; }
  HubProcess& hub() { return *hub_; }
  // Requests the hub has answered so far (from its metrics).
  uint64_t HubRequests();

 private:
  std::string dir_, db_, passphrase_, operator_token_;
  int link_port_ = 0;  // The hub's address as the cadre knows it.
  ScenarioSize size_;
  std::unique_ptr<HubProcess> hub_;
  WorkspaceId ws_;
  DeviceId cadre_;
  std::vector<std::pair<DeviceId, uint64_t>> expected_;  // Chains and their lengths.
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_CLI_LINK_SCENARIO_H_
