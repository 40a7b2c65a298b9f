// Relay: a hub that forwards its workspaces' sealed commits to an upstream
// hub (the commune's to the district's) and brings back what the upstream
// holds, blind, under a certificate the workspace admin gave it for
// relaying only (protocol.md 13.7). It speaks to the upstream as a device
// does: signed sessions, pull pages that resume after a cut, push pages
// that halve and double (engine/http's HubConnection and page loops).
//
// A round, for each relayed workspace: open a session; bring the two hubs'
// membership (certificates, revocations, key grants, the epoch statement)
// level; pull what the upstream has after where this hub stood; push what
// this hub holds of each chain above the upstream's heads. Where this hub
// stands at the upstream is kept in its store, keyed by the upstream's
// instance, so that any process of a hub on PostgreSQL can run a round.
//
// Thread safety: RunOnce runs on one thread at a time; Stop may be called
// from any thread. The Hub and the store must outlive the Relay.
#ifndef HAMLET_SERVER_RELAY_H_
#define HAMLET_SERVER_RELAY_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hamlet/hub_client.h"
#include "hub.h"
#include "hub_connection.h"
#include "hub_store.h"

namespace hamlet::hub {

// The hub's relay identity (Ed25519 and X25519 keys), made once and kept in
// its store; the same for every process of the hub.
class RelayIdentity final : public RequestSigner {
 public:
  // Loads the identity; NotFound when it was never made (MakeRelayIdentity).
  static Status Load(HubStore* store, std::unique_ptr<RelayIdentity>* out);
  // Makes the identity if the store has none, and loads it.
  static Status LoadOrMake(HubStore* store, std::unique_ptr<RelayIdentity>* out);

  DeviceId device() const override;
  Status Authorize(const WorkspaceId& ws, std::string_view method, std::string_view target,
                   std::string_view challenge, uint64_t counter, std::string_view body,
                   std::string* header) override;
  // A join request over the identity's keys, for the admin to certify
  // (hamlet relay certify).
  std::string JoinRequest() const;
  const std::string& sign_public_key() const { return sign_pk_; }

 private:
  std::string sign_pk_, sign_sk_, kx_pk_;
};

// Takes a relay file from the workspace admin (hamlet relay certify): the
// admin's certificate and this hub's relay certificate for a workspace.
// Serves the workspace from now on (created if new, with the admin's key)
// and relays it. InvalidArgument when the certificate is not for this
// hub's identity or not signed by the admin named.
Status AddRelayedWorkspace(HubStore* store, Env* env, std::string_view file, WorkspaceId* ws);
// The workspaces this hub relays.
Status RelayedWorkspaces(HubStore* store, std::vector<WorkspaceId>* out);

// How the last relay round of a workspace went, for the operator's pages.
struct RelayRound {
  std::string upstream;
  int64_t at = 0;       // When it ended (wall clock, ms).
  int64_t last_ok = 0;  // When a round last succeeded; 0 if never.
  std::string error;    // Empty when it succeeded.
};
// *found is false when no round of ws has run.
Status LastRelayRound(HubStore* store, const WorkspaceId& ws, RelayRound* out, bool* found);

struct RelayOptions {
  std::string upstream;        // The upstream hub's URL.
  int64_t every_ms = 30000;    // From the end of a round to the start of the next.
  SyncOptions sync;            // Timeouts, page sizes, the CA file; hub is set from upstream.
};

class Relay {
 public:
  // env gives the wall clock of the rounds' records.
  Relay(Hub* hub, HubStore* store, Env* env, RelayOptions options);
  ~Relay();  // Stops.

  // What a round moved, summed over the workspaces.
  struct Report {
    size_t workspaces = 0, failed = 0;
    size_t pushed = 0;       // Commits the upstream stored from this hub.
    size_t pulled = 0;       // Commits the upstream sent.
    size_t stored = 0;       // Of those, new to this hub.
    size_t members_up = 0;   // Membership items the upstream took.
    size_t members_down = 0; // Membership items this hub took.
  };
  // One round for every relayed workspace. A workspace that fails is
  // reported on stderr and counted; the others go on. The status is the
  // first failure.
  Status RunOnce(Report* report);
  // Rounds every options.every_ms on a thread of its own, each reported on
  // stdout when it moved anything, until Stop.
  void Start();
  void Stop();

 private:
  Status RunWorkspace(const WorkspaceId& ws, Report* report);
  Status LevelMembership(HubConnection* c, const WorkspaceId& ws, Report* report);

  Hub* hub_;
  HubStore* store_;
  Env* env_;
  RelayOptions options_;
  std::unique_ptr<RelayIdentity> identity_;
  std::map<WorkspaceId, HubConnection::Page> partial_;  // Pull pages cut, by workspace.

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  HubConnection* current_ = nullptr;  // Interrupted by Stop.
  std::thread thread_;
};

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_RELAY_H_
