#include "run_cli.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

namespace hamlet::test {

CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::pair<std::string, std::string>>& env, const std::string* input) {
  int out[2], err[2], in[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  REQUIRE(pipe(in) == 0);
  REQUIRE((!input || input->size() < 4096));  // Fits the pipe: written before reading the answers.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (input) {
      dup2(in[0], STDIN_FILENO);
    } else {
      int null = open("/dev/null", O_RDONLY);
      dup2(null, STDIN_FILENO);
    }
    close(in[0]);
    close(in[1]);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close(out[0]);
    close(err[0]);
    unsetenv("HAMLET_PASSPHRASE");
    unsetenv("HAMLET_DB");
    unsetenv("HAMLET_HUB");
    // Replicas made by the tests unlock with the cheaper Argon2id limits:
    // the suite runs hundreds of commands, each unlocking once.
    setenv("HAMLET_KDF", "interactive", 1);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> all{program.substr(program.rfind('/') + 1)};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  close(in[0]);
  if (input) REQUIRE(write(in[1], input->data(), input->size()) == static_cast<ssize_t>(input->size()));
  close(in[1]);
  CliResult result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CliResult RunCli(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env) {
  return RunProgram(HAMLET_CLI_BINARY, args, env);
}

CliResult RunCliWithInput(const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env, const std::string& input) {
  return RunProgram(HAMLET_CLI_BINARY, args, env, &input);
}

CliResult RunHubCommand(const std::vector<std::string>& args) { return RunProgram(HAMLET_HUB_BINARY, args, {}); }

}  // namespace hamlet::test
