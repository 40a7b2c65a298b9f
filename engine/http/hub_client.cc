#include "hamlet/hub_client.h"

#include "format.h"

#include <httplib.h>

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

// The hub's answer as a Status: transport failures and 5xx are retryable
// (Unavailable); 4xx carry the hub's own code and message.
Status FromResponse(const httplib::Result& r) {
  if (!r && r.error() == httplib::Error::SSLServerVerification) {
    return Status(Code::kUnauthenticated, "the hub's TLS certificate does not check out");
  }
  if (!r) return Status::Unavailable(TransportWords(r.error()));
  if (r->status >= 200 && r->status < 300) return Status::OK();
  json body = json::parse(r->body, nullptr, false);
  std::string message = "HTTP " + std::to_string(r->status);
  Code code = r->status >= 500 ? Code::kUnavailable : Code::kInvalidArgument;
  if (!body.is_discarded() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
    if (e.contains("code") && e["code"].is_string()) code = Status::CodeFromSlug(e["code"].get<std::string>());
    if (r->status >= 500 && code == Code::kInternal) code = Code::kUnavailable;
  }
  return Status(code, "hub: " + message);
}

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

  Impl(Replica* r, SyncOptions o) : replica(r), options(std::move(o)) {
    http = std::make_unique<httplib::Client>(options.hub);
    http->set_connection_timeout(options.connect_timeout_s, 0);
    http->set_read_timeout(options.read_timeout_s, 0);
    http->set_write_timeout(options.read_timeout_s, 0);
    http->set_keep_alive(true);
    http->set_tcp_nodelay(true);  // Headers and body go out at once, not after a delayed ACK.
    if (!options.ca_file.empty()) http->set_ca_cert_path(options.ca_file.c_str());
  }

  // Waits before attempt number attempt+1: exponential backoff with jitter,
  // and never less than the hub's Retry-After (capped at max_backoff_ms).
  void Backoff(int attempt, int64_t at_least_ms) {
    int64_t ms = options.first_backoff_ms << std::min(attempt, 16);
    ms = std::min(ms, options.max_backoff_ms);
    ms = ms / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(ms / 2 + 1));
    ms = std::max(ms, std::min(at_least_ms, options.max_backoff_ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  static int64_t RetryAfterMs(const httplib::Result& r) {
    if (!r || !r->has_header("Retry-After")) return 0;
    long long seconds = std::atoll(r->get_header_value("Retry-After").c_str());
    return seconds > 0 ? std::min<long long>(seconds, 3600) * 1000 : 0;
  }

  // Sends one request, retrying transport failures and busy hubs.
  template <class Send>
  Status Call(Send&& send, httplib::Result* out) {
    Status s;
    for (int attempt = 0; attempt < options.max_attempts; attempt++) {
      if (attempt > 0) {
        retries++;
        if (report) report->retries++;
        Backoff(attempt - 1, RetryAfterMs(*out));
      }
      *out = send();
      if (report) report->requests++;
      s = FromResponse(*out);
      if (s.ok() || !s.Retryable()) return s;
    }
    return s;
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
  // resumes from there.
  SyncProgress progress;
  progress.phase = "push";
  for (;;) {
    ExportResult ex;
    HAMLET_RETURN_IF_ERROR(m.replica->ExportAuthored(ws, acknowledged, m.options.chunk_bytes, &ex));
    if (ex.chunk.empty()) break;
    httplib::Result r(nullptr, httplib::Error::Unknown);
    Status s = m.Signed(ws, "POST", base + "/push", ex.chunk, &r);
    if (s.code() == Code::kUnauthenticated) {  // The session ran out: open another and go on.
      HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &acknowledged));
      continue;
    }
    HAMLET_RETURN_IF_ERROR(s);
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("contiguous")) return Status::DataLoss("hub: malformed push answer");
    uint64_t now_held = j["contiguous"].get<uint64_t>();
    report->pushed += j.value("stored", size_t{0});
    progress.commits += ex.commits;
    progress.bytes += ex.chunk.size();
    progress.retries = m.retries;
    if (m.options.progress) m.options.progress(progress);
    if (now_held > acknowledged) HAMLET_RETURN_IF_ERROR(m.replica->SetDelivered(ws, m.options.hub, now_held));
    if (now_held <= acknowledged && !ex.more) break;
    acknowledged = now_held;
  }

  // Pull: everything after the position this replica reached before. At
  // the end of the hub's log, everything it said it held must have come;
  // if not, and the pull did not start at the beginning (a hub restored
  // from a copy made by hand can hand old positions to new commits), once
  // more from there (protocol.md 13.6).
  progress = SyncProgress();
  progress.phase = "pull";
  for (bool from_start = position == 0;; from_start = true) {
    for (;;) {
      std::string target = base + "/pull?after=" + std::to_string(position) +
                           "&max_bytes=" + std::to_string(m.options.chunk_bytes);
      httplib::Result r(nullptr, httplib::Error::Unknown);
      Status s = m.Signed(ws, "GET", target, "", &r);
      if (s.code() == Code::kUnauthenticated) {
        uint64_t unused = 0;
        HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &unused));
        continue;
      }
      HAMLET_RETURN_IF_ERROR(s);
      report->bytes_down += r->body.size();
      uint64_t next = 0;
      try {
        next = std::stoull(r->get_header_value("Hamlet-Next"));
      } catch (...) {
        return Status::DataLoss("hub: pull answer without a position");
      }
      if (r->status == 200 && !r->body.empty()) {
        ImportResult im;
        HAMLET_RETURN_IF_ERROR(m.replica->Import(r->body, &im));
        report->pulled += im.commits;
        report->applied += im.applied;
        progress.commits += im.commits;
        progress.bytes += r->body.size();
      }
      if (next > position) HAMLET_RETURN_IF_ERROR(m.replica->SetPullPosition(ws, m.options.hub, next));
      position = next;
      progress.retries = m.retries;
      if (m.options.progress) m.options.progress(progress);
      if (r->get_header_value("Hamlet-More") != "1") break;
    }
    bool short_of = false;
    HAMLET_RETURN_IF_ERROR(m.replica->CheckHubHeads(ws, m.options.hub, heads, &short_of));
    if (!short_of || from_start) return Status::OK();
    position = 0;
  }
}

}  // namespace hamlet
