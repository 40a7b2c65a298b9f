// hamlet sync: pushes this device's commits to a hub, then pulls until
// caught up, with a progress line and a summary of what moved.
#ifndef HAMLET_CLI_SYNC_COMMAND_H_
#define HAMLET_CLI_SYNC_COMMAND_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

// Adds `sync` to app; the command runs when app has parsed it.
void AddSyncCommand(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_SYNC_COMMAND_H_
