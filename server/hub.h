// Hub: the HTTP face of a hub store (protocol.md, "Hub protocol").
//
// It checks who is talking (signed requests in challenge sessions), checks
// certificates and commit signatures against the workspace admin's key, and
// stores and relays sealed commits. It holds no workspace key and opens no
// commit. Handlers run on cpp-httplib's thread pool; Hub is thread safe.
// hub.cc holds routes and sessions, hub_enroll.cc enrollment and keys,
// hub_sync.cc push, pull and bundle import, hub_attachments.cc attachments,
// hub_status.cc the operator pages.
#ifndef HAMLET_SERVER_HUB_H_
#define HAMLET_SERVER_HUB_H_

#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "chunk.h"
#include "hamlet/env.h"
#include "hub_store.h"
#include "identity.h"

namespace hamlet::hub {

// A request's number parameter name, def when absent: InvalidArgument
// unless it is a non-negative integer.
Status NumberParam(const httplib::Request& req, const char* name, uint64_t def, uint64_t* out);
// A request's Content-Length, 0 when absent: InvalidArgument when malformed.
Status ContentLength(const httplib::Request& req, uint64_t* length);

struct HubOptions {
  int64_t session_ttl_ms = 30 * 60 * 1000;  // How long a challenge session lasts.
  size_t max_pull_bytes = 4 << 20;          // The largest chunk a pull returns.
  size_t max_body_bytes = 16 << 20;         // The largest request body accepted.
  int64_t stale_after_days = 7;             // Devices silent this long are flagged on the status page.
  int64_t join_ttl_ms = 8 * 86400000LL;     // Unanswered join requests are forgotten after this
                                            // (an invite admits for 7 days).
  uint64_t max_attachment_bytes = 20 << 20;              // One attached file (protocol.md 14), before sealing.
  uint64_t attachment_quota_bytes = uint64_t{10} << 30;  // The sealed attachments of one workspace.
};

class Hub {
 public:
  // store and env must outlive the Hub.
  Hub(HubStore* store, Env* env, HubOptions options);

  // Installs the routes, limits and error handling on server.
  void Install(httplib::Server* server);

  // Creates a publish token, returns it; only its hash is stored.
  Status CreateToken(std::string* token);
  // Creates an operator token for the status pages and metrics.
  Status CreateOperatorToken(std::string* token);

  // What importing a bundle stored.
  struct BundleImport {
    WorkspaceId workspace;
    size_t chunks = 0, commits = 0, stored = 0, duplicates = 0, devices_registered = 0;
    size_t revocations = 0;  // Revocations from the bundle's notices, new or known.
  };
  // Stores the commits of a bundle file (protocol.md, "Bundles") as if each
  // author had pushed them: every commit must be signed by a device whose
  // certificate the workspace admin signed (one the hub lacks is registered
  // from the bundle) and be within its revocation limit. Each chunk is
  // stored all or nothing; importing a bundle twice changes nothing. Safe to
  // call while the hub serves.
  Status ImportBundle(std::string_view bytes, BundleImport* out);

  // Stores the commits of a chunk another hub served (a relay's pull),
  // checked as a bundle's are: authors certified by the admin (an unknown
  // one registered from the chunk), within their revocations. All or none.
  Status ImportChunk(const WorkspaceId& ws, std::string_view bytes, AppendResult* out);

  // A workspace's membership as a relay carries it (protocol.md 13.7):
  // every certificate, revocation and key grant, and the epoch statement.
  struct Membership {
    std::vector<std::string> certificates, revocations, grants;
    std::string statement;
  };
  Status ReadMembership(const WorkspaceId& ws, Membership* out);
  // 32 hex digits over what identifies each item (devices, revoked
  // devices, grants by device and epoch, the statement): two hubs that
  // hold the same membership have the same digest.
  Status MembershipDigest(const WorkspaceId& ws, const Membership& m, std::string* digest);
  // Takes what of m this hub lacks, each item checked against the admin's
  // key first (a bad one stops the lot where it is; what was taken before
  // it stays, as each item stands alone). *taken counts what was new.
  Status TakeMembership(const WorkspaceId& ws, const Membership& m, size_t* taken);
  static std::string EncodeMembership(const Membership& m, const std::string& digest);
  static Status DecodeMembership(std::string_view text, Membership* out, std::string* digest);

 private:
  struct Metrics {
    std::mutex mu;
    std::map<std::string, uint64_t> requests;  // By route.
    std::map<std::string, uint64_t> errors;    // By status code name.
    std::atomic<uint64_t> commits_stored{0};
    std::atomic<uint64_t> bytes_in{0};
    std::atomic<uint64_t> bytes_out{0};
    std::atomic<uint64_t> sync_micros{0};
    std::atomic<uint64_t> sync_requests{0};
  };

