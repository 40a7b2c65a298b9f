// hamlet search, hamlet conflicts and hamlet conflicts settle.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_workspace.h"

using namespace hamlet::test;
using nlohmann::json;

namespace {

std::string Recorded(const CliResult& r) {
  size_t at = r.out.find("Recorded ");
  REQUIRE(at != std::string::npos);
  size_t id = r.out.find(' ', at + 9) + 1;
  return r.out.substr(id, 32);
}

}  // namespace

TEST_CASE("hamlet search finds words across every kind of record", "[cli][search]") {
  TempDir dir;
  CliEnv u{{"HAMLET_DB", dir.File("r.db")}, {"HAMLET_PASSPHRASE", "mật khẩu thử"}};
  MustRun({"init"}, u);
  MustRun({"workspace", "create"}, u);
  std::string concern = Recorded(MustRun({"concern", "add", "--kind", "complaint", "--category", "land", "--summary",
                                          "Tranh chấp đất đai ở Thôn 3"},
                                         u));
  MustRun({"dialogue", "add", "--date", "02/11/2026", "--hamlet", "Thôn 3", "--topics", "Đất đai, đường làng"}, u);
  MustRun({"model", "add", "--name", "Dân vận khéo: hiến đất làm đường", "--year", "2026"}, u);
  MustRun({"model", "add", "--name", "Nuôi cá lồng"}, u);
  MustRun({"concern", "followup", concern.substr(0, 8), "--note", "Đã đo lại đất đai cùng hai hộ"}, u);

  CliResult found = MustRun({"search", "dat", "dai"}, u);
  CHECK(found.out.find("3 of 3 found.") != std::string::npos);  // Not the model: no "đai".
  CHECK(found.out.find("model") == std::string::npos);
  CHECK(found.out.find("concern") != std::string::npos);
  CHECK(found.out.find("dialogue") != std::string::npos);
  CHECK(found.out.find("follow-up") != std::string::npos);
  CHECK(found.out.find("on concern " + concern.substr(0, 8)) != std::string::npos);
  CHECK(found.out.find("Nuôi cá") == std::string::npos);
  CliResult exact = MustRun({"search", "hiến", "đất", "--json"}, u);
  json j = json::parse(exact.out);
  CHECK(j["total"] == 1);
  CHECK(j["records"][0]["fields"]["name"] == "Dân vận khéo: hiến đất làm đường");
  CHECK(MustRun({"search", "đất", "--limit", "2"}, u).out.find("2 of 4 found.") != std::string::npos);
  CHECK(MustRun({"search", "không có gì"}, u).out == "0 of 0 found.\n");
  CHECK(RunCli({"search"}, u).exit_code == 2);
  CHECK(RunCli({"search", "  "}, u).exit_code == 2);
}

TEST_CASE("concurrent edits are listed as conflicts and settled once for everyone", "[cli][conflicts]") {
  CliWorkspace w(1);
  const CliEnv& cadre = w.cadres[0];
  std::string id = Recorded(MustRun({"concern", "add", "--kind", "request", "--category", "infrastructure",
                                     "--summary", "Cầu tràn hư hỏng"},
                                    cadre));
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, w.officer);
  CHECK(MustRun({"conflicts"}, w.officer).out.find("No conflicts") == 0);

  // Both edit the same fields while apart.
  MustRun({"concern", "edit", id.substr(0, 8), "--assigned-to", "Ông Sáu", "--due", "30/11/2026"}, cadre);
  MustRun({"concern", "edit", id.substr(0, 8), "--assigned-to", "Bà Tư", "--due", "15/12/2026"}, w.officer);
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, w.officer);
  MustRun({"sync"}, cadre);

  for (const CliEnv* u : std::vector<const CliEnv*>{&cadre, &w.officer}) {
    CliResult listed = MustRun({"conflicts"}, *u);
    INFO(listed.out);
    CHECK(listed.out.find("concern " + id.substr(0, 8) + ", assigned to (assigned_to):") != std::string::npos);
    CHECK(listed.out.find("Ông Sáu") != std::string::npos);
    CHECK(listed.out.find("Bà Tư") != std::string::npos);
    CHECK(listed.out.find("2 fields with concurrent values") != std::string::npos);
  }
  json j = json::parse(MustRun({"conflicts", "--json"}, w.officer).out);
  REQUIRE(j["conflicts"].size() == 2);
  const json& assigned = j["conflicts"][0]["field"] == "assigned_to" ? j["conflicts"][0] : j["conflicts"][1];
  REQUIRE(assigned["values"].size() == 2);
  std::string second = assigned["values"][1];

  // Bad settles change nothing.
  CHECK(RunCli({"conflicts", "settle", id, "assigned_to"}, w.officer).exit_code == 2);
  CHECK(RunCli({"conflicts", "settle", id, "assigned_to", "--pick", "3"}, w.officer).exit_code == 2);
  CHECK(RunCli({"conflicts", "settle", id, "summary", "--pick", "1"}, w.officer).exit_code == 1);
  CHECK(RunCli({"conflicts", "settle", id, "due", "--value", "31/02/2026"}, w.officer).exit_code == 2);
  CHECK(RunCli({"conflicts", "settle", "abc", "due", "--pick", "1"}, w.officer).exit_code == 2);

  CliResult picked = MustRun({"conflicts", "settle", id.substr(0, 8), "assigned_to", "--pick", "2"}, w.officer);
  CHECK(picked.out.find(": " + second) != std::string::npos);
  MustRun({"conflicts", "settle", id.substr(0, 8), "due", "--value", "20/12/2026"}, w.officer);
  CHECK(MustRun({"conflicts"}, w.officer).out.find("No conflicts") == 0);
  MustRun({"sync"}, w.officer);
  MustRun({"sync"}, cadre);
  CHECK(MustRun({"conflicts"}, cadre).out.find("No conflicts") == 0);
  CliResult shown = MustRun({"concern", "show", id}, cadre);
  CHECK(ValueAfter(shown.out, "  assigned to") == second);
  CHECK(ValueAfter(shown.out, "  due") == "20/12/2026");
}
