#include "hub_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "format.h"
#include "hamlet/language.h"
#include "hex.h"

namespace hamlet {

using nlohmann::json;

namespace {

// What went wrong on the way to the hub, in words for the person at the
// device rather than the HTTP library's names for it.
std::string TransportWords(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return Tr("could not connect to the hub (no network here, or no hub running at that address)");
    case httplib::Error::ConnectionTimeout:
      return Tr("the hub did not answer in time");
    case httplib::Error::Read:
      return Tr("the link dropped while the hub's answer was arriving");
    case httplib::Error::Write:
      return Tr("the link dropped while sending to the hub");
    case httplib::Error::SSLConnection:
      return Tr("the secure (TLS) connection to the hub could not be set up");
    case httplib::Error::SSLLoadingCerts:
      return Tr("the certificate file given for the hub cannot be read");
    case httplib::Error::BindIPAddress:
      return Tr("this device could not open a network connection");
    case httplib::Error::Canceled:
      return Tr("the transfer was stopped");
    default:
      return Tr("the connection to the hub failed");
  }
}

std::string Seconds(int64_t ms) { return Format(Tr("%lld s"), static_cast<long long>((ms + 500) / 1000)); }

}  // namespace

Status FromAnswer(int status, const std::string& body) {
  if (status >= 200 && status < 300) return Status::OK();
  json j = json::parse(body, nullptr, false);
  std::string message = "HTTP " + std::to_string(status);
  Code code = status >= 500 ? Code::kUnavailable : Code::kInvalidArgument;
  if (!j.is_discarded() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
    if (e.contains("code") && e["code"].is_string()) code = Status::CodeFromSlug(e["code"].get<std::string>());
    if (status >= 500 && code == Code::kInternal) code = Code::kUnavailable;
  }
  return Status(code, Format(Tr("hub: %s"), message.c_str()));
}

Status FromResponse(const httplib::Result& r, const std::string* error_body) {
  if (!r && r.error() == httplib::Error::SSLServerVerification) {
    return Status(Code::kUnauthenticated, Tr("the hub's TLS certificate does not check out"));
  }
  if (!r) return Status::Unavailable(TransportWords(r.error()));
  return FromAnswer(r->status, error_body != nullptr ? *error_body : r->body);
}

namespace {

class ReplicaSigner final : public RequestSigner {
 public:
  explicit ReplicaSigner(Replica* replica) : replica_(replica) {}
  DeviceId device() const override { return replica_->device_id(); }
  Status Authorize(const WorkspaceId& ws, std::string_view method, std::string_view target,
                   std::string_view challenge, uint64_t counter, std::string_view body, std::string* header) override {
    return replica_->AuthorizeRequest(ws, method, target, challenge, counter, body, header);
  }

 private:
  Replica* replica_;
};

}  // namespace

HubConnection::HubConnection(Replica* replica, const SyncOptions& options, SyncMeter* meter, int lane)
    : HubConnection(static_cast<RequestSigner*>(nullptr), options, meter, lane) {
  replica_ = replica;
  replica_signer_ = std::make_unique<ReplicaSigner>(replica);
  signer_ = replica_signer_.get();
}

