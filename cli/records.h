// The record commands: hamlet dialogue|concern|model add|list|show|edit.
// Each kind of record is described once (its fields, their kinds, which
// are required, listed and filterable), and the commands are built from
// that description.
#ifndef HAMLET_CLI_RECORDS_H_
#define HAMLET_CLI_RECORDS_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

void AddRecordCommands(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_RECORDS_H_
