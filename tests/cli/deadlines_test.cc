// The law's deadlines through the command line: due dates from the
// workspace's settings (which travel to every device), extensions of a
// denunciation (at most twice, even when two devices extend at once), due
// dates set by hand, and the lists of what is late or about to be.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "cli_workspace.h"

using namespace hamlet::test;
using nlohmann::json;

namespace {

// A day as hamlet writes it, n days after today (before, when negative).
std::string DaysFromToday(int n) {
  auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) + std::chrono::days(n);
  std::chrono::year_month_day ymd{day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                static_cast<int>(ymd.year()));
  return buf;
}

std::string Add(const CliEnv& user, std::vector<std::string> args) {
  args.insert(args.begin(), {"concern", "add", "--category", "land", "--json"});
  return json::parse(MustRun(args, user).out)["id"].get<std::string>();
}

std::string Due(const CliEnv& user, const std::string& id) {
  return ValueAfter(MustRun({"concern", "show", id}, user).out, "  due");
}

std::vector<std::string> Listed(const CliEnv& user, std::vector<std::string> args) {
  args.insert(args.begin(), {"concern", "list", "--json"});
  std::vector<std::string> ids;
  json listed = json::parse(MustRun(args, user).out);
  for (const json& r : listed["records"]) ids.push_back(r["id"].get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("due dates follow the law's deadlines, from settings every device shares", "[cli][deadlines]") {
  CliWorkspace w(1);
  const CliEnv& officer = w.officer;
  const CliEnv& cadre = w.cadres[0];

  // Complaints: 30 days from the day received, or accepted when recorded.
  std::string complaint = Add(officer, {"--kind", "complaint", "--summary", "Tranh chấp", "--received", "01/11/2026"});
  CHECK(Due(officer, complaint) == "01/12/2026");
  MustRun({"concern", "edit", complaint, "--accepted", "05/11/2026"}, officer);
  CHECK(Due(officer, complaint) == "05/12/2026");
  MustRun({"concern", "edit", complaint, "--complex", "yes"}, officer);
  CHECK(Due(officer, complaint) == "20/12/2026");  // 45 days.
  CHECK(ValueAfter(MustRun({"concern", "show", complaint}, officer).out, "  due date set") == "by law");

  // Requests and feedback: the workspace default, 15 days.
  std::string request = Add(officer, {"--kind", "request", "--summary", "Đèn", "--received", "01/11/2026"});
  CHECK(Due(officer, request) == "16/11/2026");

  // An officer declares the commune remote; what is recorded from then on
  // follows it, on every device once synced, and older due dates stay.
  CHECK(RunCli({"settings", "set", "remote_area", "yes"}, cadre).exit_code == 1);  // Only officers.
  MustRun({"settings", "set", "remote_area", "yes"}, officer);
  MustRun({"settings", "set", "request_days", "10"}, officer);
  CHECK(Due(officer, complaint) == "20/12/2026");
  MustRun({"sync"}, officer);
  MustRun({"sync"}, cadre);
  json settings = json::parse(MustRun({"settings", "--json"}, cadre).out);
  CHECK(settings["remote_area"] == true);
  CHECK(settings["request_days"] == 10);
  CHECK(settings["complaint_remote_complex_days"] == 60);
  std::string remote = Add(cadre, {"--kind", "complaint", "--summary", "Ruộng", "--received", "01/11/2026"});
  CHECK(Due(cadre, remote) == "16/12/2026");  // 45 days in a remote area.
  MustRun({"concern", "edit", remote, "--complex", "yes"}, cadre);
  CHECK(Due(cadre, remote) == "31/12/2026");  // 60.
  CHECK(Due(cadre, Add(cadre, {"--kind", "request", "--summary", "Nước", "--received", "01/11/2026"})) == "11/11/2026");

  // A due date set by hand stays through changes to what the law's counts
  // from, until the law's is asked for again.
  MustRun({"concern", "edit", request, "--due", "30/11/2026"}, officer);
  MustRun({"concern", "edit", request, "--kind", "complaint"}, officer);
  CHECK(Due(officer, request) == "30/11/2026");
  CHECK(ValueAfter(MustRun({"concern", "show", request}, officer).out, "  due date set") == "by hand");
  MustRun({"concern", "edit", request, "--due", "law"}, officer);
  CHECK(Due(officer, request) == "16/12/2026");  // A complaint now, in a remote area: 45 days.

  // Denunciations: 30 days, extended at most twice by 30, each with its reason.
  std::string denunciation = Add(officer, {"--kind", "denunciation", "--summary", "Lấn chiếm", "--received",
                                           "10/11/2026", "--reporter-name", "Người tố cáo"});
  CHECK(Due(officer, denunciation) == "10/12/2026");
  CliResult refused = RunCli({"concern", "extend", complaint, "--reason", "x"}, officer);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("only a denunciation") != std::string::npos);
  CHECK(RunCli({"concern", "extend", denunciation, "--reason", ""}, officer).exit_code == 2);
  CliResult first = MustRun({"concern", "extend", denunciation, "--reason", "Cần xác minh thêm"}, officer);
  CHECK(first.out.find("to 09/01/2027 (extension 1 of 2)") != std::string::npos);
  MustRun({"concern", "extend", denunciation, "--reason", "Chờ kết quả giám định"}, officer);
  CHECK(Due(officer, denunciation) == "08/02/2027 (extended 2 times)");
  CliResult third = RunCli({"concern", "extend", denunciation, "--reason", "Lần ba"}, officer);
  CHECK(third.exit_code == 1);
  CHECK(third.err.find("extended 2 times already") != std::string::npos);
  std::string shown = MustRun({"concern", "show", denunciation}, officer).out;
  CHECK(shown.find("by 30 days: Cần xác minh thêm") != std::string::npos);
  CHECK(shown.find("by 30 days: Chờ kết quả giám định") != std::string::npos);

  // Two devices extend at once, offline: after the merge both extensions
  // are kept, and only as many count as the law allows.
  std::string both = Add(officer, {"--kind", "denunciation", "--summary", "Hai nơi", "--received", "10/11/2026"});
  MustRun({"sync"}, officer);
  MustRun({"sync"}, cadre);
  MustRun({"concern", "extend", both, "--reason", "Cán bộ xin thêm", "--date", "20/11/2026"}, cadre);
  MustRun({"concern", "extend", both, "--reason", "Cán bộ xin lần nữa", "--date", "21/11/2026"}, cadre);
  MustRun({"concern", "extend", both, "--reason", "Chuyên viên gia hạn", "--date", "19/11/2026"}, officer);
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, officer);
  MustRun({"sync"}, cadre);
  for (const CliEnv* user : {&officer, &cadre}) {
    std::string merged = MustRun({"concern", "show", both}, *user).out;
    CHECK(ValueAfter(merged, "  due") == "08/02/2027 (extended 2 times)");
    CHECK(merged.find("Chuyên viên gia hạn") != std::string::npos);
    CHECK(merged.find("by 30 days: Cán bộ xin thêm\n") != std::string::npos);
    CHECK(merged.find("Cán bộ xin lần nữa (not counted") != std::string::npos);
    CHECK(RunCli({"concern", "extend", both, "--reason", "Nữa"}, *user).exit_code == 1);
  }
  MustRun({"concern", "resolve", denunciation, "--resolution", "Đã kết luận"}, officer);
  CHECK(RunCli({"concern", "extend", denunciation, "--reason", "x"}, officer).err.find("no longer open") !=
        std::string::npos);
}

