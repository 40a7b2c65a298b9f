// GuardedServer: cpp-httplib's server with the limits a public hub needs.
//
// Debian's cpp-httplib 0.11 bounds the length of one header line but not the
// number of lines, the time a request head may take, or the rate of a body:
// a client sending header lines forever grows the process without bound, and
// a few clients sending one byte every few seconds hold every worker thread.
// GuardedServer takes over the per-connection loop (cpp-httplib's documented
// override point for TLS servers) and reads every request through a stream
// that enforces GuardLimits, answering with a JSON error (431, 408) and
// closing the connection when a client breaks them. It also speaks TLS
// itself, so the same limits hold for HTTPS.
//
// Limits per client address (an IPv4 address, or an IPv6 /64) keep one
// client from taking what all the others need: it holds at most
// max_connections_per_address worker threads (a further connection is
// answered 503 and closed), and requests that carry no device signature
// (opening a session, asking to join, publishing, the status pages) are
// rate-limited per address and must send their bodies faster. A device's
// signed requests are checked by the hub after they arrive; a client that
// only pretends to sign gets the ordinary limits and still no more than its
// address's share of threads.
//
// A slow reader of a large answer is told apart from a client holding a
// worker by reading slowly on purpose by what it asked for and how it
// reads: only signed requests get large answers (pull pages, at most the
// hub's --max-pull-kib), the deadline of a write is about progress (the
// reader must take some bytes every answer_stall_ms and average
// min_answer_bytes_per_second), and so the longest one answer can hold a
// worker is its size over that rate (a 256 KiB page, what hamlet sync asks
// for: about 4 minutes, where the 2G link takes 35 s; the hub's largest,
// 4 MiB: about 70 minutes). A device that does this on purpose holds at
// most its address's share of threads, and must be enrolled to do it at
// all.
//
// Thread safety: configure before listening; after that, only stop() may be
// called from another thread.
#ifndef HAMLET_SERVER_GUARDED_SERVER_H_
#define HAMLET_SERVER_GUARDED_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hamlet/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace hamlet::hub {

struct GuardLimits {
  size_t max_head_bytes = 16 << 10;        // Request line and headers together.
  int64_t head_timeout_ms = 15000;         // The whole head must arrive within this.
  int64_t io_timeout_ms = 20000;           // The longest wait for any read, or a write of an unsigned answer.
  int64_t body_grace_ms = 20000;           // A body may be slow for this long...
  size_t min_body_bytes_per_second = 512;  // ...and must then average at least this.
  // How long an idle connection is kept (given up at once when every thread
  // is busy and another connection waits). A request sent into a 2G cut
  // arrives when TCP next tries, up to 15 s after a 5 s cut began, behind
  // what the link had queued: a short keep-alive closes the connection
  // under it.
  int64_t keep_alive_ms = 60000;
  size_t max_requests_per_connection = 1000;
  size_t threads = 256;                    // Connections served at once.
  size_t max_connections_per_address = 32; // Served at once for one address.
  // Requests without a device signature: at most this many a minute per
  // address (also the burst), and a body slower than the minimum rate is cut
  // off after the shorter grace.
  size_t unsigned_requests_per_minute = 120;
  int64_t unsigned_body_grace_ms = 5000;
  size_t unsigned_min_body_bytes_per_second = 1024;
  size_t max_tracked_addresses = 100000;   // Bounds the memory the limits take.
  // An answer goes out as fast as its reader takes it. The reader of an
  // answer to a signed request must take some of it at least every
  // answer_stall_ms (a 2G link that drops for seconds at a time stalls for
  // longer than the cut: TCP's retransmission timer doubles), and after
  // answer_grace_ms average at least min_answer_bytes_per_second. The reader
  // of an answer to an unsigned request, which is never large, gets
  // io_timeout_ms for each stall.
  int64_t answer_stall_ms = 60000;
  int64_t answer_grace_ms = 30000;
  size_t min_answer_bytes_per_second = 1024;
  // Addresses (IPv4 or IPv6, as written) of load balancers whose
  // connections begin with a PROXY protocol line naming the client
  // (proxy_header.h): the limits per address count that client.
  std::vector<std::string> proxies;
};

// Takes one unsigned request for a client address from a bucket that every
// hub process shares (the store's): false when it is empty, and
// *retry_after_ms then says when the next one will be taken.
using SharedBucket = std::function<bool(const std::string& address, int64_t* retry_after_ms)>;

class AddressTable;

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(GuardLimits limits);
  ~GuardedServer() override;

  // Serves HTTPS with a PEM certificate chain and private key. Call before
  // listening; an error says which file was refused.
  Status UseTls(const std::string& cert_file, const std::string& key_file);

  // Binds to host:port (port 0 picks a free one) with a listen queue long
  // enough for hundreds of devices connecting at once (cpp-httplib's own is
  // 5: the rest would wait a second for the SYN to be sent again). Returns
  // the port, or -1.
  int Bind(const std::string& host, int port);

  const GuardLimits& limits() const { return limits_; }

  // Limits unsigned requests through bucket instead of this process's own
  // table: several hub processes behind one address then allow a client
  // the rate once, not once each. Call before listening.
  void ShareUnsignedBucket(SharedBucket bucket) { shared_bucket_ = std::move(bucket); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Whether peer is one of limits_.proxies.
  bool FromProxy(const sockaddr_storage& peer) const;

  GuardLimits limits_;
  std::unique_ptr<AddressTable> addresses_;
  SharedBucket shared_bucket_;
  SSL_CTX* tls_ = nullptr;
  // Connections accepted and waiting for a worker thread, and threads
  // serving one. An idle keep-alive connection gives its thread up at once
  // when another waits and every thread is busy.
  std::atomic<int> waiting_{0};
  std::atomic<size_t> busy_{0};
};

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_GUARDED_SERVER_H_
