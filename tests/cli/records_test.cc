// hamlet dialogue|concern|model add|list|show|edit, run as a user runs them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "helpers.h"
#include "run_cli.h"

using namespace hamlet::test;
using nlohmann::json;

namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

std::string IdOf(const CliResult& r) {
  json j = json::parse(r.out, nullptr, false);
  REQUIRE(!j.is_discarded());
  return j["id"].get<std::string>();
}

}  // namespace

TEST_CASE("records are added, listed, filtered, shown and edited", "[cli][records]") {
  TempDir dir;
  Env env{{"HAMLET_DB", dir.File("r.db")}, {"HAMLET_PASSPHRASE", "mật khẩu thử"}};
  REQUIRE(RunCli({"init"}, env).exit_code == 0);
  REQUIRE(RunCli({"workspace", "create"}, env).exit_code == 0);

  const std::string summary = "Tranh chấp đất đai giữa hai hộ ở Thôn 3 — “ranh giới” ½";
  CliResult d = RunCli({"dialogue", "add", "--date", "03/11/2026", "--hamlet", "Thôn 3", "--attendees", "42",
                        "--kind", "voter_contact", "--json"},
                       env);
  REQUIRE(d.exit_code == 0);
  std::string dialogue = IdOf(d);
  CliResult c1 = RunCli({"concern", "add", "--kind", "complaint", "--category", "land", "--summary", summary,
                         "--hamlet", "Thôn 3", "--due", "2020-01-31", "--dialogue", dialogue, "--json"},
                        env);
  REQUIRE(c1.exit_code == 0);
  std::string land = IdOf(c1);
  CliResult c2 = RunCli({"concern", "add", "--kind", "request", "--category", "infrastructure", "--summary",
                         "Sửa cầu tràn", "--received", "05/11/2026", "--hamlet", "Thôn 1", "--json"},
                        env);
  REQUIRE(c2.exit_code == 0);
  std::string bridge = IdOf(c2);

  // Each concern comes with a receipt whose code checks out, and only its own.
  json receipt = json::parse(c1.out)["receipt"];
  std::string ticket = receipt["ticket"], code = receipt["code"];
  CHECK(json::parse(c2.out)["receipt"]["ticket"] != ticket);
  CliResult genuine = RunCli({"receipt", "verify", ticket, code}, env);
  CHECK(genuine.exit_code == 0);
  CHECK(genuine.out.find("is genuine: concern " + land) != std::string::npos);
  CliResult as_json = RunCli({"receipt", "verify", ticket, code, "--json"}, env);
  REQUIRE(as_json.exit_code == 0);
  json checked = json::parse(as_json.out);
  CHECK(checked["genuine"] == true);
  CHECK(checked["concern"] == land);
  CHECK(checked["status"] == "received");
  std::string forged = code;
  forged[0] = forged[0] == '9' ? '0' : static_cast<char>(forged[0] + 1);
  CliResult bad = RunCli({"receipt", "verify", ticket, forged}, env);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("not genuine") != std::string::npos);
  CHECK(RunCli({"receipt", "verify", json::parse(c2.out)["receipt"]["ticket"], code}, env).exit_code == 1);
  CHECK(RunCli({"receipt", "verify", "FFFFFF-99", code}, env).exit_code == 1);
  // The receipt binds what was received: once the summary is changed, the
  // receipt still checks out and says so.
  json r2 = json::parse(c2.out)["receipt"];
  REQUIRE(RunCli({"concern", "edit", bridge, "--summary", "Sửa cầu tràn thôn 1"}, env).exit_code == 0);
  CliResult after_edit = RunCli({"receipt", "verify", r2["ticket"], r2["code"], "--json"}, env);
  REQUIRE(after_edit.exit_code == 0);
  CHECK(json::parse(after_edit.out)["changed_since_received"] == true);
  CHECK(json::parse(RunCli({"receipt", "verify", ticket, code, "--json"}, env).out)["changed_since_received"] ==
        false);

  // Vietnamese text comes back byte for byte.
  CliResult shown = RunCli({"concern", "show", land, "--json"}, env);
  REQUIRE(shown.exit_code == 0);
  json rec = json::parse(shown.out);
  CHECK(rec["fields"]["summary"] == summary);
  CHECK(rec["fields"]["status"] == "received");  // The default.
  CHECK(rec["fields"]["dialogue"] == dialogue);

  // Filters, search without accents, date range and overdue.
  auto count = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"concern", "list"});
    args.push_back("--json");
    CliResult r = RunCli(args, env);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out)["total"].get<size_t>();
  };
  CHECK(count({}) == 2);
  CHECK(count({"--kind", "complaint"}) == 1);
  CHECK(count({"--hamlet", "Thôn 1"}) == 1);
  CHECK(count({"--search", "tranh chap dat dai"}) == 1);
  // Search looks in what people wrote; kinds, categories and statuses are
  // found by their filters (the index keeps only their exact values).
  CHECK(count({"--search", "complaint"}) == 0);
  CHECK(count({"--search", "infrastructure"}) == 0);
  CHECK(count({"--search", "thon 1"}) == 1);
  CHECK(count({"--from", "01/11/2026", "--to", "05/11/2026"}) == 1);
  CHECK(count({"--from", "06/11/2026", "--to", "06/11/2026"}) == 0);
  // Both are late: the complaint by its date set by hand, the request by the
  // law's 15 days from 05/11/2026.
  CHECK(count({"--overdue"}) == 2);

  // Edit by an id prefix; the change shows and the table lists it.
  CliResult edit = RunCli({"concern", "edit", land.substr(0, 8), "--status", "resolved", "--resolution", "Hòa giải xong"}, env);
  REQUIRE(edit.exit_code == 0);
  CHECK(count({"--status", "resolved"}) == 1);
  CHECK(count({"--overdue"}) == 1);  // Resolved is no longer open.
  CliResult table = RunCli({"concern", "show", land.substr(0, 8)}, env);
  CHECK(ValueAfter(table.out, "  resolution") == "Hòa giải xong");
  CliResult listing = RunCli({"concern", "list"}, env);
  CHECK(listing.out.find(bridge.substr(0, 8)) != std::string::npos);
  CHECK(listing.out.find("2 of 2 concerns.") != std::string::npos);

  CliResult dialogues = RunCli({"dialogue", "list", "--kind", "voter_contact", "--json"}, env);
  REQUIRE(dialogues.exit_code == 0);
  CHECK(json::parse(dialogues.out)["records"][0]["fields"]["attendees"] == 42);
  CHECK(RunCli({"model", "add", "--name", "Dân vận khéo: đường hoa", "--year", "2026", "--status", "new"}, env).exit_code == 0);

  SECTION("a concern is assigned, followed up and resolved") {
    REQUIRE(RunCli({"concern", "assign", bridge.substr(0, 8), "--to", "Ông Nam"}, env).exit_code == 0);
    CHECK(count({"--status", "in_progress"}) == 1);
    REQUIRE(RunCli({"concern", "followup", bridge, "--note", "Đã khảo sát", "--date", "10/11/2026"}, env).exit_code == 0);
    REQUIRE(RunCli({"concern", "followup", bridge, "--note", "Đã có kinh phí", "--date", "12/11/2026"}, env).exit_code == 0);
    REQUIRE(RunCli({"concern", "resolve", bridge, "--resolution", "Đã sửa xong", "--date", "20/11/2026"}, env).exit_code == 0);
    CliResult shown_bridge = RunCli({"concern", "show", bridge}, env);
    CHECK(ValueAfter(shown_bridge.out, "  resolved on") == "20/11/2026");
    CHECK(ValueAfter(shown_bridge.out, "  follow-up 10/11/2026") == "Đã khảo sát");
    CHECK(ValueAfter(shown_bridge.out, "  follow-up 12/11/2026") == "Đã có kinh phí");
    size_t first = shown_bridge.out.find("follow-up 10/11/2026:");
    size_t second = shown_bridge.out.find("follow-up 12/11/2026:");
    CHECK(first != std::string::npos);
    CHECK(second != std::string::npos);
    CHECK(first < second);
    CHECK(count({"--status", "resolved"}) == 2);
    REQUIRE(RunCli({"concern", "transfer", land, "--to", "Phòng Tài nguyên"}, env).exit_code == 0);
    CHECK(count({"--status", "transferred"}) == 1);
    CliResult no_reason = RunCli({"concern", "reject", land}, env);
    CHECK(no_reason.exit_code == 2);
    CHECK(no_reason.err.rfind("hamlet: ", 0) == 0);
    CHECK(std::count(no_reason.err.begin(), no_reason.err.end(), '\n') == 1);
  }

  SECTION("bad input: one line, exit 2, nothing written") {
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {"concern", "add", "--kind", "rumour", "--category", "land", "--summary", "x"},
             {"concern", "add", "--category", "land", "--summary", "x"},
             {"concern", "add", "--kind", "request", "--category", "land", "--summary", "x", "--due", "31/02/2026"},
             {"dialogue", "add", "--date", "3/11/2026", "--hamlet", "X", "--attendees", "many"},
             {"concern", "edit", land},
             {"concern", "show", "abc"},
             {"concern", "list", "--from", "yesterday"}}) {
      CliResult r = RunCli(args, env);
      INFO(args[0] << " " << args[1] << ": " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK(count({}) == 2);
    CliResult missing = RunCli({"concern", "show", "0123456789abcdef0123456789abcdef"}, env);
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("no concern") != std::string::npos);
  }
}
