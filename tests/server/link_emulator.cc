#include "link_emulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace hamlet::test {

namespace {

constexpr size_t kSegment = 1460;            // One TCP segment's payload on a 1,500-byte path.
constexpr int kSocketBuffer = 16 << 10;      // The relay's own sockets: small, so senders feel the link.

struct Segment {
  std::string data;
  int64_t start_us = 0;    // When the link begins to send it.
  int64_t deliver_us = 0;  // When it reaches the other end.
  size_t written = 0;
};

// One direction of one connection.
struct Pipe {
  int src = -1, dst = -1;
  std::deque<Segment> queue;
  int64_t last_deliver_us = 0;
  bool eof = false;   // The sender finished.
  bool shut = false;  // ...and that was passed on.
};

struct Conn {
  int client = -1, server = -1;
  Pipe up, down;  // up: client to server.
  bool dead = false;
};

struct Lane {
  int64_t free_us = 0;  // When the link is free to send the next segment.
  size_t queued = 0;    // Bytes read from senders and not yet delivered.
};

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void SmallBuffers(int fd) {
  int size = kSocketBuffer;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Closes with a reset, as a peer whose link vanished would see it.
void Reset(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

}  // namespace

struct LinkEmulator::State {
  LinkProfile p;
  int target_port = 0;
  int listener = -1;
  int port = 0;
  int wake = -1;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng;
  std::vector<std::unique_ptr<Conn>> conns;
  Lane lanes[2];  // 0 up, 1 down.
  int64_t next_cut = 0;  // Index of the next cut to begin.

  mutable std::mutex mu;
  LinkCounts counts;
  uint64_t delivered_down_partial = 0;  // Down bytes handed over, segments begun included.

  std::atomic<bool> stop{false};

  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  }
  int64_t CutStart(int64_t k) const { return (p.first_cut_at_ms + k * p.cut_every_ms) * 1000; }
  bool Cuts() const { return p.cut_every_ms > 0 && p.cut_for_ms > 0; }
  // Nothing more goes down (LinkProfile::down_bytes_until_gone).
  bool GoneDown() const {
    std::lock_guard<std::mutex> lock(mu);
    return p.down_bytes_until_gone > 0 && delivered_down_partial >= p.down_bytes_until_gone;
  }

  bool InCut(int64_t t, int64_t* end = nullptr) const {
    if (!Cuts() || t < CutStart(0)) return false;
    int64_t k = (t - CutStart(0)) / (p.cut_every_ms * 1000);
    int64_t e = CutStart(k) + p.cut_for_ms * 1000;
    if (t >= e) return false;
    if (end) *end = e;
    return true;
  }

  int64_t TxUs(size_t n) const { return static_cast<int64_t>(n) * 1000000 / static_cast<int64_t>(p.bytes_per_second); }

  void Count(int lane, uint64_t wire, uint64_t delivered) {
    std::lock_guard<std::mutex> lock(mu);
    (lane == 0 ? counts.wire_up : counts.wire_down) += wire;
    (lane == 0 ? counts.delivered_up : counts.delivered_down) += delivered;
  }

  // Puts a segment on the link at now: it waits for the link to be free
  // and up, may be lost once, and arrives in order.
  void Schedule(int lane, Pipe* pipe, std::string data, int64_t now) {
    Lane& l = lanes[lane];
    Segment s;
    int64_t start = std::max(now, l.free_us);
    int64_t end_of_cut;
    if (InCut(start, &end_of_cut)) start = end_of_cut;
    int64_t tx = TxUs(data.size());
    int64_t sent = start + tx;
    int64_t deliver = sent + p.one_way_delay_ms * 1000;
    uint64_t wire = data.size();
    l.free_us = sent;
    if (p.loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < p.loss) {
      // Lost: sent again once the sender hears of it, a round trip later.
      wire += data.size();
      l.free_us += tx;
      deliver += 2 * p.one_way_delay_ms * 1000 + tx;
    }
    deliver = std::max(deliver, pipe->last_deliver_us);
    pipe->last_deliver_us = deliver;
    s.start_us = start;
    s.deliver_us = deliver;
    l.queued += data.size();
    s.data = std::move(data);
    pipe->queue.push_back(std::move(s));
    Count(lane, wire, 0);
  }

  Pipe* PipeOf(Conn* c, int lane) { return lane == 0 ? &c->up : &c->down; }

  void Kill(Conn* c) {
    if (c->dead) return;
    c->dead = true;
    for (int lane = 0; lane < 2; lane++) {
      Pipe* pipe = PipeOf(c, lane);
      for (const Segment& s : pipe->queue) lanes[lane].queued -= s.data.size() - s.written;
      pipe->queue.clear();
    }
    Reset(c->client);
    Reset(c->server);
    c->client = c->server = -1;
  }

  // The link drops at time at.
  void BeginCut(int64_t at) {
    {
      std::lock_guard<std::mutex> lock(mu);
      counts.cuts++;
    }
    for (int lane = 0; lane < 2; lane++) {
      std::vector<Segment*> waiting;
      for (auto& c : conns) {
        if (c->dead) continue;
        for (Segment& s : PipeOf(c.get(), lane)->queue) {
          if (s.deliver_us > at && s.written == 0) waiting.push_back(&s);
        }
      }
      // What the link had not begun to send was never on the wire.
      uint64_t unsent = 0, in_flight = 0;
      for (Segment* s : waiting) (s->start_us >= at ? unsent : in_flight) += s->data.size();
      {
        std::lock_guard<std::mutex> lock(mu);
        (lane == 0 ? counts.wire_up : counts.wire_down) -= unsent;
      }
      if (p.cut_resets) continue;
      // TCP keeps the connection and sends again when its timer fires.
      int64_t resume = at + p.cut_for_ms * 1000;
      if (in_flight > 0) {
        int64_t step = p.rto_ms * 1000, fire = step;
        uint64_t tries = 0;
        while (fire < p.cut_for_ms * 1000) {
          tries++;
          step *= 2;
          fire += step;
        }
        resume = at + fire;
        // Each try during the cut is lost too.
        Count(lane, tries * std::min<uint64_t>(kSegment, waiting.front()->data.size()), 0);
      }
      std::stable_sort(waiting.begin(), waiting.end(),
                       [](const Segment* a, const Segment* b) { return a->start_us < b->start_us; });
      // All of it goes (again) once the link is back.
      int64_t free = resume;
      for (Segment* s : waiting) {
        s->start_us = free;
        free += TxUs(s->data.size());
        s->deliver_us = free + p.one_way_delay_ms * 1000;
        Count(lane, s->data.size(), 0);
      }
      lanes[lane].free_us = std::max(free, resume);
      for (auto& c : conns) {
        Pipe* pipe = PipeOf(c.get(), lane);
        if (!pipe->queue.empty()) pipe->last_deliver_us = pipe->queue.back().deliver_us;
      }
    }
    if (p.cut_resets) {
      for (auto& c : conns) {
        if (c->dead) continue;
        Kill(c.get());
        std::lock_guard<std::mutex> lock(mu);
        counts.resets++;
      }
      for (Lane& l : lanes) l.free_us = std::min(l.free_us, at);
    }
  }

  void Accept() {
    for (;;) {
      int client = accept(listener, nullptr, nullptr);
      if (client < 0) return;
      int server = socket(AF_INET, SOCK_STREAM, 0);
      SmallBuffers(server);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(target_port));
      if (server < 0 || connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (server >= 0) close(server);
        Reset(client);
        continue;
      }
      SmallBuffers(client);
      SetNonBlocking(client);
      SetNonBlocking(server);
      auto c = std::make_unique<Conn>();
      c->client = client;
      c->server = server;
      c->up.src = c->down.dst = client;
      c->up.dst = c->down.src = server;
      conns.push_back(std::move(c));
      std::lock_guard<std::mutex> lock(mu);
      counts.connections++;
    }
  }