TEST_CASE("concern list shows what is late and what is about to be, soonest first", "[cli][deadlines]") {
  TempDir dir;
  CliEnv u{{"HAMLET_DB", dir.File("officer.db")}, {"HAMLET_PASSPHRASE", "mật khẩu thử"}};
  MustRun({"init", "--kdf", "interactive"}, u);
  MustRun({"workspace", "create", "--name", "Xã Tân Phú"}, u);
  // Requests take 15 days: received 20 days ago is 5 days late; 12 days ago
  // is due in 3; 5 days ago due in 10; one due by hand in 2 days.
  std::string late = Add(u, {"--kind", "request", "--summary", "Trễ", "--received", DaysFromToday(-20)});
  std::string in3 = Add(u, {"--kind", "request", "--summary", "Ba ngày", "--received", DaysFromToday(-12)});
  std::string in10 = Add(u, {"--kind", "request", "--summary", "Mười ngày", "--received", DaysFromToday(-5)});
  std::string in2 = Add(u, {"--kind", "complaint", "--summary", "Hai ngày", "--due", DaysFromToday(2)});
  std::string today = Add(u, {"--kind", "request", "--summary", "Hôm nay", "--received", DaysFromToday(-15)});
  std::string done = Add(u, {"--kind", "request", "--summary", "Xong", "--received", DaysFromToday(-14)});
  MustRun({"concern", "resolve", done, "--resolution", "Đã trả lời"}, u);

  CHECK(Listed(u, {"--overdue"}) == std::vector<std::string>{late});
  CHECK(Listed(u, {"--due-within", "3"}) == std::vector<std::string>{today, in2, in3});
  CHECK(Listed(u, {"--due-within", "30"}) == std::vector<std::string>{today, in2, in3, in10});
  CHECK(Listed(u, {"--due-within", "0"}) == std::vector<std::string>{today});
  CHECK(Listed(u, {"--due-within", "3", "--kind", "complaint"}) == std::vector<std::string>{in2});
  std::string table = MustRun({"concern", "list", "--due-within", "3"}, u).out;
  CHECK(table.find("DUE") != std::string::npos);
  CHECK(table.find(DaysFromToday(2)) != std::string::npos);
  CHECK(table.find("3 of 3 concerns.") != std::string::npos);
  CHECK(RunCli({"concern", "list", "--due-within", "-1"}, u).exit_code == 2);
  CHECK(RunCli({"concern", "list", "--due-within", "soon"}, u).exit_code == 2);
}

