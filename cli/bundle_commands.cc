#include "commands.h"

#include <sys/stat.h>

#include <cstdio>

#include "hamlet/env.h"

namespace hamlet::cli {

namespace {

struct ExportArgs {
  std::string out, for_device, since;
};

int Export(const Context& c, const ExportArgs& a) {
  const std::string what = "bundle export";
  struct stat st;
  if (stat(a.out.c_str(), &st) == 0) {
    return Refuse(what, Status::AlreadyExists(a.out + " exists already: name another file, or remove it first"));
  }
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  Status s = c.PickWorkspace(*r, &ws);
  std::string cursor = a.since;
  DeviceId peer;
  if (s.ok() && !a.for_device.empty()) {
    s = FindDevice(*r, ws, a.for_device, &peer);
    bool found = false;
    if (s.ok()) s = r->LocalSetting(PeerCursorSetting(ws, peer), &cursor, &found);
  }
  std::string bytes;
  size_t commits = 0;
  if (s.ok()) s = r->ExportBundle(ws, cursor, &bytes, &commits);
  if (s.code() == Code::kInvalidArgument && !a.since.empty()) {
    s = Status::InvalidArgument("--since takes a cursor as hamlet status prints it");
  }
  if (!s.ok()) return Refuse(what, s);
  if (commits == 0) {
    if (a.for_device.empty() && a.since.empty()) {
      std::printf("Nothing to carry: this replica holds no commits of the workspace. No file written.\n");
    } else {
      std::printf("Nothing to carry: %s everything this replica has. No file written.\n",
                  a.for_device.empty() ? "that cursor holds" : ("device " + peer.Hex().substr(0, 8) + " holds").c_str());
    }
    return kExitOk;
  }
  s = Env::Default()->WriteFileAtomic(a.out, bytes);
  if (!s.ok()) return Refuse(what, s);
  std::printf("Wrote %zu commit%s (%zu KiB) of workspace %s to %s.\n", commits, commits == 1 ? "" : "s",
              (bytes.size() + 1023) / 1024, ws.Hex().c_str(), a.out.c_str());
  return kExitOk;
}

int Import(const Context& c, const std::string& file) {
  const std::string what = "bundle import";
  std::string bytes;
  Status s = Env::Default()->ReadFile(file, &bytes);
  if (!s.ok()) return Refuse(what, s);
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  BundleImportResult done;
  s = r->ImportBundle(bytes, &done);
  if (!s.ok()) {
    Report(what, s.WithContext(file + ": "));
    if (done.chunks) std::fprintf(stderr, "hamlet: bundle import: the %zu chunk(s) before it were imported\n", done.chunks);
    return s.code() == Code::kInvalidArgument ? kExitUsage : (s.Retryable() ? kExitRetry : kExitError);
  }
  // What the exporter held then it needs no more: later bundles for it
  // (bundle export --for) leave that out.
  if (!done.exporter.IsZero() && done.exporter != r->device_id() && !done.exporter_cursor.empty()) {
    s = r->SetLocalSetting(PeerCursorSetting(done.workspace, done.exporter), done.exporter_cursor);
    if (!s.ok()) return Refuse(what, s);
  }
  std::printf("Imported %s: %zu commit%s%s, %zu new, %zu already here.\n", file.c_str(), done.commits,
              done.commits == 1 ? "" : "s",
              done.exporter.IsZero() ? "" : (" from device " + done.exporter.Hex().substr(0, 8)).c_str(),
              done.applied, done.duplicates);
  return kExitOk;
}

}  // namespace

void AddBundleCommands(CLI::App* app, const Context* c) {
  CLI::App* bundle = app->add_subcommand("bundle", "Carry commits by file (SD card) where there is no link");
  bundle->require_subcommand(1);
  auto ex = std::make_shared<ExportArgs>();
  CLI::App* exp = bundle->add_subcommand("export", "Write what another replica or a hub lacks to a file");
  exp->add_option("--out", ex->out, "The file to write (must not exist)")->required();
  auto* for_opt = exp->add_option("--for", ex->for_device,
                                  "Only what this device lacks, as far as its own bundles told (id, 4+ digits)");
  auto* since_opt = exp->add_option("--since", ex->since, "Only what a replica at this cursor lacks (hamlet status)");
  for_opt->excludes(since_opt);
  OnRun(exp, [c, ex] { return Export(*c, *ex); });
  auto file = std::make_shared<std::string>();
  CLI::App* imp = bundle->add_subcommand("import", "Merge the commits of a bundle file (twice is harmless)");
  imp->add_option("file", *file, "The bundle file")->required();
  OnRun(imp, [c, file] { return Import(*c, *file); });
}

}  // namespace hamlet::cli
