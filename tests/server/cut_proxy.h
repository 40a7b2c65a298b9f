// A TCP relay on a loopback port that cuts connections at random byte
// offsets, for testing sync over a link that drops mid-transfer. With
// cut_percent 0 it only relays and counts the bytes (the benchmarks use it
// to measure what crosses the wire).
#ifndef HAMLET_TESTS_CUT_PROXY_H_
#define HAMLET_TESTS_CUT_PROXY_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace hamlet::test {

class CutProxy {
 public:
  // Relays to 127.0.0.1:target_port. Each connection is cut, with
  // probability cut_percent, after a random number of bytes (both
  // directions counted) below max_cut_bytes.
  CutProxy(int target_port, uint64_t seed, int cut_percent, size_t max_cut_bytes);
  ~CutProxy();

  int port() const { return port_; }
  int cuts() const { return cuts_.load(); }
  // Bytes relayed so far from clients to the target, and back.
  uint64_t bytes_up() const { return bytes_up_.load(); }
  uint64_t bytes_down() const { return bytes_down_.load(); }

 private:
  void Accept();
  void Relay(int client, size_t budget);

  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  int cut_percent_;
  size_t max_cut_bytes_;
  std::mt19937_64 rng_;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_{0};
  std::atomic<uint64_t> bytes_up_{0}, bytes_down_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> relays_;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_CUT_PROXY_H_