HubConnection::HubConnection(RequestSigner* signer, const SyncOptions& options, SyncMeter* meter, int lane)
    : replica_(nullptr), signer_(signer), options_(options), meter_(meter), lane_(lane) {
  http_ = std::make_unique<httplib::Client>(options_.hub);
  http_->set_connection_timeout(options_.connect_timeout_s, 0);
  // No single wait outlasts the time Sync waits in all.
  int64_t wait_ms = std::min<int64_t>(options_.read_timeout_s * 1000LL, options_.give_up_after_ms);
  http_->set_read_timeout(wait_ms / 1000, (wait_ms % 1000) * 1000);
  http_->set_write_timeout(wait_ms / 1000, (wait_ms % 1000) * 1000);
  http_->set_keep_alive(true);
  http_->set_tcp_nodelay(true);  // Headers and body go out at once, not after a delayed ACK.
  // A write returns when its bytes are about to leave, not when a large
  // socket buffer took them: progress follows the link, and after the
  // last byte of a push the answer is not long in coming.
  http_->set_socket_options([](socket_t sock) {
    int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int lowat = kUnsentBytes;
    setsockopt(sock, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
  });
  if (!options_.ca_file.empty()) http_->set_ca_cert_path(options_.ca_file.c_str());
}

Status HubConnection::WaitToRetry(int attempt, int64_t retry_after_ms, const Status& last) {
  int64_t waited = meter_->MsSinceMoved();
  if (meter_->Stopped()) return Stopped();
  if (waited >= options_.give_up_after_ms || (options_.max_attempts > 0 && attempt >= options_.max_attempts)) {
    return Status::Unavailable(
        Format(Tr("nothing came through for %s (last: %s)"), Seconds(waited).c_str(), last.message().c_str()));
  }
  meter_->Retried();
  if (report_) report_->retries++;
  int64_t ms = options_.first_backoff_ms << std::min(attempt - 1, 16);
  ms = std::min(ms, options_.max_backoff_ms);
  ms = ms / 2 + static_cast<int64_t>(jitter_() % static_cast<uint64_t>(ms / 2 + 1));
  ms = std::max(ms, retry_after_ms);
  ms = std::min(ms, options_.give_up_after_ms - waited);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    meter_->Waiting(lane_, meter_->MsSinceMoved());
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero() || meter_->Stopped()) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::seconds(1)));
  }
  if (meter_->Stopped()) return Stopped();
  return Status::OK();
}

int64_t HubConnection::RetryAfterMs(const httplib::Result& r) {
  if (!r || !r->has_header("Retry-After")) return 0;
  long long seconds = std::atoll(r->get_header_value("Retry-After").c_str());
  return seconds > 0 ? std::min<long long>(seconds, 3600) * 1000 : 0;
}

Status HubConnection::OpenSession(const WorkspaceId& ws, uint64_t* contiguous, HubSession* session,
                                  std::map<DeviceId, uint64_t>* heads) {
  std::string body = json{{"device", signer_->device().Hex()}}.dump();
  std::string path = "/v1/workspaces/" + ws.Hex() + "/session";
  httplib::Result r(nullptr, httplib::Error::Unknown);
  Status s = Call([&] { return http_->Post(path, body, "application/json"); }, &r);
  if (r && !r->has_header("Hamlet-Protocol")) {
    return Status::Unimplemented(Format(Tr("the server at %s is not a Hamlet hub"), options_.hub.c_str()));
  }
  if (r && std::atoi(r->get_header_value("Hamlet-Protocol").c_str()) < format::kHubProtocolVersion) {
    return Status::Unimplemented(Format(
        Tr("the hub at %s speaks protocol %s; this device needs %s: the hub must be upgraded"), options_.hub.c_str(),
        r->get_header_value("Hamlet-Protocol").c_str(), std::to_string(format::kHubProtocolVersion).c_str()));
  }
  HAMLET_RETURN_IF_ERROR(s);
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("challenge") || !j["challenge"].is_string() || !j.contains("contiguous")) {
    return Status::DataLoss(Tr("hub: malformed session answer"));
  }
  if (!HexDecode(j["challenge"].get<std::string>(), &challenge_))
    return Status::DataLoss(Tr("hub: malformed challenge"));
  if (!j["contiguous"].is_number_unsigned()) return Status::DataLoss(Tr("hub: malformed session answer"));
  *contiguous = j["contiguous"].get<uint64_t>();
  counter_ = 0;
  if (session != nullptr) {
    if (!j.contains("instance") || !j["instance"].is_string() || !j.contains("head") ||
        !j["head"].is_number_unsigned() || !j.contains("heads") || !j["heads"].is_object()) {
      return Status::DataLoss(Tr("hub: malformed session answer"));
    }
    session->hub = options_.hub;
    session->instance = j["instance"].get<std::string>();
    session->head = j["head"].get<uint64_t>();
    session->contiguous = *contiguous;
    session->snapshot =
        j.contains("snapshot") && j["snapshot"].is_number_unsigned() ? j["snapshot"].get<uint64_t>() : 0;
  }
  if (heads != nullptr && j.contains("heads") && j["heads"].is_object()) {
    heads->clear();
    for (const auto& [hex, n] : j["heads"].items()) {
      auto author = DeviceId::FromHex(hex);
      if (!author || !n.is_number_unsigned()) return Status::DataLoss(Tr("hub: malformed session answer"));
      (*heads)[*author] = n.get<uint64_t>();
    }
  }
  return Status::OK();
}

