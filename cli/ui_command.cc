#include <unistd.h>

#include <cstdio>

#include "commands.h"
#include "hamlet/language.h"
#include "stop_signal.h"
#include "ui/ui_server.h"

namespace hamlet::cli {

namespace {

int RunUi(const Context& c, int port, const std::string& ca_file) {
  const std::string what = "ui";
  if (c.db.empty()) return Refuse(what, Status::InvalidArgument(Tr("no replica: give --db PATH or set HAMLET_DB")));
  if (access(c.db.c_str(), R_OK | W_OK) != 0) {
    return Refuse(what, Status::NotFound(Format(Tr("there is no replica at %s"), c.db.c_str())));
  }
  ui::UiOptions options;
  options.db = c.db;
  options.port = port;
  options.sync.ca_file = ca_file;
  options.pick_workspace = [&c](Replica& r, WorkspaceId* ws) { return c.PickWorkspace(r, ws); };
  options.pick_hub = [&c](Replica& r, const WorkspaceId& ws, std::string* hub) { return c.PickHub(r, ws, "", hub); };
  ui::UiServer server(std::move(options));
  // Ctrl-C ends it cleanly: a sync running stops, keeping what arrived.
  StopOnSignal stop([&server] { server.Stop(); });
  Status s = server.Start();
  if (!s.ok()) return Refuse(what, s);
  std::printf("%s\n", Format(Tr("The web app is at http://127.0.0.1:%d/ - open it in a browser on this computer and "
                                "type the replica's passphrase. Ctrl-C ends it."),
                             server.port())
                          .c_str());
  std::fflush(stdout);
  server.Wait();
  return kExitOk;
}

}  // namespace

void AddUiCommand(CLI::App* app, const Context* c) {
  auto port = std::make_shared<int>(8780);
  auto ca_file = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand(
      "ui", Tr("The officer's web app: the replica in a browser on this computer (127.0.0.1 only)"));
  cmd->add_option("--port", *port, Tr("The port on 127.0.0.1 (0: any free one)"))
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--ca-file", *ca_file, Tr("A CA certificate to trust for the hub, for a sync run from the app"));
  OnRun(cmd, [c, port, ca_file] { return RunUi(*c, *port, *ca_file); });
}

}  // namespace hamlet::cli
