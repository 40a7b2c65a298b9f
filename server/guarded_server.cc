#include "guarded_server.h"

#include "format.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <chrono>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "address_table.h"
#include "hamlet/language.h"
#include "http_error.h"
#include "proxy_header.h"
#include "request_auth.h"

namespace hamlet::hub {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

// A whole HTTP answer carrying a JSON error, for a client the guard refuses
// before cpp-httplib sees its request.
std::string ErrorAnswer(int status, const char* reason, const Status& why, int64_t retry_after_ms) {
  std::string body = ErrorBody(why);
  std::string answer = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                       "\r\nContent-Type: application/json\r\nHamlet-Protocol: " +
                       std::to_string(format::kHubProtocolVersion) + "\r\nConnection: close\r\n";
  if (retry_after_ms > 0) answer += "Retry-After: " + std::to_string((retry_after_ms + 999) / 1000) + "\r\n";
  return answer + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Bytes of an answer that may wait unsent in the kernel (TCP_NOTSENT_LOWAT).
constexpr int kUnsentBytes = 16 << 10;

// One accepted socket, plain or TLS, non-blocking underneath, with a read
// buffer that outlives each request (a client may send its next request
// before it reads the answer).
class Connection {
 public:
  Connection(int sock, SSL_CTX* tls) : sock_(sock) {
    fcntl(sock_, F_SETFL, fcntl(sock_, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(sock_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // A write completes when its bytes are about to leave, not when the
    // socket buffer took them: the answer's deadline follows the reader.
    int lowat = kUnsentBytes;
    setsockopt(sock_, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
    if (tls != nullptr) {
      ssl_ = SSL_new(tls);
      if (ssl_ != nullptr) SSL_set_fd(ssl_, sock_);
    }
  }
  ~Connection() {
    if (ssl_ != nullptr) {
      if (handshaken_) SSL_shutdown(ssl_);  // Best effort: one close_notify, no waiting.
      SSL_free(ssl_);
    }
    shutdown(sock_, SHUT_RDWR);
    close(sock_);
  }

  int fd() const { return sock_; }
  bool tls() const { return ssl_ != nullptr; }

  // The TLS handshake, finished by deadline (a steady-clock millisecond).
  bool Handshake(int64_t deadline) {
    if (ssl_ == nullptr) return false;
    for (;;) {
      int r = SSL_accept(ssl_);
      if (r == 1) return handshaken_ = true;
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ) {
        if (!Wait(POLLIN, deadline)) return false;
      } else if (err == SSL_ERROR_WANT_WRITE) {
        if (!Wait(POLLOUT, deadline)) return false;
      } else {
        ERR_clear_error();
        return false;
      }
    }
  }

  // Reads one line ending in CRLF, of at most max bytes with the CRLF, by
  // deadline, taking nothing after it from the socket (what follows may be
  // a TLS handshake). *line is without the CRLF.
  bool ReadLine(size_t max, int64_t deadline, std::string* line) {
    char buf[256];
    max = std::min(max, sizeof buf);
    for (;;) {
      ssize_t n = recv(sock_, buf, max, MSG_PEEK);
      if (n == 0) return false;
      if (n < 0) {
        if (errno == EINTR) continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || !Wait(POLLIN, deadline)) return false;
        continue;
      }
      std::string_view seen(buf, static_cast<size_t>(n));
      size_t end = seen.find("\r\n");
      if (end != std::string_view::npos) {
        line->assign(buf, end);
        return recv(sock_, buf, end + 2, 0) == static_cast<ssize_t>(end + 2);
      }
      if (static_cast<size_t>(n) >= max || NowMs() >= deadline) return false;
      // Part of the line is here: wait a moment for the rest.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // True when bytes can be read without waiting.
  bool Buffered() const { return pos_ < end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0); }

  // Waits until the next request starts arriving, or until idle_deadline, or
  // until give_up() says the thread is wanted elsewhere.
  template <typename GiveUp>
  bool WaitForRequest(int64_t idle_deadline, GiveUp give_up) {
    while (!Buffered()) {
      if (give_up()) return false;
      int64_t now = NowMs();
      if (now >= idle_deadline) return false;
      pollfd p{sock_, POLLIN, 0};
      int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(50, idle_deadline - now)));
      if (r < 0 && errno != EINTR) return false;
      if (r > 0) return true;
    }
    return true;
  }

  // Reads at most n bytes, waiting until deadline. Returns the count, 0 at
  // the end of the stream, -1 on error or timeout.
  ssize_t Read(char* out, size_t n, int64_t deadline) {
    if (pos_ == end_) {
      ssize_t got = Fill(deadline);
      if (got <= 0) return got;
    }
    size_t take = std::min(n, end_ - pos_);
    std::memcpy(out, buf_ + pos_, take);
    pos_ += take;
    return static_cast<ssize_t>(take);
  }

  // Writes all n bytes by deadline, or fails.
  bool WriteAll(const char* data, size_t n, int64_t deadline) {
    while (n > 0) {
      ssize_t w;
      if (ssl_ != nullptr) {
        int r = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(n, 1 << 30)));
        if (r <= 0) {
          int err = SSL_get_error(ssl_, r);
          if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
            if (!Wait(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline)) return false;
            continue;
          }
          ERR_clear_error();
          return false;
        }
        w = r;
      } else {
        w = send(sock_, data, n, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EINTR) continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
          if (!Wait(POLLOUT, deadline)) return false;
          continue;
        }
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  bool Wait(short events, int64_t deadline) {
    for (;;) {
      int64_t now = NowMs();
      if (now >= deadline) return false;
      pollfd p{sock_, events, 0};
      int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(deadline - now, 1 << 30)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }

 private:
  ssize_t Fill(int64_t deadline) {
    pos_ = end_ = 0;
    for (;;) {
      if (ssl_ != nullptr) {
        int r = SSL_read(ssl_, buf_, sizeof(buf_));
        if (r > 0) {
          end_ = static_cast<size_t>(r);
          return r;
        }
        int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_ZERO_RETURN) return 0;
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
          if (!Wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return -1;
          continue;
        }
        ERR_clear_error();
        return -1;
      }
      ssize_t r = recv(sock_, buf_, sizeof(buf_), 0);
      if (r >= 0) {
        end_ = static_cast<size_t>(r);
        return r;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!Wait(POLLIN, deadline)) return -1;
    }
  }

  int sock_;
  SSL* ssl_ = nullptr;
  bool handshaken_ = false;
  char buf_[16 << 10];
  size_t pos_ = 0, end_ = 0;
};

// An answer is written this much at a time, each slice a sign of progress
// (a TLS record is at most 16 KiB).
constexpr size_t kWriteSlice = 16 << 10;

// One request on a connection, as cpp-httplib reads and answers it. It
// counts the head up to its blank line and times the body.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(Connection* conn, const GuardLimits& limits, AddressTable* addresses, const SharedBucket* shared,
                const std::string& address)
      : conn_(conn), limits_(limits), addresses_(addresses), shared_(shared), address_(address), start_(NowMs()) {}

