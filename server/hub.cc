#include "hub.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "bundle.h"
#include "chunk.h"
#include "crypto.h"
#include "format.h"
#include "hex.h"
#include "http_error.h"
#include "identity.h"
#include "request_auth.h"

namespace hamlet::hub {

using nlohmann::json;

namespace {

// Workspace ids in paths: /v1/workspaces/<32 hex>/...
bool WorkspaceFrom(const httplib::Request& req, WorkspaceId* ws) {
  auto id = WorkspaceId::FromHex(req.matches[1].str());
  if (!id) return false;
  *ws = *id;
  return true;
}

std::string Target(const httplib::Request& req) { return req.target; }

}  // namespace

Hub::Hub(HubStore* store, Env* env, HubOptions options) : store_(store), env_(env), options_(options) {}

void Hub::Count(const std::string& route) {
  std::lock_guard<std::mutex> lock(metrics_.mu);
  metrics_.requests[route]++;
}

void Hub::Fail(httplib::Response& res, const Status& s) {
  {
    std::lock_guard<std::mutex> lock(metrics_.mu);
    metrics_.errors[Status::CodeSlug(s.code())]++;
  }
  res.status = HttpStatusFor(s.code());
  res.set_content(ErrorBody(s), "application/json");
}

Status Hub::CreateToken(std::string* token) {
  *token = HexEncode(RandomBytes(16));
  return store_->AddToken(Hash(*token), env_->NowMillis());
}

bool Hub::Authenticate(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws,
                       DeviceId* device, Certificate* certificate) {
  RequestAuth auth;
  Status s = ParseAuthorization(req.get_header_value("Authorization"), &auth);
  DeviceRecord rec;
  if (s.ok()) s = store_->GetDevice(ws, auth.device, &rec);
  if (s.ok() && rec.revoked) s = Status::PermissionDenied("device " + auth.device.Hex() + " has been revoked");
  Certificate cert;
  if (s.ok()) s = ParseCertificate(rec.certificate, &cert);
  if (s.ok()) s = VerifyRequest(auth, cert.sign_public_key, req.method, Target(req), req.body);
  if (s.ok()) s = store_->UseChallenge(ws, auth.device, auth.challenge, auth.counter, env_->NowMillis());
  if (!s.ok()) {
    if (s.code() == Code::kNotFound) s = Status(Code::kUnauthenticated, s.message());
    Fail(res, s);
    return false;
  }
  *device = auth.device;
  if (certificate != nullptr) *certificate = std::move(cert);
  return true;
}

void Hub::Install(httplib::Server* server) {
  server->set_payload_max_length(options_.max_body_bytes);
  // Every answer names the protocol version the hub speaks.
  server->set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Hamlet-Protocol", "1");
  });
  server->set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Fail(res, Status::Internal("the hub failed on this request"));
  });
  server->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    Code code = res.status == 404 ? Code::kNotFound
                : res.status == 413 ? Code::kOutOfRange
                : res.status >= 500 ? Code::kInternal
                                    : Code::kInvalidArgument;
    int status = res.status;
    Fail(res, Status(code, "HTTP " + std::to_string(status)));
    res.status = status;
  });
  const std::string ws = "/v1/workspaces/([0-9a-fA-F]{32})";
  server->Post("/v1/workspaces", [this](const auto& q, auto& r) { Publish(q, r); });
  server->Post(ws + "/devices", [this](const auto& q, auto& r) { AddDevice(q, r); });
  server->Post(ws + "/session", [this](const auto& q, auto& r) { Session(q, r); });
  server->Post(ws + "/joins", [this](const auto& q, auto& r) { PostJoin(q, r); });
  server->Get(ws + "/joins", [this](const auto& q, auto& r) { ListJoins(q, r); });
  server->Post(ws + "/admissions", [this](const auto& q, auto& r) { PostAdmission(q, r); });
  server->Get(ws + "/admissions/([0-9a-f]{16})", [this](const auto& q, auto& r) { GetAdmission(q, r); });
  server->Post(ws + "/revocations", [this](const auto& q, auto& r) { Revoke(q, r); });
  server->Post(ws + "/grants", [this](const auto& q, auto& r) { Grants(q, r); });
  server->Get(ws + "/keys", [this](const auto& q, auto& r) { Keys(q, r); });
  server->Post(ws + "/push", [this](const auto& q, auto& r) { Push(q, r); });
  server->Get(ws + "/pull", [this](const auto& q, auto& r) { Pull(q, r); });
  server->Get("/v1/status", [this](const auto& q, auto& r) { StatusJson(q, r); });
  server->Get("/metrics", [this](const auto& q, auto& r) { MetricsText(q, r); });
  server->Get("/", [this](const auto& q, auto& r) { StatusPage(q, r); });
}

