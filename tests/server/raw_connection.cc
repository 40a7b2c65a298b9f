#include "raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace hamlet::test {

namespace {

using Clock = std::chrono::steady_clock;

int LeftMs(Clock::time_point deadline) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
}

}  // namespace

RawConnection::RawConnection(int port, const char* source_ip) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  if (inet_pton(AF_INET, source_ip, &from.sin_addr) != 1) return;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// What the hub sends until done(received) says enough, the hub closes, or
// timeout_ms.
std::string RawConnection::ReadUntil(int timeout_ms, const std::function<bool(const std::string&)>& done) {
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  while (!done(out)) {
    int left = LeftMs(deadline);
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) break;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string RawConnection::ReadAll(int timeout_ms) {
  return ReadUntil(timeout_ms, [](const std::string&) { return false; });
}

std::string RawConnection::ReadAnswer(int timeout_ms) {
  return ReadUntil(timeout_ms, [](const std::string& out) {
    size_t head_end = out.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    size_t at = out.find("Content-Length: ");
    return at != std::string::npos && at < head_end &&
           out.size() >= head_end + 4 + std::strtoul(out.c_str() + at + 16, nullptr, 10);
  });
}

bool RawConnection::ClosedByHub(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return recv(fd_, &c, 1, 0) <= 0;
}

}  // namespace hamlet::test