Status HubConnection::Signed(const WorkspaceId& ws, const std::string& method, const std::string& target, const std::string& body,
              httplib::Result* out) {
  return Call(
      [&]() -> httplib::Result {
        std::string auth;
        Status s = signer_->Authorize(ws, method, target, challenge_, ++counter_, body, &auth);
        if (!s.ok()) return httplib::Result(nullptr, httplib::Error::Unknown);
        httplib::Headers headers{{"Authorization", auth}};
        if (report_) report_->bytes_up += body.size();
        if (method == "GET") return http_->Get(target, headers);
        return http_->Post(target, headers, body, "application/octet-stream");
      },
      out);
}

Status HubConnection::PushOnce(const WorkspaceId& ws, const std::string& target, const std::string& body, httplib::Result* out) {
  if (meter_->Stopped()) return Stopped();
  std::string auth;
  HAMLET_RETURN_IF_ERROR(signer_->Authorize(ws, "POST", target, challenge_, ++counter_, body, &auth));
  if (report_) {
    report_->bytes_up += body.size();
    report_->requests++;
  }
  *out = http_->Post(
      target, httplib::Headers{{"Authorization", auth}}, body.size(),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        size_t n = std::min<size_t>(length, kSlice);
        if (meter_->Stopped()) return false;
        if (!sink.write(body.data() + offset, n)) return false;
        meter_->Moved(lane_, n);
        return true;
      },
      "application/octet-stream");
  Status s = FromResponse(*out);
  if (*out) meter_->Moved(lane_, 0);
  return s;
}

Status HubConnection::SendOnce(const WorkspaceId& ws, const std::string& method, const std::string& target,
                               size_t length, const std::function<bool(size_t, std::string*)>& read,
                               httplib::Result* out) {
  if (meter_->Stopped()) return Stopped();
  std::string auth;
  HAMLET_RETURN_IF_ERROR(signer_->Authorize(ws, method, target, challenge_, ++counter_, "", &auth));
  if (report_) report_->requests++;
  std::string piece;
  auto provider = [&](size_t offset, size_t, httplib::DataSink& sink) {
    if (meter_->Stopped() || !read(offset, &piece) || piece.empty()) return false;
    size_t n = std::min(piece.size(), std::min<size_t>(kSlice, length - offset));
    if (!sink.write(piece.data(), n)) return false;
    if (report_) report_->bytes_up += n;
    meter_->Moved(lane_, n);
    return true;
  };
  httplib::Headers headers{{"Authorization", auth}};
  *out = method == "PUT" ? http_->Put(target, headers, length, provider, "application/octet-stream")
                         : http_->Post(target, headers, length, provider, "application/octet-stream");
  Status s = FromResponse(*out);
  if (*out) meter_->Moved(lane_, 0);
  return s;
}

Status HubConnection::ReceiveOnce(const WorkspaceId& ws, const std::string& target,
                                  const std::function<bool(const char*, size_t)>& take, httplib::Result* out,
                                  const std::function<bool(const httplib::Response&)>& head) {
  if (meter_->Stopped()) return Stopped();
  std::string auth;
  HAMLET_RETURN_IF_ERROR(signer_->Authorize(ws, "GET", target, challenge_, ++counter_, "", &auth));
  if (report_) report_->requests++;
  std::string error_body;
  int status = 0;
  *out = http_->Get(
      target, httplib::Headers{{"Authorization", auth}},
      [&](const httplib::Response& r) {
        status = r.status;
        return status != 200 || !head || head(r);
      },
      [&](const char* data, size_t n) {
        if (meter_->Stopped()) return false;
        if (status != 200) {
          error_body.append(data, n);
          return true;
        }
        if (report_) report_->bytes_down += n;
        meter_->Moved(lane_, n);
        return take(data, n);
      });
  Status s = FromResponse(*out, &error_body);
  if (*out) meter_->Moved(lane_, 0);
  return s;
}