TEST_CASE("how a concern arrived and whether it is the commune's, and bad settings, refused clearly",
          "[cli][deadlines]") {
  TempDir dir;
  CliEnv u{{"HAMLET_DB", dir.File("officer.db")}, {"HAMLET_PASSPHRASE", "mật khẩu thử"}};
  MustRun({"init", "--kdf", "interactive"}, u);
  MustRun({"workspace", "create"}, u);
  std::string dialogue =
      json::parse(MustRun({"dialogue", "add", "--date", "01/11/2026", "--hamlet", "Ấp 3", "--json"}, u).out)["id"];
  json by_letter = json::parse(
      MustRun({"concern", "show", "--json", Add(u, {"--kind", "request", "--summary", "Thư", "--channel", "letter"})},
              u)
          .out);
  CHECK(by_letter["fields"]["channel"] == "letter");
  CHECK(by_letter["fields"]["within_jurisdiction"] == true);
  json at_dialogue = json::parse(
      MustRun({"concern", "show", "--json", Add(u, {"--kind", "request", "--summary", "Hỏi", "--dialogue", dialogue})},
              u)
          .out);
  CHECK(at_dialogue["fields"]["channel"] == "dialogue");
  json in_person =
      json::parse(MustRun({"concern", "show", "--json",
                           Add(u, {"--kind", "complaint", "--summary", "Đến", "--within-jurisdiction", "no"})},
                          u)
                      .out);
  CHECK(in_person["fields"]["channel"] == "in_person");
  CHECK(in_person["fields"]["within_jurisdiction"] == false);
  CHECK(Listed(u, {"--within-jurisdiction", "no"}).size() == 1);
  CHECK(Listed(u, {"--channel", "letter"}).size() == 1);

  struct Bad {
    std::vector<std::string> args;
    const char* says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {{"concern", "add", "--kind", "request", "--category", "land", "--summary", "x", "--channel", "fax"},
            "--channel is one of in_person, letter, phone, online, dialogue, not 'fax'"},
           {{"concern", "add", "--kind", "request", "--category", "land", "--summary", "x", "--within-jurisdiction",
             "maybe"},
            "--within-jurisdiction is yes or no, not 'maybe'"},
           {{"concern", "add", "--kind", "request", "--category", "land", "--summary", "x", "--due", "soon"},
            "'soon' is not a date"},
           {{"settings", "set", "remote_area", "maybe"}, "remote_area is yes or no, not 'maybe'"},
           {{"settings", "set", "complaint_days", "0"}, "complaint_days takes a whole number from 1 to 365, not '0'"},
           {{"settings", "set", "deadline", "30"}, "no setting 'deadline'"},
       }) {
    INFO(bad.args[0] << " " << bad.args[1] << " " << bad.args.back());
    CliResult r = RunCli(bad.args, u);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(bad.says) != std::string::npos);
  }
  CHECK(Listed(u, {}).size() == 3);  // Nothing of the refused was kept.
  CHECK(json::parse(MustRun({"settings", "--json"}, u).out)["complaint_days"] == 30);
}