  bool refused() const { return refused_; }

  // True when the request's body was not read to its end (refused for its
  // size, or chunked): what is left of it must not be taken for the next
  // request, so the connection ends.
  bool BodyLeftUnread() const { return !in_head_ && (chunked_ || body_bytes_ < content_length_); }

  bool is_readable() const override {
    return !refused_ && (conn_->Buffered() || conn_->Wait(POLLIN, NowMs() + limits_.io_timeout_ms));
  }
  bool is_writable() const override {
    return !refused_ && conn_->Wait(POLLOUT, NowMs() + limits_.io_timeout_ms);
  }

  ssize_t read(char* ptr, size_t size) override {
    if (refused_) return -1;
    int64_t now = NowMs();
    int64_t deadline = now + limits_.io_timeout_ms;
    if (in_head_) {
      deadline = std::min(deadline, start_ + limits_.head_timeout_ms);
      // The head is read a byte at a time: never hand over more than is left
      // of it, so the count stays exact.
      size = std::min(size, limits_.max_head_bytes - head_bytes_ + 1);
    } else {
      int64_t elapsed = now - body_start_;
      int64_t grace = signed_ ? limits_.body_grace_ms : std::min(limits_.body_grace_ms, limits_.unsigned_body_grace_ms);
      size_t min_rate = signed_ ? limits_.min_body_bytes_per_second
                                : std::max(limits_.min_body_bytes_per_second, limits_.unsigned_min_body_bytes_per_second);
      if (elapsed > grace && body_bytes_ * 1000 / static_cast<size_t>(elapsed) < min_rate) {
        return Refuse(408, "Request Timeout", Status::Unavailable(Tr("the request body arrives too slowly")));
      }
    }
    ssize_t n = conn_->Read(ptr, size, deadline);
    if (n <= 0) {
      if (n < 0 && in_head_ && NowMs() >= start_ + limits_.head_timeout_ms && head_bytes_ > 0) {
        return Refuse(408, "Request Timeout", Status::Unavailable(Tr("the request head did not arrive in time")));
      }
      return n;
    }
    if (in_head_) {
      for (ssize_t i = 0; i < n && in_head_; i++) {
        head_bytes_++;
        head_ += ptr[i];
        if (head_.size() >= 4 && head_.compare(head_.size() - 4, 4, "\r\n\r\n") == 0) {
          in_head_ = false;
          body_start_ = NowMs();
          body_bytes_ = static_cast<size_t>(n - i - 1);
          ReadFraming();
          int64_t retry_after = 0;
          if (!signed_ && !TakeUnsigned(&retry_after)) {
            return Refuse(429, "Too Many Requests",
                          Status::Unavailable(Format(
                              Tr("too many requests without a device signature from this address; try again in %s s"),
                              std::to_string((retry_after + 999) / 1000).c_str())),
                          retry_after);
          }
        }
      }
      if (in_head_ && head_bytes_ > limits_.max_head_bytes) {
        return Refuse(431, "Request Header Fields Too Large",
                      Status::OutOfRange(Format(Tr("the request head is over %s bytes"),
                                                std::to_string(limits_.max_head_bytes).c_str())));
      }
    } else {
      body_bytes_ += static_cast<size_t>(n);
    }
    return n;
  }

