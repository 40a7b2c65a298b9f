// hamlet: the command line for cadres and district officers.
//
//   hamlet [--db PATH] [--passphrase-file F] COMMAND ...
//
// Errors are one line on stderr; the exit status is 0 on success, 2 for a
// usage error, 75 when trying again later can help, 1 otherwise.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "command_line_text.h"
#include "commands.h"
#include "context.h"
#include "hamlet/language.h"

int main(int argc, char** argv) {
  using namespace hamlet::cli;
  using hamlet::Format;
  using hamlet::Tr;
  hamlet::SetUpLanguage();
  CLI::App app{Tr("hamlet: record dialogues and concerns offline, and sync them through a hub")};
  TranslateHelp(&app);
  app.require_subcommand(1);
  Context context;
  if (const char* db = std::getenv("HAMLET_DB")) context.db = db;
  app.add_option("--db", context.db, Tr("The replica's file (default: $HAMLET_DB)"));
  app.add_option("--passphrase-file", context.passphrase_file,
                 Tr("Read the passphrase from this file's first line (else $HAMLET_PASSPHRASE, else a prompt)"));
  app.add_option("--workspace", context.workspace, Tr("Workspace id (default: the replica's own, or its only one)"));
  // Global options may also follow the command.
  app.fallthrough();
  // Usage errors are one line too.
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    // A mistyped command reads as a missing one to CLI11: name it instead.
    const CLI::App* deepest = failed;
    std::string path;
    while (!deepest->get_subcommands().empty()) {
      deepest = deepest->get_subcommands().front();
      path += deepest->get_name() + " ";
    }
    std::vector<std::string> extra = deepest->remaining();
    if (!extra.empty() && e.get_name() == "RequiredError") {
      return "hamlet: " +
             Format(Tr("unknown command '%s' (see hamlet %s--help)"), (path + extra.front()).c_str(), path.c_str()) +
             "\n";
    }
    return "hamlet: " + Format(Tr("%s (see --help)"), DescribeUsageError(e).c_str()) + "\n";
  });
  AddSetupCommands(&app, &context);
  AddRecordCommands(&app, &context);
  AddAttachmentCommands(&app, &context);
  AddCategoryCommands(&app, &context);
  AddBrowseCommands(&app, &context);
  AddBundleCommands(&app, &context);
  AddSyncCommand(&app, &context);
  AddStatusCommand(&app, &context);
  AddReportCommand(&app, &context);
  AddUiCommand(&app, &context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // The command has said why.
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hamlet: %s\n", e.what());
    return kExitError;
  }
  return kExitOk;
}
