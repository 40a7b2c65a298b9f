#include "sync_meter.h"

#include <cassert>
#include <vector>

namespace hamlet {

void SyncMeter::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  threaded_ = false;
  stop_ = false;
  for (Lane& l : lanes_) l = Lane();
  last_moved_ = Clock::now();
  changed_ = told_ = 0;
  urgent_ = false;
}

void SyncMeter::SetThreaded(bool threaded) {
  std::lock_guard<std::mutex> lock(mu_);
  threaded_ = threaded;
  ended_ = 0;
}

void SyncMeter::ReportUntilEnded(int lanes) {
  std::unique_lock<std::mutex> lock(mu_);
  while (ended_ < lanes) {
    cv_.wait_for(lock, std::chrono::milliseconds(200));
    if (told_ != changed_) TellLocked(lock, urgent_);
  }
  if (told_ != changed_) TellLocked(lock, true);
}

void SyncMeter::Begin(int lane, const char* phase) {
  assert(lane >= 0 && lane < kLanes);
  std::unique_lock<std::mutex> lock(mu_);
  lanes_[lane] = Lane();
  lanes_[lane].progress.phase = phase;
  lanes_[lane].active = true;
  last_moved_ = Clock::now();
  Changed(lock, true);
}

void SyncMeter::End(int lane) {
  std::unique_lock<std::mutex> lock(mu_);
  Lane& l = lanes_[lane];
  l.untold_end = threaded_ && l.active && told_ != changed_;
  l.active = false;
  l.down = false;
  ended_++;
  cv_.notify_all();
}

void SyncMeter::Moved(int lane, size_t bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  last_moved_ = Clock::now();
  Lane& l = lanes_[lane];
  l.progress.bytes += bytes;
  bool was_down = false;
  for (const Lane& x : lanes_) was_down = was_down || x.down;
  l.down = false;
  l.progress.waiting_ms = 0;
  Changed(lock, was_down);
}

void SyncMeter::Commits(int lane, size_t commits) {
  std::unique_lock<std::mutex> lock(mu_);
  lanes_[lane].progress.commits += commits;
  Changed(lock, true);
}

void SyncMeter::Waiting(int lane, int64_t waiting_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  Lane& l = lanes_[lane];
  l.down = true;
  l.progress.waiting_ms = waiting_ms;
  l.progress.give_up_ms = options_.give_up_after_ms;
  Changed(lock, true);
}

void SyncMeter::Retried() {
  std::lock_guard<std::mutex> lock(mu_);
  retries_++;
}

int64_t SyncMeter::MsSinceMoved() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_moved_).count();
}

void SyncMeter::Changed(std::unique_lock<std::mutex>& lock, bool urgent) {
  changed_++;
  urgent_ = urgent_ || urgent;
  if (threaded_) {
    if (urgent) cv_.notify_all();
    return;
  }
  TellLocked(lock, urgent_);
}

void SyncMeter::TellLocked(std::unique_lock<std::mutex>& lock, bool urgent) {
  if (!options_.progress) return;
  if (!urgent && Clock::now() - last_told_ < std::chrono::milliseconds(200)) return;
  // The link is down when every lane at work waits for it: a lane that
  // waits while another moves bytes is told as merely behind.
  // A lane is at work from its phase's start to its end, and while it waits
  // for the link before it has a phase (connecting).
  bool all_down = true, any = false;
  for (const Lane& l : lanes_) {
    if (!l.active && !l.down && !l.untold_end) continue;
    any = true;
    all_down = all_down && l.down;
  }
  if (!any) return;
  std::vector<SyncProgress> tell;
  for (Lane& l : lanes_) {
    if (!l.active && !l.down && !l.untold_end) continue;
    l.untold_end = false;
    SyncProgress p = l.progress;
    p.link_down = l.down && all_down;
    p.retries = retries_;
    tell.push_back(p);
  }
  told_ = changed_;
  urgent_ = false;
  last_told_ = Clock::now();
  lock.unlock();
  for (const SyncProgress& p : tell) options_.progress(p);
  lock.lock();
}

}  // namespace hamlet
