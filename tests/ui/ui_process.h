// Runs `hamlet ui --port 0` for a test, as a user would, and stops it.
#ifndef HAMLET_TESTS_UI_UI_PROCESS_H_
#define HAMLET_TESTS_UI_UI_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace hamlet::test {

class UiProcess {
 public:
  // Starts the web app with these extra environment variables (HAMLET_DB,
  // ...; HAMLET_LANG=en unless given) and waits for the line that gives its
  // address. Uses Catch2 assertions: construct on the test's own thread.
  explicit UiProcess(const std::vector<std::pair<std::string, std::string>>& env);
  ~UiProcess();  // SIGTERM, then waits.

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  // SIGTERM, and the exit status it ended with.
  int Stop();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_UI_UI_PROCESS_H_
