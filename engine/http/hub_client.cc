#include "hamlet/hub_client.h"

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "attachment_transfer.h"
#include "hamlet/language.h"
#include "hex.h"
#include "hub_connection.h"
#include "hub_transfer.h"
#include "snapshot_transfer.h"

namespace hamlet {

using nlohmann::json;

struct HubClient::Impl {
  SyncOptions options;
  SyncMeter meter{options};
  HubConnection main;    // Every request but a concurrent pull's.
  HubConnection second;  // A pull's while the push runs.

  Impl(Replica* r, SyncOptions o)
      : options(std::move(o)), main(r, options, &meter, 0), second(r, options, &meter, 1) {}
};

namespace {

// An attachment refused for its size (OutOfRange, said after everything
// else was done) stands unless what came after failed too.
Status Join(const Status& refused, const Status& after) { return after.ok() ? refused : after; }

void Add(const SyncReport& from, SyncReport* to) {
  to->pushed += from.pushed;
  to->relayed += from.relayed;
  to->pulled += from.pulled;
  to->applied += from.applied;
  to->bytes_up += from.bytes_up;
  to->bytes_down += from.bytes_down;
  to->requests += from.requests;
  to->retries += from.retries;
}

// Keys first: a new epoch's key and the revocations the admin published,
// and the officers' certificates if this replica lacks some; then the
// admin's epoch statement, renewed at least once a day and after every
// revocation. *acknowledged is updated when a new session had to be opened.
// After the commits: this device's files up, wanted files down, and the
// bytes of dropped files the hub holds let go.
Status SyncAttachments(HubConnection* m, const WorkspaceId& ws, SyncReport* report) {
  Replica* replica = m->replica();
  Status refused = SendAttachments(m, ws, &report->files_sent);
  if (!refused.ok() && refused.code() != Code::kOutOfRange) return refused;
  std::vector<std::string> wanted;
  HAMLET_RETURN_IF_ERROR(replica->WantedAttachments(ws, &wanted));
  if (!wanted.empty()) m->meter()->Begin(m->lane(), "download");
  for (const std::string& file : wanted) {
    Status s = FetchAttachmentFile(m, ws, file);
    // Not on the hub whole yet: its device has not sent it. The next sync
    // tries again.
    if (s.code() == Code::kFailedPrecondition) continue;
    HAMLET_RETURN_IF_ERROR(s);
    report->files_fetched++;
    m->meter()->Commits(m->lane(), 1);
  }
  HAMLET_RETURN_IF_ERROR(replica->PruneAttachments(ws, nullptr));
  return refused;
}

Status SyncKeys(HubConnection* m, const WorkspaceId& ws, uint64_t* acknowledged) {
  const std::string base = "/v1/workspaces/" + ws.Hex();
  std::string officers;
  HAMLET_RETURN_IF_ERROR(m->replica()->OfficersDigest(ws, &officers));
  httplib::Result r(nullptr, httplib::Error::Unknown);
  Status s = m->Signed(ws, "GET", base + "/keys?officers=" + officers, "", &r);
  if (s.code() == Code::kUnauthenticated) {  // A hub restarted since the session opened: open another.
    HAMLET_RETURN_IF_ERROR(m->OpenSession(ws, acknowledged));
    s = m->Signed(ws, "GET", base + "/keys?officers=" + officers, "", &r);
  }
  HAMLET_RETURN_IF_ERROR(s);
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("grants") || !j["grants"].is_array() || !j.contains("revocations") ||
      !j["revocations"].is_array()) {
    return Status::DataLoss(Tr("hub: malformed keys answer"));
  }
  std::string raw;
  std::vector<std::string> served;
  for (const json& x : j["revocations"]) {
    if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw))
      return Status::DataLoss(Tr("hub: malformed revocation"));
    HAMLET_RETURN_IF_ERROR(m->replica()->AcceptRevocation(raw));
    served.push_back(raw);
  }
  HAMLET_RETURN_IF_ERROR(m->replica()->CheckHubRevocations(ws, m->options().hub, served));
  for (const json& x : j["grants"]) {
    if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw))
      return Status::DataLoss(Tr("hub: malformed key grant"));
    HAMLET_RETURN_IF_ERROR(m->replica()->AcceptKeyGrant(raw));
  }
  if (j.contains("officers")) {
    if (!j["officers"].is_array()) return Status::DataLoss(Tr("hub: malformed keys answer"));
    for (const json& x : j["officers"]) {
      if (!x.is_string() || !HexDecode(x.get<std::string>(), &raw))
        return Status::DataLoss(Tr("hub: malformed certificate"));
      HAMLET_RETURN_IF_ERROR(m->replica()->AcceptCertificate(raw));
    }
  }
  if (j.contains("statement")) {
    if (!j["statement"].is_string() || !HexDecode(j["statement"].get<std::string>(), &raw)) {
      return Status::DataLoss(Tr("hub: malformed epoch statement"));
    }
    HAMLET_RETURN_IF_ERROR(m->replica()->AcceptEpochStatement(raw).WithContext("hub: "));
  }
  // The admin speaks at least once a day, and after every revocation.
  std::string statement;
  HAMLET_RETURN_IF_ERROR(m->replica()->RenewEpochStatement(ws, &statement));
  if (!statement.empty()) HAMLET_RETURN_IF_ERROR(m->Signed(ws, "POST", base + "/statements", statement, &r));
  return Status::OK();
}