void Hub::Publish(const httplib::Request& req, httplib::Response& res) {
  Count("publish");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("token") || !body["token"].is_string() ||
      !body.contains("admin_certificate") || !body["admin_certificate"].is_string()) {
    return Fail(res, Status::InvalidArgument("publish takes {\"token\": T, \"admin_certificate\": HEX}"));
  }
  std::string raw;
  Certificate cert;
  if (!HexDecode(body["admin_certificate"].get<std::string>(), &raw)) {
    return Fail(res, Status::InvalidArgument("admin_certificate must be hex"));
  }
  Status s = ParseCertificate(raw, &cert);
  if (s.ok() && cert.role != format::kRoleAdmin) s = Status::InvalidArgument("the certificate is not an admin's");
  if (s.ok()) s = VerifyCertificate(cert, cert.sign_public_key);  // Self-signed by the admin.
  if (s.ok()) {
    s = store_->PublishWorkspace(Hash(body["token"].get<std::string>()), cert.workspace, cert.sign_public_key,
                                 cert.bytes, cert.device(), env_->NowMillis());
  }
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content(json{{"workspace", cert.workspace.Hex()}}.dump(), "application/json");
}

bool Hub::AuthenticateAdmin(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws,
                            std::string* admin_pk) {
  DeviceId caller;
  if (!Authenticate(req, res, ws, &caller)) return false;
  Status s = store_->AdminKey(ws, admin_pk);
  if (s.ok() && DeviceIdFor(*admin_pk) != caller) s = Status::PermissionDenied("only the workspace admin may do this");
  if (!s.ok()) {
    Fail(res, s);
    return false;
  }
  return true;
}

// Join requests: invite id (8 bytes), a join request, a 32-byte MAC that only
// the admin can check.
void Hub::PostJoin(const httplib::Request& req, httplib::Response& res) {
  Count("joins");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string admin_pk;
  Status s = store_->AdminKey(ws, &admin_pk);
  JoinRequest parsed;
  if (s.ok() && (req.body.size() < 8 + 32 + 1 || req.body.size() > 1024)) {
    s = Status::InvalidArgument("a join request is an invite id, a request and a MAC");
  }
  if (s.ok()) s = ParseJoinRequest(std::string_view(req.body).substr(8, req.body.size() - 8 - 32), &parsed);
  if (s.ok()) s = store_->AddJoin(ws, req.body.substr(0, 8), req.body);
  if (!s.ok()) return Fail(res, s);
  res.status = 202;
  res.set_content(json{{"invite", HexEncode(req.body.substr(0, 8))}}.dump(), "application/json");
}

void Hub::ListJoins(const httplib::Request& req, httplib::Response& res) {
  Count("joins");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  std::vector<std::string> pending;
  Status s = store_->PendingJoins(ws, &pending);
  if (!s.ok()) return Fail(res, s);
  json list = json::array();
  for (const std::string& p : pending) list.push_back(HexEncode(p));
  res.set_content(json{{"requests", list}}.dump(), "application/json");
}

void Hub::PostAdmission(const httplib::Request& req, httplib::Response& res) {
  Count("admissions");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  json body = json::parse(req.body, nullptr, false);
  std::string invite, envelope;
  if (body.is_discarded() || !body.is_object() || !body.contains("invite") || !body["invite"].is_string() ||
      !body.contains("envelope") || !body["envelope"].is_string() ||
      !HexDecode(body["invite"].get<std::string>(), &invite) || invite.size() != 8 ||
      !HexDecode(body["envelope"].get<std::string>(), &envelope)) {
    return Fail(res, Status::InvalidArgument("admissions take {\"invite\": HEX8, \"envelope\": HEX}"));
  }
  Envelope parsed;
  Status s = ParseEnvelope(envelope, &parsed);
  if (s.ok() && (parsed.workspace != ws || parsed.admin_public_key != admin_pk)) {
    s = Status::InvalidArgument("the envelope is not this workspace admin's");
  }
  if (s.ok()) s = store_->PutAdmission(ws, invite, envelope);
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content("{}", "application/json");
}

