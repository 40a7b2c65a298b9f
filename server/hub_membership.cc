// What a relay hub carries of a workspace's membership between two hubs
// (protocol.md 13.7): certificates, revocations, key grants and the epoch
// statement, each signed by the workspace admin, compared by a digest so
// that a relay in step costs one small request.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "hub.h"
#include "identity.h"
#include "statement.h"

namespace hamlet::hub {

using nlohmann::json;

Status Hub::ReadMembership(const WorkspaceId& ws, Membership* out) {
  *out = Membership();
  std::vector<std::string> unused;
  HAMLET_RETURN_IF_ERROR(store_->Members(ws, &out->certificates, &out->grants));
  HAMLET_RETURN_IF_ERROR(store_->KeysFor(ws, DeviceId(), &unused, &out->revocations));
  return store_->GetStatement(ws, &out->statement);
}

Status Hub::MembershipDigest(const WorkspaceId& ws, const Membership& m, std::string* digest) {
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(store_->AdminKey(ws, &admin_pk));
  // What identifies each item, not its bytes: a grant sealed twice for the
  // same device and epoch is the same grant.
  std::set<std::string> certs, revoked, grants;
  for (const std::string& bytes : m.certificates) {
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(bytes, &cert));
    certs.insert(std::string(cert.device().View()));
  }
  for (const std::string& bytes : m.revocations) {
    Revocation rev;
    HAMLET_RETURN_IF_ERROR(ParseRevocation(bytes, admin_pk, &rev));
    revoked.insert(std::string(rev.device.View()));
  }
  for (const std::string& bytes : m.grants) {
    KeyGrant g;
    HAMLET_RETURN_IF_ERROR(ParseKeyGrant(bytes, admin_pk, &g));
    std::string key(g.device.View());
    key += static_cast<char>(g.epoch >> 24);
    key += static_cast<char>(g.epoch >> 16);
    key += static_cast<char>(g.epoch >> 8);
    key += static_cast<char>(g.epoch);
    grants.insert(key);
  }
  std::string all = "certificates";
  for (const std::string& x : certs) all += x;
  all += "revocations";
  for (const std::string& x : revoked) all += x;
  all += "grants";
  for (const std::string& x : grants) all += x;
  all += "statement" + Hash(m.statement);
  *digest = HexEncode(Hash(all, 16));
  return Status::OK();
}

Status Hub::TakeMembership(const WorkspaceId& ws, const Membership& m, size_t* taken) {
  *taken = 0;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(store_->AdminKey(ws, &admin_pk));
  Membership known;
  HAMLET_RETURN_IF_ERROR(ReadMembership(ws, &known));
  // Devices first: a revocation or a grant names a device the hub must know.
  for (const std::string& bytes : m.certificates) {
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(bytes, &cert));
    if (cert.workspace != ws) return Status::InvalidArgument(Tr("a certificate is for another workspace"));
    HAMLET_RETURN_IF_ERROR(VerifyCertificate(cert, admin_pk));
    DeviceRecord rec;
    Status s = store_->GetDevice(ws, cert.device(), &rec);
    if (s.ok()) continue;
    if (s.code() != Code::kNotFound) return s;
    HAMLET_RETURN_IF_ERROR(store_->PutDevice(ws, cert.device(), cert.bytes));
    (*taken)++;
  }
  std::set<std::string> revocations(known.revocations.begin(), known.revocations.end());
  for (const std::string& bytes : m.revocations) {
    if (revocations.count(bytes)) continue;
    DeviceId device;
    HAMLET_RETURN_IF_ERROR(TakeRevocation(ws, admin_pk, bytes, &device));
    (*taken)++;
  }
  std::set<std::pair<DeviceId, uint32_t>> granted;
  for (const std::string& bytes : known.grants) {
    KeyGrant g;
    if (ParseKeyGrant(bytes, admin_pk, &g).ok()) granted.insert({g.device, g.epoch});
  }
  for (const std::string& bytes : m.grants) {
    KeyGrant g;
    HAMLET_RETURN_IF_ERROR(ParseKeyGrant(bytes, admin_pk, &g));
    if (g.workspace != ws) return Status::InvalidArgument(Tr("a grant is for another workspace"));
    if (!granted.insert({g.device, g.epoch}).second) continue;
    HAMLET_RETURN_IF_ERROR(store_->AddGrant(ws, g.device, g.epoch, g.bytes));
    (*taken)++;
  }
  if (!m.statement.empty() && m.statement != known.statement) {
    HAMLET_RETURN_IF_ERROR(TakeStatement(ws, admin_pk, m.statement));
    (*taken)++;
  }
  return Status::OK();
}