  // Writes in slices, each with a deadline that moves with progress: a
  // reader is cut off when it takes nothing for the stall limit, or
  // averages less than the minimum rate after the grace period, never for
  // the size of the answer.
  ssize_t write(const char* ptr, size_t size) override {
    if (refused_) return -1;
    int64_t now = NowMs();
    if (answer_start_ == 0) answer_start_ = last_progress_ = now;
    const int64_t stall = signed_ ? limits_.answer_stall_ms : limits_.io_timeout_ms;
    for (size_t done = 0; done < size;) {
      size_t slice = std::min(size - done, kWriteSlice);
      if (!conn_->WriteAll(ptr + done, slice, last_progress_ + stall)) return -1;
      done += slice;
      answer_bytes_ += slice;
      last_progress_ = NowMs();
      int64_t elapsed = last_progress_ - answer_start_;
      if (elapsed > limits_.answer_grace_ms &&
          answer_bytes_ * 1000 / static_cast<size_t>(elapsed) < limits_.min_answer_bytes_per_second) {
        return -1;
      }
    }
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { Address(false, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { Address(true, ip, port); }
  socket_t socket() const override { return conn_->fd(); }

 private:
  // Answers the client with an error of its own and ends the connection.
  ssize_t Refuse(int status, const char* reason, const Status& why, int64_t retry_after_ms = 0) {
    std::string answer = ErrorAnswer(status, reason, why, retry_after_ms);
    conn_->WriteAll(answer.data(), answer.size(), NowMs() + 2000);
    refused_ = true;
    return -1;
  }

  // Content-Length and Transfer-Encoding, as far as the connection's reuse
  // needs them, and whether a device signed the request (its Authorization
  // scheme; the hub checks the signature itself). cpp-httplib parses the head
  // for everything else.
  void ReadFraming() {
    size_t at = head_.find("\r\n");
    while (at != std::string::npos && at + 2 < head_.size()) {
      size_t end = head_.find("\r\n", at + 2);
      std::string line = head_.substr(at + 2, end - at - 2);
      at = end;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "transfer-encoding") chunked_ = true;
      if (name == "authorization") {
        size_t v = line.find_first_not_of(" \t", colon + 1);
        const std::string scheme = std::string(kAuthScheme) + " ";
        signed_ = v != std::string::npos && line.compare(v, scheme.size(), scheme) == 0;
      }
      if (name == "content-length") {
        char* stop = nullptr;
        unsigned long long v = std::strtoull(line.c_str() + colon + 1, &stop, 10);
        content_length_ = static_cast<size_t>(v);
      }
    }
    head_.clear();
    head_.shrink_to_fit();
  }

  void Address(bool local, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int r = local ? getsockname(conn_->fd(), reinterpret_cast<sockaddr*>(&addr), &len)
                  : getpeername(conn_->fd(), reinterpret_cast<sockaddr*>(&addr), &len);
    ip.clear();
    port = 0;
    if (r != 0) return;
    char text[INET6_ADDRSTRLEN] = {0};
    if (addr.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
      port = ntohs(a->sin6_port);
    }
    ip = text;
  }

  // A request without a signature takes a token from its address's bucket:
  // the one all hub processes share when there is one. An address not
  // counted ("", a Unix socket) is never limited.
  bool TakeUnsigned(int64_t* retry_after) {
    if (shared_ != nullptr && *shared_ && !address_.empty()) return (*shared_)(address_, retry_after);
    return addresses_->TakeUnsigned(address_, NowMs(), retry_after);
  }

  Connection* conn_;
  const GuardLimits& limits_;
  AddressTable* addresses_;
  const SharedBucket* shared_;
  const std::string& address_;
  int64_t start_;
  bool signed_ = false;
  bool in_head_ = true;
  size_t head_bytes_ = 0;
  std::string head_;
  bool chunked_ = false;
  size_t content_length_ = 0;
  int64_t body_start_ = 0;
  size_t body_bytes_ = 0;
  int64_t answer_start_ = 0, last_progress_ = 0;
  size_t answer_bytes_ = 0;
  bool refused_ = false;
};

// httplib's thread pool, counting the connections that wait for a thread.
class CountingPool : public httplib::TaskQueue {
 public:
  CountingPool(size_t threads, std::atomic<int>* waiting, std::atomic<size_t>* busy)
      : pool_(threads), waiting_(waiting), busy_(busy) {}
  void enqueue(std::function<void()> fn) override {
    ++*waiting_;
    pool_.enqueue([this, fn = std::move(fn)] {
      ++*busy_;
      --*waiting_;
      fn();
      --*busy_;
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::atomic<int>* waiting_;
  std::atomic<size_t>* busy_;
};

}  // namespace

GuardedServer::GuardedServer(GuardLimits limits)
    : limits_(limits),
      addresses_(std::make_unique<AddressTable>(limits_.max_connections_per_address,
                                                limits_.unsigned_requests_per_minute, limits_.max_tracked_addresses)) {
  assert(limits_.max_head_bytes > 0 && limits_.threads > 0);
  keep_alive_max_count_ = limits_.max_requests_per_connection;
  keep_alive_timeout_sec_ = static_cast<time_t>(limits_.keep_alive_ms / 1000);
  new_task_queue = [this] { return new CountingPool(limits_.threads, &waiting_, &busy_); };
  // A body is only ever sent with its length: a chunked upload could not be
  // bounded before it is read.
  set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Transfer-Encoding")) return HandlerResponse::Unhandled;
    res.status = 411;
    res.set_header("Connection", "close");
    res.set_content(ErrorBody(Status::InvalidArgument(Tr("a request body must come with Content-Length, not chunked"))),
                    "application/json");
    return HandlerResponse::Handled;
  });
}

GuardedServer::~GuardedServer() {
  if (tls_ != nullptr) SSL_CTX_free(tls_);
}

Status GuardedServer::UseTls(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::Internal(Format(Tr("cannot set up TLS: %s"), OpenSslError().c_str()));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  Status s;
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    s = Status::InvalidArgument(
        Format(Tr("cannot use the certificate %s: %s"), cert_file.c_str(), OpenSslError().c_str()));
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    s = Status::InvalidArgument(
        Format(Tr("cannot use the private key %s: %s"), key_file.c_str(), OpenSslError().c_str()));
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    s = Status::InvalidArgument(Format(Tr("%s is not the key of %s"), key_file.c_str(), cert_file.c_str()));
  }
  if (!s.ok()) {
    SSL_CTX_free(ctx);
    return s;
  }
  if (tls_ != nullptr) SSL_CTX_free(tls_);
  tls_ = ctx;
  return Status::OK();
}

bool GuardedServer::FromProxy(const sockaddr_storage& peer) const {
  char text[INET6_ADDRSTRLEN] = {0};
  if (peer.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
  } else if (peer.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr, text, sizeof text);
  } else {
    return false;
  }
  for (const std::string& p : limits_.proxies) {
    if (p == text) return true;
  }
  return false;
}

