// The C API: a thin, exception-free shell over hamlet::Replica.
#include "hamlet.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "c_api_util.h"
#include "crypto.h"
#include "hamlet/json.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"

struct hamlet_replica {
  std::unique_ptr<hamlet::Replica> replica;
};

namespace {

using hamlet::Status;

thread_local std::string t_errmsg = "no error";

static_assert(HAMLET_EINVALID == static_cast<int>(hamlet::Code::kInvalidArgument));
static_assert(HAMLET_EDENIED == static_cast<int>(hamlet::Code::kPermissionDenied));
static_assert(HAMLET_EUNAVAILABLE == static_cast<int>(hamlet::Code::kUnavailable));
static_assert(HAMLET_EDATALOSS == static_cast<int>(hamlet::Code::kDataLoss));
static_assert(HAMLET_EUNAUTHENTICATED == static_cast<int>(hamlet::Code::kUnauthenticated));
static_assert(HAMLET_VERSION_NUMBER == 1000);

using hamlet::capi::CopyBytes;
using hamlet::capi::CopyString;
using hamlet::capi::Fail;
using hamlet::capi::Guarded;

Status Workspace(const char* hex, hamlet::WorkspaceId* out) { return hamlet::capi::ParseId(hex, "workspace", out); }

#define HAMLET_RETURN_IF_ERROR_INT(expr)   \
  do {                                     \
    ::hamlet::Status _s = (expr);          \
    if (!_s.ok()) return Fail(_s);         \
  } while (0)

#define CHECK_ARG(cond, msg) HAMLET_CHECK_ARG(cond, msg)

hamlet::OpenOptions Options(int flags) {
  hamlet::OpenOptions o;
  o.create_if_missing = !(flags & HAMLET_OPEN_NO_CREATE);
  o.durable = !(flags & HAMLET_OPEN_RELAXED);
  if (flags & HAMLET_OPEN_ONE_THREAD) o.import_threads = 1;
  if (flags & HAMLET_OPEN_UNGROUPED) o.group_commits = false;
  if (flags & HAMLET_OPEN_KDF_INTERACTIVE) {
    o.pwhash_opslimit = hamlet::PwhashOpsInteractive();
    o.pwhash_memlimit = hamlet::PwhashMemInteractive();
  }
  return o;
}

}  // namespace

namespace hamlet {

Replica* ReplicaOfHandle(hamlet_replica* r) { return r == nullptr ? nullptr : r->replica.get(); }

int SetCError(const Status& s) {
  assert(!s.ok());
  t_errmsg = s.message().empty() ? Status::CodeName(s.code()) : s.message();
  return static_cast<int>(s.code());
}

}  // namespace hamlet

extern "C" {

const char* hamlet_version(void) { return HAMLET_VERSION; }
int hamlet_version_number(void) { return HAMLET_VERSION_NUMBER; }
int hamlet_code_retryable(int code) { return Status::IsRetryable(static_cast<hamlet::Code>(code)) ? 1 : 0; }
const char* hamlet_code_name(int code) { return Status::CodeName(static_cast<hamlet::Code>(code)); }
int hamlet_role_officer(void) { return HAMLET_ROLE_OFFICER; }
int hamlet_role_cadre(void) { return HAMLET_ROLE_CADRE; }
int hamlet_open_no_create(void) { return HAMLET_OPEN_NO_CREATE; }
int hamlet_open_relaxed(void) { return HAMLET_OPEN_RELAXED; }
int hamlet_open_kdf_interactive(void) { return HAMLET_OPEN_KDF_INTERACTIVE; }
int hamlet_open_one_thread(void) { return HAMLET_OPEN_ONE_THREAD; }
int hamlet_open_ungrouped(void) { return HAMLET_OPEN_UNGROUPED; }
const char* hamlet_errmsg(void) { return t_errmsg.c_str(); }
void hamlet_free(void* p) { std::free(p); }

int hamlet_open(const char* path, const char* passphrase, int flags, hamlet_replica** out) {
  CHECK_ARG(out, "out is NULL");
  *out = nullptr;
  CHECK_ARG(path && passphrase, "path and passphrase are required");
  return Guarded([&] {
    auto h = std::make_unique<hamlet_replica>();
    Status s = hamlet::Replica::OpenWithPassphrase(path, passphrase, Options(flags), &h->replica);
    if (!s.ok()) return Fail(s);
    *out = h.release();
    return HAMLET_OK;
  });
}

int hamlet_open_with_key(const char* path, const unsigned char key[32], int flags, hamlet_replica** out) {
  CHECK_ARG(out, "out is NULL");
  *out = nullptr;
  CHECK_ARG(path && key, "path and key are required");
  return Guarded([&] {
    auto h = std::make_unique<hamlet_replica>();
    Status s = hamlet::Replica::OpenWithKey(path, std::string_view(reinterpret_cast<const char*>(key), 32),
                                            Options(flags), &h->replica);
    if (!s.ok()) return Fail(s);
    *out = h.release();
    return HAMLET_OK;
  });
}

void hamlet_close(hamlet_replica* r) { delete r; }

int hamlet_device_id(hamlet_replica* r, char** out_hex) {
  CHECK_ARG(r && out_hex, "replica and out_hex are required");
  return Guarded([&] {
    *out_hex = CopyString(r->replica->device_id().Hex());
    return HAMLET_OK;
  });
}

int hamlet_workspace_create(hamlet_replica* r, char** out_workspace) {
  CHECK_ARG(r && out_workspace, "replica and out_workspace are required");
  *out_workspace = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    Status s = r->replica->CreateWorkspace(&ws);
    if (!s.ok()) return Fail(s);
    *out_workspace = CopyString(ws.Hex());
    return HAMLET_OK;
  });
}

