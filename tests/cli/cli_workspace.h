// A workspace set up with the hamlet command line, as a district would: a
// hub, an officer's replica that created and published the workspace, and
// cadres who joined it by invite code, everyone synced once.
#ifndef HAMLET_TESTS_CLI_CLI_WORKSPACE_H_
#define HAMLET_TESTS_CLI_CLI_WORKSPACE_H_

#include <string>
#include <utility>
#include <vector>

#include "helpers.h"
#include "hub_process.h"
#include "run_cli.h"

namespace hamlet::test {

// Environment variables for one user of the command line (HAMLET_DB, ...).
using CliEnv = std::vector<std::pair<std::string, std::string>>;

class CliWorkspace {
 public:
  // Uses Catch2 assertions: construct on the test's own thread.
  explicit CliWorkspace(int n_cadres, const std::string& name = "Xã An Bình");

  TempDir dir;
  HubProcess hub;
  CliEnv officer;
  std::vector<CliEnv> cadres;
  std::string ws;  // The workspace id, 32 hex digits.

  // The path of the replica file a user's environment names.
  static std::string DbOf(const CliEnv& user);
};

// Runs hamlet as user and requires exit status 0, showing stderr otherwise.
CliResult MustRun(const std::vector<std::string>& args, const CliEnv& user);


}  // namespace hamlet::test

#endif  // HAMLET_TESTS_CLI_CLI_WORKSPACE_H_
