// Every hamlet command: --help works, and bad input gets one line on stderr,
// the documented exit status (2 usage, 1 refusal, 75 retry later) and
// changes nothing.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "cli_workspace.h"

using namespace hamlet::test;

namespace {

// Every command path hamlet has.
const std::vector<std::vector<std::string>>& Commands() {
  static const std::vector<std::vector<std::string>> all = {{"init"},
                                                            {"workspace"},
                                                            {"workspace", "create"},
                                                            {"workspace", "publish"},
                                                            {"invite"},
                                                            {"join"},
                                                            {"devices"},
                                                            {"devices", "revoke"},
                                                            {"dialogue"},
                                                            {"dialogue", "add"},
                                                            {"dialogue", "list"},
                                                            {"dialogue", "show"},
                                                            {"dialogue", "edit"},
                                                            {"dialogue", "attach"},
                                                            {"concern"},
                                                            {"concern", "add"},
                                                            {"concern", "list"},
                                                            {"concern", "show"},
                                                            {"concern", "edit"},
                                                            {"concern", "attach"},
                                                            {"concern", "assign"},
                                                            {"concern", "resolve"},
                                                            {"concern", "transfer"},
                                                            {"concern", "reject"},
                                                            {"concern", "followup"},
                                                            {"concern", "extend"},
                                                            {"concern", "reseal"},
                                                            {"model"},
                                                            {"model", "add"},
                                                            {"model", "list"},
                                                            {"model", "show"},
                                                            {"model", "edit"},
                                                            {"model", "attach"},
                                                            {"attachment"},
                                                            {"attachment", "list"},
                                                            {"attachment", "get"},
                                                            {"attachment", "drop"},
                                                            {"receipt"},
                                                            {"receipt", "verify"},
                                                            {"categories"},
                                                            {"categories", "add"},
                                                            {"categories", "retire"},
                                                            {"settings"},
                                                            {"settings", "set"},
                                                            {"ui"},
                                                            {"search"},
                                                            {"conflicts"},
                                                            {"conflicts", "settle"},
                                                            {"bundle"},
                                                            {"bundle", "export"},
                                                            {"bundle", "import"},
                                                            {"sync"},
                                                            {"status"},
                                                            {"report"},
                                                            {"relay"},
                                                            {"relay", "certify"}};
  return all;
}

// The subcommand names a --help text lists.
std::set<std::string> Listed(const std::string& help) {
  std::set<std::string> names;
  size_t at = help.find("Subcommands:");
  if (at == std::string::npos) return names;
  std::istringstream lines(help.substr(at));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (line.size() < 3 || line[0] != ' ') break;
    names.insert(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

}  // namespace

TEST_CASE("every command has --help, and the list is complete", "[cli][errors]") {
  std::set<std::vector<std::string>> known(Commands().begin(), Commands().end());
  std::vector<std::vector<std::string>> paths = Commands();
  paths.push_back({});
  for (const auto& path : paths) {
    std::vector<std::string> args = path;
    args.push_back("--help");
    CliResult r = RunCli(args);
    INFO("hamlet " << (path.empty() ? "" : path[0]) << (path.size() > 1 ? " " + path[1] : "") << " --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage:") != std::string::npos);
    CHECK(r.err.empty());
    // Each subcommand it lists is one of the commands tested here.
    for (const std::string& name : Listed(r.out)) {
      std::vector<std::string> sub = path;
      sub.push_back(name);
      INFO("listed: " << name);
      CHECK(known.count(sub) == 1);
    }
  }
}

TEST_CASE("every command's help reads in Vietnamese, with no English sentence left", "[cli][errors][language]") {
  std::vector<std::pair<std::string, std::vector<std::string>>> commands;
  for (const auto& path : Commands()) commands.push_back({HAMLET_CLI_BINARY, path});
  commands.push_back({HAMLET_CLI_BINARY, {}});
  for (std::vector<std::string> path : std::vector<std::vector<std::string>>{
           {}, {"serve"}, {"relay"}, {"relay", "key"}, {"relay", "add"}, {"token"}, {"token", "create"},
           {"import"}, {"backup"}, {"restored"}}) {
    commands.push_back({HAMLET_HUB_BINARY, path});
  }
  const std::regex prose("[A-Za-z]{2,},? [a-z]{2,}");
  for (const auto& [program, path] : commands) {
    std::vector<std::string> args = path;
    args.push_back("--help");
    CliResult en = RunProgram(program, args, {});
    CliResult vi = RunProgram(program, args, {{"HAMLET_LANG", "vi"}});
    INFO(program << " " << (path.empty() ? "" : path[0]) << (path.size() > 1 ? " " + path[1] : "") << " --help\n"
                 << vi.out);
    REQUIRE(en.exit_code == 0);
    REQUIRE(vi.exit_code == 0);
    CHECK(vi.out.find("Cách dùng:") != std::string::npos);
    std::istringstream lines(en.out);
    std::string line;
    int sentences = 0;
    while (std::getline(lines, line)) {
      // An option's line: only its description is prose.
      if (size_t start = line.find_first_not_of(' '); start != std::string::npos && line[start] == '-') {
        size_t gap = line.find("  ", start);
        line = gap == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', gap));
      }
      if (!std::regex_search(line, prose)) continue;
      sentences++;
      INFO("English line: " << line);
      CHECK(vi.out.find(line) == std::string::npos);
    }
    CHECK(sentences > 0);
  }
}

TEST_CASE("the locale chooses the language, and HAMLET_LANG overrides it", "[cli][errors][language]") {
  // A system whose locale is Vietnamese, whether or not it has that locale installed.
  CliEnv vietnamese{{"HAMLET_LANG", ""}, {"LANGUAGE", ""}, {"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "vi_VN.UTF-8"}};
  CliResult vi = RunCli({"--db", "/nonexistent/r.db", "status"}, vietnamese);
  CHECK(vi.exit_code != 0);
  CHECK(vi.err.find("hamlet: ") == 0);
  CliResult help = RunCli({"--help"}, vietnamese);
  CHECK(help.out.find("Cách dùng:") != std::string::npos);
  CHECK(help.out.find("Các lệnh:") != std::string::npos);
  // LC_ALL comes before LANG, as in every C program.
  CliEnv english = vietnamese;
  english[2].second = "en_GB.UTF-8";
  CHECK(RunCli({"--help"}, english).out.find("Usage:") != std::string::npos);
  CliEnv forced = vietnamese;
  forced[0].second = "en";
  CHECK(RunCli({"--help"}, forced).out.find("Usage:") != std::string::npos);
  CliEnv c_locale{{"HAMLET_LANG", ""}, {"LANGUAGE", ""}, {"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "C"}};
  CHECK(RunCli({"--help"}, c_locale).out.find("Usage:") != std::string::npos);
  // A usage error, translated with what the person typed kept as it was.
  CliResult usage = RunCli({"concern", "list", "--limit", "nhiều"}, vietnamese);
  CHECK(usage.exit_code == 2);
  INFO(usage.err);
  CHECK(usage.err.find("hamlet: --limit: nhiều ") == 0);
  CHECK(usage.err.find("not in range") == std::string::npos);
  // The hub speaks the operator's language too; the line scripts wait for does not change.
  CliResult hub = RunProgram(HAMLET_HUB_BINARY, {"serve"}, vietnamese);
  CHECK(hub.exit_code == 2);
  CHECK(hub.err == "hamlet-hub: hãy cho biết máy chủ lưu trữ ở đâu: --data THƯ_MỤC hoặc --store postgresql://...\n");
  // Started in Vietnamese, it still says "hamlet-hub listening on" (the
  // hub process waits for that line) and its status page is Vietnamese.
  TempDir dir;
  setenv("HAMLET_LANG", "vi", 1);
  HubProcess vi_hub(dir.File("hub"));
  unsetenv("HAMLET_LANG");
  CliResult token = RunProgram(HAMLET_HUB_BINARY, {"token", "create", "--operator", "--data", dir.File("hub")}, {});
  REQUIRE(token.exit_code == 0);
  token.out.pop_back();
  httplib::Client http(vi_hub.url());
  auto page = http.Get("/", httplib::Headers{{"Authorization", "Bearer " + token.out}});
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("<html lang=\"vi\">") != std::string::npos);
  CHECK(page->body.find("<h1>Máy chủ Hamlet</h1>") != std::string::npos);
}

TEST_CASE("bad input is one line on stderr, the right exit status, and changes nothing", "[cli][errors]") {
  TempDir dir;
  CliEnv u{{"HAMLET_DB", dir.File("r.db")}, {"HAMLET_PASSPHRASE", "mật khẩu"}};
  MustRun({"init"}, u);
  MustRun({"workspace", "create", "--name", "Xã Hòa Bình"}, u);
  MustRun({"dialogue", "add", "--date", "03/11/2026", "--hamlet", "Thôn 1", "--attendees", "12"}, u);
  MustRun({"concern", "add", "--kind", "request", "--category", "land", "--summary", "Đất"}, u);
  auto state = [&] {
    std::string s;
    for (const char* c : {"dialogue", "concern", "model"}) s += MustRun({c, "list", "--json"}, u).out;
    s += MustRun({"categories", "--json"}, u).out + MustRun({"status", "--json"}, u).out;
    return s;
  };
  const std::string before = state();

  struct Case {
    std::vector<std::string> args;
    int exit;
    std::string says;
  };
  const std::string missing = dir.File("missing.hmlb");
  const std::vector<Case> cases = {
      {{"frobnicate"}, 2, "frobnicate"},
      {{}, 2, "a command is missing"},
      {{"init"}, 1, "already a file"},
      {{"--db", dir.File("nowhere/x.db"), "status"}, 1, ""},
      {{"--passphrase-file", dir.File("no-such-file"), "status"}, 1, "passphrase file"},
      {{"workspace", "create", "--name"}, 2, "--name"},
      {{"workspace", "publish", "--token", "t"}, 2, "--hub"},
      {{"invite", "--role", "mayor"}, 2, "mayor"},
      {{"join", "hamlet2:zz", "--hub", "http://127.0.0.1:9"}, 2, "invite code"},
      {{"devices", "revoke", "zz"}, 2, "4 digits"},
      {{"devices", "revoke", "0000aaaa"}, 2, "no device"},
      {{"dialogue", "add", "--hamlet", "x"}, 2, "--date is required"},
      {{"dialogue", "add", "--date", "31/02/2026", "--hamlet", "x"}, 2, "not a date"},
      {{"dialogue", "add", "--date", "01/02/2026", "--hamlet", "x", "--attendees", "-3"}, 2, "whole number"},
      {{"dialogue", "add", "--date", "01/02/2026", "--hamlet", "x", "--kind", "party"}, 2, "one of"},
      {{"dialogue", "show", "abc"}, 2, "6 digits"},
      {{"dialogue", "show", "abcdef"}, 1, "no dialogue"},
      {{"dialogue", "edit", "abcdef"}, 2, "nothing to change"},
      {{"dialogue", "edit", "abcdef", "--hamlet", "y"}, 1, "no dialogue"},
      {{"concern", "add", "--kind", "gossip", "--category", "land", "--summary", "x"}, 2, "gossip"},
      {{"concern", "add", "--kind", "request", "--category", "fishing", "--summary", "x"}, 2, "fishing"},
      {{"concern", "add", "--kind", "request", "--category", "land"}, 2, "--summary is required"},
      {{"concern", "add", "--kind", "request", "--category", "land", "--summary", "x", "--due", "tomorrow"}, 2,
       "not a date"},
      {{"concern", "list", "--from", "yesterday"}, 2, "--from"},
      {{"concern", "list", "--limit", "0"}, 2, "--limit"},
      {{"concern", "list", "--status", "closed"}, 2, "closed"},
      {{"concern", "resolve", "abcdef"}, 2, "--resolution"},
      {{"concern", "assign", "abcdef", "--to", "x"}, 1, "no concern"},
      {{"concern", "transfer", "ab", "--to", "x"}, 2, "6 digits"},
      {{"concern", "reject", "abcdef"}, 2, "--reason"},
      {{"concern", "followup", "abcdef", "--note", ""}, 2, "--note is empty"},
      {{"concern", "followup", "abcdef", "--note", "x", "--date", "hôm qua"}, 2, "not a date"},
      {{"model", "add", "--name", "x", "--year", "năm nay"}, 2, "whole number"},
      {{"model", "add", "--year", "2026"}, 2, "--name is required"},
      {{"model", "list", "--from", "01/01/2026"}, 2, "--from"},
      {{"receipt", "verify", "X-1"}, 2, "code"},
      {{"receipt", "verify", "ABCDEF-1", "1234-5678"}, 1, "no concern with ticket"},
      {{"categories", "add", "a,b"}, 2, "commas"},
      {{"categories", "retire", "fisheries"}, 1, "no current category"},
      {{"search"}, 2, "text"},
      {{"conflicts", "settle", "abcdef", "status", "--pick", "1"}, 1, "no conflict"},
      {{"conflicts", "settle", "abcdef", "status"}, 2, "--pick"},
      {{"bundle", "export"}, 2, "--out"},
      {{"bundle", "export", "--out", dir.File("r.db")}, 1, "exists already"},
      {{"bundle", "export", "--out", dir.File("x.hmlb"), "--since", "xyz"}, 2, "cursor"},
      {{"bundle", "import", missing}, 1, ""},
      {{"bundle", "import", dir.File("r.db")}, 1, "not a Hamlet bundle"},
      {{"sync"}, 2, "hub"},
      {{"status", "--workspace", "zz"}, 2, ""},
      {{"report", "--format", "pdf"}, 2, "pdf"},
      {{"relay", "certify", "00"}, 2, "--out"},
      {{"relay", "certify", "zz", "--out", dir.File("r.relay"), "--hub", "http://127.0.0.1:9"}, 2, "hex digits"},
      {{"report", "--by", "village"}, 2, "village"},
      {{"report", "--from", "30/11/2026", "--to", "01/11/2026"}, 2, "after"},
  };
  for (const Case& c : cases) {
    CliResult r = RunCli(c.args, u);
    std::string command;
    for (const std::string& a : c.args) command += a + " ";
    INFO("hamlet " << command << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == c.exit);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.err.rfind("hamlet: ", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // One line.
    CHECK(r.out.empty());
  }
  // A wrong passphrase opens nothing.
  CliEnv wrong{{"HAMLET_DB", dir.File("r.db")}, {"HAMLET_PASSPHRASE", "mat khau"}};
  CliResult denied = RunCli({"concern", "list"}, wrong);
  CHECK(denied.exit_code == 1);
  CHECK(denied.err.find("passphrase") != std::string::npos);
  CHECK(state() == before);
  // A passphrase too short to protect a lost phone makes no replica.
  CliEnv weak{{"HAMLET_DB", dir.File("weak.db")}, {"HAMLET_PASSPHRASE", "1234567"}};
  CliResult refused = RunCli({"init"}, weak);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("at least 8 characters") != std::string::npos);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(dir.File("weak.db")));
}
