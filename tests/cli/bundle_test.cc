// hamlet bundle export|import and hamlet-hub import: commits carried by file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cli_workspace.h"

using namespace hamlet::test;

namespace {

std::string DeviceOf(const CliEnv& user) {
  std::string out = MustRun({"devices", "--json"}, user).out;
  size_t self = out.find("\"this_device\": true");
  REQUIRE(self != std::string::npos);
  size_t at = out.rfind("\"device\": \"", self);
  REQUIRE(at != std::string::npos);
  return out.substr(at + 11, 32);
}

}  // namespace

TEST_CASE("commits travel by bundle file between devices and into the hub", "[cli][bundle]") {
  CliWorkspace w(2);
  const CliEnv& cadre = w.cadres[0];
  const CliEnv& other = w.cadres[1];
  for (int i = 0; i < 3; i++) {
    MustRun({"concern", "add", "--kind", "request", "--category", "infrastructure", "--summary",
             "Đường ngập nước số " + std::to_string(i), "--hamlet", "Thôn Đông"},
            cadre);
  }
  std::string file = w.dir.File("the sd card.hmlb");
  CliResult wrote = MustRun({"bundle", "export", "--out", file}, cadre);
  CHECK(wrote.out.find("Wrote 4 commits") == 0);  // Its 3 and the workspace's name from the officer.
  CliResult again = RunCli({"bundle", "export", "--out", file}, cadre);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists already") != std::string::npos);

  // The officer takes the card; a second import, or an old bundle, is harmless.
  CliResult imported = MustRun({"bundle", "import", file}, w.officer);
  CHECK(imported.out.find("4 commits from device " + DeviceOf(cadre).substr(0, 8) + ", 3 new, 1 already here") !=
        std::string::npos);
  CHECK(MustRun({"concern", "list"}, w.officer).out.find("3 of 3 concerns") != std::string::npos);
  CHECK(MustRun({"bundle", "import", file}, w.officer).out.find("0 new, 4 already here") != std::string::npos);

  // What the cadre's bundle said it held is not sent back to it.
  std::string cadre_id = DeviceOf(cadre);
  std::string back = w.dir.File("back.hmlb");
  CHECK(MustRun({"bundle", "export", "--out", back, "--for", cadre_id.substr(0, 6)}, w.officer)
            .out.find("Nothing to carry") == 0);
  MustRun({"dialogue", "add", "--date", "20/11/2026", "--hamlet", "Thôn Đông", "--attendees", "35"}, w.officer);
  CHECK(MustRun({"bundle", "export", "--out", back, "--for", cadre_id.substr(0, 6)}, w.officer)
            .out.find("Wrote 1 commit ") == 0);
  MustRun({"bundle", "import", back}, cadre);
  CHECK(MustRun({"dialogue", "list"}, cadre).out.find("1 of 1 dialogues") != std::string::npos);

  // Bad input: a damaged file, a file that is no bundle, a missing file,
  // clashing options. Nothing is imported from any of them.
  std::string bytes = ReadAll(file);
  bytes[bytes.size() / 2] ^= 0x20;
  std::string damaged = w.dir.File("damaged.hmlb");
  std::ofstream(damaged, std::ios::binary) << bytes;
  CliResult bad = RunCli({"bundle", "import", damaged}, other);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("damaged") != std::string::npos);
  std::ofstream(w.dir.File("notes.txt")) << "Biên bản họp thôn";
  CHECK(RunCli({"bundle", "import", w.dir.File("notes.txt")}, other).err.find("not a Hamlet bundle") !=
        std::string::npos);
  CHECK(RunCli({"bundle", "import", w.dir.File("missing.hmlb")}, other).exit_code != 0);
  CHECK(RunCli({"bundle", "export", "--out", w.dir.File("x"), "--for", "abcd", "--since", ""}, other).exit_code == 2);
  CHECK(RunCli({"bundle", "export", "--out", w.dir.File("x"), "--since", "zz"}, other).exit_code == 2);
  CHECK(RunCli({"bundle", "export", "--out", w.dir.File("x"), "--for", "0000000"}, other).exit_code == 2);
  CHECK(MustRun({"concern", "list"}, other).out.find("0 of 0 concerns") != std::string::npos);

  // The hub imports the card too, while it serves; then everyone syncs.
  CliResult hub_import = RunHubCommand({"import", file, "--data", w.dir.File("hub")});
  INFO(hub_import.err);
  REQUIRE(hub_import.exit_code == 0);
  CHECK(hub_import.out.find("4 commits, 3 new, 1 already here") != std::string::npos);
  CHECK(RunHubCommand({"import", file, "--data", w.dir.File("hub")}).out.find("0 new, 4 already here") !=
        std::string::npos);
  CliResult hub_bad = RunHubCommand({"import", damaged, "--data", w.dir.File("hub")});
  CHECK(hub_bad.exit_code == 1);
  CHECK(hub_bad.err.find("damaged") != std::string::npos);
  MustRun({"sync"}, other);
  CHECK(MustRun({"concern", "list"}, other).out.find("3 of 3 concerns") != std::string::npos);
  // The cadre's own sync finds its commits already there.
  CliResult synced = MustRun({"sync"}, cadre);
  CHECK(synced.out.find("sent 0") != std::string::npos);
}

TEST_CASE("a hub restored from a backup is named, in sync, in status and before writing", "[cli][bundle]") {
  CliWorkspace w(1);
  const CliEnv& cadre = w.cadres[0];
  auto add = [&](const std::string& summary, const CliEnv& who) {
    return RunCli({"concern", "add", "--kind", "request", "--category", "infrastructure", "--summary", summary,
                   "--hamlet", "Thôn Đông"},
                  who);
  };
  REQUIRE(add("Cống bị tắc", cadre).exit_code == 0);
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, w.officer);
  const std::string data = w.dir.File("hub"), copy = w.dir.File("hub copy");
  CliResult backed = RunHubCommand({"backup", "--data", data, "--to", copy});
  REQUIRE(backed.exit_code == 0);
  CHECK(backed.out.find("Backed up") == 0);
  REQUIRE(add("Đèn đường hỏng", cadre).exit_code == 0);
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, w.officer);
  CHECK(MustRun({"status"}, w.officer).out.find("Warning") == std::string::npos);

  // The operator restores the copy.
  w.hub.StopAndRestart([&] {
    for (const char* f : {"/hub.db", "/hub.db-wal", "/hub.db-shm"}) std::filesystem::remove(data + f);
    std::filesystem::copy_file(copy + "/hub.db", data + "/hub.db");
  });
  CliResult synced = MustRun({"sync"}, w.officer);
  CHECK(synced.err.find("hamlet: warning: The hub at " + w.hub.url()) != std::string::npos);
  CHECK(synced.err.find("restored from a backup") != std::string::npos);
  CliResult status = MustRun({"status", "--json"}, w.officer);
  CHECK(status.out.find("\"kind\": \"hub_restored\"") != std::string::npos);
  CliResult written = add("Trạm bơm ngừng chạy", w.officer);
  CHECK(written.exit_code == 0);  // Written all the same, after the warning.
  CHECK(written.err.find("hamlet: warning: The hub at") != std::string::npos);
  // The next sync finds the hub whole again: no more warning.
  MustRun({"sync"}, cadre);
  MustRun({"sync"}, w.officer);
  CHECK(MustRun({"status", "--json"}, w.officer).out.find("hub_restored") == std::string::npos);
  CHECK(MustRun({"concern", "list"}, w.officer).out.find("3 of 3 concerns") != std::string::npos);
}
