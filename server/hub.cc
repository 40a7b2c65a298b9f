// The hub's common parts: routes, errors, sessions and request
// authentication (protocol.md 13.1, 13.2).
#include "hub.h"

#include <nlohmann/json.hpp>

#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "http_error.h"
#include "identity.h"
#include "request_auth.h"

namespace hamlet::hub {

using nlohmann::json;

bool Hub::WorkspaceFrom(const httplib::Request& req, WorkspaceId* ws) {
  auto id = WorkspaceId::FromHex(req.matches[1].str());
  if (!id) return false;
  *ws = *id;
  return true;
}

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

Status Hub::CreateOperatorToken(std::string* token) {
  *token = HexEncode(RandomBytes(16));
  return store_->AddOperatorToken(Hash(*token), env_->NowMillis());
}

bool Hub::AuthenticateOperator(const httplib::Request& req, httplib::Response& res) {
  std::string token = req.has_param("token") ? req.get_param_value("token") : "";
  std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) token = auth.substr(7);
  bool yes = false;
  Status s = token.empty() ? Status::OK() : store_->IsOperatorToken(Hash(token), &yes);
  if (s.ok() && !yes) {
    s = Status(Code::kUnauthenticated,
               "the hub's status pages need an operator token (hamlet-hub token create --operator): "
               "Authorization: Bearer TOKEN, or ?token=TOKEN");
  }
  if (s.ok()) return true;
  Fail(res, s);
  return false;
}

Status NumberParam(const httplib::Request& req, const char* name, uint64_t def, uint64_t* out) {
  *out = def;
  if (!req.has_param(name)) return Status::OK();
  std::string v = req.get_param_value(name);
  try {
    size_t used = 0;
    *out = std::stoull(v, &used);
    if (used == v.size() && !v.empty() && v[0] != '-') return Status::OK();
  } catch (...) {
  }
  return Status::InvalidArgument(Format(Tr("%s must be a whole number, 0 or more"), name));
}

Status ContentLength(const httplib::Request& req, uint64_t* length) {
  *length = 0;
  if (!req.has_header("Content-Length")) return Status::OK();
  try {
    *length = std::stoull(req.get_header_value("Content-Length"));
    return Status::OK();
  } catch (...) {
    return Status::InvalidArgument(Tr("bad Content-Length"));
  }
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
  if (s.ok() && rec.revoked)
    s = Status::PermissionDenied(Format(Tr("device %s has been revoked"), auth.device.Hex().c_str()));
  Certificate cert;
  if (s.ok()) s = ParseCertificate(rec.certificate, &cert);
  if (s.ok()) s = VerifyRequest(auth, cert.sign_public_key, req.method, req.target, req.body);
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
    res.set_header("Hamlet-Protocol", std::to_string(format::kHubProtocolVersion));
  });
  server->set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Fail(res, Status::Internal(Tr("the hub failed on this request")));
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
  server->Post(ws + "/statements", [this](const auto& q, auto& r) { PostStatement(q, r); });
  server->Get(ws + "/membership", [this](const auto& q, auto& r) { GetMembership(q, r); });
  server->Post(ws + "/membership", [this](const auto& q, auto& r) { PostMembership(q, r); });
  server->Post(ws + "/push", [this](const auto& q, auto& r) { Push(q, r); });
  server->Get(ws + "/pull", [this](const auto& q, auto& r) { Pull(q, r); });
  server->Get(ws + "/recent", [this](const auto& q, auto& r) { Recent(q, r); });
  const std::string file = ws + "/attachments/([0-9a-f]{64})";
  server->Post(file, [this](const auto& q, auto& r) { PostAttachment(q, r); });
  server->Get(file, [this](const auto& q, auto& r) { GetAttachment(q, r); });
  server->Put(file + "/data", [this](const httplib::Request& q, httplib::Response& r,
                                     const httplib::ContentReader& reader) { PutAttachmentData(q, r, reader); });
  server->Get(file + "/data", [this](const auto& q, auto& r) { GetAttachmentData(q, r); });
  server->Get(file + "/held", [this](const auto& q, auto& r) { GetAttachmentHeld(q, r); });
  server->Put(ws + "/snapshot", [this](const httplib::Request& q, httplib::Response& r,
                                       const httplib::ContentReader& reader) { PutSnapshot(q, r, reader); });
  server->Get(ws + "/snapshot", [this](const auto& q, auto& r) { GetSnapshot(q, r); });
  server->Get(ws + "/snapshot/held", [this](const auto& q, auto& r) { GetSnapshotHeld(q, r); });
  server->Get("/v1/status", [this](const auto& q, auto& r) { StatusJson(q, r); });
  server->Get("/metrics", [this](const auto& q, auto& r) { MetricsText(q, r); });
  server->Get("/", [this](const auto& q, auto& r) { StatusPage(q, r); });
}

bool Hub::AuthenticateAdmin(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws,
                            std::string* admin_pk) {
  DeviceId caller;
  if (!Authenticate(req, res, ws, &caller)) return false;
  Status s = store_->AdminKey(ws, admin_pk);
  if (s.ok() && DeviceIdFor(*admin_pk) != caller)
    s = Status::PermissionDenied(Tr("only the workspace admin may do this"));
  if (!s.ok()) {
    Fail(res, s);
    return false;
  }
  return true;
}

void Hub::Session(const httplib::Request& req, httplib::Response& res) {
  Count("session");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  json body = json::parse(req.body, nullptr, false);
  std::optional<DeviceId> device;
  if (!body.is_discarded() && body.is_object() && body.contains("device") && body["device"].is_string()) {
    device = DeviceId::FromHex(body["device"].get<std::string>());
  }
  if (!device) return Fail(res, Status::InvalidArgument(Tr("session takes {\"device\": HEX}")));
  std::string admin_pk;
  Status s = store_->AdminKey(ws, &admin_pk);
  DeviceRecord rec;
  if (s.ok()) s = store_->GetDevice(ws, *device, &rec);
  if (s.ok() && rec.revoked)
    s = Status::PermissionDenied(Format(Tr("device %s has been revoked"), device->Hex().c_str()));
  std::string challenge = RandomBytes(kChallengeBytes);
  int64_t now = env_->NowMillis();
  if (s.ok()) s = store_->AddChallenge(ws, *device, challenge, now, now + options_.session_ttl_ms);
  uint64_t contiguous = 0, head = 0;
  std::map<DeviceId, uint64_t> heads;
  std::string instance;
  uint64_t snapshot = 0;
  bool has_snapshot = false;
  if (s.ok()) s = store_->Contiguous(ws, *device, &contiguous);
  if (s.ok()) s = store_->Heads(ws, &head, &heads);
  if (s.ok()) s = store_->Instance(&instance);
  if (s.ok()) s = store_->GetSnapshot(ws, &snapshot, nullptr, &has_snapshot);
  if (!s.ok()) return Fail(res, s);
  // What the hub says it holds, for the device to check against what it
  // then serves (protocol.md 13.6).
  json h = json::object();
  for (const auto& [author, n] : heads) h[author.Hex()] = n;
  res.set_content(json{{"challenge", HexEncode(challenge)},
                       {"expires_in_ms", options_.session_ttl_ms},
                       {"hub_time", now},
                       {"contiguous", contiguous},
                       {"instance", HexEncode(instance)},
                       {"head", head},
                       {"heads", h},
                       {"snapshot", has_snapshot ? snapshot : 0}}
                      .dump(),
                  "application/json");
}

}  // namespace hamlet::hub