  void Publish(const httplib::Request& req, httplib::Response& res);
  void AddDevice(const httplib::Request& req, httplib::Response& res);
  void Session(const httplib::Request& req, httplib::Response& res);
  void PostJoin(const httplib::Request& req, httplib::Response& res);
  void ListJoins(const httplib::Request& req, httplib::Response& res);
  void PostAdmission(const httplib::Request& req, httplib::Response& res);
  void GetAdmission(const httplib::Request& req, httplib::Response& res);
  void Revoke(const httplib::Request& req, httplib::Response& res);
  void Grants(const httplib::Request& req, httplib::Response& res);
  void Keys(const httplib::Request& req, httplib::Response& res);
  void PostStatement(const httplib::Request& req, httplib::Response& res);
  // Checks the admin's signature on a revocation or statement of ws and
  // stores it (a revocation also ends the device's access and drops its
  // commits beyond the last one named). *device names a revoked device.
  Status TakeRevocation(const WorkspaceId& ws, const std::string& admin_pk, std::string_view bytes, DeviceId* device);
  Status TakeStatement(const WorkspaceId& ws, const std::string& admin_pk, std::string_view bytes);
  void GetMembership(const httplib::Request& req, httplib::Response& res);
  void PostMembership(const httplib::Request& req, httplib::Response& res);
  // Authenticates a relay hub of ws (a device whose certificate has the
  // relay role); on failure writes the error.
  bool AuthenticateRelay(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws);
  void Push(const httplib::Request& req, httplib::Response& res);
  void Pull(const httplib::Request& req, httplib::Response& res);
  // Where the commits stored in the last days begin (protocol.md 13.4).
  void Recent(const httplib::Request& req, httplib::Response& res);
  // Attachments (hub_attachments.cc, protocol.md 14).
  void PostAttachment(const httplib::Request& req, httplib::Response& res);
  void GetAttachment(const httplib::Request& req, httplib::Response& res);
  void PutAttachmentData(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void GetAttachmentData(const httplib::Request& req, httplib::Response& res);
  void GetAttachmentHeld(const httplib::Request& req, httplib::Response& res);
  // Snapshots (hub_snapshot.cc, protocol.md 6.5).
  void PutSnapshot(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void GetSnapshotHeld(const httplib::Request& req, httplib::Response& res);
  void GetSnapshot(const httplib::Request& req, httplib::Response& res);
  // Checks a snapshot device uploaded whole and keeps it as ws's newest.
  Status TakeSnapshot(const WorkspaceId& ws, const Certificate& cert, const std::string& snapshot, uint64_t* position,
                      bool* kept);
  void StatusJson(const httplib::Request& req, httplib::Response& res);
  void StatusPage(const httplib::Request& req, httplib::Response& res);
  void MetricsText(const httplib::Request& req, httplib::Response& res);

  // Checks the commits of chunk (signatures, authors, revocation limits) and
  // stores them all or none. Every author must be a device the hub knows:
  // the pusher (whose certificate a push passes), or another member whose
  // commits an import or a push relays, checked the same way and within
  // the admin's revocations.
  Status Ingest(const WorkspaceId& ws, const Chunk& chunk, const Certificate* pusher, AppendResult* out);
  // Registers the devices whose certificates chunk carries and the hub
  // lacks, each signed by the workspace's admin (a bad one fails the lot);
  // counts them in *registered.
  Status RegisterCertificates(const WorkspaceId& ws, const std::string& admin_pk, const Chunk& chunk,
                              size_t* registered);

  // Authenticates a request to workspace ws; on failure writes the error.
  // Sets the caller's device and, if cert is given, its certificate.
  bool Authenticate(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws, DeviceId* device,
                    Certificate* cert = nullptr);
  // Authenticates the workspace admin; sets *admin_pk.
  bool AuthenticateAdmin(const httplib::Request& req, httplib::Response& res, const WorkspaceId& ws,
                         std::string* admin_pk);
  void Fail(httplib::Response& res, const Status& s);
  // The operator pages need an operator token: "Authorization: Bearer T"
  // or ?token=T. On failure writes the error.
  bool AuthenticateOperator(const httplib::Request& req, httplib::Response& res);
  // The workspace id of a /v1/workspaces/<32 hex>/... path.
  static bool WorkspaceFrom(const httplib::Request& req, WorkspaceId* ws);
  void Count(const std::string& route);

  HubStore* store_;
  Env* env_;
  HubOptions options_;
  Metrics metrics_;
};

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_HUB_H_