// Whether this replica holds no other member's commit of ws: its first sync.
Status IsFirstSync(Replica* replica, const WorkspaceId& ws, bool* first) {
  std::vector<ChainStatus> chains;
  HAMLET_RETURN_IF_ERROR(replica->Chains(ws, &chains));
  *first = true;
  for (const ChainStatus& c : chains) {
    if (c.device != replica->device_id() && c.head > 0) *first = false;
  }
  return Status::OK();
}

// A device's first sync starts from the hub's snapshot when it holds one
// (protocol.md 6.5), and *position moves to where the snapshot reaches. A
// snapshot this replica refuses is said in the report, and everything is
// pulled instead, as without one.
Status StartFromHubSnapshot(HubConnection* m, const WorkspaceId& ws, const HubSession& session, uint64_t* position,
                            SyncReport* report) {
  if (!m->options().from_snapshot || *position != 0 || session.snapshot == 0) return Status::OK();
  Replica* replica = m->replica();
  bool first = false;
  HAMLET_RETURN_IF_ERROR(IsFirstSync(replica, ws, &first));
  if (!first) return Status::OK();
  std::string snapshot;
  bool found = false;
  Status s = FetchSnapshot(m, ws, &snapshot, &found);
  if (s.code() != Code::kDataLoss) HAMLET_RETURN_IF_ERROR(s);
  if (s.ok() && !found) return Status::OK();
  SnapshotInfo info;
  if (s.ok()) s = replica->StartFromSnapshot(ws, snapshot, m->options().hub, &info);
  if (!s.ok()) {
    report->snapshot_refused = s.message();
    return Status::OK();
  }
  report->started_from_snapshot = true;
  if (info.position_used) *position = info.position;
  return Status::OK();
}

