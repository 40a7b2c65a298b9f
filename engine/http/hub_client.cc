#include "hamlet/hub_client.h"

#include "format.h"

#include <httplib.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "hex.h"

namespace hamlet {

using nlohmann::json;

namespace {

// What went wrong on the way to the hub, in words for the person at the
// device rather than the HTTP library's names for it.
std::string TransportWords(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "could not connect to the hub (no network here, or no hub running at that address)";
    case httplib::Error::ConnectionTimeout:
      return "the hub did not answer in time";
    case httplib::Error::Read:
      return "the link dropped while the hub's answer was arriving";
    case httplib::Error::Write:
      return "the link dropped while sending to the hub";
    case httplib::Error::SSLConnection:
      return "the secure (TLS) connection to the hub could not be set up";
    case httplib::Error::SSLLoadingCerts:
      return "the certificate file given for the hub cannot be read";
    case httplib::Error::BindIPAddress:
      return "this device could not open a network connection";
    case httplib::Error::Canceled:
      return "the transfer was stopped";
    default:
      return "the connection to the hub failed";
  }
}

// An answer's status and body as a Status: 5xx are retryable
// (Unavailable); 4xx carry the hub's own code and message.
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
  return Status(code, "hub: " + message);
}

// The hub's answer as a Status: transport failures are retryable
// (Unavailable), in words; error_body stands for the body when a receiver
// took it.
Status FromResponse(const httplib::Result& r, const std::string* error_body = nullptr) {
  if (!r && r.error() == httplib::Error::SSLServerVerification) {
    return Status(Code::kUnauthenticated, "the hub's TLS certificate does not check out");
  }
  if (!r) return Status::Unavailable(TransportWords(r.error()));
  return FromAnswer(r->status, error_body != nullptr ? *error_body : r->body);
}

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string Seconds(int64_t ms) { return std::to_string((ms + 500) / 1000) + " s"; }

}  // namespace

struct HubClient::Impl {
  Replica* replica;
  SyncOptions options;
  std::unique_ptr<httplib::Client> http;
  std::string challenge;
  uint64_t counter = 0;
  SyncReport* report = nullptr;
  size_t retries = 0;
  std::mt19937_64 jitter{std::random_device{}()};
  // What the progress callback is told, and when anything last moved.
  SyncProgress progress;
  Clock::time_point last_moved = Clock::now();
  Clock::time_point last_told;