// The envelope is sealed to the joining device: anyone may fetch it.
void Hub::GetAdmission(const httplib::Request& req, httplib::Response& res) {
  Count("admissions");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string invite, envelope;
  HexDecode(req.matches[2].str(), &invite);
  Status s = store_->GetAdmission(ws, invite, &envelope);
  if (!s.ok()) return Fail(res, s);
  res.set_content(envelope, "application/octet-stream");
}

void Hub::Revoke(const httplib::Request& req, httplib::Response& res) {
  Count("revocations");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  Revocation rev;
  Status s = ParseRevocation(req.body, admin_pk, &rev);
  if (s.ok() && rev.workspace != ws) s = Status::InvalidArgument("the revocation is for another workspace");
  DeviceRecord rec;
  if (s.ok()) s = store_->GetDevice(ws, rev.device, &rec);
  if (s.ok()) s = store_->Revoke(ws, rev.device, rev.bytes);
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content(json{{"revoked", rev.device.Hex()}}.dump(), "application/json");
}

void Hub::Grants(const httplib::Request& req, httplib::Response& res) {
  Count("grants");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("grants") || !body["grants"].is_array()) {
    return Fail(res, Status::InvalidArgument("grants takes {\"grants\": [HEX, ...]}"));
  }
  std::vector<KeyGrant> grants;
  for (const json& g : body["grants"]) {
    std::string raw;
    KeyGrant grant;
    if (!g.is_string() || !HexDecode(g.get<std::string>(), &raw)) {
      return Fail(res, Status::InvalidArgument("each grant is a hex string"));
    }
    Status s = ParseKeyGrant(raw, admin_pk, &grant);
    if (s.ok() && grant.workspace != ws) s = Status::InvalidArgument("a grant is for another workspace");
    if (!s.ok()) return Fail(res, s);
    grants.push_back(std::move(grant));
  }
  for (const KeyGrant& g : grants) {
    Status s = store_->AddGrant(ws, g.device, g.epoch, g.bytes);
    if (!s.ok()) return Fail(res, s);
  }
  res.status = 201;
  res.set_content(json{{"stored", grants.size()}}.dump(), "application/json");
}

void Hub::Keys(const httplib::Request& req, httplib::Response& res) {
  Count("keys");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  std::vector<std::string> grants, revocations, certificates;
  Status s = store_->KeysFor(ws, device, &grants, &revocations);
  if (s.ok()) s = store_->Certificates(ws, &certificates);
  if (!s.ok()) return Fail(res, s);
  json g = json::array(), r = json::array(), o = json::array();
  for (const std::string& x : grants) g.push_back(HexEncode(x));
  for (const std::string& x : revocations) r.push_back(HexEncode(x));
  // The officers' certificates, so that every member can seal values to
  // them even before they have written anything; only when the client's
  // digest of the officers it knows differs from the hub's.
  std::vector<std::string> officers;
  std::vector<DeviceId> officer_ids;
  for (const std::string& x : certificates) {
    Certificate cert;
    if (ParseCertificate(x, &cert).ok() && (cert.role == format::kRoleAdmin || cert.role == format::kRoleOfficer)) {
      officers.push_back(x);
      officer_ids.push_back(cert.device());
    }
  }
  std::string digest = DeviceSetDigest(officer_ids);
  if (!req.has_param("officers") || req.get_param_value("officers") != digest) {
    for (const std::string& x : officers) o.push_back(HexEncode(x));
  }
  res.set_content(json{{"grants", g}, {"revocations", r}, {"officers", o}, {"officers_digest", digest}}.dump(),
                  "application/json");
}

void Hub::AddDevice(const httplib::Request& req, httplib::Response& res) {
  Count("devices");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  Status s;
  Certificate cert;
  if (s.ok()) s = ParseCertificate(req.body, &cert);
  if (s.ok() && cert.workspace != ws) s = Status::InvalidArgument("the certificate is for another workspace");
  if (s.ok()) s = VerifyCertificate(cert, admin_pk);
  if (s.ok()) s = store_->PutDevice(ws, cert.device(), cert.bytes);
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content(json{{"device", cert.device().Hex()}}.dump(), "application/json");
}

