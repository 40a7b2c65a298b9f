#include "commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <vector>

#include "hamlet/hub_client.h"
#include "hamlet/language.h"
#include "office/sync_round.h"
#include "stop_signal.h"

namespace hamlet::cli {

namespace {

struct SyncArgs {
  std::string hub;
  std::string ca_file;
  size_t page_kib = 256;
  int give_up_after_s = 120;
  int recent_days = 0;
  bool recent_only = false;
  bool quiet = false;
};

// What the user can do about a refusal, by its kind.
std::string Advice(const Status& s, const SyncArgs& args) {
  if (s.Retryable()) {
    return Tr("nothing is lost; run hamlet sync again when the link is back, and it goes on from where it stopped");
  }
  switch (s.code()) {
    case Code::kPermissionDenied:
      return Tr("the hub refused this device; a revoked device can no longer sync this workspace, and what it holds "
                "stays readable here");
    case Code::kUnauthenticated:
      if (s.message().find("TLS") != std::string::npos) return Tr("check --ca-file or the hub's address");
      return Tr("the hub does not know this device: the workspace admin must register it");
    case Code::kNotFound:
      return Format(Tr("the hub at %s does not have this workspace: wrong hub, or not published yet"), args.hub.c_str());
    case Code::kUnimplemented:
      return Tr("this hamlet and the hub speak different protocol versions: update the older one");
    default:
      return "";
  }
}

// One workspace to sync: its id, name and hub, and how its sync went.
struct Target {
  explicit Target(const WorkspaceId& w) : ws(w) {}
  WorkspaceId ws;
  std::string name;  // The workspace's name, else its id.
  std::string hub;
  Status status;
  SyncReport report;
  size_t admitted = 0, refused = 0;
  bool synced = false;
};

// Sums of the syncs that went through.
SyncReport Total(const std::vector<Target>& targets) {
  SyncReport t;
  for (const Target& x : targets) {
    if (!x.synced) continue;
    t.pushed += x.report.pushed;
    t.relayed += x.report.relayed;
    t.pulled += x.report.pulled;
    t.applied += x.report.applied;
    t.bytes_up += x.report.bytes_up;
    t.bytes_down += x.report.bytes_down;
    t.retries += x.report.retries;
    t.files_sent += x.report.files_sent;
    t.files_fetched += x.report.files_fetched;
    t.started_from_snapshot |= x.report.started_from_snapshot;
    t.snapshot_given |= x.report.snapshot_given;
    if (!x.report.snapshot_refused.empty()) t.snapshot_refused = x.report.snapshot_refused;
    t.older_left += x.report.older_left;
  }
  return t;
}

// Syncs every workspace of the replica (a district officer holds several
// communes), or the one --workspace names, each with its own hub unless
// --hub names one for all: one progress line, one summary.
int RunSync(const Context& context, SyncArgs args) {
  std::unique_ptr<Replica> replica;
  if (int rc = context.OpenReplica(&replica); rc != kExitOk) return rc;
  std::vector<Target> targets;
  if (!context.workspace.empty()) {
    WorkspaceId ws;
    Status s = context.PickWorkspace(*replica, &ws);
    if (!s.ok()) return Refuse("sync", s);
    targets.emplace_back(ws);
  } else {
    std::vector<WorkspaceId> all;
    Status s = replica->Workspaces(&all);
    if (s.ok() && all.empty()) {
      s = Status::FailedPrecondition(
          Tr("this replica belongs to no workspace yet: hamlet workspace create, or hamlet join"));
    }
    if (!s.ok()) return Refuse("sync", s);
    for (const WorkspaceId& ws : all) targets.emplace_back(ws);
  }
  for (Target& t : targets) {
    t.name = WorkspaceName(*replica, t.ws);
    if (t.name.empty()) t.name = t.ws.Hex();
    t.status = context.PickHub(*replica, t.ws, args.hub, &t.hub);
    // A hub given wrongly is wrong for all; one workspace alone says so as
    // a usage error.
    if (!t.status.ok() && (targets.size() == 1 || !args.hub.empty())) return Refuse("sync", t.status);
  }
  const bool several = targets.size() > 1;

  SyncOptions options;
  options.ca_file = args.ca_file;
  options.chunk_bytes = args.page_kib * 1024;
  options.give_up_after_ms = static_cast<int64_t>(args.give_up_after_s) * 1000;
  options.recent_days = args.recent_days;
  options.older = !args.recent_only;
  // On a terminal the progress line is redrawn in place as the bytes move;
  // in a log a line is written at most every few seconds, and whenever the
  // link goes down or comes back.
  bool tty = isatty(STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  auto last = start;
  bool drew = false, was_down = false;
  std::string push_text, pull_text, prefix;
  if (!args.quiet) {
    options.progress = [&](const SyncProgress& p) {
      auto now = std::chrono::steady_clock::now();
      bool changed = p.link_down != was_down;
      was_down = p.link_down;
      // A long push runs beside the pull: the line keeps both, each as last told.
      std::string& text = std::strcmp(p.phase, "pull") == 0 || std::strcmp(p.phase, "older") == 0 ||
                                  std::strcmp(p.phase, "download") == 0
                              ? pull_text
                              : push_text;
      // A push with nothing to send is not shown.
      bool idle_push = &text == &push_text && p.commits == 0 && p.bytes == 0;
      if (p.phase[0] != '\0' && !idle_push) {
        text = PhaseText(p);
      }
      if (!tty && !changed && now - last < std::chrono::seconds(5)) return;
      last = now;
      std::string line = push_text.empty() && pull_text.empty() ? std::string(Tr("connecting"))
                         : push_text.empty() || pull_text.empty() ? push_text + pull_text
                                                                 : push_text + "; " + pull_text;
      line += LinkDownText(p);
      std::fprintf(stderr, "%s%s%s%s", tty ? "\r\033[K" : "", prefix.c_str(), line.c_str(), tty ? "" : "\n");
      std::fflush(stderr);
      drew = tty;
    };
  }
  // Ctrl-C stops the sync cleanly: what arrived is kept, a pull page cut
  // off included, and the next run goes on from there.
  int stopped_by = 0;
  {
    HubClient* running = nullptr;
    std::mutex mu;
    StopOnSignal stop([&] {
      std::lock_guard<std::mutex> lock(mu);
      if (running != nullptr) running->Cancel();
    });
    for (size_t i = 0; i < targets.size() && stop.signal() == 0; i++) {
      Target& t = targets[i];
      if (!t.status.ok()) continue;
      if (several) prefix = "[" + std::to_string(i + 1) + "/" + std::to_string(targets.size()) + "] " + t.name + ": ";
      push_text.clear();
      pull_text.clear();
      options.hub = t.hub;
      HubClient client(replica.get(), options);
      {
        std::lock_guard<std::mutex> lock(mu);
        running = &client;
      }
      if (stop.signal() == 0) {
        SyncOutcome outcome;
        t.status = SyncWorkspace(*replica, t.ws, client, &outcome);
        t.synced = t.status.ok();
        t.report = outcome.report;
        t.admitted = outcome.admitted;
        t.refused = outcome.refused;
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        running = nullptr;
      }
    }
    stopped_by = stop.signal();
  }
  if (drew) std::fprintf(stderr, "\r\033[K");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t synced = 0;
  bool final_failure = false;
  for (const Target& t : targets) {
    if (t.admitted > 0) {
      Say(Format(TrN("Admitted %zu new device.", "Admitted %zu new devices.", t.admitted), t.admitted));
    }
    if (t.refused > 0) {
      Complain(Format(TrN("%zu join request carried a wrong or spent invite and was refused",
                          "%zu join requests carried a wrong or spent invite and were refused", t.refused),
                      t.refused));
    }
    if (t.synced) {
      synced++;
      continue;
    }
    if (t.status.ok()) continue;  // Not reached: stopped before.
    if (stopped_by != 0 && t.status.code() == Code::kCancelled) continue;
    SyncArgs one = args;
    one.hub = t.hub;
    std::string advice = Advice(t.status, one);
    std::string message = t.status.message().empty() ? Status::CodeName(t.status.code()) : t.status.message();
    std::string what = !several        ? Format(Tr("sync with %s failed"), t.hub.c_str())
                       : t.hub.empty() ? Format(Tr("sync of %s failed"), t.name.c_str())
                                       : Format(Tr("sync of %s with %s failed"), t.name.c_str(), t.hub.c_str());
    Complain(what + ": " + message + (advice.empty() ? "" : "; " + advice));
    final_failure = final_failure || !t.status.Retryable();
  }
  if (stopped_by != 0 && synced < targets.size()) {
    Complain(Tr("sync stopped as asked; nothing is lost: run hamlet sync again and it goes on from where it stopped"));
    return 128 + stopped_by;
  }
  if (!args.quiet && synced > 0) {
    if (!several) {
      Say(Format(Tr("Synced workspace %s with %s in %.1f s: %s."), targets[0].ws.Hex().c_str(), targets[0].hub.c_str(),
                 seconds, MovedText(Total(targets)).c_str()));
    } else {
      Say(Format(Tr("Synced %zu of %zu workspaces in %.1f s: %s."), synced, targets.size(), seconds,
                 MovedText(Total(targets)).c_str()));
      for (const Target& t : targets) {
        if (t.synced) Say("  " + t.name + " (" + t.hub + "): " + MovedText(t.report) + ".");
      }
    }
  }
  for (const Target& t : targets) {
    if (t.synced) PrintWarnings(*replica, t.ws);
  }
  if (synced == targets.size()) return kExitOk;
  return final_failure ? kExitError : kExitRetry;
}

}  // namespace

void AddSyncCommand(CLI::App* app, const Context* context) {
  auto args = std::make_shared<SyncArgs>();
  if (const char* hub = std::getenv("HAMLET_HUB")) args->hub = hub;
  CLI::App* cmd = app->add_subcommand(
      "sync", Tr("Send this device's records to the hub and fetch everyone else's, for every workspace it holds "
                 "(or the one --workspace names)"));
  cmd->footer(
      Tr("Exit status: 0 synced; 1 refused (revoked, unknown workspace, wrong passphrase); 2 usage;\n"
         "75 nothing came through the link for the --give-up-after time: nothing is lost; run it again later and it\n"
         "goes on from where it stopped; 130 stopped with Ctrl-C (143 with SIGTERM), nothing lost either."));
  cmd->add_option("--hub", args->hub,
                  Tr("The hub, http://HOST:PORT or https://HOST:PORT (default: $HAMLET_HUB, else the workspace's)"));
  cmd->add_option("--ca-file", args->ca_file, Tr("PEM bundle of the CA that signed the hub's certificate"))
      ->check(CLI::ExistingFile);
  cmd->add_option("--page-kib", args->page_kib,
                  Tr("Largest push or pull page in KiB; push pages start at 16 KiB and grow while the link holds"))
      ->check(CLI::Range(4, 16384))
      ->capture_default_str();
  cmd->add_option("--give-up-after", args->give_up_after_s,
                  Tr("Seconds to keep trying when nothing comes through the link; as long as something does, "
                     "the sync goes on"))
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_option("--recent-days", args->recent_days,
                  Tr("On a new device: fetch what the hub received in the last N days first, so the recent records "
                     "are there within minutes; the older ones follow in this sync or the next ones"))
      ->check(CLI::Range(1, 36500));
  cmd->add_flag("--recent-only", args->recent_only,
                Tr("Leave the older records a --recent-days sync has not fetched yet for a later sync"));
  cmd->add_flag("-q,--quiet", args->quiet, Tr("No progress line and no summary"));
  OnRun(cmd, [args, context] { return RunSync(*context, *args); });
}

}  // namespace hamlet::cli
