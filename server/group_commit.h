// GroupCommit: writers that arrive while a group is being written wait, and
// the first of them writes all that waited as one group (one transaction,
// one flush to disk), as LevelDB groups its writers. Each writer keeps its
// own outcome. Thread safe.
#ifndef HAMLET_SERVER_GROUP_COMMIT_H_
#define HAMLET_SERVER_GROUP_COMMIT_H_

#include <cassert>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace hamlet::hub {

template <class Item>
class GroupCommit {
 public:
  // Queues item and returns once a group holding it has been written:
  // write(group) is called by one of the group's writers, on its thread,
  // with the items in the order they arrived, and sets each one's outcome.
  // item must live until Write returns.
  void Write(Item* item, const std::function<void(const std::vector<Item*>&)>& write) {
    Waiter me(item);
    std::unique_lock<std::mutex> lock(mu_);
    queue_.push_back(&me);
    while (!me.done && &me != queue_.front()) me.cv.wait(lock);
    if (me.done) return;
    // This writer leads: it writes every item queued so far.
    std::vector<Waiter*> waiters(queue_.begin(), queue_.end());
    std::vector<Item*> group;
    for (Waiter* w : waiters) group.push_back(w->item);
    lock.unlock();
    write(group);
    lock.lock();
    for (Waiter* w : waiters) {
      assert(queue_.front() == w);
      queue_.pop_front();
      if (w != &me) {
        w->done = true;
        w->cv.notify_one();
      }
    }
    if (!queue_.empty()) queue_.front()->cv.notify_one();
  }

 private:
  struct Waiter {
    explicit Waiter(Item* i) : item(i) {}
    Item* item;
    bool done = false;
    std::condition_variable cv;
  };
  std::mutex mu_;  // Guards queue_ and each waiter's done.
  std::deque<Waiter*> queue_;
};

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_GROUP_COMMIT_H_
