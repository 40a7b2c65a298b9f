// hamlet categories: a workspace's own list of concern categories, changed by
// officers, used by every member after a sync.
#include <catch2/catch.hpp>

#include "cli_workspace.h"

using namespace hamlet::test;

namespace {

// The line of a table that starts with its first column's value, or "".
std::string RowOf(const std::string& out, const std::string& first) {
  for (size_t at = 0; at < out.size();) {
    size_t end = out.find('\n', at);
    std::string line = out.substr(at, end - at);
    if (line.rfind(first + " ", 0) == 0) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

bool EndsWith(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

}  // namespace

TEST_CASE("officers configure the concern categories of their workspace", "[cli][categories]") {
  CliWorkspace w(1);
  const CliEnv& cadre = w.cadres[0];
  CliResult defaults = MustRun({"categories"}, cadre);
  CHECK(defaults.out ==
        "CATEGORY        READS AS\n"
        "land            land\n"
        "infrastructure  infrastructure\n"
        "social_policy   social policy\n"
        "environment     environment\n"
        "public_order    public order\n"
        "other           other\n");
  // In Vietnamese the names to type stay as they are; what they read as is translated.
  CliEnv cadre_vi = cadre;
  cadre_vi.push_back({"HAMLET_LANG", "vi"});
  CliResult vi = MustRun({"categories"}, cadre_vi);
  CHECK(vi.out.find("social_policy   chính sách xã hội\n") != std::string::npos);

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
  CHECK(EndsWith(RowOf(MustRun({"categories"}, cadre).out, "environment"), "environment     (retired)"));
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
  std::string back = RowOf(MustRun({"categories"}, cadre).out, "environment");
  CHECK(back == "environment     environment");
}