  Impl(Replica* r, SyncOptions o) : replica(r), options(std::move(o)) {
    http = std::make_unique<httplib::Client>(options.hub);
    http->set_connection_timeout(options.connect_timeout_s, 0);
    // No single wait outlasts the time Sync waits in all.
    int64_t wait_ms = std::min<int64_t>(options.read_timeout_s * 1000LL, options.give_up_after_ms);
    http->set_read_timeout(wait_ms / 1000, (wait_ms % 1000) * 1000);
    http->set_write_timeout(wait_ms / 1000, (wait_ms % 1000) * 1000);
    http->set_keep_alive(true);
    http->set_tcp_nodelay(true);  // Headers and body go out at once, not after a delayed ACK.
    // A write returns when its bytes are about to leave, not when a large
    // socket buffer took them: progress follows the link, and after the
    // last byte of a push the answer is not long in coming.
    http->set_socket_options([](socket_t sock) {
      int one = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      int lowat = kUnsentBytes;
      setsockopt(sock, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
    });
    if (!options.ca_file.empty()) http->set_ca_cert_path(options.ca_file.c_str());
  }

  static constexpr int kUnsentBytes = 16 << 10;

  // Tells the progress callback, now or at most every 200 ms: of a phase's
  // bytes and pages, and of the link going down before there is a phase.
  void Tell(bool now) {
    if (!options.progress || (progress.phase[0] == '\0' && !progress.link_down)) return;
    if (!now && Clock::now() - last_told < std::chrono::milliseconds(200)) return;
    last_told = Clock::now();
    progress.retries = retries;
    options.progress(progress);
  }

  // Something crossed the link: bytes of a page, or a whole answer.
  void Moved(size_t bytes) {
    last_moved = Clock::now();
    progress.bytes += bytes;
    bool was_down = progress.link_down;
    progress.link_down = false;
    progress.waiting_ms = 0;
    Tell(was_down);
  }

  // How a sync that waited too long ends: retryable, in words, with what
  // went wrong last.
  Status GiveUp(const Status& last) const {
    return Status::Unavailable("nothing came through for " + Seconds(MsSince(last_moved)) + " (last: " +
                               last.message() + ")");
  }

  // Before try number attempt+1 (attempt >= 1) after last failed: waits,
  // with exponential backoff and jitter but never less than the hub's
  // Retry-After, unless nothing has moved for give_up_after_ms (or the tries
  // allowed are spent), which ends the wait with GiveUp.
  Status WaitToRetry(int attempt, int64_t retry_after_ms, const Status& last) {
    int64_t waited = MsSince(last_moved);
    if (waited >= options.give_up_after_ms || (options.max_attempts > 0 && attempt >= options.max_attempts)) {
      return GiveUp(last);
    }
    retries++;
    if (report) report->retries++;
    int64_t ms = options.first_backoff_ms << std::min(attempt - 1, 16);
    ms = std::min(ms, options.max_backoff_ms);
    ms = ms / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(ms / 2 + 1));
    ms = std::max(ms, retry_after_ms);
    ms = std::min(ms, options.give_up_after_ms - waited);
    auto until = Clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      progress.link_down = true;
      progress.waiting_ms = MsSince(last_moved);
      progress.give_up_ms = options.give_up_after_ms;
      Tell(true);
      auto left = until - Clock::now();
      if (left <= Clock::duration::zero()) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::seconds(1)));
    }
    return Status::OK();
  }

  static int64_t RetryAfterMs(const httplib::Result& r) {
    if (!r || !r->has_header("Retry-After")) return 0;
    long long seconds = std::atoll(r->get_header_value("Retry-After").c_str());
    return seconds > 0 ? std::min<long long>(seconds, 3600) * 1000 : 0;
  }

  // Sends one request, trying again on transport failures and busy hubs
  // while WaitToRetry allows.
  template <class Send>
  Status Call(Send&& send, httplib::Result* out) {
    Status s;
    for (int attempt = 0;; attempt++) {
      if (attempt > 0) HAMLET_RETURN_IF_ERROR(WaitToRetry(attempt, RetryAfterMs(*out), s));
      *out = send();
      if (report) report->requests++;
      s = FromResponse(*out);
      if (*out) Moved(0);
      if (s.ok() || !s.Retryable()) return s;
    }
  }

  // Opens a session; *contiguous is how far the hub holds this device's
  // chain. session, when given, receives the rest of what the hub said it
  // holds (protocol.md 13.6), and heads how far it holds each chain.
  Status OpenSession(const WorkspaceId& ws, uint64_t* contiguous, HubSession* session = nullptr,
                     std::map<DeviceId, uint64_t>* heads = nullptr) {
    std::string body = json{{"device", replica->device_id().Hex()}}.dump();
    std::string path = "/v1/workspaces/" + ws.Hex() + "/session";
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = Call([&] { return http->Post(path, body, "application/json"); }, &r);
    if (r && !r->has_header("Hamlet-Protocol")) {
      return Status::Unimplemented("the server at " + options.hub + " is not a Hamlet hub");
    }
    if (r && std::atoi(r->get_header_value("Hamlet-Protocol").c_str()) < format::kHubProtocolVersion) {
      return Status::Unimplemented("the hub at " + options.hub + " speaks protocol " +
                                   r->get_header_value("Hamlet-Protocol") + "; this device needs " +
                                   std::to_string(format::kHubProtocolVersion) + ": the hub must be upgraded");
    }
    HAMLET_RETURN_IF_ERROR(s);
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("challenge") || !j["challenge"].is_string() || !j.contains("contiguous")) {
      return Status::DataLoss("hub: malformed session answer");
    }
    if (!HexDecode(j["challenge"].get<std::string>(), &challenge)) return Status::DataLoss("hub: malformed challenge");
    if (!j["contiguous"].is_number_unsigned()) return Status::DataLoss("hub: malformed session answer");
    *contiguous = j["contiguous"].get<uint64_t>();
    counter = 0;
    if (session != nullptr) {
      if (!j.contains("instance") || !j["instance"].is_string() || !j.contains("head") ||
          !j["head"].is_number_unsigned() || !j.contains("heads") || !j["heads"].is_object()) {
        return Status::DataLoss("hub: malformed session answer");
      }
      session->hub = options.hub;
      session->instance = j["instance"].get<std::string>();
      session->head = j["head"].get<uint64_t>();
      session->contiguous = *contiguous;
    }
    if (heads != nullptr && j.contains("heads") && j["heads"].is_object()) {
      heads->clear();
      for (const auto& [hex, n] : j["heads"].items()) {
        auto author = DeviceId::FromHex(hex);
        if (!author || !n.is_number_unsigned()) return Status::DataLoss("hub: malformed session answer");
        (*heads)[*author] = n.get<uint64_t>();
      }
    }
    return Status::OK();
  }

  // An authenticated request; a fresh counter (and signature) for each try.
  Status Signed(const WorkspaceId& ws, const std::string& method, const std::string& target, const std::string& body,
                httplib::Result* out) {
    return Call(
        [&]() -> httplib::Result {
          std::string auth;
          Status s = replica->AuthorizeRequest(ws, method, target, challenge, ++counter, body, &auth);
          if (!s.ok()) return httplib::Result(nullptr, httplib::Error::Unknown);
          httplib::Headers headers{{"Authorization", auth}};
          if (report) report->bytes_up += body.size();
          if (method == "GET") return http->Get(target, headers);
          return http->Post(target, headers, body, "application/octet-stream");
        },
        out);
  }

  // One signed push of body, written a slice at a time so that progress
  // follows the bytes. One try; the caller decides about the next.
  Status PushOnce(const WorkspaceId& ws, const std::string& target, const std::string& body, httplib::Result* out) {
    std::string auth;
    HAMLET_RETURN_IF_ERROR(replica->AuthorizeRequest(ws, "POST", target, challenge, ++counter, body, &auth));
    if (report) {
      report->bytes_up += body.size();
      report->requests++;
    }
    *out = http->Post(
        target, httplib::Headers{{"Authorization", auth}}, body.size(),
        [&](size_t offset, size_t length, httplib::DataSink& sink) {
          size_t n = std::min<size_t>(length, kSlice);
          if (!sink.write(body.data() + offset, n)) return false;
          Moved(n);
          return true;
        },
        "application/octet-stream");
    Status s = FromResponse(*out);
    if (*out) Moved(0);
    return s;
  }

  // A pull page as it arrives: the first answer names it (upto, size,
  // digest); when a cut stops it, the bytes that came are kept and the rest
  // is asked for from there (protocol.md 13.3).
  struct Page {
    bool named = false;
    uint64_t after = 0, upto = 0;
    size_t max_bytes = 0, size = 0;
    bool more = false;
    std::string digest;
    std::string bytes;
    int status = 0;
    bool empty = false;  // 204: nothing to pull.
  };

  // One signed GET of page (its first bytes, or the rest). One try.
  Status PullOnce(const WorkspaceId& ws, const std::string& base, Page* page, httplib::Result* out) {
    bool resume = page->named && !page->bytes.empty();
    if (!resume) {
      Page fresh;
      fresh.after = page->after;
      fresh.max_bytes = page->max_bytes;
      *page = std::move(fresh);
    }
    std::string target = base + "/pull?after=" + std::to_string(page->after) +
                         "&max_bytes=" + std::to_string(page->max_bytes);
    if (resume) target += "&upto=" + std::to_string(page->upto) + "&offset=" + std::to_string(page->bytes.size());
    std::string auth;
    HAMLET_RETURN_IF_ERROR(replica->AuthorizeRequest(ws, "GET", target, challenge, ++counter, "", &auth));
    if (report) report->requests++;
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
    *out = http->Get(target, httplib::Headers{{"Authorization", auth}}, take_headers,
                     [&](const char* data, size_t n) {
                       if (page->status != 200) {
                         error_body.append(data, n);
                       } else {
                         page->bytes.append(data, n);
                         if (report) report->bytes_down += n;
                         Moved(n);
                       }
                       return true;
                     });
    if (malformed) return Status::DataLoss("hub: malformed pull answer");
    if (other_page) {
      page->named = false;
      page->bytes.clear();
      return Status::Aborted("the hub answered with another page");
    }
    Status s = FromResponse(*out, &error_body);
    if (*out) Moved(0);
    if (!s.ok()) return s;
    if ((*out)->status == 204) {
      page->empty = true;
      try {
        page->upto = std::stoull((*out)->get_header_value("Hamlet-Next"));
      } catch (...) {
        return Status::DataLoss("hub: pull answer without a position");
      }
      page->more = (*out)->get_header_value("Hamlet-More") == "1";
      return Status::OK();
    }
    if (!page->named) return Status::DataLoss("hub: pull answer without a page size and digest");
    if (page->bytes.size() != page->size || Replica::PullPageDigest(page->bytes) != page->digest) {
      page->named = false;
      page->bytes.clear();
      return Status::DataLoss("hub: a pull page does not match its digest");
    }
    return Status::OK();
  }

  static constexpr size_t kSlice = 4 << 10;
};

