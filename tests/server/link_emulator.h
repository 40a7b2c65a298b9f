// LinkEmulator: a TCP relay on a loopback port that behaves like a slow,
// lossy mobile link that drops out now and then, for tests and benchmarks
// of sync over 2G. The machine's kernel has no netem, so the link is
// modelled in user space, one lane per direction shared by every connection
// crossing it:
//
// - bandwidth: a lane sends one segment (at most 1,460 bytes) at a time at
//   bytes_per_second, and reads from the sender only while its queue (the
//   network's buffer, queue_bytes) has room, so a fast sender is held back
//   by its own socket buffers as on a real link; connections with bytes to
//   send take the room a segment each in turn, so that a short request
//   waits behind the queue, not behind a whole transfer beside it;
// - delay: a segment arrives one_way_delay_ms after it was sent, in order;
// - loss: a segment is lost with probability loss; it is sent again one
//   round trip later (as TCP's fast retransmit does) and everything behind
//   it waits for it;
// - cuts: from first_cut_at_ms on, every cut_every_ms, the link is gone for
//   cut_for_ms. What was in flight is lost. With cut_resets false (TCP rides
//   out the cut), it is sent again after the cut, when the sender's
//   retransmission timer next fires (rto_ms, doubling: 1, 3, 7, 15 s after
//   the cut began), and each try during the cut is counted as sent and lost.
//   With cut_resets true (the radio lost its bearer), every connection
//   crossing the link is reset at the start of the cut.
//
// The counts separate what crossed the link (wire bytes: every copy sent,
// lost or not) from what was handed to the other end (delivered bytes).
//
// Thread safety: the relay runs on its own thread; the accessors may be
// called from any thread.
#ifndef HAMLET_TESTS_LINK_EMULATOR_H_
#define HAMLET_TESTS_LINK_EMULATOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

namespace hamlet::test {

struct LinkProfile {
  size_t bytes_per_second = 8000;  // 64 kbit/s each way.
  int64_t one_way_delay_ms = 150;  // 300 ms round trip.
  double loss = 0.01;
  int64_t first_cut_at_ms = 15000;
  int64_t cut_every_ms = 20000;    // 0: the link never drops.
  int64_t cut_for_ms = 5000;
  bool cut_resets = false;
  size_t queue_bytes = 16 << 10;
  int64_t rto_ms = 1000;
  // When not 0: once this many bytes went down, nothing more does, for as
  // long as the emulator lives (a device carried out of coverage halfway
  // through an answer, whatever the time).
  uint64_t down_bytes_until_gone = 0;
  uint64_t seed = 1;

  // The 2G link of the hamlets (../shared/design.md): 64 kbit/s each way,
  // 300 ms round trip, 1% loss, gone for 5 s every 20 s.
  static LinkProfile Hamlet2G() { return LinkProfile(); }
  // The same bandwidth and delay with no loss and no cuts: what the same
  // transfer needs on a clean link.
  static LinkProfile Clean() {
    LinkProfile p;
    p.loss = 0;
    p.cut_every_ms = 0;
    return p;
  }
  // A link that is not in the way: for setting a test up.
  static LinkProfile Loopback() {
    LinkProfile p = Clean();
    p.bytes_per_second = 1 << 30;
    p.one_way_delay_ms = 0;
    p.queue_bytes = 1 << 20;
    return p;
  }
};

struct LinkCounts {
  uint64_t wire_up = 0, wire_down = 0;            // Every copy sent, lost or not.
  uint64_t delivered_up = 0, delivered_down = 0;  // Handed to the other end.
  uint64_t connections = 0;
  uint64_t resets = 0;  // Connections reset by a cut.
  uint64_t cuts = 0;    // Cuts that have begun.
};

class LinkEmulator {
 public:
  // Relays 127.0.0.1:port() to 127.0.0.1:target_port over the modelled link.
  // listen_port 0 picks a free port; another reuses one an earlier emulator
  // had, so a device sees the same hub address.
  LinkEmulator(int target_port, LinkProfile profile, int listen_port = 0);
  ~LinkEmulator();
  LinkEmulator(const LinkEmulator&) = delete;
  LinkEmulator& operator=(const LinkEmulator&) = delete;

  int port() const;
  LinkCounts counts() const;
  // True while the link is cut.
  bool down() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_LINK_EMULATOR_H_
