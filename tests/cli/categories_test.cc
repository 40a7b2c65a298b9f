// hamlet categories: a workspace's own list of concern categories, changed by
// officers, used by every member after a sync.
#include <catch2/catch.hpp>

#include "cli_workspace.h"

using namespace hamlet::test;

TEST_CASE("officers configure the concern categories of their workspace", "[cli][categories]") {
  CliWorkspace w(1);
  const CliEnv& cadre = w.cadres[0];
  CliResult defaults = MustRun({"categories"}, cadre);
  CHECK(defaults.out == "land\ninfrastructure\nsocial_policy\nenvironment\npublic_order\nother\n");

  // Only officers change the list.
  CliResult denied = RunCli({"categories", "add", "Thủy lợi"}, cadre);
  CHECK(denied.exit_code == 1);
  CHECK(denied.err.find("only officers") != std::string::npos);
  CHECK(RunCli({"categories", "add", "a,b"}, w.officer).exit_code == 2);
  CHECK(RunCli({"categories", "add", ""}, w.officer).exit_code == 2);
  CHECK(RunCli({"categories", "retire", "fisheries"}, w.officer).exit_code == 1);

  // The cadre records under the old list until it syncs.
  CHECK(RunCli({"concern", "add", "--kind", "request", "--category", "environment", "--summary", "Rác thải"}, cadre)
            .exit_code == 0);
  MustRun({"categories", "add", "Thủy lợi"}, w.officer);
  CHECK(MustRun({"categories", "add", "Thủy lợi"}, w.officer).out.find("already") != std::string::npos);
  MustRun({"categories", "retire", "environment"}, w.officer);
  CliResult early = RunCli({"concern", "add", "--kind", "request", "--category", "Thủy lợi", "--summary", "x"}, cadre);
  CHECK(early.exit_code == 2);
  CHECK(early.err.find("not 'Thủy lợi'") != std::string::npos);

  MustRun({"sync"}, w.officer);
  MustRun({"sync"}, cadre);
  CliResult listed = MustRun({"categories", "--json"}, cadre);
  CHECK(listed.out ==
        "{\"current\":[\"land\",\"infrastructure\",\"social_policy\",\"public_order\",\"other\",\"Thủy lợi\"],"
        "\"retired\":[\"environment\"]}\n");
  MustRun({"concern", "add", "--kind", "request", "--category", "Thủy lợi", "--summary", "Kênh mương bị bồi lấp"},
          cadre);
  CliResult retired = RunCli({"concern", "add", "--kind", "request", "--category", "environment", "--summary", "y"},
                             cadre);
  CHECK(retired.exit_code == 2);
  CHECK(retired.err.find("(retired)") != std::string::npos);
  // Older concerns keep a retired category and can still be found by it.
  CHECK(MustRun({"concern", "list", "--category", "environment"}, cadre).out.find("1 of 1") != std::string::npos);
  CHECK(MustRun({"concern", "list", "--category", "Thủy lợi"}, cadre).out.find("1 of 1") != std::string::npos);
  CHECK(RunCli({"concern", "list", "--category", "nonsense"}, cadre).exit_code == 2);

  // Retired, then added back: the latest change wins on every device.
  MustRun({"categories", "add", "environment"}, w.officer);
  MustRun({"sync"}, w.officer);
  MustRun({"sync"}, cadre);
  CHECK(MustRun({"categories"}, cadre).out.find("environment (retired)") == std::string::npos);
}