int hamlet_workspaces(hamlet_replica* r, char** out_json) {
  CHECK_ARG(r && out_json, "replica and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    std::vector<hamlet::WorkspaceId> all;
    Status s = r->replica->Workspaces(&all);
    if (!s.ok()) return Fail(s);
    nlohmann::json j = nlohmann::json::array();
    for (auto& ws : all) j.push_back(ws.Hex());
    *out_json = CopyString(j.dump());
    return HAMLET_OK;
  });
}

int hamlet_join_request(hamlet_replica* r, unsigned char** out, size_t* out_len) {
  CHECK_ARG(r && out && out_len, "replica, out and out_len are required");
  *out = nullptr;
  *out_len = 0;
  return Guarded([&] {
    std::string req;
    Status s = r->replica->JoinRequest(&req);
    if (!s.ok()) return Fail(s);
    *out = CopyBytes(req);
    *out_len = req.size();
    return HAMLET_OK;
  });
}

int hamlet_admit(hamlet_replica* r, const char* workspace, const unsigned char* request, size_t request_len,
                 int role, unsigned char** out_envelope, size_t* out_len) {
  CHECK_ARG(r && request && out_envelope && out_len, "replica, request, out_envelope and out_len are required");
  *out_envelope = nullptr;
  *out_len = 0;
  CHECK_ARG(role == HAMLET_ROLE_OFFICER || role == HAMLET_ROLE_CADRE, "role is HAMLET_ROLE_OFFICER or _CADRE");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    Status s = Workspace(workspace, &ws);
    std::string env;
    if (s.ok()) {
      s = r->replica->Admit(ws, std::string_view(reinterpret_cast<const char*>(request), request_len),
                            static_cast<hamlet::Role>(role), &env);
    }
    if (!s.ok()) return Fail(s);
    *out_envelope = CopyBytes(env);
    *out_len = env.size();
    return HAMLET_OK;
  });
}

int hamlet_certify_relay(hamlet_replica* r, const char* workspace, const char* relay_request, char** out_device,
                         char** out_relay_file) {
  CHECK_ARG(r && relay_request && out_device && out_relay_file,
            "replica, relay_request, out_device and out_relay_file are required");
  *out_device = nullptr;
  *out_relay_file = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    hamlet::DeviceId device;
    std::string file;
    Status s = Workspace(workspace, &ws);
    if (s.ok()) s = r->replica->CertifyRelay(ws, relay_request, &device, &file);
    if (!s.ok()) return Fail(s);
    *out_device = CopyString(device.Hex());
    *out_relay_file = CopyString(file);
    return HAMLET_OK;
  });
}

int hamlet_invite_create(hamlet_replica* r, const char* workspace, int role, char** out_code) {
  CHECK_ARG(r && out_code, "replica and out_code are required");
  *out_code = nullptr;
  CHECK_ARG(role == HAMLET_ROLE_OFFICER || role == HAMLET_ROLE_CADRE, "role is HAMLET_ROLE_OFFICER or _CADRE");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    std::string code;
    Status s = Workspace(workspace, &ws);
    if (s.ok()) s = r->replica->CreateInvite(ws, static_cast<hamlet::Role>(role), &code);
    if (!s.ok()) return Fail(s);
    *out_code = CopyString(code);
    return HAMLET_OK;
  });
}

