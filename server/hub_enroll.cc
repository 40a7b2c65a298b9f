// The hub's enrollment and key routes: publishing a workspace, registering
// devices, join requests and admissions, revocations, key grants and the keys
// answer (protocol.md 13.3).
#include "hub.h"

#include <nlohmann/json.hpp>

#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "statement.h"

namespace hamlet::hub {

using nlohmann::json;

void Hub::Publish(const httplib::Request& req, httplib::Response& res) {
  Count("publish");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("token") || !body["token"].is_string() ||
      !body.contains("admin_certificate") || !body["admin_certificate"].is_string()) {
    return Fail(res, Status::InvalidArgument(Tr("publish takes {\"token\": T, \"admin_certificate\": HEX}")));
  }
  std::string raw;
  Certificate cert;
  if (!HexDecode(body["admin_certificate"].get<std::string>(), &raw)) {
    return Fail(res, Status::InvalidArgument(Tr("admin_certificate must be hex")));
  }
  Status s = ParseCertificate(raw, &cert);
  if (s.ok() && cert.role != format::kRoleAdmin) s = Status::InvalidArgument(Tr("the certificate is not an admin's"));
  if (s.ok()) s = VerifyCertificate(cert, cert.sign_public_key);  // Self-signed by the admin.
  if (s.ok()) {
    s = store_->PublishWorkspace(Hash(body["token"].get<std::string>()), cert.workspace, cert.sign_public_key,
                                 cert.bytes, cert.device(), env_->NowMillis());
  }
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content(json{{"workspace", cert.workspace.Hex()}}.dump(), "application/json");
}

// Join requests: invite id (8 bytes), a join request, a 32-byte MAC that only
// the admin can check.
void Hub::PostJoin(const httplib::Request& req, httplib::Response& res) {
  Count("joins");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  Status s = store_->AdminKey(ws, &admin_pk);
  JoinRequest parsed;
  if (s.ok() && (req.body.size() < 8 + 32 + 1 || req.body.size() > 1024)) {
    s = Status::InvalidArgument(Tr("a join request is an invite id, a request and a MAC"));
  }
  if (s.ok()) s = ParseJoinRequest(std::string_view(req.body).substr(8, req.body.size() - 8 - 32), &parsed);
  int64_t now = env_->NowMillis();
  if (s.ok()) s = store_->AddJoin(ws, req.body.substr(0, 8), req.body, now, now - options_.join_ttl_ms);
  if (!s.ok()) return Fail(res, s);
  res.status = 202;
  res.set_content(json{{"invite", HexEncode(req.body.substr(0, 8))}}.dump(), "application/json");
}

void Hub::ListJoins(const httplib::Request& req, httplib::Response& res) {
  Count("joins");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  std::vector<std::string> pending;
  Status s = store_->PendingJoins(ws, env_->NowMillis() - options_.join_ttl_ms, &pending);
  if (!s.ok()) return Fail(res, s);
  json list = json::array();
  for (const std::string& p : pending) list.push_back(HexEncode(p));
  res.set_content(json{{"requests", list}}.dump(), "application/json");
}