// Recent first (protocol.md 13.4): a first pull that did not start from a
// snapshot asks the hub where the commits it stored in the last
// recent_days days begin, starts there, and leaves the older part of the
// log for PullOlder. A pull position of 0 with an older range left (the
// range was set, the position not) starts again from the beginning.
Status StartRecentFirst(HubConnection* m, const WorkspaceId& ws, uint64_t* position) {
  if (*position != 0) return Status::OK();
  Replica* replica = m->replica();
  const std::string& hub = m->options().hub;
  uint64_t older_after = 0, older_upto = 0;
  HAMLET_RETURN_IF_ERROR(replica->OlderRange(ws, hub, &older_after, &older_upto));
  if (older_upto > 0) HAMLET_RETURN_IF_ERROR(replica->SetOlderRange(ws, hub, 0, 0));
  if (m->options().recent_days <= 0) return Status::OK();
  bool first = false;
  HAMLET_RETURN_IF_ERROR(IsFirstSync(replica, ws, &first));
  if (!first) return Status::OK();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  HAMLET_RETURN_IF_ERROR(m->Signed(
      ws, "GET", "/v1/workspaces/" + ws.Hex() + "/recent?days=" + std::to_string(m->options().recent_days), "", &r));
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("after") || !j["after"].is_number_unsigned()) {
    return Status::DataLoss(Tr("hub: malformed recent answer"));
  }
  uint64_t after = j["after"].get<uint64_t>();
  if (after == 0) return Status::OK();  // Everything is recent.
  // The range first: a stop between the two starts over (above).
  HAMLET_RETURN_IF_ERROR(replica->SetOlderRange(ws, hub, 0, after));
  HAMLET_RETURN_IF_ERROR(replica->SetPullPosition(ws, hub, after));
  *position = after;
  return Status::OK();
}

// The older part of the log a recent-first pull left, unless this sync
// leaves it for the next (SyncOptions::older); said in the report while
// some is left.
Status SyncOlder(HubConnection* m, const WorkspaceId& ws, const std::map<DeviceId, uint64_t>& heads,
                 SyncReport* report) {
  Status s = m->options().older ? PullOlder(m, ws, heads) : Status::OK();
  uint64_t after = 0, upto = 0;
  Status left = m->replica()->OlderRange(ws, m->options().hub, &after, &upto);
  if (left.ok()) report->older_left = upto > after ? upto - after : 0;
  return s.ok() ? left : s;
}

// After a pull: an officer's or the admin's device gives the hub a new
// snapshot once the hub's log has grown enough past the newest it holds.
// A snapshot that does not get through waits for the next sync.
Status GiveHubSnapshot(HubConnection* m, const WorkspaceId& ws, const HubSession& session, SyncReport* report) {
  const uint64_t every = m->options().snapshot_every;
  if (every == 0) return Status::OK();
  Replica* replica = m->replica();
  uint64_t position = 0;
  HAMLET_RETURN_IF_ERROR(replica->PullPosition(ws, m->options().hub, &position));
  if (position < session.snapshot + every) return Status::OK();
  std::string snapshot;
  SnapshotInfo info;
  Status s = replica->MakeSnapshot(ws, m->options().hub, &snapshot, &info);
  // A cadre's device makes none, nor one still pulling the older part of the log.
  if (s.code() == Code::kPermissionDenied || s.code() == Code::kFailedPrecondition) return Status::OK();
  HAMLET_RETURN_IF_ERROR(s);
  bool kept = false;
  s = GiveSnapshot(m, ws, snapshot, &kept);
  if (s.code() == Code::kCancelled) return s;
  report->snapshot_given = s.ok() && kept;
  return Status::OK();
}

}  // namespace

HubClient::HubClient(Replica* replica, SyncOptions options)
    : impl_(std::make_unique<Impl>(replica, std::move(options))) {}
HubClient::~HubClient() = default;

Status HubClient::Publish(const WorkspaceId& ws, const std::string& token) {
  HubConnection& c = impl_->main;
  impl_->meter.Start();
  std::string cert;
  HAMLET_RETURN_IF_ERROR(c.replica()->DeviceCertificate(ws, c.replica()->device_id(), &cert));
  std::string body = json{{"token", token}, {"admin_certificate", HexEncode(cert)}}.dump();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  return c.Call([&] { return c.http().Post("/v1/workspaces", body, "application/json"); }, &r);
}