int hamlet_accept(hamlet_replica* r, const unsigned char* envelope, size_t len, const char* admin_device,
                  char** out_workspace) {
  CHECK_ARG(r && envelope && out_workspace, "replica, envelope and out_workspace are required");
  *out_workspace = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    std::string_view bytes(reinterpret_cast<const char*>(envelope), len);
    Status s;
    if (admin_device == nullptr) {
      s = r->replica->Accept(bytes, &ws);
    } else {
      hamlet::DeviceId admin;
      s = hamlet::capi::ParseId(admin_device, "admin_device", &admin);
      if (s.ok()) s = r->replica->Accept(bytes, admin, &ws);
    }
    if (!s.ok()) return Fail(s);
    *out_workspace = CopyString(ws.Hex());
    return HAMLET_OK;
  });
}

int hamlet_commit(hamlet_replica* r, const char* workspace, const char* batch_json, char** out_json) {
  CHECK_ARG(r && batch_json, "replica and batch_json are required");
  if (out_json) *out_json = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    hamlet::WriteBatch batch;
    std::vector<hamlet::RecordId> ids;
    HAMLET_RETURN_IF_ERROR_INT(hamlet::ParseWriteBatchJson(batch_json, &batch, &ids));
    hamlet::CommitInfo info;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->Commit(ws, batch, &info));
    if (out_json) {
      nlohmann::json j{{"seq", info.seq}, {"ids", nlohmann::json::array()}};
      for (auto& id : ids) j["ids"].push_back(id.Hex());
      *out_json = CopyString(j.dump());
    }
    return HAMLET_OK;
  });
}

int hamlet_named_record_id(const char* workspace, const char* collection, const char* name, char** out_hex) {
  CHECK_ARG(workspace && collection && name && out_hex, "workspace, collection, name and out_hex are required");
  *out_hex = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    if (!*collection) HAMLET_RETURN_IF_ERROR_INT(Status::InvalidArgument(hamlet::Tr("collection is empty")));
    *out_hex = CopyString(hamlet::Replica::NamedRecordId(ws, collection, name).Hex());
    return HAMLET_OK;
  });
}

int hamlet_get(hamlet_replica* r, const char* record_id, char** out_json) {
  CHECK_ARG(r && record_id && out_json, "replica, record_id and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    hamlet::RecordId id;
    HAMLET_RETURN_IF_ERROR_INT(hamlet::capi::ParseId(record_id, "record id", &id));
    hamlet::Record rec;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->Get(id, &rec));
    *out_json = CopyString(hamlet::RecordToJson(rec));
    return HAMLET_OK;
  });
}

int hamlet_find(hamlet_replica* r, const char* query_json, char** out_json) {
  CHECK_ARG(r && query_json && out_json, "replica, query_json and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    hamlet::Query q;
    HAMLET_RETURN_IF_ERROR_INT(hamlet::ParseQueryJson(query_json, &q));
    hamlet::QueryResult res;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->Find(q, &res));
    *out_json = CopyString(hamlet::QueryResultToJson(res));
    return HAMLET_OK;
  });
}

int hamlet_set_index(hamlet_replica* r, const char* collection, const char* spec_json) {
  CHECK_ARG(r && collection && spec_json, "replica, collection and spec_json are required");
  return Guarded([&] {
    hamlet::IndexSpec spec;
    HAMLET_RETURN_IF_ERROR_INT(hamlet::ParseIndexSpecJson(spec_json, &spec));
    HAMLET_RETURN_IF_ERROR_INT(r->replica->SetIndex(collection, spec));
    return HAMLET_OK;
  });
}

int hamlet_conflicts(hamlet_replica* r, const char* workspace, char** out_json) {
  CHECK_ARG(r && out_json, "replica and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    std::vector<hamlet::Conflict> cs;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->Conflicts(ws, &cs));
    *out_json = CopyString(hamlet::ConflictsToJson(cs));
    return HAMLET_OK;
  });
}

int hamlet_state_digest(hamlet_replica* r, const char* workspace, char** out_hex) {
  CHECK_ARG(r && out_hex, "replica and out_hex are required");
  *out_hex = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    std::string hex;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->StateDigest(ws, &hex));
    *out_hex = CopyString(hex);
    return HAMLET_OK;
  });
}

int hamlet_cursor(hamlet_replica* r, const char* workspace, char** out_cursor) {
  CHECK_ARG(r && out_cursor, "replica and out_cursor are required");
  *out_cursor = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    std::string c;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->Cursor(ws, &c));
    *out_cursor = CopyString(c);
    return HAMLET_OK;
  });
}