void Hub::PostAdmission(const httplib::Request& req, httplib::Response& res) {
  Count("admissions");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  json body = json::parse(req.body, nullptr, false);
  std::string invite, envelope;
  if (body.is_discarded() || !body.is_object() || !body.contains("invite") || !body["invite"].is_string() ||
      !body.contains("envelope") || !body["envelope"].is_string() ||
      !HexDecode(body["invite"].get<std::string>(), &invite) || invite.size() != 8 ||
      !HexDecode(body["envelope"].get<std::string>(), &envelope)) {
    return Fail(res, Status::InvalidArgument(Tr("admissions take {\"invite\": HEX8, \"envelope\": HEX}")));
  }
  Envelope parsed;
  Status s = ParseEnvelope(envelope, &parsed);
  if (s.ok() && (parsed.workspace != ws || parsed.admin_public_key != admin_pk)) {
    s = Status::InvalidArgument(Tr("the envelope is not this workspace admin's"));
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
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string invite, envelope;
  HexDecode(req.matches[2].str(), &invite);
  Status s = store_->GetAdmission(ws, invite, &envelope);
  if (!s.ok()) return Fail(res, s);
  res.set_content(envelope, "application/octet-stream");
}

void Hub::Revoke(const httplib::Request& req, httplib::Response& res) {
  Count("revocations");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  DeviceId device;
  Status s = TakeRevocation(ws, admin_pk, req.body, &device);
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content(json{{"revoked", device.Hex()}}.dump(), "application/json");
}

Status Hub::TakeRevocation(const WorkspaceId& ws, const std::string& admin_pk, std::string_view bytes,
                           DeviceId* device) {
  Revocation rev;
  HAMLET_RETURN_IF_ERROR(ParseRevocation(bytes, admin_pk, &rev));
  if (rev.workspace != ws) return Status::InvalidArgument(Tr("the revocation is for another workspace"));
  DeviceRecord rec;
  HAMLET_RETURN_IF_ERROR(store_->GetDevice(ws, rev.device, &rec));
  *device = rev.device;
  return store_->Revoke(ws, rev.device, rev.last_seq, rev.bytes);
}

Status Hub::TakeStatement(const WorkspaceId& ws, const std::string& admin_pk, std::string_view bytes) {
  EpochStatement st;
  HAMLET_RETURN_IF_ERROR(ParseEpochStatement(bytes, admin_pk, &st));
  if (st.workspace != ws) return Status::InvalidArgument(Tr("the statement is for another workspace"));
  return store_->PutStatement(ws, st.issued_ms, st.bytes);
}

void Hub::Grants(const httplib::Request& req, httplib::Response& res) {
  Count("grants");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("grants") || !body["grants"].is_array()) {
    return Fail(res, Status::InvalidArgument(Tr("grants takes {\"grants\": [HEX, ...]}")));
  }
  std::vector<KeyGrant> grants;
  for (const json& g : body["grants"]) {
    std::string raw;
    KeyGrant grant;
    if (!g.is_string() || !HexDecode(g.get<std::string>(), &raw)) {
      return Fail(res, Status::InvalidArgument(Tr("each grant is a hex string")));
    }
    Status s = ParseKeyGrant(raw, admin_pk, &grant);
    if (s.ok() && grant.workspace != ws) s = Status::InvalidArgument(Tr("a grant is for another workspace"));
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
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
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
  std::string statement;
  if (s.ok()) s = store_->GetStatement(ws, &statement);
  if (!s.ok()) return Fail(res, s);
  json answer{{"grants", g}, {"revocations", r}, {"officers", o}, {"officers_digest", digest}};
  if (!statement.empty()) answer["statement"] = HexEncode(statement);
  res.set_content(answer.dump(), "application/json");
}

void Hub::PostStatement(const httplib::Request& req, httplib::Response& res) {
  Count("statements");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  Status s = TakeStatement(ws, admin_pk, req.body);
  if (!s.ok()) return Fail(res, s);
  res.set_content("{}", "application/json");
}

void Hub::AddDevice(const httplib::Request& req, httplib::Response& res) {
  Count("devices");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  std::string admin_pk;
  if (!AuthenticateAdmin(req, res, ws, &admin_pk)) return;
  Status s;
  Certificate cert;
  if (s.ok()) s = ParseCertificate(req.body, &cert);
  if (s.ok() && cert.workspace != ws) s = Status::InvalidArgument(Tr("the certificate is for another workspace"));
  if (s.ok()) s = VerifyCertificate(cert, admin_pk);
  if (s.ok()) s = store_->PutDevice(ws, cert.device(), cert.bytes);
  if (!s.ok()) return Fail(res, s);
  res.status = 201;
  res.set_content(json{{"device", cert.device().Hex()}}.dump(), "application/json");
}

}  // namespace hamlet::hub
