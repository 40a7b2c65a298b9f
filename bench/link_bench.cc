// Sync over the hamlets' 2G link: the real `hamlet sync` and `hamlet-hub`
// through the tests' LinkEmulator (64 kbit/s each way, 300 ms round trip,
// 1% loss, gone for 5 s every 20 s). Usage:
//   link_bench [offline|fresh|daily|all] [--runs N] [--hamlet PATH] [--hub PATH]
//              [--max-runs M] [--resets] [--verbose] [-- EXTRA SYNC ARGS...]
//
// offline: a cadre back after 30 days: 360 own commits up, 600 of five
//   others down.
// fresh: a new device joins a workspace of 3,000 concerns from ten devices.
// daily: a cadre who synced yesterday: 5 concerns up, 5 down.
//
// Each scenario is first run once over a clean link of the same bandwidth
// and delay (no loss, no cuts): what the transfer needs. Then N times over
// the 2G link, the cuts starting at a different moment each time; `hamlet
// sync` is run again after each exit 75, at most M times. Wasted is what
// crossed the link beyond the clean run's bytes, split into what TCP sent
// again and what sync itself sent beyond the clean run. --resets makes every cut
// reset the connections crossing it instead of stalling them. --hamlet and
// --hub run other builds (the figures before a change).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "link_scenario.h"

using namespace hamlet;
using namespace hamlet::test;
using hamlet::bench::Median;

namespace {

struct Config {
  std::string what = "all";
  int runs = 3;
  int max_runs = 10;
  bool resets = false;
  bool verbose = false;  // Shows what each last run printed.
  std::string hamlet = HAMLET_CLI_BINARY;
  std::vector<std::string> extra;
};

void Scenario(const Config& c, const std::string& name, ScenarioSize size, const std::string& dir) {
  std::printf("\n## %s (%d own commits up, %d of others down)\n\n", name.c_str(), size.own, size.others);
  auto run_one = [&](const LinkProfile& profile, uint64_t seed, SyncOutcome* out) {
    std::string d = dir + "/" + name + "_" + std::to_string(seed);
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    LinkScenario s(d, size, 7);
    *out = s.Sync(profile, c.hamlet, c.extra, c.max_runs);
    Status v = out->exit_code == 0 ? s.Verify() : Status::Unavailable("did not finish");
    std::fprintf(stderr, "  %s seed %llu: exit %d after %d runs, %.1f s, %llu requests, wire %llu up %llu down, %s\n",
                 name.c_str(), static_cast<unsigned long long>(seed), out->exit_code, out->runs, out->seconds,
                 static_cast<unsigned long long>(out->requests), static_cast<unsigned long long>(out->link.wire_up),
                 static_cast<unsigned long long>(out->link.wire_down), v.ToString().c_str());
    if (out->exit_code != 0 || c.verbose) std::fprintf(stderr, "  last run said: %s\n", out->err.c_str());
    std::filesystem::remove_all(d);
    return v.ok();
  };
  SyncOutcome clean;
  if (!run_one(LinkProfile::Clean(), 0, &clean)) {
    std::fprintf(stderr, "link_bench: the clean run failed\n");
    std::exit(1);
  }
  std::vector<double> secs, up, down, requests, runs, wasted, by_link, by_sync;
  int done = 0;
  for (int i = 1; i <= c.runs; i++) {
    LinkProfile p = LinkProfile::Hamlet2G();
    p.seed = static_cast<uint64_t>(i);
    p.first_cut_at_ms = static_cast<int64_t>(((i - 1) * 4) % 20) * 1000;  // 0, 4, 8, 12, 16 s, ...: every phase of the cycle.
    p.cut_resets = c.resets;
    SyncOutcome o;
    if (run_one(p, static_cast<uint64_t>(i), &o)) done++;
    secs.push_back(o.seconds);
    up.push_back(static_cast<double>(o.link.wire_up));
    down.push_back(static_cast<double>(o.link.wire_down));
    requests.push_back(static_cast<double>(o.requests));
    runs.push_back(o.runs);
    double need = static_cast<double>(clean.link.wire_up + clean.link.wire_down);
    double wire = static_cast<double>(o.link.wire_up + o.link.wire_down);
    double delivered = static_cast<double>(o.link.delivered_up + o.link.delivered_down);
    wasted.push_back(100.0 * (wire - need) / need);
    // What TCP sent again (lost segments, and what was in flight at a cut
    // or tried during it), and what sync itself sent beyond the clean run
    // (requests tried again, a cut page's rest asked for, more pages).
    by_link.push_back(100.0 * (wire - delivered) / need);
    by_sync.push_back(100.0 * (delivered - need) / need);
  }
  std::printf("| link | finished | wall s (median; min-max) | hamlet sync runs | requests | up KiB | down KiB | wasted "
              "| of it TCP's | of it sync's |\n");
  std::printf("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  std::printf("| clean | 1 of 1 | %.1f | %d | %llu | %.1f | %.1f | - | - | - |\n", clean.seconds, clean.runs,
              static_cast<unsigned long long>(clean.requests), clean.link.wire_up / 1024.0,
              clean.link.wire_down / 1024.0);
  std::printf("| 2G%s | %d of %d | %.1f; %.1f-%.1f | %.0f | %.0f | %.1f | %.1f | %.1f%% | %.1f%% | %.1f%% |\n",
              c.resets ? ", cuts reset" : "", done, c.runs, Median(secs), *std::min_element(secs.begin(), secs.end()),
              *std::max_element(secs.begin(), secs.end()), Median(runs), Median(requests), Median(up) / 1024.0,
              Median(down) / 1024.0, Median(wasted), Median(by_link), Median(by_sync));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      c.runs = std::atoi(argv[++i]);
    } else if (a == "--max-runs" && i + 1 < argc) {
      c.max_runs = std::atoi(argv[++i]);
    } else if (a == "--hamlet" && i + 1 < argc) {
      c.hamlet = argv[++i];
    } else if (a == "--hub" && i + 1 < argc) {
      HubProcess::UseBinary(argv[++i]);
    } else if (a == "--resets") {
      c.resets = true;
    } else if (a == "--verbose") {
      c.verbose = true;
    } else if (a == "offline" || a == "fresh" || a == "daily" || a == "all") {
      c.what = a;
    } else if (a == "--") {
      c.extra.assign(argv + i + 1, argv + argc);
      break;
    } else {
      std::fprintf(stderr,
                   "usage: link_bench [offline|fresh|daily|all] [--runs N] [--hamlet PATH] [--hub PATH] "
                   "[--max-runs M] [--resets] [--verbose] [-- SYNC ARGS]\n");
      return 2;
    }
  }
  if (c.runs < 1 || c.max_runs < 1) {
    std::fprintf(stderr, "link_bench: --runs and --max-runs must be positive\n");
    return 2;
  }
  std::string dir = (std::filesystem::temp_directory_path() / ("link_bench_" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  if (c.what == "daily" || c.what == "all") {
    ScenarioSize s{5, 5, 5, 100};
    Scenario(c, "daily", s, dir);
  }
  if (c.what == "offline" || c.what == "all") Scenario(c, "offline", ScenarioSize{360, 600, 5, 0}, dir);
  if (c.what == "fresh" || c.what == "all") Scenario(c, "fresh", ScenarioSize{0, 3000, 10, 0}, dir);
  std::filesystem::remove_all(dir);
  return 0;
}