  // Reads one segment, if the lane has room for it; true if it read one
  // and the sender may have more.
  bool ReadSegment(Conn* c, int lane, int64_t now) {
    Pipe* pipe = PipeOf(c, lane);
    char buf[kSegment];
    while (!c->dead && !pipe->eof && lanes[lane].queued < p.queue_bytes) {
      size_t want = std::min(sizeof buf, p.queue_bytes - lanes[lane].queued);
      ssize_t n = recv(pipe->src, buf, want, 0);
      if (n > 0) {
        Schedule(lane, pipe, std::string(buf, static_cast<size_t>(n)), now);
        return true;
      }
      if (n == 0) {
        pipe->eof = true;
      } else {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        if (errno == EINTR) continue;
        Kill(c);
      }
    }
    return false;
  }

  // Reads what the lanes have room for from the senders that have bytes,
  // a segment from each in turn: as a router's queue takes the packets of
  // every connection crossing it in the order they come, so that a short
  // request is not held back until a long transfer beside it pauses.
  void Read(std::vector<std::pair<Conn*, int>> ready, int64_t now) {
    while (!ready.empty()) {
      std::vector<std::pair<Conn*, int>> more;
      for (auto [c, lane] : ready) {
        if (ReadSegment(c, lane, now)) more.emplace_back(c, lane);
      }
      ready = std::move(more);
    }
  }