Status HubClient::RegisterDevice(const WorkspaceId& ws, const DeviceId& device) {
  HubConnection& c = impl_->main;
  impl_->meter.Start();
  std::string cert;
  HAMLET_RETURN_IF_ERROR(c.replica()->DeviceCertificate(ws, device, &cert));
  uint64_t unused = 0;
  HAMLET_RETURN_IF_ERROR(c.OpenSession(ws, &unused));
  httplib::Result r(nullptr, httplib::Error::Unknown);
  return c.Signed(ws, "POST", "/v1/workspaces/" + ws.Hex() + "/devices", cert, &r);
}

Status HubClient::RequestJoin(const std::string& code, WorkspaceId* ws, std::string* invite_id) {
  HubConnection& m = impl_->main;
  impl_->meter.Start();
  std::string request;
  HAMLET_RETURN_IF_ERROR(m.replica()->RequestJoin(code, ws, invite_id, &request));
  httplib::Result r(nullptr, httplib::Error::Unknown);
  return m.Call([&] { return m.http().Post("/v1/workspaces/" + ws->Hex() + "/joins", request, "application/octet-stream"); },
                &r);
}

Status HubClient::CompleteJoin(const WorkspaceId& ws, const std::string& invite_id) {
  HubConnection& m = impl_->main;
  impl_->meter.Start();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  Status s = m.Call([&] { return m.http().Get("/v1/workspaces/" + ws.Hex() + "/admissions/" + invite_id); }, &r);
  if (s.code() == Code::kNotFound) {
    return Status::Unavailable(
        Tr("the workspace admin has not admitted this device yet; try again after the admin syncs"));
  }
  HAMLET_RETURN_IF_ERROR(s);
  WorkspaceId joined;
  HAMLET_RETURN_IF_ERROR(m.replica()->Accept(r->body, &joined));
  if (joined != ws) return Status::DataLoss(Tr("hub: the envelope admits to another workspace"));
  return Status::OK();
}

Status HubClient::AdmitPending(const WorkspaceId& ws, size_t* admitted, size_t* refused) {
  HubConnection& m = impl_->main;
  impl_->meter.Start();
  *admitted = *refused = 0;
  uint64_t unused = 0;
  HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &unused));
  const std::string base = "/v1/workspaces/" + ws.Hex();
  httplib::Result r(nullptr, httplib::Error::Unknown);
  HAMLET_RETURN_IF_ERROR(m.Signed(ws, "GET", base + "/joins", "", &r));
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("requests") || !j["requests"].is_array()) {
    return Status::DataLoss(Tr("hub: malformed joins answer"));
  }
  for (const json& x : j["requests"]) {
    std::string request, envelope, cert, invite;
    if (!x.is_string() || !HexDecode(x.get<std::string>(), &request))
      return Status::DataLoss(Tr("hub: malformed join"));
    Status s = m.replica()->AdmitInvited(ws, request, &envelope, &cert, &invite);
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
  HubConnection& m = impl_->main;
  impl_->meter.Start();
  HAMLET_RETURN_IF_ERROR(m.replica()->Revoke(ws, device, result));
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
  HAMLET_RETURN_IF_ERROR(m.replica()->RenewEpochStatement(ws, &statement));
  if (statement.empty()) return Status::OK();
  return m.Signed(ws, "POST", base + "/statements", statement, &r);
}

void HubClient::Cancel() {
  impl_->meter.Stop();
  impl_->main.Interrupt();
  impl_->second.Interrupt();
}

