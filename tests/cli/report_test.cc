// hamlet report: every figure against a hand count of randomly made records,
// in every format; the HTML page as headless Chromium renders it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>

#include "cli_workspace.h"

using namespace hamlet::test;
using nlohmann::json;

namespace {

// What the test writes, counted by hand as it goes.
struct Tally {
  int64_t dialogues = 0, attendees = 0, transferred = 0, rejected = 0, overdue = 0, models_new = 0,
          models_maintained = 0, letters = 0, within = 0, resolved_within = 0, on_time = 0, late = 0;
  std::map<std::string, int64_t> received, resolved;
  std::vector<double> days;
  json Figures(bool with_dialogues, bool with_models) const {
    json j;
    if (with_dialogues) {
      j["dialogues"] = dialogues;
      j["citizens_received"] = attendees;
    }
    int64_t all = 0, done = 0;
    for (const char* k : {"request", "complaint", "denunciation"}) {
      all += received.count(k) ? received.at(k) : 0;
      done += resolved.count(k) ? resolved.at(k) : 0;
    }
    j["concerns"] = all;
    j["requests"] = received.count("request") ? received.at("request") : 0;
    j["complaints"] = received.count("complaint") ? received.at("complaint") : 0;
    j["denunciations"] = received.count("denunciation") ? received.at("denunciation") : 0;
    j["letters"] = letters;
    j["resolved"] = done;
    j["resolved_requests"] = resolved.count("request") ? resolved.at("request") : 0;
    j["resolved_complaints"] = resolved.count("complaint") ? resolved.at("complaint") : 0;
    j["resolved_denunciations"] = resolved.count("denunciation") ? resolved.at("denunciation") : 0;
    j["resolved_on_time"] = on_time;
    j["resolved_late"] = late;
    j["within_jurisdiction"] = within;
    j["resolved_within_jurisdiction"] = resolved_within;
    j["transferred"] = transferred;
    j["rejected"] = rejected;
    j["overdue"] = overdue;
    if (days.empty()) {
      j["median_days_to_resolve"] = nullptr;
    } else {
      std::vector<double> d = days;
      std::sort(d.begin(), d.end());
      double m = d.size() % 2 ? d[d.size() / 2] : (d[d.size() / 2 - 1] + d[d.size() / 2]) / 2;
      if (m == static_cast<int64_t>(m)) {
        j["median_days_to_resolve"] = static_cast<int64_t>(m);
      } else {
        j["median_days_to_resolve"] = m;
      }
    }
    if (with_models) {
      j["models_new"] = models_new;
      j["models_maintained"] = models_maintained;
    }
    return j;
  }
};

std::string Day(int d, int month) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/2026", d, month);
  return buf;
}

// Days since 1970 of a day of 2026, and of today (as hamlet counts them: UTC).
int64_t DayNumber(int d, int month) {
  using namespace std::chrono;
  return sys_days(year_month_day{year(2026), std::chrono::month(month), day(d)}).time_since_epoch().count();
}
std::string DayText(int64_t n) {
  using namespace std::chrono;
  year_month_day ymd{sys_days(days(n))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                static_cast<int>(ymd.year()));
  return buf;
}
int64_t TodayNumber() {
  using namespace std::chrono;
  return floor<days>(system_clock::now()).time_since_epoch().count();
}

std::string RecordedId(const CliResult& r) {
  size_t at = r.out.find("Recorded concern ");
  REQUIRE(at != std::string::npos);
  return r.out.substr(at + 17, 32);
}

}  // namespace