void Hub::Session(const httplib::Request& req, httplib::Response& res) {
  Count("session");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  json body = json::parse(req.body, nullptr, false);
  std::optional<DeviceId> device;
  if (!body.is_discarded() && body.is_object() && body.contains("device") && body["device"].is_string()) {
    device = DeviceId::FromHex(body["device"].get<std::string>());
  }
  if (!device) return Fail(res, Status::InvalidArgument("session takes {\"device\": HEX}"));
  std::string admin_pk;
  Status s = store_->AdminKey(ws, &admin_pk);
  DeviceRecord rec;
  if (s.ok()) s = store_->GetDevice(ws, *device, &rec);
  if (s.ok() && rec.revoked) s = Status::PermissionDenied("device " + device->Hex() + " has been revoked");
  std::string challenge = RandomBytes(kChallengeBytes);
  int64_t now = env_->NowMillis();
  if (s.ok()) s = store_->AddChallenge(ws, *device, challenge, now, now + options_.session_ttl_ms);
  uint64_t contiguous = 0;
  if (s.ok()) s = store_->Contiguous(ws, *device, &contiguous);
  if (!s.ok()) return Fail(res, s);
  res.set_content(json{{"challenge", HexEncode(challenge)},
                       {"expires_in_ms", options_.session_ttl_ms},
                       {"hub_time", now},
                       {"contiguous", contiguous}}
                      .dump(),
                  "application/json");
}

void Hub::Push(const httplib::Request& req, httplib::Response& res) {
  Count("push");
  auto start = std::chrono::steady_clock::now();
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  DeviceId device;
  Certificate cert;
  if (!Authenticate(req, res, ws, &device, &cert)) return;
  metrics_.bytes_in += req.body.size();
  Chunk chunk;
  Status s = DecodeChunk(req.body, &chunk);
  if (s.ok() && chunk.workspace != ws) s = Status::InvalidArgument("the chunk belongs to another workspace");
  AppendResult appended;
  if (s.ok()) s = Ingest(ws, chunk, &cert, &appended);
  uint64_t contiguous = 0;
  if (s.ok()) s = store_->Contiguous(ws, device, &contiguous);
  if (!s.ok()) return Fail(res, s);
  metrics_.commits_stored += appended.stored;
  metrics_.sync_requests++;
  metrics_.sync_micros += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
  res.set_content(
      json{{"stored", appended.stored}, {"duplicates", appended.duplicates}, {"contiguous", contiguous}}.dump(),
      "application/json");
}

Status Hub::Ingest(const WorkspaceId& ws, const Chunk& chunk, const Certificate* pusher, AppendResult* out) {
  std::map<DeviceId, std::pair<Certificate, uint64_t>> authors;  // Certificate and highest seq allowed.
  if (pusher != nullptr) authors[pusher->device()] = {*pusher, UINT64_MAX};
  std::string admin_pk;
  std::map<DeviceId, uint64_t> revoked;
  if (pusher == nullptr) {
    HAMLET_RETURN_IF_ERROR(store_->AdminKey(ws, &admin_pk));
    std::vector<std::string> grants, statements;
    HAMLET_RETURN_IF_ERROR(store_->KeysFor(ws, DeviceId(), &grants, &statements));
    for (const std::string& bytes : statements) {
      Revocation rev;
      HAMLET_RETURN_IF_ERROR(ParseRevocation(bytes, admin_pk, &rev));
      revoked[rev.device] = rev.last_seq;
    }
  }
  for (size_t i = 0; i < chunk.commits.size(); i++) {
    const SealedCommit& c = chunk.commits[i];
    const DeviceId& author = c.header.author;
    auto it = authors.find(author);
    if (it == authors.end() && pusher != nullptr) {
      return Status::PermissionDenied("a device pushes only its own commits; commit " + std::to_string(i) + " is by " +
                                      author.Hex());
    }
    if (it == authors.end()) {
      DeviceRecord rec;
      Certificate cert;
      HAMLET_RETURN_IF_ERROR(store_->GetDevice(ws, author, &rec));
      HAMLET_RETURN_IF_ERROR(ParseCertificate(rec.certificate, &cert));
      uint64_t limit = UINT64_MAX;
      if (auto r = revoked.find(author); r != revoked.end()) limit = r->second;
      it = authors.emplace(author, std::make_pair(std::move(cert), limit)).first;
    }
    if (c.header.seq > it->second.second) {
      return Status::PermissionDenied("device " + author.Hex() + " was revoked before its commit " +
                                      std::to_string(c.header.seq));
    }
    HAMLET_RETURN_IF_ERROR(VerifyCommit(ws, c, it->second.first.sign_public_key));
  }
  return store_->Append(ws, chunk.commits, env_->NowMillis(), out);
}