Status HubClient::Sync(const WorkspaceId& ws, SyncReport* report) {
  Impl& impl = *impl_;
  HubConnection& m = impl.main;
  Replica* replica = m.replica();
  *report = SyncReport();
  m.set_report(report);
  struct Clear {
    HubConnection* m;
    ~Clear() { m->set_report(nullptr); }
  } clear{&m};
  const std::string base = "/v1/workspaces/" + ws.Hex();
  uint64_t acknowledged = 0, position = 0;
  HubSession session;
  std::map<DeviceId, uint64_t> heads;
  impl.meter.Start();
  HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &acknowledged, &session, &heads));
  // Where to pull from, unless this is not the hub it was (protocol.md 13.6).
  HAMLET_RETURN_IF_ERROR(replica->CheckHubSession(ws, session, &position));
  HAMLET_RETURN_IF_ERROR(replica->SetDelivered(ws, impl.options.hub, acknowledged));
  HAMLET_RETURN_IF_ERROR(SyncKeys(&m, ws, &acknowledged));
  HAMLET_RETURN_IF_ERROR(StartFromHubSnapshot(&m, ws, session, &position, report));
  HAMLET_RETURN_IF_ERROR(StartRecentFirst(&m, ws, &position));

  // A push of one page goes first and the pull after it on the same
  // connection (four requests in all for a day's work). A longer push runs
  // beside the pull, on a second connection with its own session: the
  // link carries both directions at once.
  ExportResult first;
  HAMLET_RETURN_IF_ERROR(replica->ExportAuthored(ws, acknowledged, FirstPage(impl.options), &first));
  if (!first.more) {
    Status s = PushChain(&m, ws, acknowledged);
    if (s.ok()) s = PushRelayed(&m, ws, heads);
    if (s.ok()) s = PullLog(&m, ws, position, heads);
    if (s.ok()) s = GiveHubSnapshot(&m, ws, session, report);
    if (s.ok()) s = SyncAttachments(&m, ws, report);
    if (s.ok() || s.code() == Code::kOutOfRange) s = Join(s, SyncOlder(&m, ws, heads, report));
    impl.meter.End(0);
    return s;
  }
  HubConnection& puller = impl.second;
  SyncReport pull_report;
  puller.set_report(&pull_report);
  std::mutex mu;
  Status failed;  // The first lane's failure; the other lane stops.
  auto finish = [&](int lane, const Status& s) {
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (failed.ok()) failed = s;
      impl.meter.Stop();
    }
    impl.meter.End(lane);
  };
  impl.meter.SetThreaded(true);
  std::thread push([&] {
    Status s = PushChain(&m, ws, acknowledged);
    if (s.ok()) s = PushRelayed(&m, ws, heads);
    finish(0, s);
  });
  std::thread pull([&] {
    uint64_t unused = 0;
    Status s = puller.OpenSession(ws, &unused);
    if (s.ok()) s = PullLog(&puller, ws, position, heads);
    finish(1, s);
  });
  impl.meter.ReportUntilEnded(2);
  push.join();
  pull.join();
  impl.meter.SetThreaded(false);
  puller.set_report(nullptr);
  Add(pull_report, report);
  HAMLET_RETURN_IF_ERROR(failed);
  Status s = GiveHubSnapshot(&m, ws, session, report);
  if (s.ok()) s = SyncAttachments(&m, ws, report);
  if (s.ok() || s.code() == Code::kOutOfRange) s = Join(s, SyncOlder(&m, ws, heads, report));
  impl.meter.End(0);
  return s;
}

Status HubClient::FetchAttachment(const WorkspaceId& ws, const RecordId& reference) {
  Impl& impl = *impl_;
  HubConnection& m = impl.main;
  Attachment a;
  HAMLET_RETURN_IF_ERROR(m.replica()->GetAttachment(reference, &a));
  if (a.workspace != ws) {
    return Status::InvalidArgument(
        Format(Tr("attachment %s is not in workspace %s"), reference.Hex().c_str(), ws.Hex().c_str()));
  }
  if (a.held) return Status::OK();
  impl.meter.Start();
  uint64_t acknowledged = 0;
  HAMLET_RETURN_IF_ERROR(m.OpenSession(ws, &acknowledged));
  impl.meter.Begin(0, "download");
  Status s = FetchAttachmentFile(&m, ws, a.file);
  if (s.ok()) impl.meter.Commits(0, 1);
  impl.meter.End(0);
  return s;
}

}  // namespace hamlet
