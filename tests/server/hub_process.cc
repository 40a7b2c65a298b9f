#include "hub_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace hamlet::test {

namespace {

std::string& Binary() {
  static std::string path = HAMLET_HUB_BINARY;
  return path;
}

// Setup failures end the test (Catch reports the exception) or the benchmark.
void Expect(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("hub process: " + what);
}

}  // namespace

HubProcess::HubProcess(const std::string& dir, std::vector<std::string> extra_args)
    : dir_(dir), extra_args_(std::move(extra_args)) {
  Start(0);
}

HubProcess::HubProcess(const std::string& dir, const std::string& tls_cert, const std::string& tls_key)
    : dir_(dir), tls_cert_(tls_cert), tls_key_(tls_key) {
  extra_args_ = {"--tls-cert", tls_cert, "--tls-key", tls_key};
  Start(0);
}

long HubProcess::StatusKb(const char* field) const {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/status").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  std::string prefix = std::string(field) + ":";
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, prefix.c_str(), prefix.size()) == 0) {
      kb = std::strtol(line + prefix.size(), nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

HubProcess::~HubProcess() { Stop(); }

void HubProcess::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

void HubProcess::Start(int port) {
  // Everything the child needs is made before fork: a test's other threads
  // may hold the allocator's lock at that moment, and a child that allocates
  // would wait for it forever (only async-signal-safe calls after fork).
  std::string listen = "127.0.0.1:" + std::to_string(port);
  std::vector<std::string> args{"hamlet-hub", "serve", StoreFlag(), dir_, "--listen", listen};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const char* binary = Binary().c_str();
  int out[2];
  Expect(pipe(out) == 0, "pipe");
  pid_ = fork();
  Expect(pid_ >= 0, "fork");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execv(binary, argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);  // A busy machine under ASan is slow to start.
  while (std::chrono::steady_clock::now() < deadline && read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  size_t colon = line.rfind(':');
  Expect(line.rfind("hamlet-hub listening on", 0) == 0, "the hub did not start; it said: " + line);
  port_ = std::stoi(line.substr(colon + 1));
}

std::string HubProcess::CreateToken(bool operator_token) {
  std::string cmd = Binary() + " token create " + StoreFlag() + " '" + dir_ + "'" + (operator_token ? " --operator" : "");
  FILE* p = popen(cmd.c_str(), "r");
  Expect(p != nullptr, "cannot run " + cmd);
  char buf[128] = {0};
  bool got = fgets(buf, sizeof buf, p) != nullptr;
  Expect(pclose(p) == 0 && got, "token create failed");
  std::string token(buf);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

std::string HubProcess::Output(const std::vector<std::string>& args) {
  std::string cmd = Binary();
  for (const std::string& a : args) cmd += " '" + a + "'";
  FILE* p = popen(cmd.c_str(), "r");
  Expect(p != nullptr, "cannot run " + cmd);
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  Expect(pclose(p) == 0, cmd + " failed");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string HubProcess::StoreFlag() const {
  return dir_.rfind("postgresql://", 0) == 0 ? "--store" : "--data";
}

void HubProcess::StopAndRestart(const std::function<void()>& while_stopped) {
  Stop();
  while_stopped();
  Start(port_);
}

void HubProcess::UseBinary(const std::string& path) { Binary() = path; }

int HubProcess::Run(const std::vector<std::string>& args) {
  std::vector<std::string> all{"hamlet-hub"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const char* binary = Binary().c_str();
  pid_t pid = fork();
  if (pid == 0) {
    execv(binary, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void HubProcess::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

void HubProcess::KillAndRestart() {
  Kill();
  Start(port_);
}

}  // namespace hamlet::test
