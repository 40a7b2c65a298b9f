// A denunciation's reporter, sealed to the officers by the command line:
// unreadable on the cadre's device and in the hub's files, readable by the
// officer, the rest of the record countable by everyone.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_workspace.h"

using namespace hamlet::test;

namespace {

// True when any file under dir holds needle.
bool AnyFileHolds(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a denunciation's reporter is sealed to the officers", "[cli][sealed]") {
  CliWorkspace w(2);
  const CliEnv& cadre = w.cadres[0];
  const CliEnv& other = w.cadres[1];
  const std::string reporter = "Hoàng Thị Lựu";
  const std::string contact = "0987 654 321";

  CliResult added = MustRun({"concern", "add", "--kind", "denunciation", "--category", "land", "--summary",
                             "Lấn chiếm đất công", "--reporter-name", reporter, "--reporter-contact", contact,
                             "--hamlet", "Thôn 2"},
                            cadre);
  CHECK(added.out.find("sealed to the officers") != std::string::npos);
  std::string id = added.out.substr(std::string("Recorded concern ").size(), 32);
  CliResult plain = MustRun({"concern", "add", "--kind", "complaint", "--category", "land", "--summary",
                             "Tranh chấp ranh giới", "--reporter-name", "Phạm Văn Đức"},
                            cadre);
  CHECK(plain.out.find("sealed") == std::string::npos);

  // The cadre who wrote it can no longer read it, in any form.
  CliResult shown = MustRun({"concern", "show", id}, cadre);
  CHECK(shown.out.find(reporter) == std::string::npos);
  CHECK(shown.out.find("only the officers can read it") != std::string::npos);
  CHECK(shown.out.find("Lấn chiếm đất công") != std::string::npos);
  CliResult as_json = MustRun({"concern", "show", id, "--json"}, cadre);
  CHECK(as_json.out.find(reporter) == std::string::npos);
  CHECK(as_json.out.find("\"sealed\":[\"reporter_contact\",\"reporter_name\"]") != std::string::npos);
  CliResult searched = MustRun({"concern", "list", "--search", "Lựu"}, cadre);
  CHECK(searched.out.find("0 of 0") != std::string::npos);
  CHECK(!AnyFileHolds(w.dir.path(), reporter));
  CHECK(!AnyFileHolds(w.dir.path(), contact));

  MustRun({"sync"}, cadre);
  MustRun({"sync"}, other);
  MustRun({"sync"}, w.officer);
  // Not in the hub's files, nor on the other cadre's device, where the rest
  // of the record is there to count.
  CHECK(!AnyFileHolds(w.dir.File("hub"), reporter));
  CliResult counted = MustRun({"concern", "list", "--kind", "denunciation", "--json"}, other);
  CHECK(counted.out.find("\"total\":1") != std::string::npos);
  CHECK(counted.out.find(reporter) == std::string::npos);
  CliResult theirs = MustRun({"concern", "show", id}, other);
  CHECK(theirs.out.find("only the officers can read it") != std::string::npos);

  // The officer reads it, byte for byte.
  CliResult officer = MustRun({"concern", "show", id}, w.officer);
  CHECK(ValueAfter(officer.out, "  reporter") == reporter);
  CHECK(ValueAfter(officer.out, "  reporter's contact") == contact);
  CliResult officer_json = MustRun({"concern", "show", id, "--json"}, w.officer);
  CHECK(officer_json.out.find("\"reporter_name\":\"" + reporter + "\"") != std::string::npos);

  SECTION("an edit keeps the reporter sealed, and so does turning a concern into a denunciation") {
    MustRun({"concern", "edit", id.substr(0, 8), "--reporter-contact", "0911 000 111"}, cadre);
    CHECK(MustRun({"concern", "show", id}, cadre).out.find("0911 000 111") == std::string::npos);
    std::string plain_id = plain.out.substr(std::string("Recorded concern ").size(), 32);
    CliResult turned = MustRun({"concern", "edit", plain_id, "--kind", "denunciation"}, cadre);
    CHECK(turned.out.find("remain in the history") != std::string::npos);
    CHECK(MustRun({"concern", "show", plain_id}, cadre).out.find("Phạm Văn Đức") == std::string::npos);
    MustRun({"sync"}, cadre);
    MustRun({"sync"}, w.officer);
    CHECK(ValueAfter(MustRun({"concern", "show", id}, w.officer).out, "  reporter's contact") == "0911 000 111");
    CHECK(ValueAfter(MustRun({"concern", "show", plain_id}, w.officer).out, "  reporter") == "Phạm Văn Đức");
  }

  SECTION("the reporter can be typed on standard input, out of the shell's history") {
    CliResult typed = RunCliWithInput({"concern", "add", "--kind", "denunciation", "--category", "land", "--summary",
                                       "Xây dựng trái phép", "--reporter-name", "-", "--reporter-contact", "-"},
                                      cadre, "Đỗ Thị Mai\r\n0977 111 222\n");
    INFO(typed.err);
    REQUIRE(typed.exit_code == 0);
    std::string typed_id = typed.out.substr(std::string("Recorded concern ").size(), 32);
    CHECK(!AnyFileHolds(w.dir.path(), "Đỗ Thị Mai"));
    MustRun({"sync"}, cadre);
    MustRun({"sync"}, w.officer);
    CliResult read = MustRun({"concern", "show", typed_id}, w.officer);
    CHECK(ValueAfter(read.out, "  reporter") == "Đỗ Thị Mai");
    CHECK(ValueAfter(read.out, "  reporter's contact") == "0977 111 222");
    CliResult short_input = RunCliWithInput({"concern", "add", "--kind", "denunciation", "--category", "land",
                                             "--summary", "x", "--reporter-name", "-", "--reporter-contact", "-"},
                                            cadre, "Chỉ một dòng\n");
    CHECK(short_input.exit_code == 2);
    CHECK(short_input.err.find("standard input") != std::string::npos);
  }

  SECTION("an officer admitted later reads the reporter once an officer seals it again") {
    CliEnv late{{"HAMLET_DB", w.dir.File("late-officer.db")}, {"HAMLET_PASSPHRASE", "phó chủ tịch"}};
    MustRun({"init"}, late);
    CliResult invite = MustRun({"invite", "--role", "officer"}, w.officer);
    std::string code = invite.out.substr(invite.out.find("hamlet2:"));
    code = code.substr(0, code.find('\n'));
    CHECK(RunCli({"join", code, "--hub", w.hub.url()}, late).exit_code == 75);
    MustRun({"sync"}, w.officer);
    MustRun({"join"}, late);
    MustRun({"sync"}, late);
    CHECK(MustRun({"concern", "show", id}, late).out.find("only the officers can read it") != std::string::npos);

    MustRun({"sync"}, cadre);  // Learns the new officer from the hub.
    CliResult cannot = MustRun({"concern", "reseal"}, cadre);
    CHECK(cannot.out.find("Sealed the reporters of 0 denunciations") == 0);
    CHECK(cannot.out.find("1 could not be read on this device") != std::string::npos);
    CliResult resealed = MustRun({"concern", "reseal"}, w.officer);
    CHECK(resealed.out.find("Sealed the reporters of 1 denunciation again, for the 2 officer devices") == 0);
    CHECK(MustRun({"concern", "reseal"}, w.officer).out.find("of 0 denunciations") != std::string::npos);
    MustRun({"sync"}, w.officer);
    MustRun({"sync"}, late);
    CHECK(ValueAfter(MustRun({"concern", "show", id}, late).out, "  reporter") == reporter);
    CHECK(!AnyFileHolds(w.dir.File("hub"), reporter));
  }

  SECTION("text that looks sealed is refused") {
    CliResult odd = RunCli({"concern", "add", "--kind", "request", "--category", "other", "--summary", "x",
                            "--reporter-name", "sealed2:AAAA"},
                           cadre);
    CHECK(odd.exit_code == 2);
    CHECK(odd.err.find("cannot begin with") != std::string::npos);
  }
}
