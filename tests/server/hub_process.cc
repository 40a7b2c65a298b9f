#include "hub_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

namespace hamlet::test {

HubProcess::HubProcess(const std::string& dir) : dir_(dir) { Start(0); }

HubProcess::HubProcess(const std::string& dir, const std::string& tls_cert, const std::string& tls_key)
    : dir_(dir), tls_cert_(tls_cert), tls_key_(tls_key) {
  Start(0);
}

HubProcess::~HubProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void HubProcess::Start(int port) {
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::string listen = "127.0.0.1:" + std::to_string(port);
    if (tls_cert_.empty()) {
      execl(HAMLET_HUB_BINARY, "hamlet-hub", "serve", "--data", dir_.c_str(), "--listen", listen.c_str(),
            static_cast<char*>(nullptr));
    } else {
      execl(HAMLET_HUB_BINARY, "hamlet-hub", "serve", "--data", dir_.c_str(), "--listen", listen.c_str(),
            "--tls-cert", tls_cert_.c_str(), "--tls-key", tls_key_.c_str(), static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  INFO("hub said: " << line);
  size_t colon = line.rfind(':');
  REQUIRE(line.rfind("hamlet-hub listening on", 0) == 0);
  port_ = std::stoi(line.substr(colon + 1));
}

std::string HubProcess::CreateToken() {
  std::string cmd = std::string(HAMLET_HUB_BINARY) + " token create --data " + dir_;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[128] = {0};
  REQUIRE(fgets(buf, sizeof buf, p) != nullptr);
  REQUIRE(pclose(p) == 0);
  std::string token(buf);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

void HubProcess::KillAndRestart() {
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  Start(port_);
}

}  // namespace hamlet::test
