#include "run_cli.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <cstdlib>
#include <map>

namespace hamlet::test {

namespace {

CliResult Run(const std::string& program, const std::vector<std::string>& args,
              const std::vector<std::pair<std::string, std::string>>& env, const std::string* input,
              std::function<bool(const std::string&)> ready, int sig) {
  // The command line and environment are made before fork: after it, the
  // child only makes async-signal-safe calls (a test's other threads may
  // hold the allocator's lock at that moment).
  std::vector<std::string> all{program.substr(program.rfind('/') + 1)};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; e++) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const char* name : {"HAMLET_PASSPHRASE", "HAMLET_DB", "HAMLET_HUB"}) vars.erase(name);
  // Replicas made by the tests unlock with the cheaper Argon2id limits:
  // the suite runs hundreds of commands, each unlocking once.
  vars["HAMLET_KDF"] = "interactive";
  // The tests read the English text unless they ask for another language;
  // the machine's own locale does not choose it.
  vars["HAMLET_LANG"] = "en";
  for (const auto& [name, value] : env) vars[name] = value;
  std::vector<std::string> entries;
  for (const auto& [name, value] : vars) entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  int null_in = input ? -1 : open("/dev/null", O_RDONLY);

  int out[2], err[2], in[2];
  // Input fits the pipe: it is written before the answers are read.
  if (input && input->size() >= 4096) throw std::invalid_argument("run_cli: input over 4 KiB");
  if (pipe(out) != 0 || pipe(err) != 0 || pipe(in) != 0) throw std::runtime_error("run_cli: pipe");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("run_cli: fork");
  if (pid == 0) {
    dup2(input ? in[0] : null_in, STDIN_FILENO);
    close(in[0]);
    close(in[1]);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close(out[0]);
    close(err[0]);
    execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  if (null_in >= 0) close(null_in);
  close(out[1]);
  close(err[1]);
  close(in[0]);
  if (input && write(in[1], input->data(), input->size()) != static_cast<ssize_t>(input->size())) {
    throw std::runtime_error("run_cli: cannot write the input");
  }
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
        if (i == 1 && ready && ready(result.err)) {
          kill(pid, sig);
          ready = nullptr;
        }
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::pair<std::string, std::string>>& env, const std::string* input) {
  return Run(program, args, env, input, nullptr, 0);
}

CliResult RunProgramSignalled(const std::string& program, const std::vector<std::string>& args,
                              const std::vector<std::pair<std::string, std::string>>& env,
                              const std::function<bool(const std::string&)>& ready, int sig) {
  return Run(program, args, env, nullptr, ready, sig);
}

CliResult RunCli(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env) {
  return RunProgram(HAMLET_CLI_BINARY, args, env);
}

CliResult RunCliWithInput(const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env, const std::string& input) {
  return RunProgram(HAMLET_CLI_BINARY, args, env, &input);
}

CliResult RunHubCommand(const std::vector<std::string>& args) { return RunProgram(HAMLET_HUB_BINARY, args, {}); }

std::string ValueAfter(const std::string& out, const std::string& label) {
  size_t at = out.find(label + ":");
  if (at == std::string::npos) return "";
  size_t start = at + label.size() + 1;
  std::string v = out.substr(start, out.find('\n', start) - start);
  v.erase(0, v.find_first_not_of(' '));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

}  // namespace hamlet::test