TEST_CASE("the report's figures match a hand count, in every format", "[cli][report]") {
  uint64_t seed = SeedFromEnv(20261122);
  INFO("seed " << seed << " (replay with HAMLET_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  TempDir dir;
  CliEnv u{{"HAMLET_DB", dir.File("officer.db")}, {"HAMLET_PASSPHRASE", "mật khẩu thử"}};
  MustRun({"init"}, u);
  MustRun({"workspace", "create", "--name", "Xã Tân Phú"}, u);
  const std::vector<std::string> hamlets = {"Ấp Bình Minh", "Ấp Tân Hòa", "Ấp 3"};
  const std::vector<std::string> kinds = {"request", "complaint", "denunciation"};
  const std::vector<std::string> categories = {"land", "infrastructure", "social_policy", "environment"};
  Tally total;
  std::map<std::string, Tally> by_hamlet;

  // Dialogues in October (outside the period) and November (inside).
  for (int i = 0; i < 12; i++) {
    int month = rng() % 3 ? 11 : 10;
    int day = 1 + static_cast<int>(rng() % 30);
    int attendees = static_cast<int>(rng() % 80);
    const std::string& h = hamlets[rng() % hamlets.size()];
    MustRun({"dialogue", "add", "--date", Day(day, month), "--hamlet", h, "--attendees", std::to_string(attendees),
             "--kind", rng() % 2 ? "dialogue" : "citizen_reception"},
            u);
    if (month == 11) {
      for (Tally* t : {&total, &by_hamlet[h]}) {
        t->dialogues++;
        t->attendees += attendees;
      }
    }
  }
  // Concerns, some resolved, transferred, rejected or overdue.
  for (int i = 0; i < 30; i++) {
    int month = rng() % 4 ? 11 : 10;
    int day = 1 + static_cast<int>(rng() % 20);
    const std::string& kind = kinds[rng() % kinds.size()];
    const std::string& h = hamlets[rng() % hamlets.size()];
    // The due date: set by hand long past or far ahead, or the law's (15
    // days for a request, 30 for the others, from the day received).
    int due_how = static_cast<int>(rng() % 3);
    std::vector<std::string> args = {"concern",    "add",
                                     "--kind",     kind,
                                     "--category", categories[rng() % 4],
                                     "--summary",  "Kiến nghị số " + std::to_string(i),
                                     "--hamlet",   h,
                                     "--received", Day(day, month)};
    if (due_how < 2) args.insert(args.end(), {"--due", due_how == 0 ? "01/01/2020" : "31/12/2099"});
    int64_t due = due_how == 0   ? 0
                  : due_how == 1 ? DayNumber(31, 12) + 73 * 365
                                 : DayNumber(day, month) + (kind == "request" ? 15 : 30);
    bool letter = rng() % 3 == 0;
    if (letter) args.insert(args.end(), {"--channel", "letter"});
    int within_how = static_cast<int>(rng() % 3);  // Said yes, said no, or not said (yes).
    if (within_how < 2) args.insert(args.end(), {"--within-jurisdiction", within_how == 0 ? "yes" : "no"});
    bool within = within_how != 1 && kind != "request";
    if (kind == "denunciation") args.insert(args.end(), {"--reporter-name", "Người thứ " + std::to_string(i)});
    std::string id = RecordedId(MustRun(args, u));
    int outcome = static_cast<int>(rng() % 5);  // 0 open, 1 resolved, 2 transferred, 3 rejected, 4 in progress.
    int resolved_after = static_cast<int>(rng() % 40);
    if (kind == "denunciation" && due_how == 2 && outcome != 2 && outcome != 3 && rng() % 2) {
      MustRun({"concern", "extend", id, "--reason", "Cần xác minh thêm"}, u);
      due += 30;
    }
    if (outcome == 1) {
      MustRun({"concern", "resolve", id, "--resolution", "Đã giải quyết", "--date",
               DayText(DayNumber(day, month) + resolved_after)},
              u);
    } else if (outcome == 2) {
      MustRun({"concern", "transfer", id, "--to", "UBND huyện"}, u);
    } else if (outcome == 3) {
      MustRun({"concern", "reject", id, "--reason", "Không thuộc thẩm quyền"}, u);
    } else if (outcome == 4) {
      MustRun({"concern", "assign", id, "--to", "Ông Bảy"}, u);
    }
    if (month != 11) continue;
    for (Tally* t : {&total, &by_hamlet[h]}) {
      t->received[kind]++;
      if (outcome == 1) {
        t->resolved[kind]++;
        t->days.push_back(resolved_after);
        (DayNumber(day, month) + resolved_after <= due ? t->on_time : t->late)++;
        if (within) t->resolved_within++;
      }
      if (outcome == 2) t->transferred++;
      if (outcome == 3) t->rejected++;
      if ((outcome == 0 || outcome == 4) && due < TodayNumber()) t->overdue++;
      if (letter) t->letters++;
      if (within) t->within++;
    }
  }
  // Models: this year's count, last year's do not.
  for (int i = 0; i < 7; i++) {
    bool maintained = rng() % 2;
    bool this_year = rng() % 4 != 0;
    MustRun({"model", "add", "--name", "Mô hình " + std::to_string(i), "--year", this_year ? "2026" : "2025",
             "--status", maintained ? "maintained" : "new"},
            u);
    if (this_year) (maintained ? total.models_maintained : total.models_new)++;
  }
  const std::vector<std::string> period = {"report", "--from", "01/11/2026", "--to", "30/11/2026"};

  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = period;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  json j = json::parse(MustRun(with({"--format", "json", "--by", "hamlet"}), u).out);
  CHECK(j["period"]["from"] == "2026-11-01");
  CHECK(j["period"]["to"] == "2026-11-30");
  CHECK(j["communes"] == json::array({"Xã Tân Phú"}));
  CHECK(j["total"] == total.Figures(true, true));
  for (const json& g : j["groups"]) {
    INFO("hamlet " << g["group"]);
    json expected = by_hamlet[g["group"].get<std::string>()].Figures(true, false);
    expected["group"] = g["group"];
    CHECK(g == expected);
  }
  CHECK(j["groups"].size() == by_hamlet.size());
  CHECK(j["warnings"].size() == 1);  // Never synced: it says so.

  // CSV and the table carry the same figures.
  std::string csv = MustRun(with({"--format", "csv"}), u).out;
  std::string total_row = csv.substr(csv.find("\ntotal,") + 1);
  std::string expected_row = "total";
  for (const char* key : {"dialogues",
                          "citizens_received",
                          "concerns",
                          "requests",
                          "complaints",
                          "denunciations",
                          "letters",
                          "resolved",
                          "resolved_requests",
                          "resolved_complaints",
                          "resolved_denunciations",
                          "resolved_on_time",
                          "resolved_late",
                          "within_jurisdiction",
                          "resolved_within_jurisdiction",
                          "transferred",
                          "rejected",
                          "overdue",
                          "median_days_to_resolve",
                          "models_new",
                          "models_maintained"}) {
    const json& v = j["total"][key];
    expected_row += "," + (v.is_null() ? std::string() : v.dump());
  }
  CHECK(total_row == expected_row + "\n");
  std::string table = MustRun(period, u).out;
  CHECK(table.find("Report: Xã Tân Phú, 01/11/2026 to 30/11/2026") == 0);
  CHECK(std::regex_search(table, std::regex("Dialogues and receptions held +" + j["total"]["dialogues"].dump() + "\n")));
  CHECK(table.find("Figures may be short:") != std::string::npos);
  // Complaints and denunciations within jurisdiction, in the form offices write.
  CHECK(std::regex_search(table, std::regex("Complaints and denunciations within jurisdiction +" +
                                            j["total"]["within_jurisdiction"].dump() + "\n  resolved +" +
                                            j["total"]["resolved_within_jurisdiction"].dump() + " of " +
                                            j["total"]["within_jurisdiction"].dump() + "\n")));

  // The HTML page, as Chromium renders it: one file, nothing fetched, every
  // total figure in its row.
  std::string page = dir.File("báo cáo.html");
  MustRun(with({"--format", "html", "--by", "hamlet", "--out", page}), u);
  std::ifstream in(page);
  std::string html((std::istreambuf_iterator<char>(in)), {});
  CHECK(html.find("<script") == std::string::npos);
  CHECK(!std::regex_search(html, std::regex("(src|href)=")));
  CliResult dom = RunProgram(HAMLET_CHROMIUM, {"--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                                               "file://" + page},
                             {{"HOME", dir.path()}});
  INFO(dom.err.substr(0, 2000));
  REQUIRE(dom.exit_code == 0);
  REQUIRE(dom.out.find("<table id=\"figures\">") != std::string::npos);
  CHECK(dom.out.find("Xã Tân Phú, 01/11/2026 to 30/11/2026") != std::string::npos);
  for (auto it = j["total"].begin(); it != j["total"].end(); ++it) {
    std::string shown = it.value().is_null() ? "-" : it.value().dump(), key = it.key();
    if (key == "resolved_within_jurisdiction") {  // One line for people: "29 of 39".
      key = "resolved_of_within_jurisdiction";
      shown += " of " + j["total"]["within_jurisdiction"].dump();
    }
    std::regex row("data-metric=\"" + key + "\"><td>[^<]*</td>(<td class=\"n\">[^<]*</td>)*<td class=\"n\">" +
                   std::regex_replace(shown, std::regex("\\."), "\\.") + "</td></tr>");
    INFO(it.key() << " = " << shown);
    CHECK(std::regex_search(dom.out, row));
  }
  CHECK(dom.out.find("<svg") != std::string::npos);
  CHECK(dom.out.find("id=\"warnings\"") != std::string::npos);

  // Bad input.
  CHECK(RunCli({"report", "--from", "31/11/2026"}, u).exit_code == 2);
  CHECK(RunCli({"report", "--from", "02/11/2026", "--to", "01/11/2026"}, u).exit_code == 2);
  CHECK(RunCli({"report", "--by", "village"}, u).exit_code == 2);
  CHECK(RunCli({"report", "--format", "pdf"}, u).exit_code == 2);
  CHECK(RunCli({"report", "--out", dir.File("no/such/dir/r.html")}, u).exit_code != 0);
}

TEST_CASE("an officer's replica reports across the communes it holds", "[cli][report]") {
  TempDir dir;
  CliEnv u{{"HAMLET_DB", dir.File("district.db")}, {"HAMLET_PASSPHRASE", "mật khẩu huyện"}};
  MustRun({"init"}, u);
  std::string first = MustRun({"workspace", "create", "--name", "Xã An Bình"}, u).out.substr(18, 32);
  std::string second = MustRun({"workspace", "create", "--name", "Xã Tân Lập"}, u).out.substr(18, 32);
  MustRun({"--workspace", first, "dialogue", "add", "--date", "05/11/2026", "--hamlet", "Thôn 1", "--attendees", "30"},
          u);
  MustRun({"--workspace", second, "dialogue", "add", "--date", "06/11/2026", "--hamlet", "Thôn 1", "--attendees", "12"},
          u);
  MustRun({"--workspace", second, "concern", "add", "--kind", "complaint", "--category", "land", "--summary", "Đất",
           "--received", "07/11/2026"},
          u);
  const std::vector<std::string> period = {"report", "--from", "01/11/2026", "--to", "30/11/2026", "--format", "json"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = period;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  json one = json::parse(MustRun(with({"--workspace", first}), u).out);
  CHECK(one["total"]["dialogues"] == 1);
  CHECK(one["total"]["concerns"] == 0);
  json all = json::parse(MustRun(with({"--all-workspaces", "--by", "commune"}), u).out);
  std::vector<std::string> communes = all["communes"];
  std::sort(communes.begin(), communes.end());
  CHECK(communes == std::vector<std::string>{"Xã An Bình", "Xã Tân Lập"});
  CHECK(all["total"]["dialogues"] == 2);
  CHECK(all["total"]["citizens_received"] == 42);
  CHECK(all["total"]["complaints"] == 1);
  REQUIRE(all["groups"].size() == 2);
  for (const json& g : all["groups"]) {
    bool an_binh = g["group"] == "Xã An Bình";
    CHECK(g["citizens_received"] == (an_binh ? 30 : 12));
    CHECK(g["complaints"] == (an_binh ? 0 : 1));
  }
}