std::string Hub::EncodeMembership(const Membership& m, const std::string& digest) {
  json c = json::array(), r = json::array(), g = json::array();
  for (const std::string& x : m.certificates) c.push_back(HexEncode(x));
  for (const std::string& x : m.revocations) r.push_back(HexEncode(x));
  for (const std::string& x : m.grants) g.push_back(HexEncode(x));
  json j{{"digest", digest}, {"certificates", c}, {"revocations", r}, {"grants", g}};
  if (!m.statement.empty()) j["statement"] = HexEncode(m.statement);
  return j.dump();
}

Status Hub::DecodeMembership(std::string_view text, Membership* out, std::string* digest) {
  *out = Membership();
  json j = json::parse(text, nullptr, false);
  const char* shape =
      "membership is {\"digest\": HEX, \"certificates\": [HEX], \"revocations\": [HEX], \"grants\": [HEX], "
      "\"statement\": HEX}";
  if (j.is_discarded() || !j.is_object() || !j.contains("digest") || !j["digest"].is_string()) {
    return Status::InvalidArgument(shape);
  }
  *digest = j["digest"].get<std::string>();
  auto list = [&](const char* name, std::vector<std::string>* to) -> bool {
    if (!j.contains(name)) return true;
    if (!j[name].is_array()) return false;
    for (const json& x : j[name]) {
      std::string raw;
      if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw)) return false;
      to->push_back(std::move(raw));
    }
    return true;
  };
  if (!list("certificates", &out->certificates) || !list("revocations", &out->revocations) ||
      !list("grants", &out->grants)) {
    return Status::InvalidArgument(shape);
  }
  if (j.contains("statement") &&
      (!j["statement"].is_string() || !HexDecode(j["statement"].get<std::string>(), &out->statement))) {
    return Status::InvalidArgument(shape);
  }
  return Status::OK();
}

bool Hub::AuthenticateRelay(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws) {
  DeviceId device;
  Certificate cert;
  if (!Authenticate(req, res, ws, &device, &cert)) return false;
  if (cert.role != format::kRoleRelay) {
    Fail(res, Status::PermissionDenied(Tr("only a hub the admin certified as a relay may do this")));
    return false;
  }
  return true;
}

void Hub::GetMembership(const httplib::Request& req, httplib::Response& res) {
  Count("membership");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  if (!AuthenticateRelay(req, res, ws)) return;
  Membership m;
  std::string digest;
  Status s = ReadMembership(ws, &m);
  if (s.ok()) s = MembershipDigest(ws, m, &digest);
  if (!s.ok()) return Fail(res, s);
  // A relay in step learns only that it is.
  if (req.has_param("digest") && req.get_param_value("digest") == digest) m = Membership();
  res.set_content(EncodeMembership(m, digest), "application/json");
}

void Hub::PostMembership(const httplib::Request& req, httplib::Response& res) {
  Count("membership");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  if (!AuthenticateRelay(req, res, ws)) return;
  Membership m, now;
  std::string sent_digest, digest;
  size_t taken = 0;
  Status s = DecodeMembership(req.body, &m, &sent_digest);
  if (s.ok()) s = TakeMembership(ws, m, &taken);
  if (s.ok()) s = ReadMembership(ws, &now);
  if (s.ok()) s = MembershipDigest(ws, now, &digest);
  if (!s.ok()) return Fail(res, s);
  res.set_content(json{{"taken", taken}, {"digest", digest}}.dump(), "application/json");
}

Status Hub::ImportChunk(const WorkspaceId& ws, std::string_view bytes, AppendResult* out) {
  Chunk chunk;
  HAMLET_RETURN_IF_ERROR(DecodeChunk(bytes, &chunk));
  if (chunk.workspace != ws) return Status::DataLoss(Tr("the chunk belongs to another workspace"));
  std::string admin_pk;
  size_t registered = 0;
  HAMLET_RETURN_IF_ERROR(store_->AdminKey(ws, &admin_pk));
  HAMLET_RETURN_IF_ERROR(RegisterCertificates(ws, admin_pk, chunk, &registered));
  HAMLET_RETURN_IF_ERROR(Ingest(ws, chunk, nullptr, out));
  metrics_.commits_stored += out->stored;
  return Status::OK();
}

}  // namespace hamlet::hub