Status Hub::ImportBundle(std::string_view bytes, BundleImport* out) {
  *out = BundleImport();
  Bundle bundle;
  HAMLET_RETURN_IF_ERROR(DecodeBundle(bytes, &bundle));
  const WorkspaceId ws = bundle.workspace;
  out->workspace = ws;
  std::string admin_pk;
  Status s = store_->AdminKey(ws, &admin_pk);
  if (s.code() == Code::kNotFound) return Status::NotFound("workspace " + ws.Hex() + " is not published on this hub");
  HAMLET_RETURN_IF_ERROR(s);
  for (size_t i = 0; i < bundle.chunks.size(); i++) {
    const std::string where = "bundle chunk " + std::to_string(i + 1) + ": ";
    Chunk chunk;
    HAMLET_RETURN_IF_ERROR(DecodeChunk(bundle.chunks[i], &chunk).WithContext(where));
    if (chunk.workspace != ws) return Status::DataLoss(where + "it belongs to another workspace");
    // Devices the admin admitted while this hub was out of reach.
    for (const std::string& bytes_c : chunk.certificates) {
      Certificate cert;
      HAMLET_RETURN_IF_ERROR(ParseCertificate(bytes_c, &cert).WithContext(where));
      DeviceRecord known;
      Status found = store_->GetDevice(ws, cert.device(), &known);
      if (found.ok()) continue;
      if (found.code() != Code::kNotFound) return found;
      if (cert.workspace != ws) return Status::DataLoss(where + "a certificate is for another workspace");
      HAMLET_RETURN_IF_ERROR(VerifyCertificate(cert, admin_pk).WithContext(where));
      HAMLET_RETURN_IF_ERROR(store_->PutDevice(ws, cert.device(), cert.bytes));
      out->devices_registered++;
    }
    AppendResult appended;
    HAMLET_RETURN_IF_ERROR(Ingest(ws, chunk, nullptr, &appended).WithContext(where));
    out->chunks++;
    out->commits += chunk.commits.size();
    out->stored += appended.stored;
    out->duplicates += appended.duplicates;
    metrics_.commits_stored += appended.stored;
  }
  return Status::OK();
}

void Hub::Pull(const httplib::Request& req, httplib::Response& res) {
  Count("pull");
  auto start = std::chrono::steady_clock::now();
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument("bad workspace id"));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  uint64_t after = 0;
  size_t max_bytes = options_.max_pull_bytes;
  try {
    if (req.has_param("after")) after = std::stoull(req.get_param_value("after"));
    if (req.has_param("max_bytes")) max_bytes = std::min<size_t>(max_bytes, std::stoull(req.get_param_value("max_bytes")));
  } catch (...) {
    return Fail(res, Status::InvalidArgument("after and max_bytes are non-negative integers"));
  }
  std::vector<std::string> raw;
  uint64_t next = after;
  bool more = false;
  Status s = store_->ReadAfter(ws, device, after, max_bytes, &raw, &next, &more);
  Chunk chunk;
  chunk.workspace = ws;
  std::map<DeviceId, bool> authors;
  for (size_t i = 0; s.ok() && i < raw.size(); i++) {
    SealedCommit c;
    s = ParseCommit(raw[i], &c);
    if (!s.ok()) break;
    authors[c.header.author] = true;
    chunk.commits.push_back(std::move(c));
  }
  for (auto it = authors.begin(); s.ok() && it != authors.end(); ++it) {
    DeviceRecord rec;
    s = store_->GetDevice(ws, it->first, &rec);
    if (s.ok()) chunk.certificates.push_back(rec.certificate);
  }
  if (!s.ok()) return Fail(res, s);
  std::sort(chunk.commits.begin(), chunk.commits.end(), [](const SealedCommit& a, const SealedCommit& b) {
    return std::tie(a.header.author, a.header.seq) < std::tie(b.header.author, b.header.seq);
  });
  res.set_header("Hamlet-Next", std::to_string(next));
  res.set_header("Hamlet-More", more ? "1" : "0");
  if (chunk.commits.empty()) {
    res.status = 204;
  } else {
    std::string bytes = EncodeChunk(chunk);
    metrics_.bytes_out += bytes.size();
    res.set_content(bytes, "application/octet-stream");
  }
  metrics_.sync_requests++;
  metrics_.sync_micros += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
}

