// hamlet sync over the hamlets' 2G link (64 kbit/s each way, 300 ms round
// trip, 1% loss), emulated between the real hamlet and a real hamlet-hub,
// with the scenarios of BENCHMARKS.md "2G link" scaled down: fewer commits,
// and cuts that come sooner and more often (1.5 s every 6 s: the same
// quarter of the time without a link) so that every transfer meets several.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "helpers.h"
#include "link_scenario.h"
#include "run_cli.h"

namespace hamlet::test {

namespace {

LinkProfile Scaled(uint64_t seed, bool resets) {
  LinkProfile p = LinkProfile::Hamlet2G();
  p.seed = seed;
  p.first_cut_at_ms = 2000;
  p.cut_every_ms = 6000;
  p.cut_for_ms = 1500;
  p.cut_resets = resets;
  return p;
}

// What the same transfer needs on a clean link of the same speed.
LinkCounts CleanNeeds(ScenarioSize size) {
  TempDir dir;
  LinkScenario clean(dir.path(), size, 7);
  SyncOutcome o = clean.Sync(LinkProfile::Clean(), HAMLET_CLI_BINARY, {}, 1);
  REQUIRE(o.exit_code == 0);
  return o.link;
}

// What crossed the link beyond the clean run's bytes may be what TCP sends
// again after a loss (1%, and 2% allowed) and what was in flight at each
// cut (with the tries during it: a few segments, 8 KiB allowed a cut), but
// never a page asked for again.
void CheckWaste(uint64_t got, uint64_t need, uint64_t cuts) {
  uint64_t allowed = need / 50 + cuts * (8 << 10);
  INFO("sent " << got << " bytes where a clean link needs " << need << "; " << cuts << " cuts allow " << allowed
               << " more");
  CHECK(got <= need + allowed);
}

void CheckDelivered(LinkScenario& s, int own) {
  CliResult st = RunCli({"status", "--workspace", s.workspace().Hex()}, s.CadreEnv());
  INFO(st.out << st.err);
  REQUIRE(st.exit_code == 0);
  CHECK(ValueAfter(st.out, "Delivered") ==
        "all " + std::to_string(own) + " commits written on this device are at the hub");
}

// A workspace whose 60 commits (at least 1 KiB each) the cadre pulls in
// one page, over a clean link that goes for good once half of what a whole
// sync needs has gone down.
constexpr ScenarioSize kOnePage{0, 60, 3, 0};
LinkProfile GoneHalfway(const LinkCounts& need) {
  LinkProfile p = LinkProfile::Clean();
  p.down_bytes_until_gone = need.wire_down / 2;
  return p;
}

// After a first run that stopped partway through the page: the next run
// finishes, and the two together took what one needs (and the second
// run's session and keys answers), never the page's first bytes again.
void CheckRestOnly(LinkScenario& s, const SyncOutcome& first, const LinkCounts& need) {
  SyncOutcome back = s.Sync(LinkProfile::Clean(), HAMLET_CLI_BINARY, {}, 1);
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  REQUIRE(s.Verify().ToString() == "OK");
  INFO("first run " << first.link.delivered_down << " bytes down, second " << back.link.wire_down
                    << ", one run needs " << need.wire_down);
  CHECK(first.link.delivered_down + back.link.wire_down <= need.wire_down + (6 << 10));
}

}  // namespace

TEST_CASE("a cadre back after a month syncs in one run over 2G, through cuts that keep the connection",
          "[cli][link]") {
  ScenarioSize size{36, 60, 5, 0};
  LinkCounts need = CleanNeeds(size);
  uint64_t seed = SeedFromEnv(11);
  INFO("seed " << seed << " (replay with HAMLET_SEED)");
  TempDir dir;
  LinkScenario s(dir.path(), size, 7);
  SyncOutcome o = s.Sync(Scaled(seed, false), HAMLET_CLI_BINARY, {}, 3);
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  CHECK(o.runs == 1);
  CHECK(o.link.cuts >= 2);
  REQUIRE(s.Verify().ToString() == "OK");
  CheckDelivered(s, 36);
  CheckWaste(o.link.wire_up, need.wire_up, o.link.cuts);
  CheckWaste(o.link.wire_down, need.wire_down, o.link.cuts);
}

TEST_CASE("a new device's first pull resumes each cut page at the byte where it stopped", "[cli][link]") {
  // Every cut resets the connections: the pages in transit are cut short.
  ScenarioSize size{0, 120, 4, 0};
  LinkCounts need = CleanNeeds(size);
  uint64_t seed = SeedFromEnv(12);
  INFO("seed " << seed << " (replay with HAMLET_SEED)");
  TempDir dir;
  LinkScenario s(dir.path(), size, 7);
  SyncOutcome o = s.Sync(Scaled(seed, true), HAMLET_CLI_BINARY, {}, 3);
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  CHECK(o.runs == 1);
  CHECK(o.link.resets >= 2);
  REQUIRE(s.Verify().ToString() == "OK");
  // What arrived before a cut was not fetched again.
  CheckWaste(o.link.wire_down, need.wire_down, o.link.cuts);
  // The progress line said when the link went down.
  CHECK(o.err.find("the link is down, trying again") != std::string::npos);
}

TEST_CASE("hamlet sync gives up only when nothing comes through, in words, and the next run goes on",
          "[cli][link]") {
  TempDir dir;
  ScenarioSize size{5, 30, 2, 0};
  LinkScenario s(dir.path(), size, 7);
  LinkProfile gone = LinkProfile::Clean();
  gone.first_cut_at_ms = 0;
  gone.cut_every_ms = 3600 * 1000;
  gone.cut_for_ms = 3600 * 1000 - 1;
  SyncOutcome o = s.Sync(gone, HAMLET_CLI_BINARY, {"--give-up-after", "3"}, 1);
  CHECK(o.exit_code == 75);
  CHECK(o.err.find("nothing came through for") != std::string::npos);
  CHECK(o.err.find("nothing is lost") != std::string::npos);
  CHECK(o.err.find("Read") == std::string::npos);
  SyncOutcome back = s.Sync(LinkProfile::Clean(), HAMLET_CLI_BINARY, {}, 1);
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  REQUIRE(s.Verify().ToString() == "OK");
  CheckDelivered(s, 5);
}

TEST_CASE("a pull page cut off when hamlet sync gives up goes on from its byte in the next run", "[cli][link]") {
  LinkCounts need = CleanNeeds(kOnePage);
  TempDir dir;
  LinkScenario s(dir.path(), kOnePage, 7);
  SyncOutcome cut = s.Sync(GoneHalfway(need), HAMLET_CLI_BINARY, {"--give-up-after", "3"}, 1);
  INFO(cut.err);
  REQUIRE(cut.exit_code == 75);
  REQUIRE(cut.link.delivered_down > 20 << 10);
  CheckRestOnly(s, cut, need);
}

TEST_CASE("Ctrl-C stops hamlet sync at once and the next run takes only the rest of the page", "[cli][link]") {
  LinkCounts need = CleanNeeds(kOnePage);
  TempDir dir;
  LinkScenario s(dir.path(), kOnePage, 7);
  // Ctrl-C once the progress line shows 16 KiB of the pull or more: it
  // shows every few seconds while bytes come, and when the link is found
  // down.
  auto pulled_16_kib = [](const std::string& err) {
    size_t at = err.rfind("pull: ");
    if (at == std::string::npos) return false;
    size_t comma = err.find(", ", at);
    if (comma == std::string::npos) return false;
    double n = std::atof(err.c_str() + comma + 2);
    std::string unit = err.substr(err.find(' ', comma + 2) + 1, 3);
    return unit == "MiB" || (unit == "KiB" && n >= 16);
  };
  SyncOutcome stopped = s.Sync(GoneHalfway(need), HAMLET_CLI_BINARY, {}, 1, pulled_16_kib);
  INFO(stopped.err);
  REQUIRE(stopped.exit_code == 130);
  CHECK(stopped.err.find("stopped as asked; nothing is lost") != std::string::npos);
  REQUIRE(stopped.link.delivered_down > 16 << 10);
  CheckRestOnly(s, stopped, need);
}

}  // namespace hamlet::test