int hamlet_export(hamlet_replica* r, const char* workspace, const char* peer_cursor, size_t max_bytes,
                  unsigned char** out_chunk, size_t* out_len, char** out_next_cursor, int* out_more) {
  CHECK_ARG(r && out_chunk && out_len && out_next_cursor && out_more, "replica and all out parameters are required");
  *out_chunk = nullptr;
  *out_len = 0;
  *out_next_cursor = nullptr;
  *out_more = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    hamlet::ExportResult res;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->Export(ws, peer_cursor ? peer_cursor : "", max_bytes, &res));
    char* next = CopyString(res.next_cursor);
    unsigned char* chunk = nullptr;
    try {
      chunk = CopyBytes(res.chunk);
    } catch (...) {
      std::free(next);
      throw;
    }
    *out_chunk = chunk;
    *out_len = res.chunk.size();
    *out_next_cursor = next;
    *out_more = res.more ? 1 : 0;
    return HAMLET_OK;
  });
}

int hamlet_import(hamlet_replica* r, const unsigned char* chunk, size_t len, char** out_json) {
  CHECK_ARG(r && (chunk || len == 0), "replica and chunk are required");
  if (out_json) *out_json = nullptr;
  return Guarded([&] {
    hamlet::ImportResult res;
    HAMLET_RETURN_IF_ERROR_INT(
        r->replica->Import(std::string_view(reinterpret_cast<const char*>(chunk), len), &res));
    if (out_json) {
      nlohmann::json j{{"workspace", res.workspace.Hex()},
                       {"commits", res.commits},
                       {"applied", res.applied},
                       {"duplicates", res.duplicates},
                       {"set_aside", res.set_aside}};
      *out_json = CopyString(j.dump());
    }
    return HAMLET_OK;
  });
}

int hamlet_set_aside(hamlet_replica* r, const char* workspace, char** out_json) {
  CHECK_ARG(r && out_json, "replica and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    std::vector<hamlet::SetAsideCommit> all;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->SetAside(ws, &all));
    nlohmann::json j = nlohmann::json::array();
    for (const hamlet::SetAsideCommit& a : all) {
      j.push_back({{"author", a.author.Hex()},
                   {"seq", a.seq},
                   {"hash", a.hash},
                   {"code", static_cast<int>(a.code)},
                   {"reason", a.reason},
                   {"may_pass_later", a.may_pass_later},
                   {"in_log", a.in_log},
                   {"seen", a.seen_millis}});
    }
    *out_json = CopyString(j.dump());
    return HAMLET_OK;
  });
}

int hamlet_export_bundle(hamlet_replica* r, const char* workspace, const char* peer_cursor,
                         unsigned char** out_bundle, size_t* out_len, size_t* out_commits) {
  CHECK_ARG(r && out_bundle && out_len && out_commits, "replica, out_bundle, out_len and out_commits are required");
  *out_bundle = nullptr;
  *out_len = 0;
  *out_commits = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    std::string bundle;
    size_t commits = 0;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->ExportBundle(ws, peer_cursor ? peer_cursor : "", &bundle, &commits));
    *out_bundle = CopyBytes(bundle);
    *out_len = bundle.size();
    *out_commits = commits;
    return HAMLET_OK;
  });
}

int hamlet_import_bundle(hamlet_replica* r, const unsigned char* bundle, size_t len, char** out_json) {
  CHECK_ARG(r && (bundle || len == 0), "replica and bundle are required");
  if (out_json) *out_json = nullptr;
  return Guarded([&] {
    hamlet::BundleImportResult res;
    HAMLET_RETURN_IF_ERROR_INT(
        r->replica->ImportBundle(std::string_view(reinterpret_cast<const char*>(bundle), len), &res));
    if (out_json) {
      nlohmann::json j{{"workspace", res.workspace.Hex()},
                       {"exporter", res.exporter.IsZero() ? nlohmann::json() : nlohmann::json(res.exporter.Hex())},
                       {"exporter_cursor", res.exporter_cursor},
                       {"chunks", res.chunks},
                       {"commits", res.commits},
                       {"applied", res.applied},
                       {"duplicates", res.duplicates},
                       {"set_aside", res.set_aside}};
      *out_json = CopyString(j.dump());
    }
    return HAMLET_OK;
  });
}

int hamlet_device_certificate(hamlet_replica* r, const char* workspace, const char* device, unsigned char** out,
                              size_t* out_len) {
  CHECK_ARG(r && device && out && out_len, "replica, device, out and out_len are required");
  *out = nullptr;
  *out_len = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    hamlet::DeviceId d;
    HAMLET_RETURN_IF_ERROR_INT(hamlet::capi::ParseId(device, "device", &d));
    std::string cert;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->DeviceCertificate(ws, d, &cert));
    *out = CopyBytes(cert);
    *out_len = cert.size();
    return HAMLET_OK;
  });
}

