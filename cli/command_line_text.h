// The command line's own texts in the chosen language (hamlet/language.h):
// CLI11's help headings and labels, and its usage errors, which CLI11 words
// in English. Shared by hamlet and hamlet-hub.
#ifndef HAMLET_CLI_COMMAND_LINE_TEXT_H_
#define HAMLET_CLI_COMMAND_LINE_TEXT_H_

#include <CLI/CLI.hpp>
#include <string>

namespace hamlet::cli {

// Gives app a help formatter that speaks the chosen language, and a help
// flag described in it. Call right after making app, before adding options
// and subcommands (they inherit both). app must outlive nothing else.
void TranslateHelp(CLI::App* app);

// One line, without the program's name, saying what is wrong with the
// command line that CLI11 refused with e: the known CLI11 messages are
// translated with the names and values they carry; any other says it is a
// usage error and gives CLI11's words.
std::string DescribeUsageError(const CLI::Error& e);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_COMMAND_LINE_TEXT_H_
