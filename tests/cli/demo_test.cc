// The demo story end to end (scripts/demo-story.sh, README's first command),
// with every figure of its report checked against a count by hand of what
// the story records, the sealed reporter looked for in every file, and the
// resident's receipt checked.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_workspace.h"

using namespace hamlet::test;
using nlohmann::json;

namespace {

std::string DaysAgo(int n) {
  auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) - std::chrono::days(n);
  std::chrono::year_month_day ymd{day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                static_cast<int>(ymd.year()));
  return buf;
}

// The files under dir whose names start with prefix that hold needle.
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& prefix, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// text with every run of spaces made one space, so that a check does not
// depend on how wide a table's columns came out.
std::string Squeezed(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch != ' ' || out.empty() || out.back() != ' ') out += ch;
  }
  return out;
}

}  // namespace

TEST_CASE("the demo story runs end to end and its report is right", "[cli][demo]") {
  TempDir dir;
  CliResult story = RunProgram("/bin/bash", {HAMLET_DEMO_STORY, "--build", HAMLET_BUILD_DIR, "--dir", dir.path()}, {});
  INFO(story.out.substr(story.out.size() > 6000 ? story.out.size() - 6000 : 0) << "\nstderr: " << story.err);
  REQUIRE(story.exit_code == 0);
  CliEnv officer{{"HAMLET_DB", dir.File("officer.db")}, {"HAMLET_PASSPHRASE", "demo passphrase of officer"}};
  CliEnv cadre2{{"HAMLET_DB", dir.File("cadre2.db")}, {"HAMLET_PASSPHRASE", "demo passphrase of cadre2"}};

  // The story's own checks, as it printed them.
  CHECK(story.out.find("Admitted 3 new devices") != std::string::npos);
  CHECK(story.out.find("is genuine: concern") != std::string::npos);
  CHECK(story.out.find("[hub]   Imported") != std::string::npos);
  const std::string said = Squeezed(story.out);
  CHECK(said.find("[cadre2] reporter: (sealed: only the officers can read it)\n") != std::string::npos);
  CHECK(said.find("[officer] reporter: Nguyễn Văn Bình\n") != std::string::npos);
  CHECK(said.find("Citizens received (attendees) 25 60 57 142\n") != std::string::npos);

  // Every figure, counted by hand from the story: dialogues of 42 and 15
  // people in Thôn Đông, 60 in Thôn Tây, 25 in Thôn Nam; six concerns, two in
  // each hamlet; the Thôn Tây request resolved after 4 days and the Thôn Nam
  // one after 2; the denunciation transferred; the Thôn Đông road request
  // past its due date; one new model and one maintained. The denunciation
  // came by letter and is not the commune's; both complaints are, neither
  // resolved yet; both requests were resolved within the law's 15 days.
  json report = json::parse(
      MustRun({"report", "--from", DaysAgo(6), "--to", DaysAgo(0), "--by", "hamlet", "--format", "json"}, officer).out);
  json total = {{"dialogues", 4},
                {"citizens_received", 142},
                {"concerns", 6},
                {"requests", 3},
                {"complaints", 2},
                {"denunciations", 1},
                {"letters", 1},
                {"resolved", 2},
                {"resolved_requests", 2},
                {"resolved_complaints", 0},
                {"resolved_denunciations", 0},
                {"resolved_on_time", 2},
                {"resolved_late", 0},
                {"within_jurisdiction", 2},
                {"resolved_within_jurisdiction", 0},
                {"transferred", 1},
                {"rejected", 0},
                {"overdue", 1},
                {"median_days_to_resolve", 3},
                {"models_new", 1},
                {"models_maintained", 1}};
  CHECK(report["total"] == total);
  auto hamlet = [](const char* name, int dialogues, int citizens, int requests, int complaints, int denunciations,
                   int letters, int resolved, int transferred, int overdue, json median) {
    return json{{"group", name},
                {"dialogues", dialogues},
                {"citizens_received", citizens},
                {"concerns", requests + complaints + denunciations},
                {"requests", requests},
                {"complaints", complaints},
                {"denunciations", denunciations},
                {"letters", letters},
                {"resolved", resolved},
                {"resolved_requests", resolved},
                {"resolved_complaints", 0},
                {"resolved_denunciations", 0},
                {"resolved_on_time", resolved},
                {"resolved_late", 0},
                {"within_jurisdiction", complaints},
                {"resolved_within_jurisdiction", 0},
                {"transferred", transferred},
                {"rejected", 0},
                {"overdue", overdue},
                {"median_days_to_resolve", median}};
  };
  json groups =
      json::array({hamlet("Thôn Nam", 1, 25, 1, 1, 0, 0, 1, 0, 0, 2), hamlet("Thôn Tây", 1, 60, 1, 0, 1, 1, 1, 1, 0, 4),
                   hamlet("Thôn Đông", 2, 57, 1, 1, 0, 0, 0, 0, 1, nullptr)});
  CHECK(report["groups"] == groups);
  CHECK(report["communes"] == json::array({"Xã An Bình"}));
  CHECK(report["warnings"] == json::array());  // Everyone synced; no chain has a gap.

  // The sealed reporter: readable on the officer's laptop, nowhere else, in
  // no file of the hub and no file of any cadre's replica.
  for (const std::string& secret : {std::string("Nguyễn Văn Bình"), std::string("0912 345 678")}) {
    CHECK(FilesHolding(dir.File("hub"), "", secret).empty());
    CHECK(FilesHolding(dir.path(), "cadre", secret).empty());
    CHECK(FilesHolding(dir.path(), "sd-card", secret).empty());
  }
  json theirs = json::parse(MustRun({"concern", "list", "--kind", "denunciation", "--json"}, cadre2).out);
  REQUIRE(theirs["total"] == 1);
  CHECK(theirs["records"][0]["fields"]["reporter_name"].is_null());
  CHECK(theirs["records"][0]["sealed"] == json::array({"reporter_contact", "reporter_name"}));
  json mine = json::parse(MustRun({"concern", "list", "--kind", "denunciation", "--json"}, officer).out);
  CHECK(mine["records"][0]["fields"]["reporter_name"] == "Nguyễn Văn Bình");
  CHECK(mine["records"][0]["fields"]["status"] == "transferred");

  // The resident's receipt checks out on the officer's laptop, and a code
  // changed by one digit does not.
  std::ifstream receipt_file(dir.File("denunciation-receipt.txt"));
  std::string receipt((std::istreambuf_iterator<char>(receipt_file)), {});
  std::string ticket = ValueAfter(receipt, "Ticket"), code = ValueAfter(receipt, "Verification code");
  REQUIRE(!ticket.empty());
  REQUIRE(code.size() == 9);
  CHECK(MustRun({"receipt", "verify", ticket, code}, officer).out.find("genuine") != std::string::npos);
  code[0] = code[0] == '9' ? '0' : static_cast<char>(code[0] + 1);
  CHECK(RunCli({"receipt", "verify", ticket, code}, officer).exit_code == 1);

  // The HTML report was written, with the week's figures.
  std::ifstream html_file(dir.File("report.html"));
  std::string html((std::istreambuf_iterator<char>(html_file)), {});
  CHECK(html.find("<td class=\"n\">142</td>") != std::string::npos);
  CHECK(html.find("Xã An Bình") != std::string::npos);
}
