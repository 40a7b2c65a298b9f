// The officer's web app (hamlet ui) on a real replica synced with a real
// hub: driven in headless Chromium as an officer would (tests/ui/browser.py,
// screenshots kept in the build folder), its change arriving on another
// device; and the requests it must refuse, made as an attacker would.
#include <arpa/inet.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_workspace.h"
#include "ui_process.h"

using namespace hamlet::test;
using nlohmann::json;

namespace {

std::string Passphrase(const CliEnv& user) {
  for (const auto& [name, value] : user) {
    if (name == "HAMLET_PASSPHRASE") return value;
  }
  return "";
}

// The environment hamlet ui runs with: the replica, and no passphrase (it
// is typed into the browser).
CliEnv UiEnv(const CliEnv& user) { return {{"HAMLET_DB", CliWorkspace::DbOf(user)}, {"HAMLET_PASSPHRASE", ""}}; }

std::string AddConcern(const CliEnv& user, const std::string& kind, const std::string& summary) {
  return json::parse(MustRun({"concern", "add", "--kind", kind, "--category", "land", "--summary", summary, "--hamlet",
                              "Thôn 3", "--received", "02/11/2026", "--json"},
                             user)
                         .out)["id"];
}

// A logged-in client: its session cookie and the CSRF token of its pages.
struct Session {
  std::string cookie, csrf;
};

Session LogIn(httplib::Client& c, const std::string& passphrase) {
  auto r = c.Post("/login", httplib::Params{{"passphrase", passphrase}});
  REQUIRE(r);
  REQUIRE(r->status == 303);
  std::string set = r->get_header_value("Set-Cookie");
  Session s;
  s.cookie = set.substr(0, set.find(';'));
  auto page = c.Get("/inbox", httplib::Headers{{"Cookie", s.cookie}});
  REQUIRE(page);
  REQUIRE(page->status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(page->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  s.csrf = m[1];
  return s;
}

}  // namespace

TEST_CASE("an officer resolves a concern in the browser, and it reaches another device", "[ui][browser]") {
  CliWorkspace w(1);
  const CliEnv& officer = w.officer;
  const CliEnv& cadre = w.cadres[0];
  std::string land = AddConcern(cadre, "complaint", "Tranh chấp đất đai giữa hai hộ");
  // The cadre photographs the residents' letter (a 40x30 PNG stands in).
  const std::string letter = w.dir.File("don-thu.png");
  CliResult png = RunProgram("/usr/bin/python3",
                             {"-c",
                              "import struct,sys,zlib\n"
                              "def p(k,d): return struct.pack('>I',len(d))+k+d+struct.pack('>I',zlib.crc32(k+d))\n"
                              "rows=b''.join(b'\\x00'+b'\\xc0\\x40\\x20'*40 for _ in range(30))\n"
                              "open(sys.argv[1],'wb').write(b'\\x89PNG\\r\\n\\x1a\\n'+p(b'IHDR',struct.pack('>IIBBBBB',"
                              "40,30,8,2,0,0,0))+p(b'IDAT',zlib.compress(rows))+p(b'IEND',b''))\n",
                              letter},
                             {});
  REQUIRE(png.exit_code == 0);
  MustRun({"concern", "attach", land.substr(0, 8), letter}, cadre);
  AddConcern(cadre, "request", "Sửa đèn đường Thôn 3");
  AddConcern(cadre, "request", "Nạo vét kênh nội đồng");
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, officer);

  UiProcess ui(UiEnv(officer));
  std::string shots = std::string(HAMLET_BUILD_DIR) + "/tests/ui-screenshots";
  CliResult browser = RunProgram("/usr/bin/python3", {HAMLET_UI_BROWSER, ui.url(), Passphrase(officer), shots},
                                 {{"HAMLET_CHROMIUM", HAMLET_CHROMIUM}});
  INFO(browser.out << browser.err.substr(0, 4000));
  REQUIRE(browser.exit_code == 0);
  for (const char* name : {"01-login", "03-inbox", "05-concern", "06-concern-resolved", "07-concern-attachments", "08-report", "11-sync-done",
                           "12-dialogues", "17-devices", "18-invite"}) {
    std::ifstream png(shots + "/" + name + ".png", std::ios::binary);
    char magic[4] = {0};
    png.read(magic, 4);
    CHECK(std::string(magic + 1, 3) == "PNG");
  }

  // The cadre's device gets the resolution and the follow-up at its next sync.
  MustRun({"sync"}, cadre);
  json listed = json::parse(MustRun({"concern", "list", "--search", "dat dai", "--json"}, cadre).out);
  REQUIRE(listed["total"] == 1);
  const json& concern = listed["records"][0];
  CHECK(concern["fields"]["status"] == "resolved");
  CHECK(concern["fields"]["resolution"] == "Hai hộ đã thống nhất ranh giới");
  std::string shown = MustRun({"concern", "show", concern["id"].get<std::string>()}, cadre).out;
  CHECK(shown.find("Đã lập biên bản hòa giải") != std::string::npos);
  CHECK(ui.Stop() == 0);  // SIGTERM ends it cleanly.
}

TEST_CASE("the web app refuses a wrong passphrase, a missing token, a cross-site post and other hosts",
          "[ui][security]") {
  TempDir dir;
  CliEnv officer{{"HAMLET_DB", dir.File("officer.db")}, {"HAMLET_PASSPHRASE", "mật khẩu văn phòng"}};
  MustRun({"init", "--kdf", "interactive"}, officer);
  MustRun({"workspace", "create", "--name", "Xã Tân Phú"}, officer);
  std::string id = AddConcern(officer, "complaint", "Tranh chấp đất đai");
  UiProcess ui(UiEnv(officer));
  httplib::Client c("127.0.0.1", ui.port());
  const std::string resolve = "/concern/" + id + "/do/resolve";
  // The web app holds the replica open; what the concern says is read from
  // its page.
  std::string cookie_now;
  auto status_now = [&] {
    auto page = c.Get("/concern/" + id, httplib::Headers{{"Cookie", cookie_now}});
    REQUIRE(page);
    std::smatch m;
    REQUIRE(std::regex_search(page->body, m, std::regex("data-field=\"status\">([^<]*)<")));
    return m[1].str();
  };

  // Nothing before a login: pages send the browser to log in, posts are refused.
  auto r = c.Get("/inbox");
  REQUIRE(r);
  CHECK(r->status == 303);
  CHECK(r->get_header_value("Location") == "/login");
  r = c.Post(resolve, httplib::Params{{"value", "x"}});
  REQUIRE(r);
  CHECK(r->status == 403);

  // A wrong passphrase.
  r = c.Post("/login", httplib::Params{{"passphrase", "đoán bừa"}});
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(r->body.find("wrong passphrase") != std::string::npos);
  CHECK(r->get_header_value("Set-Cookie").empty());

  Session s = LogIn(c, Passphrase(officer));
  httplib::Headers cookie{{"Cookie", s.cookie}};
  cookie_now = s.cookie;
  // A token someone made up is no session.
  r = c.Get("/inbox", httplib::Headers{{"Cookie", "hamlet_session=" + std::string(64, 'a')}});
  REQUIRE(r);
  CHECK(r->status == 303);
  // A post without the page's CSRF token, or with another, changes nothing.
  r = c.Post(resolve, cookie, httplib::Params{{"value", "x"}});
  REQUIRE(r);
  CHECK(r->status == 403);
  r = c.Post(resolve, cookie, httplib::Params{{"value", "x"}, {"csrf", std::string(64, '0')}});
  REQUIRE(r);
  CHECK(r->status == 403);
  // A form posted from another site, even one that learnt the token.
  r = c.Post(resolve, httplib::Headers{{"Cookie", s.cookie}, {"Origin", "http://evil.example"}},
             httplib::Params{{"value", "x"}, {"csrf", s.csrf}});
  REQUIRE(r);
  CHECK(r->status == 403);
  r = c.Post(resolve, httplib::Headers{{"Cookie", s.cookie}, {"Sec-Fetch-Site", "cross-site"}},
             httplib::Params{{"value", "x"}, {"csrf", s.csrf}});
  REQUIRE(r);
  CHECK(r->status == 403);
  // A page reached under another name (DNS rebinding).
  r = c.Get("/inbox", httplib::Headers{{"Cookie", s.cookie}, {"Host", "evil.example:" + std::to_string(ui.port())}});
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(status_now() == "received");

  // The session's own post goes through.
  r = c.Post(resolve,
             httplib::Headers{{"Cookie", s.cookie}, {"Origin", "http://127.0.0.1:" + std::to_string(ui.port())}},
             httplib::Params{{"value", "Đã hòa giải"}, {"csrf", s.csrf}});
  REQUIRE(r);
  CHECK(r->status == 303);
  CHECK(status_now() == "resolved");
  // Every answer forbids fetching from elsewhere and framing.
  CHECK(r->get_header_value("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  CHECK(r->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);

  // A file attached from a browser never comes back as a page of the app:
  // only photos are shown, anything else downloads; an upload without the
  // token is refused.
  const std::string attach = "/concern/" + id + "/attach";
  httplib::MultipartFormDataItems page_file{{"file", "<script>alert(1)</script>", "x.html", "text/html"}};
  r = c.Post(attach, cookie, page_file);
  REQUIRE(r);
  CHECK(r->status == 403);
  page_file.push_back({"csrf", s.csrf, "", ""});
  r = c.Post(attach, cookie, page_file);
  REQUIRE(r);
  CHECK(r->status == 303);
  auto concern_page = c.Get("/concern/" + id, cookie);
  REQUIRE(concern_page);
  std::smatch m;
  REQUIRE(std::regex_search(concern_page->body, m, std::regex("<li data-id=\"([0-9a-f]{32})\">")));
  r = c.Get("/attachment/" + m[1].str(), cookie);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "<script>alert(1)</script>");
  CHECK(r->get_header_value("Content-Type") == "application/octet-stream");
  CHECK(r->get_header_value("Content-Disposition").rfind("attachment;", 0) == 0);
  CHECK(r->get_header_value("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  r = c.Get("/attachment/" + m[1].str());
  REQUIRE(r);
  CHECK(r->status == 303);

  // After logging out the token is worth nothing.
  r = c.Post("/logout", cookie, httplib::Params{{"csrf", s.csrf}});
  REQUIRE(r);
  r = c.Get("/inbox", cookie);
  REQUIRE(r);
  CHECK(r->status == 303);

  // Only loopback listens: the socket is bound to 127.0.0.1 (in
  // /proc/net/tcp as 0100007F:PORT), and this machine's other addresses
  // refuse the connection.
  std::ifstream tcp("/proc/net/tcp");
  std::string table((std::istreambuf_iterator<char>(tcp)), {});
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", ui.port());
  CHECK(table.find("0100007F:" + std::string(port_hex) + " 00000000:0000 0A") != std::string::npos);
  CHECK(table.find("00000000:" + std::string(port_hex) + " 00000000:0000 0A") == std::string::npos);
  ifaddrs* addrs = nullptr;
  REQUIRE(getifaddrs(&addrs) == 0);
  for (ifaddrs* a = addrs; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, ip, sizeof ip);
    if (std::string(ip).rfind("127.", 0) == 0) continue;
    INFO("address " << ip);
    httplib::Client other(ip, ui.port());
    CHECK(!other.Get("/login"));
  }
  freeifaddrs(addrs);

  // hamlet ui on a file that is no replica says so.
  CliResult missing = RunCli({"ui", "--port", "0"}, {{"HAMLET_DB", dir.File("nothing.db")}});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("there is no replica at") != std::string::npos);
}
