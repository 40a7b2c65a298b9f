#include "commands.h"

#include <sys/stat.h>

#include <cstdio>

#include "hamlet/env.h"
#include "hamlet/language.h"

namespace hamlet::cli {

namespace {

struct ExportArgs {
  std::string out, for_device, since;
};

int Export(const Context& c, const ExportArgs& a) {
  const std::string what = "bundle export";
  struct stat st;
  if (stat(a.out.c_str(), &st) == 0) {
    return Refuse(what, Status::AlreadyExists(
                            Format(Tr("%s exists already: name another file, or remove it first"), a.out.c_str())));
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
    s = Status::InvalidArgument(Tr("--since takes a cursor as hamlet status prints it"));
  }
  if (!s.ok()) return Refuse(what, s);
  if (commits == 0) {
    if (a.for_device.empty() && a.since.empty()) {
      Say(Tr("Nothing to carry: this replica holds no commits of the workspace. No file written."));
    } else if (a.for_device.empty()) {
      Say(Tr("Nothing to carry: that cursor holds everything this replica has. No file written."));
    } else {
      Say(Format(Tr("Nothing to carry: device %s holds everything this replica has. No file written."),
                 peer.Hex().substr(0, 8).c_str()));
    }
    return kExitOk;
  }
  s = Env::Default()->WriteFileAtomic(a.out, bytes);
  if (!s.ok()) return Refuse(what, s);
  Say(Format(TrN("Wrote %zu commit (%zu KiB) of workspace %s to %s.", "Wrote %zu commits (%zu KiB) of workspace %s to %s.",
                  commits),
             commits, (bytes.size() + 1023) / 1024, ws.Hex().c_str(), a.out.c_str()));
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
    if (done.chunks) {
      Complain("bundle import: " + Format(TrN("the %zu chunk before it was imported",
                                              "the %zu chunks before it were imported", done.chunks),
                                          done.chunks));
    }
    return s.code() == Code::kInvalidArgument ? kExitUsage : (s.Retryable() ? kExitRetry : kExitError);
  }
  // What the exporter held then it needs no more: later bundles for it
  // (bundle export --for) leave that out.
  if (!done.exporter.IsZero() && done.exporter != r->device_id() && !done.exporter_cursor.empty()) {
    s = r->SetLocalSetting(PeerCursorSetting(done.workspace, done.exporter), done.exporter_cursor);
    if (!s.ok()) return Refuse(what, s);
  }
  if (done.exporter.IsZero()) {
    Say(Format(TrN("Imported %s: %zu commit, %zu new, %zu already here.",
                   "Imported %s: %zu commits, %zu new, %zu already here.", done.commits),
               file.c_str(), done.commits, done.applied, done.duplicates));
  } else {
    Say(Format(TrN("Imported %s: %zu commit from device %s, %zu new, %zu already here.",
                   "Imported %s: %zu commits from device %s, %zu new, %zu already here.", done.commits),
               file.c_str(), done.commits, done.exporter.Hex().substr(0, 8).c_str(), done.applied, done.duplicates));
  }
  return kExitOk;
}

}  // namespace

void AddBundleCommands(CLI::App* app, const Context* c) {
  CLI::App* bundle = app->add_subcommand("bundle", Tr("Carry commits by file (SD card) where there is no link"));
  bundle->require_subcommand(1);
  auto ex = std::make_shared<ExportArgs>();
  CLI::App* exp = bundle->add_subcommand("export", Tr("Write what another replica or a hub lacks to a file"));
  exp->add_option("--out", ex->out, Tr("The file to write (must not exist)"))->required();
  auto* for_opt = exp->add_option("--for", ex->for_device,
                                  Tr("Only what this device lacks, as far as its own bundles told (id, 4+ digits)"));
  auto* since_opt =
      exp->add_option("--since", ex->since, Tr("Only what a replica at this cursor lacks (hamlet status)"));
  for_opt->excludes(since_opt);
  OnRun(exp, [c, ex] { return Export(*c, *ex); });
  auto file = std::make_shared<std::string>();
  CLI::App* imp = bundle->add_subcommand("import", Tr("Merge the commits of a bundle file (twice is harmless)"));
  imp->add_option("file", *file, Tr("The bundle file"))->required();
  OnRun(imp, [c, file] { return Import(*c, *file); });
}

}  // namespace hamlet::cli