Status HubConnection::PullOnce(const WorkspaceId& ws, const std::string& base, Page* page, httplib::Result* out) {
  if (meter_->Stopped()) return Stopped();
  bool resume = page->named && !page->bytes.empty();
  if (!resume) {
    Page fresh;
    fresh.after = page->after;
    fresh.max_bytes = page->max_bytes;
    fresh.bound = page->bound;
    *page = std::move(fresh);
  }
  std::string target = base + "/pull?after=" + std::to_string(page->after) +
                       "&max_bytes=" + std::to_string(page->max_bytes);
  if (resume) {
    target += "&upto=" + std::to_string(page->upto) + "&offset=" + std::to_string(page->bytes.size());
  } else if (page->bound > 0) {
    target += "&upto=" + std::to_string(page->bound);
  }
  std::string auth;
  HAMLET_RETURN_IF_ERROR(signer_->Authorize(ws, "GET", target, challenge_, ++counter_, "", &auth));
  if (report_) report_->requests++;
  std::string error_body;
  bool other_page = false, malformed = false;
  auto take_headers = [&](const httplib::Response& r) {
    page->status = r.status;
    if (r.status != 200) return true;
    uint64_t next = 0, size = 0, offset = 0;
    try {
      next = std::stoull(r.get_header_value("Hamlet-Next"));
      size = std::stoull(r.get_header_value("Hamlet-Page-Size"));
      offset = std::stoull(r.get_header_value("Hamlet-Offset"));
    } catch (...) {
      malformed = true;
      return false;
    }
    std::string digest = r.get_header_value("Hamlet-Page-Digest");
    if (resume) {
      // The rest of the same page, or it starts again.
      other_page = next != page->upto || size != page->size || digest != page->digest ||
                   offset != page->bytes.size();
      return !other_page;
    }
    page->named = true;
    page->upto = next;
    page->size = size;
    page->digest = digest;
    page->more = r.get_header_value("Hamlet-More") == "1";
    malformed = offset != 0;
    return !malformed;
  };
  *out = http_->Get(target, httplib::Headers{{"Authorization", auth}}, take_headers,
                   [&](const char* data, size_t n) {
                     if (meter_->Stopped()) return false;
                     if (page->status != 200) {
                       error_body.append(data, n);
                     } else {
                       page->bytes.append(data, n);
                       if (report_) report_->bytes_down += n;
                       meter_->Moved(lane_, n);
                     }
                     return true;
                   });
  if (malformed) return Status::DataLoss(Tr("hub: malformed pull answer"));
  if (other_page) {
    page->named = false;
    page->bytes.clear();
    return Status::Aborted(Tr("the hub answered with another page"));
  }
  Status s = FromResponse(*out, &error_body);
  if (*out) meter_->Moved(lane_, 0);
  if (!s.ok()) return s;
  if ((*out)->status == 204) {
    page->empty = true;
    try {
      page->upto = std::stoull((*out)->get_header_value("Hamlet-Next"));
    } catch (...) {
      return Status::DataLoss(Tr("hub: pull answer without a position"));
    }
    page->more = (*out)->get_header_value("Hamlet-More") == "1";
    return Status::OK();
  }
  if (!page->named) return Status::DataLoss(Tr("hub: pull answer without a page size and digest"));
  if (page->bytes.size() != page->size || Replica::PullPageDigest(page->bytes) != page->digest) {
    page->named = false;
    page->bytes.clear();
    return Status::DataLoss(Tr("hub: a pull page does not match its digest"));
  }
  return Status::OK();
}

}  // namespace hamlet
