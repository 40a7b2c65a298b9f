// hamlet bundle export|import: commits carried on an SD card where there is
// no link (protocol.md, "Bundles").
#ifndef HAMLET_CLI_BUNDLE_COMMANDS_H_
#define HAMLET_CLI_BUNDLE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

void AddBundleCommands(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_BUNDLE_COMMANDS_H_