HubClient::HubClient(Replica* replica, SyncOptions options)
    : impl_(std::make_unique<Impl>(replica, std::move(options))) {}
HubClient::~HubClient() = default;

Status HubClient::Publish(const WorkspaceId& ws, const std::string& token) {
  std::string cert;
  HAMLET_RETURN_IF_ERROR(impl_->replica->DeviceCertificate(ws, impl_->replica->device_id(), &cert));
  std::string body = json{{"token", token}, {"admin_certificate", HexEncode(cert)}}.dump();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  return impl_->Call([&] { return impl_->http->Post("/v1/workspaces", body, "application/json"); }, &r);
}

Status HubClient::RegisterDevice(const WorkspaceId& ws, const DeviceId& device) {
  std::string cert;
  HAMLET_RETURN_IF_ERROR(impl_->replica->DeviceCertificate(ws, device, &cert));
  uint64_t unused = 0;
  HAMLET_RETURN_IF_ERROR(impl_->OpenSession(ws, &unused));
  httplib::Result r(nullptr, httplib::Error::Unknown);
  return impl_->Signed(ws, "POST", "/v1/workspaces/" + ws.Hex() + "/devices", cert, &r);
}

Status HubClient::RequestJoin(const std::string& code, WorkspaceId* ws, std::string* invite_id) {
  Impl& m = *impl_;
  std::string request;
  HAMLET_RETURN_IF_ERROR(m.replica->RequestJoin(code, ws, invite_id, &request));
  httplib::Result r(nullptr, httplib::Error::Unknown);
  return m.Call([&] { return m.http->Post("/v1/workspaces/" + ws->Hex() + "/joins", request, "application/octet-stream"); },
                &r);
}

