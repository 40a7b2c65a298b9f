// Runs a real hamlet-hub on a loopback port for a test, and stops it.
#ifndef HAMLET_TESTS_HUB_PROCESS_H_
#define HAMLET_TESTS_HUB_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace hamlet::test {

class HubProcess {
 public:
  // Starts `hamlet-hub serve --data dir --listen 127.0.0.1:0 [extra_args]`
  // and waits for its "listening" line; a dir that is a PostgreSQL URL
  // (postgresql://...) is served with --store instead.
  explicit HubProcess(const std::string& dir, std::vector<std::string> extra_args = {});
  // The same, serving HTTPS with a PEM certificate and key.
  HubProcess(const std::string& dir, const std::string& tls_cert, const std::string& tls_key);
  ~HubProcess();  // SIGTERM, then waits.

  std::string url() const { return (tls_cert_.empty() ? "http" : "https") + std::string("://127.0.0.1:") + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The hub's resident memory now and at its peak, in KiB, from /proc; -1
  // if it cannot be read.
  long RssKb() const { return StatusKb("VmRSS"); }
  long PeakRssKb() const { return StatusKb("VmHWM"); }
  // Runs `hamlet-hub token create --data dir [--operator]` (or --store) and returns the
  // token: a publish token, or an operator token for the status pages.
  std::string CreateToken(bool operator_token = false);
  // Stops the hub with SIGTERM and waits for it; the destructor then does nothing.
  void Stop();
  // Stops the hub with SIGKILL (no clean shutdown) and waits for it.
  void Kill();
  // Stops the hub with SIGKILL (no clean shutdown) and starts it again on
  // the same port and data folder.
  void KillAndRestart();
  // Stops the hub with SIGTERM, runs while_stopped (to change its data
  // folder, as an operator restoring a backup would), and starts it again
  // on the same port.
  void StopAndRestart(const std::function<void()>& while_stopped);
  // Runs `hamlet-hub ARGS...` to its end; returns its exit status.
  static int Run(const std::vector<std::string>& args);
  // Runs `hamlet-hub ARGS...`, which must succeed; returns what it printed
  // on stdout, without the last newline.
  static std::string Output(const std::vector<std::string>& args);
  // Uses another hamlet-hub binary from now on (a benchmark comparing
  // builds); call before starting any hub.
  static void UseBinary(const std::string& path);

 private:
  void Start(int port);
  std::string StoreFlag() const;  // --data or --store, for dir_.
  long StatusKb(const char* field) const;
  std::string dir_;
  std::string tls_cert_, tls_key_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_HUB_PROCESS_H_