int GuardedServer::Bind(const std::string& host, int port) {
  int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (bound < 0) return -1;
  // listen() again on a listening socket only changes its queue length.
  if (::listen(svr_sock_, SOMAXCONN) != 0) return -1;
  return bound;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  Connection conn(sock, tls_);
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof(peer);
  std::string address = getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0
                            ? AddressTable::KeyOf(peer)
                            : std::string();
  if (!limits_.proxies.empty() && FromProxy(peer)) {
    // A load balancer's connection: its first line names the client. One
    // that does not is closed unanswered (it is not speaking to a hub).
    std::string line;
    sockaddr_storage client{};
    bool known = false;
    if (!conn.ReadLine(kMaxProxyLine, NowMs() + limits_.head_timeout_ms, &line) ||
        !ParseProxyLine(line, &client, &known)) {
      return true;
    }
    if (known) address = AddressTable::KeyOf(client);
  }
  if (!addresses_->Open(address, NowMs())) {
    // Over its address's share: a plain client is told why; a TLS one is
    // closed before the handshake's cost is paid.
    if (tls_ == nullptr) {
      std::string answer = ErrorAnswer(
          503, "Service Unavailable",
          Status::Unavailable(Tr("too many connections from this address at once; close some and try again")), 5000);
      conn.WriteAll(answer.data(), answer.size(), NowMs() + 2000);
    }
    return true;
  }
  struct Release {
    AddressTable* table;
    const std::string& address;
    ~Release() { table->Close(address, NowMs()); }
  } release{addresses_.get(), address};
  if (tls_ != nullptr && !conn.Handshake(NowMs() + limits_.head_timeout_ms)) return false;
  for (size_t n = 0; n < limits_.max_requests_per_connection; n++) {
    // The first request is awaited like any head; later ones like idle time,
    // given up as soon as another connection wants the thread. Any wait ends
    // when the hub stops.
    bool first = n == 0;
    int64_t wait = first ? limits_.head_timeout_ms : limits_.keep_alive_ms;
    // A connection waits for a thread only when every thread is busy: one
    // accepted a moment ago while threads are idle is not a reason.
    auto give_up = [&] {
      return svr_sock_ == INVALID_SOCKET || (!first && waiting_ > 0 && busy_ >= limits_.threads);
    };
    if (!conn.WaitForRequest(NowMs() + wait, give_up)) break;
    GuardedStream strm(&conn, limits_, addresses_.get(), &shared_bucket_, address);
    bool closed = false;
    bool last = n + 1 == limits_.max_requests_per_connection || svr_sock_ == INVALID_SOCKET;
    bool ok = process_request(strm, last, closed, nullptr);
    if (!ok || closed || strm.refused() || strm.BodyLeftUnread()) break;
  }
  return true;
}

}  // namespace hamlet::hub