Status HubClient::CompleteJoin(const WorkspaceId& ws, const std::string& invite_id) {
  Impl& m = *impl_;
  httplib::Result r(nullptr, httplib::Error::Unknown);
  Status s = m.Call([&] { return m.http->Get("/v1/workspaces/" + ws.Hex() + "/admissions/" + invite_id); }, &r);
  if (s.code() == Code::kNotFound) {
    return Status::Unavailable("the workspace admin has not admitted this device yet; try again after the admin syncs");
  }
  HAMLET_RETURN_IF_ERROR(s);
  WorkspaceId joined;
  HAMLET_RETURN_IF_ERROR(m.replica->Accept(r->body, &joined));
  if (joined != ws) return Status::DataLoss("hub: the envelope admits to another workspace");
  return Status::OK();
}

Status HubClient::AdmitPending(const WorkspaceId& ws, size_t* admitted, size_t* refused) {
  Impl& m = *impl_;
  *admitted = *refused = 0;
  uint64_t unused = 0;
  HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &unused));
  const std::string base = "/v1/workspaces/" + ws.Hex();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  HAMLET_RETURN_IF_ERROR(m.Signed(ws, "GET", base + "/joins", "", &r));
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("requests") || !j["requests"].is_array()) {
    return Status::DataLoss("hub: malformed joins answer");
  }
  for (const json& x : j["requests"]) {
    std::string request, envelope, cert, invite;
    if (!x.is_string() || !HexDecode(x.get<std::string>(), &request)) return Status::DataLoss("hub: malformed join");
    Status s = m.replica->AdmitInvited(ws, request, &envelope, &cert, &invite);
    if (s.code() == Code::kPermissionDenied || s.code() == Code::kNotFound || s.code() == Code::kInvalidArgument ||
        s.code() == Code::kDataLoss) {
      (*refused)++;
      continue;
    }
    HAMLET_RETURN_IF_ERROR(s);
    HAMLET_RETURN_IF_ERROR(m.Signed(ws, "POST", base + "/devices", cert, &r));
    std::string body = json{{"invite", invite}, {"envelope", HexEncode(envelope)}}.dump();
    HAMLET_RETURN_IF_ERROR(m.Signed(ws, "POST", base + "/admissions", body, &r));
    (*admitted)++;
  }
  return Status::OK();
}

