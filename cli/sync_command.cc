#include "commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>

#include "hamlet/hub_client.h"
#include "stop_signal.h"

namespace hamlet::cli {

namespace {

struct SyncArgs {
  std::string hub;
  std::string ca_file;
  size_t page_kib = 256;
  int give_up_after_s = 120;
  bool quiet = false;
};

std::string Size(size_t bytes) {
  char buf[32];
  if (bytes < 10 * 1024) {
    std::snprintf(buf, sizeof buf, "%zu B", bytes);
  } else if (bytes < 10 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return buf;
}

// What the user can do about a refusal, by its kind.
std::string Advice(const Status& s, const SyncArgs& args) {
  if (s.Retryable()) {
    return "nothing is lost; run hamlet sync again when the link is back, and it goes on from where it stopped";
  }
  switch (s.code()) {
    case Code::kPermissionDenied:
      if (s.message().find("revoked") != std::string::npos) {
        return "this device can no longer sync this workspace; what it holds stays readable here";
      }
      return "the hub refused this device";
    case Code::kUnauthenticated:
      if (s.message().find("TLS") != std::string::npos) return "check --ca-file or the hub's address";
      return "the hub does not know this device: the workspace admin must register it";
    case Code::kNotFound:
      return "the hub at " + args.hub + " does not have this workspace: wrong hub, or not published yet";
    case Code::kUnimplemented:
      return "this hamlet and the hub speak different protocol versions: update the older one";
    default:
      return "";
  }
}

int RunSync(const Context& context, SyncArgs args) {
  std::unique_ptr<Replica> replica;
  if (int rc = context.OpenReplica(&replica); rc != kExitOk) return rc;
  WorkspaceId ws;
  Status s = context.PickWorkspace(*replica, &ws);
  if (s.ok()) s = context.PickHub(*replica, ws, args.hub, &args.hub);
  if (!s.ok()) return Refuse("sync", s);

  SyncOptions options;
  options.hub = args.hub;
  options.ca_file = args.ca_file;
  options.chunk_bytes = args.page_kib * 1024;
  options.give_up_after_ms = static_cast<int64_t>(args.give_up_after_s) * 1000;
  // On a terminal the progress line is redrawn in place as the bytes move;
  // in a log a line is written at most every few seconds, and whenever the
  // link goes down or comes back.
  bool tty = isatty(STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  auto last = start;
  bool drew = false, was_down = false;
  std::string push_text, pull_text;
  if (!args.quiet) {
    options.progress = [&](const SyncProgress& p) {
      auto now = std::chrono::steady_clock::now();
      bool changed = p.link_down != was_down;
      was_down = p.link_down;
      // A long push runs beside the pull: the line keeps both, each as last told.
      std::string& text = std::strcmp(p.phase, "push") == 0 ? push_text : pull_text;
      // A push with nothing to send is not shown.
      bool idle_push = &text == &push_text && p.commits == 0 && p.bytes == 0;
      if (p.phase[0] != '\0' && !idle_push) {
        text = std::string(p.phase) + ": " + std::to_string(p.commits) + " commits, " + Size(p.bytes);
      }
      if (!tty && !changed && now - last < std::chrono::seconds(5)) return;
      last = now;
      std::string line = push_text.empty() && pull_text.empty() ? std::string("connecting")
                         : push_text.empty() || pull_text.empty() ? push_text + pull_text
                                                                 : push_text + "; " + pull_text;
      if (p.link_down) {
        line += " - the link is down, trying again (nothing has come through for " +
                std::to_string(p.waiting_ms / 1000) + " s; giving up after " + std::to_string(p.give_up_ms / 1000) +
                " s)";
      }
      std::fprintf(stderr, "%s%s%s", tty ? "\r\033[K" : "", line.c_str(), tty ? "" : "\n");
      std::fflush(stderr);
      drew = tty;
    };
  }
  HubClient client(replica.get(), options);
  // Ctrl-C stops the sync cleanly: what arrived is kept, a pull page cut
  // off included, and the next run goes on from there.
  int stopped_by = 0;
  bool synced = false;
  size_t admitted = 0, refused = 0;
  SyncReport report;
  {
    StopOnSignal stop([&client] { client.Cancel(); });
    // The admin's device admits those who asked to join with its invites.
    std::vector<DeviceStatus> devices;
    s = replica->Devices(ws, &devices);
    for (const DeviceStatus& d : devices) {
      if (s.ok() && d.self && d.role == Role::kAdmin) s = client.AdmitPending(ws, &admitted, &refused);
    }
    if (s.ok() && stop.signal() == 0) {
      s = client.Sync(ws, &report);
      synced = s.ok();
    }
    stopped_by = stop.signal();
  }
  if (drew) std::fprintf(stderr, "\r\033[K");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stopped_by != 0 && !synced) {
    std::fprintf(stderr,
                 "hamlet: sync with %s stopped as asked; nothing is lost: run hamlet sync again and it goes on from "
                 "where it stopped\n",
                 args.hub.c_str());
    return 128 + stopped_by;
  }
  if (!s.ok()) {
    std::string advice = Advice(s, args);
    std::string message = s.message().empty() ? Status::CodeName(s.code()) : s.message();
    std::fprintf(stderr, "hamlet: sync with %s failed: %s%s%s\n", args.hub.c_str(), message.c_str(),
                 advice.empty() ? "" : "; ", advice.c_str());
    return s.Retryable() ? kExitRetry : kExitError;
  }
  replica->SetLocalSetting(LastSyncSetting(ws), std::to_string(std::time(nullptr)));
  if (admitted > 0) std::printf("Admitted %zu new device%s.\n", admitted, admitted == 1 ? "" : "s");
  if (refused > 0) {
    std::fprintf(stderr, "hamlet: %zu join request%s carried a wrong or spent invite and %s refused\n", refused,
                 refused == 1 ? "" : "s", refused == 1 ? "was" : "were");
  }
  if (!args.quiet) {
    std::printf("Synced workspace %s with %s in %.1f s: sent %zu commits (%s), received %zu (%zu new, %s)",
                ws.Hex().c_str(), args.hub.c_str(), seconds, report.pushed, Size(report.bytes_up).c_str(),
                report.pulled, report.applied, Size(report.bytes_down).c_str());
    if (report.relayed > 0) {
      std::printf("; passed on %zu commit%s of other devices that the hub lacked", report.relayed,
                  report.relayed == 1 ? "" : "s");
    }
    if (report.retries > 0) {
      std::printf("; the link dropped or the hub was busy %zu time%s, and each time the sync went on from where it "
                  "stopped",
                  report.retries, report.retries == 1 ? "" : "s");
    }
    std::printf(".\n");
  }
  PrintWarnings(*replica, ws);
  return kExitOk;
}

}  // namespace

void AddSyncCommand(CLI::App* app, const Context* context) {
  auto args = std::make_shared<SyncArgs>();
  if (const char* hub = std::getenv("HAMLET_HUB")) args->hub = hub;
  CLI::App* cmd = app->add_subcommand("sync", "Send this device's records to the hub and fetch everyone else's");
  cmd->footer(
      "Exit status: 0 synced; 1 refused (revoked, unknown workspace, wrong passphrase); 2 usage;\n"
      "75 nothing came through the link for the --give-up-after time: nothing is lost; run it again later and it\n"
      "goes on from where it stopped; 130 stopped with Ctrl-C (143 with SIGTERM), nothing lost either.");
  cmd->add_option("--hub", args->hub,
                  "The hub, http://HOST:PORT or https://HOST:PORT (default: $HAMLET_HUB, else the workspace's)");
  cmd->add_option("--ca-file", args->ca_file, "PEM bundle of the CA that signed the hub's certificate")
      ->check(CLI::ExistingFile);
  cmd->add_option("--page-kib", args->page_kib,
                  "Largest push or pull page in KiB; push pages start at 16 KiB and grow while the link holds")
      ->check(CLI::Range(4, 16384))
      ->capture_default_str();
  cmd->add_option("--give-up-after", args->give_up_after_s,
                  "Seconds to keep trying when nothing comes through the link; as long as something does, "
                  "the sync goes on")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line and no summary");
  OnRun(cmd, [args, context] { return RunSync(*context, *args); });
}

}  // namespace hamlet::cli
