// hamlet report: the district report for a period, in total and by commune,
// hamlet, category or kind, as a table, CSV, JSON or one HTML file.
#ifndef HAMLET_CLI_REPORT_COMMAND_H_
#define HAMLET_CLI_REPORT_COMMAND_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace hamlet::cli {

void AddReportCommand(CLI::App* app, const Context* context);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_REPORT_COMMAND_H_
