// SyncMeter: what one HubClient::Sync has moved on each of its connections
// ("lanes"), when anything last crossed the link, and the telling of it to
// SyncOptions::progress.
//
// A sync runs on one lane (the caller's thread) or, when it pushes and
// pulls at once, on two worker threads while the caller's thread waits in
// ReportUntilDone. Either way the progress callback runs only on the thread
// that called Sync. Thread safe.
#ifndef HAMLET_HTTP_SYNC_METER_H_
#define HAMLET_HTTP_SYNC_METER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "hamlet/hub_client.h"

namespace hamlet {

class SyncMeter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kLanes = 2;

  // options must outlive the meter.
  explicit SyncMeter(const SyncOptions& options) : options_(options) {}

  // A new call of the client: nothing has moved on any lane, the clock of
  // "nothing came through" starts now, and the one lane at work tells its
  // progress as it goes, on the caller's thread.
  void Start();
  // From now on (threaded) the lanes run on worker threads and the caller's
  // thread tells their progress in ReportUntilDone.
  void SetThreaded(bool threaded);
  // Lane starts a phase ("push" or "pull", static text): its counts start
  // from zero.
  void Begin(int lane, const char* phase);
  // Lane finished its part of the sync.
  void End(int lane);

  // Bytes of a page crossed the link on lane, or (0) a whole answer came.
  void Moved(int lane, size_t bytes);
  // Lane's page of commits went through: told at once.
  void Commits(int lane, size_t commits);
  // Lane failed a try and waits for the link; waiting_ms is how long
  // nothing has moved on any lane.
  void Waiting(int lane, int64_t waiting_ms);
  // A request is tried again.
  void Retried();

  // How long nothing has moved on any lane.
  int64_t MsSinceMoved() const;

  // Asks every lane to stop at its next step (one lane failed).
  void Stop() { stop_ = true; cv_.notify_all(); }
  bool Stopped() const { return stop_; }

  // On the thread that called Sync, while the lanes run elsewhere: tells
  // the progress callback as things change until lanes lanes have ended
  // since SetThreaded(true), and last what they did before they ended.
  void ReportUntilEnded(int lanes);

 private:
  struct Lane {
    SyncProgress progress;
    bool active = false;
    bool down = false;
    bool untold_end = false;  // Ended with progress not yet told.
  };

  // Tells the callback now (urgent) or if 200 ms have passed since the
  // last time; drops and retakes lock around the callback when threaded.
  void Changed(std::unique_lock<std::mutex>& lock, bool urgent);
  void TellLocked(std::unique_lock<std::mutex>& lock, bool urgent);

  const SyncOptions& options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  bool threaded_ = false;
  int ended_ = 0;  // Lanes ended since SetThreaded(true).
  Lane lanes_[kLanes];
  size_t retries_ = 0;
  Clock::time_point last_moved_ = Clock::now();
  Clock::time_point last_told_;
  uint64_t changed_ = 0, told_ = 0;  // Versions of what there is to tell.
  bool urgent_ = false;
};

}  // namespace hamlet

#endif  // HAMLET_HTTP_SYNC_METER_H_