  // Hands over what has arrived by now.
  void Deliver(Conn* c, int lane, int64_t now) {
    Pipe* pipe = PipeOf(c, lane);
    while (!c->dead && !pipe->queue.empty() && pipe->queue.front().deliver_us <= now) {
      Segment& s = pipe->queue.front();
      size_t left = s.data.size() - s.written;
      if (lane == 1 && p.down_bytes_until_gone > 0) {
        std::lock_guard<std::mutex> lock(mu);
        uint64_t room = p.down_bytes_until_gone - std::min(p.down_bytes_until_gone, delivered_down_partial);
        if (room == 0) return;
        left = std::min<uint64_t>(left, room);
      }
      ssize_t w = send(pipe->dst, s.data.data() + s.written, left, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        Kill(c);
        return;
      }
      s.written += static_cast<size_t>(w);
      if (lane == 1) {
        std::lock_guard<std::mutex> lock(mu);
        delivered_down_partial += static_cast<uint64_t>(w);
      }
      if (s.written < s.data.size()) return;
      lanes[lane].queued -= s.data.size();
      Count(lane, 0, s.data.size());
      pipe->queue.pop_front();
    }
    if (!c->dead && pipe->eof && pipe->queue.empty() && !pipe->shut) {
      shutdown(pipe->dst, SHUT_WR);
      pipe->shut = true;
    }
  }

  void Run() {
    while (!stop) {
      int64_t now = Now();
      while (Cuts() && now >= CutStart(next_cut)) BeginCut(CutStart(next_cut++));
      for (auto& c : conns) {
        for (int lane = 0; lane < 2; lane++) Deliver(c.get(), lane, now);
        if (!c->dead && c->up.shut && c->down.shut) {
          close(c->client);
          close(c->server);
          c->client = c->server = -1;
          c->dead = true;
        }
      }
      conns.erase(std::remove_if(conns.begin(), conns.end(), [](const auto& c) { return c->dead; }), conns.end());

      std::vector<pollfd> fds{{listener, POLLIN, 0}, {wake, POLLIN, 0}};
      std::vector<std::pair<Conn*, int>> who{{nullptr, -1}, {nullptr, -1}};
      int64_t next = now + 100000;
      if (Cuts()) next = std::min(next, CutStart(next_cut));
      for (auto& c : conns) {
        for (int lane = 0; lane < 2; lane++) {
          Pipe* pipe = PipeOf(c.get(), lane);
          if (!pipe->eof && lanes[lane].queued < p.queue_bytes) {
            fds.push_back({pipe->src, POLLIN, 0});
            who.emplace_back(c.get(), lane);
          }
          if (!pipe->queue.empty() && !(lane == 1 && GoneDown())) {
            const Segment& s = pipe->queue.front();
            if (s.deliver_us <= now) {
              fds.push_back({pipe->dst, POLLOUT, 0});
              who.emplace_back(c.get(), lane + 2);
            } else {
              next = std::min(next, s.deliver_us);
            }
          }
        }
      }
      int timeout_ms = static_cast<int>(std::max<int64_t>(0, (next - now + 999) / 1000));
      if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) return;
      if (fds[0].revents & POLLIN) Accept();
      now = Now();
      std::vector<std::pair<Conn*, int>> ready;
      for (size_t i = 2; i < fds.size(); i++) {
        if (fds[i].revents == 0) continue;
        auto [c, what] = who[i];
        if (what < 2) ready.emplace_back(c, what);
      }
      Read(std::move(ready), now);
    }
  }
};

LinkEmulator::LinkEmulator(int target_port, LinkProfile profile, int listen_port) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.p = profile;
  s.target_port = target_port;
  s.rng.seed(profile.seed);
  s.listener = socket(AF_INET, SOCK_STREAM, 0);
  if (s.listener < 0) throw std::runtime_error("link emulator: socket");
  int one = 1;
  setsockopt(s.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  SmallBuffers(s.listener);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(listen_port));
  if (bind(s.listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("link emulator: bind");
  }
  if (listen(s.listener, 64) != 0) throw std::runtime_error("link emulator: listen");
  SetNonBlocking(s.listener);
  socklen_t len = sizeof addr;
  getsockname(s.listener, reinterpret_cast<sockaddr*>(&addr), &len);
  s.port = ntohs(addr.sin_port);
  s.wake = eventfd(0, EFD_NONBLOCK);
  thread_ = std::thread([this] { state_->Run(); });
}

LinkEmulator::~LinkEmulator() {
  state_->stop = true;
  uint64_t one = 1;
  if (write(state_->wake, &one, sizeof one) < 0) {
    // The loop also wakes by itself within 100 ms.
  }
  thread_.join();
  for (auto& c : state_->conns) state_->Kill(c.get());
  close(state_->listener);
  close(state_->wake);
}

int LinkEmulator::port() const { return state_->port; }

LinkCounts LinkEmulator::counts() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->counts;
}

bool LinkEmulator::down() const { return state_->InCut(state_->Now()); }

}  // namespace hamlet::test
