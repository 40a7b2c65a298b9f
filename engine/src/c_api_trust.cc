// The C API of what a hub may withhold (hamlet.h, protocol.md 7.4, 13.6):
// the admin's epoch statements, the checks on a hub's answers for apps that
// talk to a hub with their own HTTP stack, and the warnings.
#include <nlohmann/json.hpp>
#include <string>

#include "c_api_util.h"
#include "hamlet.h"
#include "hamlet/c_bridge.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"
#include "hex.h"

using hamlet::Status;
using hamlet::capi::CopyBytes;
using hamlet::capi::CopyString;
using hamlet::capi::Fail;
using hamlet::capi::Guarded;
using hamlet::capi::ParseId;

namespace {

#define RETURN_IF_ERROR_INT(expr)  \
  do {                             \
    ::hamlet::Status _s = (expr);  \
    if (!_s.ok()) return Fail(_s); \
  } while (0)

std::string_view Bytes(const unsigned char* p, size_t len) { return {reinterpret_cast<const char*>(p), len}; }

}  // namespace

int hamlet_renew_epoch_statement(hamlet_replica* r, const char* workspace, unsigned char** out, size_t* out_len) {
  HAMLET_CHECK_ARG(r && out && out_len, "replica, out and out_len are required");
  *out = nullptr;
  *out_len = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    std::string statement;
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->RenewEpochStatement(ws, &statement));
    if (!statement.empty()) {
      *out = CopyBytes(statement);
      *out_len = statement.size();
    }
    return HAMLET_OK;
  });
}

int hamlet_accept_epoch_statement(hamlet_replica* r, const unsigned char* statement, size_t len) {
  HAMLET_CHECK_ARG(r && statement, "replica and statement are required");
  return Guarded([&] {
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->AcceptEpochStatement(Bytes(statement, len)));
    return HAMLET_OK;
  });
}

int hamlet_set_statement_max_age(hamlet_replica* r, int64_t ms) {
  HAMLET_CHECK_ARG(r && ms > 0, "replica is required and ms must be positive");
  hamlet::ReplicaOfHandle(r)->SetStatementMaxAge(ms);
  return HAMLET_OK;
}

int hamlet_check_hub_session(hamlet_replica* r, const char* workspace, const char* session_json, uint64_t* out_pull_from) {
  HAMLET_CHECK_ARG(r && session_json && out_pull_from, "replica, session_json and out_pull_from are required");
  *out_pull_from = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    nlohmann::json j = nlohmann::json::parse(session_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("hub") || !j["hub"].is_string() || !j.contains("instance") ||
        !j["instance"].is_string() || !j.contains("head") || !j["head"].is_number_unsigned() ||
        !j.contains("contiguous") || !j["contiguous"].is_number_unsigned()) {
      return Fail(
          Status::InvalidArgument(hamlet::Tr("session_json takes {\"hub\": URL, \"instance\": HEX, \"head\": N, "
                                     "\"contiguous\": N} from the session answer")));
    }
    hamlet::HubSession session;
    session.hub = j["hub"].get<std::string>();
    session.instance = j["instance"].get<std::string>();
    session.head = j["head"].get<uint64_t>();
    session.contiguous = j["contiguous"].get<uint64_t>();
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->CheckHubSession(ws, session, out_pull_from));
    return HAMLET_OK;
  });
}

int hamlet_check_hub_keys(hamlet_replica* r, const char* workspace, const char* hub, const char* keys_json) {
  HAMLET_CHECK_ARG(r && hub && keys_json, "replica, hub and keys_json are required");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    nlohmann::json j = nlohmann::json::parse(keys_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("revocations") || !j["revocations"].is_array()) {
      return Fail(
          Status::InvalidArgument(hamlet::Tr("keys_json takes the hub's keys answer, {\"revocations\": [HEX, ...], ...}")));
    }
    std::vector<std::string> served;
    for (const auto& x : j["revocations"]) {
      std::string raw;
      if (!x.is_string() || !hamlet::HexDecode(x.get<std::string>(), &raw)) {
        return Fail(Status::DataLoss(hamlet::Tr("the keys answer holds a malformed revocation")));
      }
      served.push_back(std::move(raw));
    }
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->CheckHubRevocations(ws, hub, served));
    return HAMLET_OK;
  });
}

int hamlet_check_hub_heads(hamlet_replica* r, const char* workspace, const char* hub, const char* heads_json,
                           int* out_pull_again) {
  HAMLET_CHECK_ARG(r && hub && heads_json, "replica, hub and heads_json are required");
  if (out_pull_again) *out_pull_again = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    nlohmann::json j = nlohmann::json::parse(heads_json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Fail(Status::InvalidArgument(hamlet::Tr("heads_json takes the session answer's heads, {DEVICE: N, ...}")));
    }
    std::map<hamlet::DeviceId, uint64_t> heads;
    for (const auto& [hex, n] : j.items()) {
      auto d = hamlet::DeviceId::FromHex(hex);
      if (!d || !n.is_number_unsigned())
        return Fail(Status::InvalidArgument(hamlet::Tr("heads_json names a malformed device")));
      heads[*d] = n.get<uint64_t>();
    }
    bool again = false;
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->CheckHubHeads(ws, hub, heads, &again));
    if (out_pull_again) *out_pull_again = again ? 1 : 0;
    return HAMLET_OK;
  });
}

int hamlet_warnings(hamlet_replica* r, const char* workspace, char** out_json) {
  HAMLET_CHECK_ARG(r && out_json, "replica and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    std::vector<hamlet::Warning> all;
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->Warnings(ws, &all));
    nlohmann::json j = nlohmann::json::array();
    for (const hamlet::Warning& w : all) {
      j.push_back({{"kind", w.kind}, {"hub", w.hub}, {"message", w.message}});
    }
    *out_json = CopyString(j.dump());
    return HAMLET_OK;
  });
}
