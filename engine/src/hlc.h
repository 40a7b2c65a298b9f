// Hybrid logical clock (protocol.md, "Clocks").
//
// A stamp is a 64-bit number: the high 48 bits are milliseconds since the Unix
// epoch, the low 16 bits a counter that orders events within one millisecond.
// Stamps only order concurrent writes; causality between writes is carried
// explicitly by the writes' base references (merge.h), so a wrong clock can
// never make a value win over an edit that was made after seeing it.
//
// Not thread safe: the owner (the Replica) serialises calls.
#ifndef HAMLET_HLC_H_
#define HAMLET_HLC_H_

#include <cstdint>

#include "hamlet/env.h"

namespace hamlet {

class HybridClock {
 public:
  // Remote stamps further than this ahead of the local wall clock are not
  // adopted, so a device set a year ahead cannot drag others into its future.
  static constexpr int64_t kMaxForwardMillis = 5 * 60 * 1000;

  static uint64_t Make(int64_t millis, uint16_t counter) {
    return (static_cast<uint64_t>(millis) << 16) | counter;
  }
  static int64_t Millis(uint64_t stamp) { return static_cast<int64_t>(stamp >> 16); }

  // env must outlive the clock. last is the greatest stamp issued or adopted
  // before (persisted by the owner), so stamps stay monotonic across restarts
  // even when the wall clock was reset to the past.
  HybridClock(Env* env, uint64_t last) : env_(env), last_(last) {}

  // A stamp for a local event: greater than every stamp issued or adopted
  // before, and at least the (offset-corrected) wall clock.
  uint64_t Next();

  // Takes note of a remote stamp. Adopted only when it is not more than
  // kMaxForwardMillis ahead of the local wall clock.
  void Observe(uint64_t remote);

  // A correction, in milliseconds, added to the wall clock (for example from a
  // hub's time at sync).
  void set_offset(int64_t millis) { offset_ = millis; }
  int64_t offset() const { return offset_; }

  uint64_t last() const { return last_; }
  // Forgets stamps adopted after last was read (after a rolled-back import).
  void Reset(uint64_t last) { last_ = last; }

 private:
  int64_t Wall() const;
  Env* env_;
  uint64_t last_;
  int64_t offset_ = 0;
};

}  // namespace hamlet

#endif  // HAMLET_HLC_H_
