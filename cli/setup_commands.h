// Setting up replicas and devices: hamlet init, workspace create|publish,
// invite, join, devices [revoke].
#ifndef HAMLET_CLI_SETUP_COMMANDS_H_
#define HAMLET_CLI_SETUP_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

// Adds the commands to app; each runs when app has parsed it.
void AddSetupCommands(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_SETUP_COMMANDS_H_
