// Runs the hamlet command line as a user would, capturing what it prints.
#ifndef HAMLET_TESTS_CLI_RUN_CLI_H_
#define HAMLET_TESTS_CLI_RUN_CLI_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace hamlet::test {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the hamlet binary with args and extra environment variables
// (NAME, VALUE), stdin from /dev/null, and waits for it.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::vector<std::pair<std::string, std::string>>& env = {});

// The same, with input on its standard input.
CliResult RunCliWithInput(const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env, const std::string& input);

// The same for the hamlet-hub binary (its offline commands, such as import).
CliResult RunHubCommand(const std::vector<std::string>& args);

// The same for any program, by path; stdin is input when given, else empty.
CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::pair<std::string, std::string>>& env, const std::string* input = nullptr);

// The same, sending the program signal sig once ready(what it printed to
// stderr so far) is true, as a person pressing Ctrl-C at what they see.
CliResult RunProgramSignalled(const std::string& program, const std::vector<std::string>& args,
                              const std::vector<std::pair<std::string, std::string>>& env,
                              const std::function<bool(const std::string&)>& ready, int sig);

// The value printed after "label:" on a line of out (trimmed), or "".
std::string ValueAfter(const std::string& out, const std::string& label);

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_CLI_RUN_CLI_H_
