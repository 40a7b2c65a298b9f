#include "cut_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <limits>

namespace hamlet::test {

CutProxy::CutProxy(int target_port, uint64_t seed, int cut_percent, size_t max_cut_bytes)
    : target_port_(target_port), cut_percent_(cut_percent), max_cut_bytes_(max_cut_bytes), rng_(seed) {
  listener_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("cut proxy: socket");
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("cut proxy: bind");
  if (listen(listener_, 64) != 0) throw std::runtime_error("cut proxy: listen");
  socklen_t len = sizeof addr;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

CutProxy::~CutProxy() {
  stop_ = true;
  shutdown(listener_, SHUT_RDWR);
  close(listener_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : relays_) t.join();
}

void CutProxy::Accept() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int client = accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    size_t budget = std::numeric_limits<size_t>::max();
    if (static_cast<int>(rng_() % 100) < cut_percent_) budget = rng_() % max_cut_bytes_;
    std::lock_guard<std::mutex> lock(mu_);
    relays_.emplace_back([this, client, budget] { Relay(client, budget); });
  }
}

void CutProxy::Relay(int client, size_t budget) {
  int server = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(target_port_));
  if (server < 0 || connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (server >= 0) close(server);
    close(client);
    return;
  }
  // Forward each piece at once, as the endpoints themselves do.
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  size_t moved = 0;
  char buf[16384];
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  bool cut = false;
  while (!stop_ && !cut) {
    if (poll(fds, 2, 100) < 0) break;
    bool closed = false;
    for (int i = 0; i < 2 && !cut && !closed; i++) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        closed = true;
        break;
      }
      size_t send = static_cast<size_t>(n);
      if (moved + send > budget) {
        send = budget - moved;
        cut = true;
      }
      int to = fds[1 - i].fd;
      size_t done = 0;
      while (done < send) {
        ssize_t w = write(to, buf + done, send - done);
        if (w <= 0) {
          closed = true;
          break;
        }
        done += static_cast<size_t>(w);
      }
      moved += send;
      (i == 0 ? bytes_up_ : bytes_down_) += send;
    }
    if (closed) break;
  }
  if (cut) cuts_++;
  close(client);
  close(server);
}

}  // namespace hamlet::test
