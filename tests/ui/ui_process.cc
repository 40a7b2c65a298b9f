#include "ui_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>

extern char** environ;

namespace hamlet::test {

UiProcess::UiProcess(const std::vector<std::pair<std::string, std::string>>& env) {
  // Everything the child needs is made before fork (only async-signal-safe
  // calls after it).
  std::vector<std::string> vars;
  bool lang = false;
  for (const auto& [name, value] : env) {
    vars.push_back(name + "=" + value);
    lang = lang || name == "HAMLET_LANG";
  }
  if (!lang) vars.push_back("HAMLET_LANG=en");
  for (char** e = environ; *e != nullptr; e++) {
    std::string var = *e, name = var.substr(0, var.find('='));
    bool overridden = name == "HAMLET_LANG";  // Given, or set to en above.
    for (const auto& entry : env) overridden = overridden || entry.first == name;
    if (!overridden) vars.push_back(var);
  }
  std::vector<char*> envp;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::string binary = HAMLET_CLI_BINARY, ui = "ui", port = "--port", zero = "0";
  char* argv[] = {binary.data(), ui.data(), port.data(), zero.data(), nullptr};
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  std::smatch m;
  INFO("hamlet ui said: " << line);
  REQUIRE(std::regex_search(line, m, std::regex(R"(http://127\.0\.0\.1:(\d+)/)")));
  port_ = std::stoi(m[1]);
}

int UiProcess::Stop() {
  if (pid_ < 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

UiProcess::~UiProcess() { Stop(); }

}  // namespace hamlet::test
