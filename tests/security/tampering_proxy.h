// An attacker's hub: an HTTP server on loopback that passes every request
// on to a real hub and hands back its answers, after letting the test change
// them (leave out a commit, a revocation, a key grant, the admin's
// statement). To a device it is a hub like any other, at its own URL.
#ifndef HAMLET_TESTS_TAMPERING_PROXY_H_
#define HAMLET_TESTS_TAMPERING_PROXY_H_

#include <httplib.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace hamlet::test {

class TamperingProxy {
 public:
  // Changes the hub's answer to a request in place; called on the proxy's
  // threads, one request at a time.
  using Tamper = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit TamperingProxy(const std::string& hub_url);
  ~TamperingProxy();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Replaces the tampering (none at first: an honest relay).
  void SetTamper(Tamper tamper);

 private:
  httplib::Server server_;
  std::string hub_url_;
  std::mutex mu_;
  Tamper tamper_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_TAMPERING_PROXY_H_
