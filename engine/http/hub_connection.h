// HubConnection: one HTTP connection to a hub and the session it signs its
// requests in (protocol.md 13.2), with the tries again after a cut that
// every request of a sync shares. A sync that pushes and pulls at once uses
// two, each with its own session, so that each session's counters grow in
// the order its requests are sent.
//
// Not thread safe: one thread uses a connection at a time; only Interrupt
// may be called from another. The Replica (or signer), the options and the
// meter must outlive it.
#ifndef HAMLET_HTTP_HUB_CONNECTION_H_
#define HAMLET_HTTP_HUB_CONNECTION_H_

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "hamlet/hub_client.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"
#include "sync_meter.h"

namespace hamlet {

// An answer's status and body as a Status: 5xx are retryable
// (Unavailable); 4xx carry the hub's own code and message.
Status FromAnswer(int status, const std::string& body);
// The hub's answer as a Status: transport failures are retryable
// (Unavailable), in words; error_body stands for the body when a receiver
// took it.
Status FromResponse(const httplib::Result& r, const std::string* error_body = nullptr);

// Who signs a connection's requests (protocol.md 13.2): a replica's
// device, or a hub relaying to another hub under its relay certificate.
class RequestSigner {
 public:
  virtual ~RequestSigner() = default;
  virtual DeviceId device() const = 0;
  // The Authorization header value of one request of a session.
  virtual Status Authorize(const WorkspaceId& ws, std::string_view method, std::string_view target,
                           std::string_view challenge, uint64_t counter, std::string_view body,
                           std::string* header) = 0;
};

class HubConnection {
 public:
  // lane: which of the meter's lanes this connection's bytes count on.
  // Requests are signed by replica's device.
  HubConnection(Replica* replica, const SyncOptions& options, SyncMeter* meter, int lane);
  // Requests are signed by signer; replica() is null.
  HubConnection(RequestSigner* signer, const SyncOptions& options, SyncMeter* meter, int lane);

  httplib::Client& http() { return *http_; }
  // Closes the connection under a request in flight, from any thread: the
  // request fails at once (HubClient::Cancel).
  void Interrupt() { http_->stop(); }
  const SyncOptions& options() const { return options_; }
  Replica* replica() const { return replica_; }
  SyncMeter* meter() const { return meter_; }
  int lane() const { return lane_; }
  // Where requests and bytes are counted; may be null. Not owned.
  void set_report(SyncReport* report) { report_ = report; }
  SyncReport* report() const { return report_; }

  // Opens a session; *contiguous is how far the hub holds this device's
  // chain. session, when given, receives the rest of what the hub said it
  // holds (protocol.md 13.6), and heads how far it holds each chain.
  Status OpenSession(const WorkspaceId& ws, uint64_t* contiguous, HubSession* session = nullptr,
                     std::map<DeviceId, uint64_t>* heads = nullptr);

  // Sends one request, trying again on transport failures and busy hubs
  // while WaitToRetry allows.
  template <class Send>
  Status Call(Send&& send, httplib::Result* out) {
    Status s;
    for (int attempt = 0;; attempt++) {
      if (attempt > 0) HAMLET_RETURN_IF_ERROR(WaitToRetry(attempt, RetryAfterMs(*out), s));
      if (meter_->Stopped()) return Stopped();
      *out = send();
      if (report_) report_->requests++;
      s = FromResponse(*out);
      if (*out) meter_->Moved(lane_, 0);
      if (s.ok() || !s.Retryable()) return s;
    }
  }

  // An authenticated request; a fresh counter (and signature) for each try.
  Status Signed(const WorkspaceId& ws, const std::string& method, const std::string& target, const std::string& body,
                httplib::Result* out);

  // One signed push of body, written a slice at a time so that progress
  // follows the bytes. One try; the caller decides about the next.
  Status PushOnce(const WorkspaceId& ws, const std::string& target, const std::string& body, httplib::Result* out);

  // One signed request whose body (length bytes) is written as read gives
  // it: read(offset, &piece) sets the bytes from offset on (at least one),
  // false to stop. The signature covers no body (protocol.md 14.5). One
  // try; progress follows the bytes.
  Status SendOnce(const WorkspaceId& ws, const std::string& method, const std::string& target, size_t length,
                  const std::function<bool(size_t, std::string*)>& read, httplib::Result* out);
  // One signed GET whose answer's body goes to take as it arrives (take
  // returns false to stop). head, when given, sees a 200 answer's headers
  // before its body (false stops it). One try.
  Status ReceiveOnce(const WorkspaceId& ws, const std::string& target,
                     const std::function<bool(const char*, size_t)>& take, httplib::Result* out,
                     const std::function<bool(const httplib::Response&)>& head = nullptr);

  // A pull page as it arrives: the first answer names it (upto, size,
  // digest); when a cut stops it, the bytes that came are kept and the rest
  // is asked for from there (protocol.md 13.4).
  struct Page {
    bool named = false;
    uint64_t after = 0, upto = 0;
    uint64_t bound = 0;  // Above 0: a first request leaves out positions after it (upto=bound).
    size_t max_bytes = 0, size = 0;
    bool more = false;
    std::string digest;
    std::string bytes;
    int status = 0;
    bool empty = false;  // 204: nothing to pull.
  };
  // One signed GET of page (its first bytes, or the rest). One try.
  // Aborted when the hub names another page than the one cut.
  Status PullOnce(const WorkspaceId& ws, const std::string& base, Page* page, httplib::Result* out);

  // What a call returns once the sync was told to stop.
  static Status Stopped() { return Status(Code::kCancelled, Tr("the sync was stopped")); }

  // Before try number attempt+1 (attempt >= 1) after last failed: waits,
  // with exponential backoff and jitter but never less than the hub's
  // Retry-After, unless nothing has moved on any lane for give_up_after_ms
  // (or the tries allowed are spent, or another lane failed), which ends
  // the wait with an error.
  Status WaitToRetry(int attempt, int64_t retry_after_ms, const Status& last);

  static int64_t RetryAfterMs(const httplib::Result& r);

 private:
  static constexpr int kUnsentBytes = 16 << 10;
  static constexpr size_t kSlice = 4 << 10;

  Replica* replica_;
  std::unique_ptr<RequestSigner> replica_signer_;  // When a replica signs.
  RequestSigner* signer_;
  const SyncOptions& options_;
  SyncMeter* meter_;
  int lane_;
  std::unique_ptr<httplib::Client> http_;
  std::string challenge_;
  uint64_t counter_ = 0;
  SyncReport* report_ = nullptr;
  std::mt19937_64 jitter_{std::random_device{}()};
};

}  // namespace hamlet

#endif  // HAMLET_HTTP_HUB_CONNECTION_H_
