// The hamlet commands. Each Add function adds one group of subcommands to
// app; context (which replica, how to unlock it) must outlive app. Every
// command reports failure as one line on stderr and an exit status
// (context.h).
#ifndef HAMLET_CLI_COMMANDS_H_
#define HAMLET_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "context.h"
#include "office/record_kinds.h"

namespace hamlet::cli {

// Setting up replicas and devices: init, workspace create|publish, invite,
// join, devices [revoke] (setup_commands.cc).
void AddSetupCommands(CLI::App* app, const Context* context);

// dialogue|concern|model add|list|show|edit, the concern workflow
// (assign, resolve, transfer, reject, extend, followup) and receipt verify
// (records.cc), all built from the record kinds of office/record_kinds.h.
void AddRecordCommands(CLI::App* app, const Context* context);

// <kind> attach ID FILE, for every record kind (attachment_commands.cc).
void AddAttachCommand(CLI::App* cmd, const Context* context, const RecordSpec* spec);
// attachment list|get|drop: the files attached to records, fetched from the
// hub on demand (attachment_commands.cc; office/attachments.h).
void AddAttachmentCommands(CLI::App* app, const Context* context);

// categories [add|retire]: the workspace's concern categories; settings
// [set]: the deadlines of office/deadlines.h (category_commands.cc).
void AddCategoryCommands(CLI::App* app, const Context* context);

// search TEXT, conflicts and conflicts settle (browse_commands.cc).
void AddBrowseCommands(CLI::App* app, const Context* context);

// sync: push this device's commits, then pull until caught up, with a
// progress line and a summary of what moved (sync_command.cc).
void AddSyncCommand(CLI::App* app, const Context* context);

// bundle export|import: commits carried on an SD card (protocol.md,
// "Bundles"; bundle_commands.cc).
void AddBundleCommands(CLI::App* app, const Context* context);

// status: what is not yet at the hub, the last sync, the devices heard from
// (status_command.cc).
void AddStatusCommand(CLI::App* app, const Context* context);

// report: the district report for a period, as a table, CSV, JSON or one
// HTML page (report_command.cc; office/report.h, office/report_format.h).
void AddReportCommand(CLI::App* app, const Context* context);

// ui: the officer's web app on this computer (ui_command.cc; ui/).
void AddUiCommand(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_COMMANDS_H_