void Hub::StatusJson(const httplib::Request&, httplib::Response& res) {
  Count("status");
  std::vector<WorkspaceSummary> all;
  Status s = store_->Summaries(&all);
  if (!s.ok()) return Fail(res, s);
  int64_t now = env_->NowMillis();
  int64_t stale = options_.stale_after_days * 86400000LL;
  json spaces = json::array();
  for (const WorkspaceSummary& w : all) {
    json devices = json::array();
    for (const DeviceSummary& d : w.devices) {
      devices.push_back({{"device", d.device.Hex()},
                         {"role", d.role == format::kRoleAdmin     ? "admin"
                                  : d.role == format::kRoleOfficer ? "officer"
                                                                   : "cadre"},
                         {"revoked", d.revoked},
                         {"last_seen", d.last_seen},
                         {"commits", d.commits},
                         {"stale", !d.revoked && (d.last_seen == 0 || now - d.last_seen > stale)}});
    }
    spaces.push_back({{"workspace", w.workspace.Hex()}, {"created", w.created}, {"commits", w.commits},
                      {"devices", devices}});
  }
  res.set_content(json{{"hub_time", now}, {"stale_after_days", options_.stale_after_days}, {"workspaces", spaces}}.dump(),
                  "application/json");
}

void Hub::StatusPage(const httplib::Request&, httplib::Response& res) {
  Count("page");
  std::vector<WorkspaceSummary> all;
  Status s = store_->Summaries(&all);
  if (!s.ok()) return Fail(res, s);
  int64_t now = env_->NowMillis();
  std::string html =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>Hamlet hub</title><style>"
      "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #999;padding:.3em .6em}.stale{background:#fdd}</style></head><body>"
      "<h1>Hamlet hub</h1><p>This hub stores sealed commits; it cannot read any record.</p>";
  for (const WorkspaceSummary& w : all) {
    html += "<h2>Workspace " + w.workspace.Hex() + "</h2><p>" + std::to_string(w.commits) +
            " commits stored.</p><table><tr><th>device</th><th>role</th><th>commits</th><th>last seen</th></tr>";
    for (const DeviceSummary& d : w.devices) {
      bool stale = !d.revoked && (d.last_seen == 0 || now - d.last_seen > options_.stale_after_days * 86400000LL);
      std::string seen = d.last_seen == 0 ? "never"
                                          : std::to_string((now - d.last_seen) / 86400000) + " days ago";
      html += std::string("<tr") + (stale ? " class=\"stale\"" : "") + "><td>" + d.device.Hex() + "</td><td>" +
              (d.role == format::kRoleAdmin ? "admin" : d.role == format::kRoleOfficer ? "officer" : "cadre") +
              (d.revoked ? " (revoked)" : "") + "</td><td>" + std::to_string(d.commits) + "</td><td>" + seen +
              "</td></tr>";
    }
    html += "</table>";
  }
  html += "</body></html>";
  res.set_content(html, "text/html; charset=utf-8");
}

void Hub::MetricsText(const httplib::Request&, httplib::Response& res) {
  Count("metrics");
  std::string out;
  {
    std::lock_guard<std::mutex> lock(metrics_.mu);
    out += "# HELP hamlet_requests_total Requests by route.\n# TYPE hamlet_requests_total counter\n";
    for (auto& [route, n] : metrics_.requests) {
      out += "hamlet_requests_total{route=\"" + route + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP hamlet_errors_total Error responses by kind.\n# TYPE hamlet_errors_total counter\n";
    for (auto& [code, n] : metrics_.errors) {
      out += "hamlet_errors_total{code=\"" + code + "\"} " + std::to_string(n) + "\n";
    }
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
           std::to_string(v) + "\n";
  };
  counter("hamlet_commits_stored_total", "Commits stored by pushes.", metrics_.commits_stored);
  counter("hamlet_bytes_in_total", "Chunk bytes received.", metrics_.bytes_in);
  counter("hamlet_bytes_out_total", "Chunk bytes sent.", metrics_.bytes_out);
  out += "# HELP hamlet_sync_seconds Time spent serving push and pull.\n# TYPE hamlet_sync_seconds summary\n";
  out += "hamlet_sync_seconds_sum " + std::to_string(metrics_.sync_micros.load() / 1e6) + "\n";
  out += "hamlet_sync_seconds_count " + std::to_string(metrics_.sync_requests.load()) + "\n";
  res.set_content(out, "text/plain; version=0.0.4");
}

}  // namespace hamlet::hub
