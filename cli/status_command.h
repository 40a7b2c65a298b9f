// hamlet status: what this replica has not yet delivered to the hub, when it
// last synced, and which devices of the workspace it has heard from.
#ifndef HAMLET_CLI_STATUS_COMMAND_H_
#define HAMLET_CLI_STATUS_COMMAND_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

void AddStatusCommand(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_STATUS_COMMAND_H_
