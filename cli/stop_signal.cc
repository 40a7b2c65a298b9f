#include "stop_signal.h"

#include <pthread.h>

#include <cstdlib>
#include <ctime>

namespace hamlet::cli {

StopOnSignal::StopOnSignal(std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  watcher_ = std::thread([this] {
    const timespec tick{0, 200 * 1000 * 1000};
    while (!done_) {
      int sig = sigtimedwait(&set_, nullptr, &tick);
      if (sig <= 0) continue;
      if (signal_ != 0) std::_Exit(128 + sig);  // Asked twice: at once.
      signal_ = sig;
      on_stop_();
    }
  });
}

StopOnSignal::~StopOnSignal() {
  done_ = true;
  watcher_.join();
  // A signal that came after the watcher ended is taken now, as it would
  // have been a moment earlier: the process ends with it.
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

}  // namespace hamlet::cli