Status HubClient::Revoke(const WorkspaceId& ws, const DeviceId& device, RevokeResult* result) {
  Impl& m = *impl_;
  HAMLET_RETURN_IF_ERROR(m.replica->Revoke(ws, device, result));
  uint64_t unused = 0;
  HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &unused));
  const std::string base = "/v1/workspaces/" + ws.Hex();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  HAMLET_RETURN_IF_ERROR(m.Signed(ws, "POST", base + "/revocations", result->revocation, &r));
  json grants = json::array();
  for (const std::string& g : result->grants) grants.push_back(HexEncode(g));
  HAMLET_RETURN_IF_ERROR(m.Signed(ws, "POST", base + "/grants", json{{"grants", grants}}.dump(), &r));
  // The statement that names the new epoch and the revoked device.
  std::string statement;
  HAMLET_RETURN_IF_ERROR(m.replica->RenewEpochStatement(ws, &statement));
  if (statement.empty()) return Status::OK();
  return m.Signed(ws, "POST", base + "/statements", statement, &r);
}

Status HubClient::Sync(const WorkspaceId& ws, SyncReport* report) {
  Impl& m = *impl_;
  *report = SyncReport();
  m.report = report;
  struct Clear {
    Impl* m;
    ~Clear() { m->report = nullptr; }
  } clear{&m};
  const std::string base = "/v1/workspaces/" + ws.Hex();
  uint64_t acknowledged = 0, position = 0;
  HubSession session;
  std::map<DeviceId, uint64_t> heads;
  m.last_moved = Clock::now();
  HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &acknowledged, &session, &heads));
  // Where to pull from, unless this is not the hub it was (protocol.md 13.6).
  HAMLET_RETURN_IF_ERROR(m.replica->CheckHubSession(ws, session, &position));
  HAMLET_RETURN_IF_ERROR(m.replica->SetDelivered(ws, m.options.hub, acknowledged));

  // Keys first: a new epoch's key and the revocations the admin published,
  // and the officers' certificates if this replica lacks some.
  {
    std::string officers;
    HAMLET_RETURN_IF_ERROR(m.replica->OfficersDigest(ws, &officers));
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = m.Signed(ws, "GET", base + "/keys?officers=" + officers, "", &r);
    if (s.code() == Code::kUnauthenticated) {  // A hub restarted since the session opened: open another.
      HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &acknowledged));
      s = m.Signed(ws, "GET", base + "/keys?officers=" + officers, "", &r);
    }
    HAMLET_RETURN_IF_ERROR(s);
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("grants") || !j["grants"].is_array() || !j.contains("revocations") ||
        !j["revocations"].is_array()) {
      return Status::DataLoss("hub: malformed keys answer");
    }
    std::string raw;
    std::vector<std::string> served;
    for (const json& x : j["revocations"]) {
      if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw)) return Status::DataLoss("hub: malformed revocation");
      HAMLET_RETURN_IF_ERROR(m.replica->AcceptRevocation(raw));
      served.push_back(raw);
    }
    HAMLET_RETURN_IF_ERROR(m.replica->CheckHubRevocations(ws, m.options.hub, served));
    for (const json& x : j["grants"]) {
      if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw)) return Status::DataLoss("hub: malformed key grant");
      HAMLET_RETURN_IF_ERROR(m.replica->AcceptKeyGrant(raw));
    }
    if (j.contains("officers")) {
      if (!j["officers"].is_array()) return Status::DataLoss("hub: malformed keys answer");
      for (const json& x : j["officers"]) {
        if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw)) return Status::DataLoss("hub: malformed certificate");
        HAMLET_RETURN_IF_ERROR(m.replica->AcceptCertificate(raw));
      }
    }
    if (j.contains("statement")) {
      if (!j["statement"].is_string() || !HexDecode(j["statement"].get<std::string>(), &raw)) {
        return Status::DataLoss("hub: malformed epoch statement");
      }
      HAMLET_RETURN_IF_ERROR(m.replica->AcceptEpochStatement(raw).WithContext("hub: "));
    }
    // The admin speaks at least once a day, and after every revocation.
    std::string statement;
    HAMLET_RETURN_IF_ERROR(m.replica->RenewEpochStatement(ws, &statement));
    if (!statement.empty()) HAMLET_RETURN_IF_ERROR(m.Signed(ws, "POST", base + "/statements", statement, &r));
  }

  // Push: what the hub lacks of this device's chain, page by page. The hub
  // says after each page how far it holds the chain, so a cut connection
  // resumes from there. Pages grow while they arrive and halve after a cut.
  const size_t smallest = std::min<size_t>(4 << 10, m.options.chunk_bytes);
  size_t page_bytes = std::max(smallest, std::min(m.options.first_page_bytes, m.options.chunk_bytes));
  m.progress = SyncProgress();
  m.progress.phase = "push";
  m.last_moved = Clock::now();
  int attempt = 0;
  for (;;) {
    ExportResult ex;
    HAMLET_RETURN_IF_ERROR(m.replica->ExportAuthored(ws, acknowledged, page_bytes, &ex));
    if (ex.chunk.empty()) break;
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = m.PushOnce(ws, base + "/push", ex.chunk, &r);
    if (s.code() == Code::kUnauthenticated) {  // The session ran out: open another and go on.
      HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &acknowledged));
      continue;
    }
    if (!s.ok()) {
      if (!s.Retryable()) return s;
      page_bytes = std::max(smallest, page_bytes / 2);
      HAMLET_RETURN_IF_ERROR(m.WaitToRetry(++attempt, Impl::RetryAfterMs(r), s));
      continue;
    }
    if (attempt == 0) page_bytes = std::min(m.options.chunk_bytes, page_bytes * 2);
    attempt = 0;
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("contiguous") || !j["contiguous"].is_number_unsigned()) {
      return Status::DataLoss("hub: malformed push answer");
    }
    uint64_t now_held = j["contiguous"].get<uint64_t>();
    report->pushed += j.value("stored", size_t{0});
    m.progress.commits += ex.commits;
    m.Tell(true);
    if (now_held > acknowledged) HAMLET_RETURN_IF_ERROR(m.replica->SetDelivered(ws, m.options.hub, now_held));
    if (now_held <= acknowledged && !ex.more) break;
    acknowledged = now_held;
  }

  // Pull: everything after the position this replica reached before, a
  // page at a time; a page cut in transit goes on from the byte where it
  // stopped. At the end of the hub's log, everything it said it held must
  // have come; if not, and the pull did not start at the beginning (a hub
  // restored from a copy made by hand can hand old positions to new
  // commits), once more from there (protocol.md 13.6).
  m.progress = SyncProgress();
  m.progress.phase = "pull";
  m.last_moved = Clock::now();
  page_bytes = std::max(smallest, std::min(m.options.first_page_bytes, m.options.chunk_bytes));
  for (bool from_start = position == 0;; from_start = true) {
    Impl::Page page;
    attempt = 0;
    for (;;) {
      if (!page.named) {
        page.after = position;
        page.max_bytes = page_bytes;
      }
      httplib::Result r(nullptr, httplib::Error::Unknown);
      Status s = m.PullOnce(ws, base, &page, &r);
      if (s.code() == Code::kUnauthenticated) {
        uint64_t unused = 0;
        HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &unused));
        continue;
      }
      if (s.code() == Code::kAborted) continue;  // Another page than the one cut: from its start.
      if (!s.ok()) {
        if (!s.Retryable() && s.code() != Code::kDataLoss) return s;
        if (s.code() == Code::kDataLoss && attempt >= 2) return s;
        page_bytes = std::max(smallest, page_bytes / 2);
        HAMLET_RETURN_IF_ERROR(m.WaitToRetry(++attempt, Impl::RetryAfterMs(r), s));
        continue;
      }
      if (attempt == 0) page_bytes = std::min(m.options.chunk_bytes, page_bytes * 2);
      attempt = 0;
      if (!page.empty) {
        ImportResult im;
        HAMLET_RETURN_IF_ERROR(m.replica->Import(page.bytes, &im));
        report->pulled += im.commits;
        report->applied += im.applied;
        m.progress.commits += im.commits;
      }
      if (page.upto > position) HAMLET_RETURN_IF_ERROR(m.replica->SetPullPosition(ws, m.options.hub, page.upto));
      position = std::max(position, page.upto);
      m.Tell(true);
      bool more = page.more;
      page = Impl::Page();
      if (!more) break;
    }
    bool short_of = false;
    HAMLET_RETURN_IF_ERROR(m.replica->CheckHubHeads(ws, m.options.hub, heads, &short_of));
    if (!short_of || from_start) return Status::OK();
    position = 0;
  }
}

}  // namespace hamlet
