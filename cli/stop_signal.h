// StopOnSignal: while it lives, Ctrl-C (SIGINT) and SIGTERM do not end the
// process but call on_stop once, on a thread of its own, so that a long
// transfer can stop cleanly and keep what arrived; a second one ends the
// process at once (exit 128 + the signal).
//
// Make it on the main thread before any other thread is started: the two
// signals are blocked on the calling thread, and so on every thread made
// after it, until the object goes away. One at a time per process.
#ifndef HAMLET_CLI_STOP_SIGNAL_H_
#define HAMLET_CLI_STOP_SIGNAL_H_

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace hamlet::cli {

class StopOnSignal {
 public:
  explicit StopOnSignal(std::function<void()> on_stop);
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // The signal that came (SIGINT or SIGTERM), or 0.
  int signal() const { return signal_; }

 private:
  std::function<void()> on_stop_;
  sigset_t set_, old_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread watcher_;
};

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_STOP_SIGNAL_H_
