#include "hlc.h"

#include <algorithm>

namespace hamlet {

int64_t HybridClock::Wall() const {
  int64_t now = env_->NowMillis() + offset_;
  // Stamps hold 48 bits of milliseconds; clamp nonsense below zero or beyond.
  return std::clamp<int64_t>(now, 0, (int64_t{1} << 48) - 1);
}

uint64_t HybridClock::Next() {
  uint64_t wall = Make(Wall(), 0);
  last_ = std::max(last_ + 1, wall);
  return last_;
}

void HybridClock::Observe(uint64_t remote) {
  if (remote <= last_) return;
  if (Millis(remote) > Wall() + kMaxForwardMillis) return;
  last_ = remote;
}

}  // namespace hamlet