int hamlet_authorize_request(hamlet_replica* r, const char* workspace, const char* method, const char* target,
                             const unsigned char* challenge, size_t challenge_len, uint64_t counter,
                             const unsigned char* body, size_t body_len, char** out_header) {
  CHECK_ARG(r && method && target && challenge && out_header && (body || body_len == 0),
            "replica, method, target, challenge and out_header are required");
  *out_header = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    std::string header;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->AuthorizeRequest(
        ws, method, target, std::string_view(reinterpret_cast<const char*>(challenge), challenge_len), counter,
        std::string_view(reinterpret_cast<const char*>(body), body_len), &header));
    *out_header = CopyString(header);
    return HAMLET_OK;
  });
}

int hamlet_export_authored(hamlet_replica* r, const char* workspace, uint64_t after, size_t max_bytes,
                           unsigned char** out_chunk, size_t* out_len, int* out_more) {
  CHECK_ARG(r && out_chunk && out_len && out_more, "replica and all out parameters are required");
  *out_chunk = nullptr;
  *out_len = 0;
  *out_more = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    hamlet::ExportResult ex;
    HAMLET_RETURN_IF_ERROR_INT(r->replica->ExportAuthored(ws, after, max_bytes, &ex));
    *out_chunk = CopyBytes(ex.chunk);
    *out_len = ex.chunk.size();
    *out_more = ex.more ? 1 : 0;
    return HAMLET_OK;
  });
}

int hamlet_pull_position(hamlet_replica* r, const char* workspace, const char* hub, uint64_t* out) {
  CHECK_ARG(r && hub && out, "replica, hub and out are required");
  *out = 0;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    HAMLET_RETURN_IF_ERROR_INT(r->replica->PullPosition(ws, hub, out));
    return HAMLET_OK;
  });
}

int hamlet_set_pull_position(hamlet_replica* r, const char* workspace, const char* hub, uint64_t position) {
  CHECK_ARG(r && hub, "replica and hub are required");
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    HAMLET_RETURN_IF_ERROR_INT(Workspace(workspace, &ws));
    HAMLET_RETURN_IF_ERROR_INT(r->replica->SetPullPosition(ws, hub, position));
    return HAMLET_OK;
  });
}

int hamlet_accept_key_grant(hamlet_replica* r, const unsigned char* grant, size_t len) {
  CHECK_ARG(r && grant, "replica and grant are required");
  return Guarded([&] {
    HAMLET_RETURN_IF_ERROR_INT(r->replica->AcceptKeyGrant(std::string_view(reinterpret_cast<const char*>(grant), len)));
    return HAMLET_OK;
  });
}

int hamlet_accept_revocation(hamlet_replica* r, const unsigned char* revocation, size_t len) {
  CHECK_ARG(r && revocation, "replica and revocation are required");
  return Guarded([&] {
    HAMLET_RETURN_IF_ERROR_INT(
        r->replica->AcceptRevocation(std::string_view(reinterpret_cast<const char*>(revocation), len)));
    return HAMLET_OK;
  });
}

int hamlet_accept_certificate(hamlet_replica* r, const unsigned char* certificate, size_t len) {
  CHECK_ARG(r && certificate, "replica and certificate are required");
  return Guarded([&] {
    HAMLET_RETURN_IF_ERROR_INT(
        r->replica->AcceptCertificate(std::string_view(reinterpret_cast<const char*>(certificate), len)));
    return HAMLET_OK;
  });
}

int hamlet_seal_for_officers(hamlet_replica* r, const char* workspace, const char* text, char** out_sealed) {
  CHECK_ARG(r && text && out_sealed, "replica, text and out_sealed are required");
  *out_sealed = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    std::string sealed;
    Status s = Workspace(workspace, &ws);
    if (s.ok()) s = r->replica->SealForOfficers(ws, text, &sealed);
    if (!s.ok()) return Fail(s);
    *out_sealed = CopyString(sealed);
    return HAMLET_OK;
  });
}

int hamlet_unseal(hamlet_replica* r, const char* workspace, const char* sealed, char** out_text) {
  CHECK_ARG(r && sealed && out_text, "replica, sealed and out_text are required");
  *out_text = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    std::string text;
    Status s = Workspace(workspace, &ws);
    if (s.ok()) s = r->replica->Unseal(ws, sealed, &text);
    if (!s.ok()) return Fail(s);
    *out_text = CopyString(text);
    return HAMLET_OK;
  });
}

int hamlet_is_sealed(const char* value) { return value && hamlet::Replica::IsSealed(value) ? 1 : 0; }

}  // extern "C"
