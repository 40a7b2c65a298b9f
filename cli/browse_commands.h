// Reading across everything: hamlet search TEXT, hamlet conflicts, and
// hamlet conflicts settle.
#ifndef HAMLET_CLI_BROWSE_COMMANDS_H_
#define HAMLET_CLI_BROWSE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

void AddBrowseCommands(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_BROWSE_COMMANDS_H_
