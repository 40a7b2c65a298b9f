// hamlet concern attach and hamlet attachment list|get|drop, run as users
// run them, against a real hub.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_workspace.h"
#include "hamlet/env.h"

using namespace hamlet;
using namespace hamlet::test;
using nlohmann::json;

namespace {

std::string Photo(size_t size) {
  std::mt19937_64 rng(7);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

}  // namespace

TEST_CASE("a cadre attaches a photo to a concern; the officer lists it, fetches it and gets it back whole",
          "[cli][attachments]") {
  CliWorkspace w(1);
  const CliEnv& cadre = w.cadres[0];
  std::string concern = json::parse(MustRun({"concern", "add", "--kind", "complaint", "--category", "land", "--summary",
                                             "Tranh chấp ranh giới đất", "--json"},
                                            cadre)
                                        .out)["id"];
  const std::string photo = Photo(200000);
  const std::string file = w.dir.File("đơn-thư.jpg");
  REQUIRE(Env::Default()->WriteFileAtomic(file, photo).ok());

  CliResult attached = MustRun({"concern", "attach", concern.substr(0, 8), file}, cadre);
  CHECK(attached.out.find("đơn-thư.jpg") != std::string::npos);
  json mine = json::parse(MustRun({"attachment", "list", "--json"}, cadre).out);
  REQUIRE(mine.size() == 1);
  CHECK(mine[0]["name"] == "đơn-thư.jpg");
  CHECK(mine[0]["type"] == "image/jpeg");
  CHECK(mine[0]["size"] == photo.size());
  CHECK(mine[0]["record"] == concern);
  CHECK(mine[0]["held"] == true);
  CHECK(mine[0]["sent"] == false);
  const std::string id = mine[0]["id"];

  CliResult synced = MustRun({"sync"}, cadre);
  CHECK(synced.out.find("sent 1 attachment") != std::string::npos);
  MustRun({"sync"}, w.officer);
  CliResult listed = MustRun({"attachment", "list", concern.substr(0, 8)}, w.officer);
  CHECK(listed.out.find("đơn-thư.jpg") != std::string::npos);
  CHECK(listed.out.find("at the hub (not fetched)") != std::string::npos);

  // The officer fetches it into a file; a file there already is not
  // written over.
  const std::string out = w.dir.File("got.jpg");
  CliResult got = MustRun({"attachment", "get", id.substr(0, 8), "--out", out}, w.officer);
  CHECK(got.out.find(out) != std::string::npos);
  std::string back;
  REQUIRE(Env::Default()->ReadFile(out, &back).ok());
  CHECK(back == photo);
  CliResult again = RunCli({"attachment", "get", id.substr(0, 8), "--out", file}, w.officer);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists already") != std::string::npos);
  REQUIRE(Env::Default()->ReadFile(file, &back).ok());
  CHECK(back == photo);
  json theirs = json::parse(MustRun({"attachment", "list", "--json"}, w.officer).out);
  CHECK(theirs[0]["held"] == true);

  // Bad input: one line, exit 2, nothing changed.
  CliResult missing = RunCli({"concern", "attach", concern.substr(0, 8), w.dir.File("no-such.jpg")}, cadre);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no-such.jpg") != std::string::npos);
  CliResult bad_id = RunCli({"attachment", "get", "xyz"}, w.officer);
  CHECK(bad_id.exit_code == 2);
  CHECK(bad_id.err.find("first 6 or more") != std::string::npos);

  // The cadre drops it: gone from the lists of both once synced.
  CliResult dropped = MustRun({"attachment", "drop", id.substr(0, 8)}, cadre);
  CHECK(dropped.out.find("Dropped attachment") != std::string::npos);
  CHECK(MustRun({"attachment", "list"}, cadre).out.find("No attachments.") != std::string::npos);
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, w.officer);
  CHECK(json::parse(MustRun({"attachment", "list", "--json"}, w.officer).out).empty());
}

TEST_CASE("the report counts concerns with files attached only when asked", "[cli][attachments][report]") {
  CliWorkspace w(0);
  const CliEnv& officer = w.officer;
  auto add = [&](const std::string& summary) {
    return json::parse(MustRun({"concern", "add", "--kind", "request", "--category", "land", "--summary", summary,
                                "--received", "03/11/2026", "--json"},
                               officer)
                           .out)["id"]
        .get<std::string>();
  };
  std::string with_two = add("Sửa cầu tràn"), with_one = add("Đèn đường"), with_none = add("Nạo vét kênh");
  (void)with_none;
  const std::string file = w.dir.File("anh.jpg");
  REQUIRE(Env::Default()->WriteFileAtomic(file, Photo(1000)).ok());
  for (const std::string& id : {with_two, with_two, with_one}) MustRun({"concern", "attach", id, file}, officer);
  // One dropped counts no more.
  std::string dropped = json::parse(MustRun({"attachment", "list", "--json"}, officer).out)[0]["id"];
  MustRun({"attachment", "drop", dropped}, officer);
  MustRun({"concern", "attach", with_one, file}, officer);

  const std::vector<std::string> period{"report", "--from", "01/11/2026", "--to", "30/11/2026", "--format", "json"};
  json plain = json::parse(MustRun(period, officer).out)["total"];
  CHECK(plain["concerns"] == 3);
  CHECK_FALSE(plain.contains("attachments"));
  CHECK_FALSE(plain.contains("concerns_with_attachments"));
  std::vector<std::string> asked = period;
  asked.push_back("--attachments");
  json with = json::parse(MustRun(asked, officer).out)["total"];
  CHECK(with["concerns"] == 3);
  CHECK(with["concerns_with_attachments"] == 2);
  CHECK(with["attachments"] == 3);
  CHECK(MustRun({"report", "--from", "01/11/2026", "--to", "30/11/2026"}, officer).out.find("files attached") ==
        std::string::npos);
}
