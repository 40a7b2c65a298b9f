// What a hub may withhold (protocol.md 7.4, 13.6): the admin's epoch
// statements, the checks on a hub's answers, and the warnings they leave.
#include <algorithm>
#include <set>

#include "format.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"
#include "replica_impl.h"
#include "statement.h"

namespace hamlet {

namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000LL;

std::string StatementKey(const WorkspaceId& ws) { return "statement " + ws.Hex(); }
std::string StatementAtKey(const WorkspaceId& ws) { return "statement_at " + ws.Hex(); }
std::string WarningsKey(const WorkspaceId& ws) { return "warnings " + ws.Hex(); }

// The hub problems remembered for a workspace, encoded in one meta value:
// varint n, then n times (bytes kind, bytes hub, bytes message).
Status LoadHubWarnings(Store& store, const WorkspaceId& ws, std::vector<Warning>* out) {
  std::string v;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(store.GetMeta(WarningsKey(ws), &v, &found));
  out->clear();
  if (!found) return Status::OK();
  Reader r(v);
  uint64_t n = r.Varint();
  for (uint64_t i = 0; i < n && r.ok(); i++) {
    Warning w;
    w.kind = r.Bytes(256);
    w.hub = r.Bytes(4096);
    w.message = r.Bytes(64 << 10);
    if (r.ok()) out->push_back(std::move(w));
  }
  if (!r.done()) return Status::DataLoss(Tr("the stored warnings are damaged"));
  return Status::OK();
}

// Replaces the warning of this kind and hub with w (or drops it when
// message is empty).
Status SetHubWarning(Store& store, const WorkspaceId& ws, const std::string& kind, std::string_view hub,
                     const std::string& message) {
  std::vector<Warning> all;
  HAMLET_RETURN_IF_ERROR(LoadHubWarnings(store, ws, &all));
  all.erase(std::remove_if(all.begin(), all.end(), [&](const Warning& w) { return w.kind == kind && w.hub == hub; }),
            all.end());
  if (!message.empty()) all.push_back(Warning{kind, std::string(hub), message});
  std::string v;
  Writer w(&v);
  w.Varint(all.size());
  for (const Warning& x : all) {
    w.Bytes(x.kind);
    w.Bytes(x.hub);
    w.Bytes(x.message);
  }
  return store.PutMeta(WarningsKey(ws), v);
}

std::string Short(const DeviceId& d) { return d.Hex().substr(0, 8); }

}  // namespace

Status Replica::Impl::NoteStatementArrived(const WorkspaceId& ws) {
  return PutNumber(*store, StatementAtKey(ws), static_cast<uint64_t>(env->NowMillis()));
}

Status Replica::RenewEpochStatement(const WorkspaceId& ws, std::string* statement) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  statement->clear();
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  if (admin_pk != m.keys->sign_public_key()) return Status::OK();
  uint32_t epoch = 0;
  HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(ws, &epoch));
  std::vector<std::pair<DeviceId, std::string>> revocations;
  HAMLET_RETURN_IF_ERROR(m.store->ListRevocations(ws, &revocations));
  std::vector<DeviceId> revoked;
  for (auto& [d, bytes] : revocations) revoked.push_back(d);
  int64_t now = m.env->NowMillis();
  std::string held_bytes;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetMeta(StatementKey(ws), &held_bytes, &found));
  EpochStatement held;
  if (found && ParseEpochStatement(held_bytes, admin_pk, &held).ok() && held.epoch == epoch &&
      held.revoked == revoked && now - held.issued_ms < format::kStatementRefreshMs && now >= held.issued_ms) {
    return Status::OK();  // Still current.
  }
  // Each statement is newer than the last, even if this clock went back.
  int64_t issued = found ? std::max(now, held.issued_ms + 1) : now;
  EpochStatement fresh = IssueEpochStatement(ws, epoch, issued, revoked, m.keys->sign_secret_key());
  HAMLET_RETURN_IF_ERROR(InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.store->PutMeta(StatementKey(ws), fresh.bytes));
    return m.NoteStatementArrived(ws);
  }));
  *statement = fresh.bytes;
  return Status::OK();
}

Status Replica::AcceptEpochStatement(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  WorkspaceId ws;
  HAMLET_RETURN_IF_ERROR(StatementWorkspace(bytes, &ws));
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  EpochStatement st;
  HAMLET_RETURN_IF_ERROR(ParseEpochStatement(bytes, admin_pk, &st));
  std::string held_bytes;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetMeta(StatementKey(ws), &held_bytes, &found));
  EpochStatement held;
  if (found && ParseEpochStatement(held_bytes, admin_pk, &held).ok() && held.issued_ms >= st.issued_ms) {
    return Status::OK();  // Not newer: a hub replaying an old one changes nothing.
  }
  return InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.store->PutMeta(StatementKey(ws), st.bytes));
    return m.NoteStatementArrived(ws);
  });
}

Status Replica::EpochStatementOf(const WorkspaceId& ws, std::string* statement) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  bool found = false;
  HAMLET_RETURN_IF_ERROR(impl_->store->GetMeta(StatementKey(ws), statement, &found));
  if (!found) statement->clear();
  return Status::OK();
}

void Replica::SetStatementMaxAge(int64_t ms) { impl_->statement_max_age_ms = ms; }

Status Replica::CheckHubSession(const WorkspaceId& ws, const HubSession& session, uint64_t* pull_from) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  Store& store = *m.store;
  uint64_t position = 0, delivered = 0;
  HAMLET_RETURN_IF_ERROR(GetNumber(store, PullKey(ws, session.hub), &position));
  HAMLET_RETURN_IF_ERROR(GetNumber(store, DeliveredKey(ws, session.hub), &delivered));
  std::string instance;
  bool known = false;
  HAMLET_RETURN_IF_ERROR(store.GetMeta(InstanceKey(ws, session.hub), &instance, &known));
  return InTransaction(&m, [&] {
    std::string restored;
    if (known && instance != session.instance) {
      restored = Format(Tr("The hub at %s is not the one this device last synced with (restored from a backup or "
                           "replaced): everything it holds is pulled again, so nothing is missed."),
                        session.hub.c_str());
    } else if (position > session.head) {
      restored = Format(Tr("The hub at %s holds a shorter log than this device had pulled (restored from a copy): "
                           "everything it holds is pulled again, so nothing is missed."),
                        session.hub.c_str());
    }
    if (!restored.empty()) {
      position = 0;
      HAMLET_RETURN_IF_ERROR(PutNumber(store, PullKey(ws, session.hub), 0));
      HAMLET_RETURN_IF_ERROR(PutOlderRange(store, ws, session.hub, 0, 0));
    }
    // Said until the next sync finds the same hub whole.
    HAMLET_RETURN_IF_ERROR(SetHubWarning(store, ws, "hub_restored", session.hub, restored));
    HAMLET_RETURN_IF_ERROR(store.PutMeta(InstanceKey(ws, session.hub), session.instance));
    std::string lost;
    if (session.contiguous < delivered) {
      lost = Format(Tr("The hub at %s had acknowledged this device's commits up to %llu but now holds only up to "
                       "%llu: they are sent again."),
                    session.hub.c_str(), static_cast<unsigned long long>(delivered),
                    static_cast<unsigned long long>(session.contiguous));
    }
    HAMLET_RETURN_IF_ERROR(SetHubWarning(store, ws, "hub_lost_commits", session.hub, lost));
    *pull_from = position;
    return Status::OK();
  });
}

Status Replica::CheckHubRevocations(const WorkspaceId& ws, std::string_view hub,
                                    const std::vector<std::string>& served) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::vector<std::pair<DeviceId, std::string>> held;
  HAMLET_RETURN_IF_ERROR(m.store->ListRevocations(ws, &held));
  std::set<std::string> got(served.begin(), served.end());
  std::string missing;
  for (auto& [device, bytes] : held) {
    if (!got.count(bytes)) missing += (missing.empty() ? "" : ", ") + Short(device);
  }
  std::string message;
  if (!missing.empty()) {
    message = Format(Tr("The hub at %s does not pass on the revocation of device %s, which this device holds: "
                        "members who sync only there may still take its commits."),
                     std::string(hub).c_str(), missing.c_str());
  }
  return SetHubWarning(*m.store, ws, "hub_withholds_revocation", hub, message);
}

Status Replica::CheckHubHeads(const WorkspaceId& ws, std::string_view hub, const std::map<DeviceId, uint64_t>& heads,
                              bool* short_of_out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  Store& store = *m.store;
  if (short_of_out) *short_of_out = false;
  uint64_t older_after = 0, older_upto = 0;
  HAMLET_RETURN_IF_ERROR(GetOlderRange(store, ws, hub, &older_after, &older_upto));
  if (older_upto > 0) return Status::OK();  // The older commits are still to come.
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(store.GetChains(ws, &chains));
  // A commit set aside came all the same (a key or certificate it waits
  // for is this replica's lack, not the hub's).
  std::vector<AsideRow> aside;
  HAMLET_RETURN_IF_ERROR(store.ListAside(ws, false, &aside));
  std::set<std::pair<DeviceId, uint64_t>> came;
  for (const AsideRow& row : aside) came.emplace(row.author, row.seq);
  std::string short_of;
  for (const auto& [author, claimed] : heads) {
    if (author == m.device) continue;
    uint64_t want = claimed, cut = 0;
    bool revoked = false;
    HAMLET_RETURN_IF_ERROR(store.GetRevocation(ws, author, &cut, &revoked));
    if (revoked) want = std::min(want, cut);
    uint64_t have = chains.count(author) ? chains[author].contiguous : 0;
    while (have < want) {
      bool held = came.count({author, have + 1}) > 0;
      if (!held) HAMLET_RETURN_IF_ERROR(store.HasCommit(ws, author, have + 1, &held));
      if (!held) break;
      have++;
    }
    if (have >= want) continue;
    short_of += (short_of.empty() ? "" : "; ") + Short(author) + " up to " + std::to_string(want) + ", sent up to " +
                std::to_string(have);
  }
  if (short_of_out) *short_of_out = !short_of.empty();
  return InTransaction(&m, [&] {
    if (short_of.empty()) return SetHubWarning(store, ws, "hub_withholds_commits", hub, "");
    HAMLET_RETURN_IF_ERROR(PutNumber(store, PullKey(ws, hub), 0));
    return SetHubWarning(store, ws, "hub_withholds_commits", hub,
                         "The hub at " + std::string(hub) + " claimed to hold commits it did not send (device " +
                             short_of + "). The next sync asks for everything again.");
  });
}

Status Replica::Warnings(const WorkspaceId& ws, std::vector<Warning>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  out->clear();
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  if (admin_pk != m.keys->sign_public_key()) {
    int64_t now = m.env->NowMillis();
    uint64_t arrived = 0;
    bool any = false;
    HAMLET_RETURN_IF_ERROR(GetNumber(*m.store, StatementAtKey(ws), &arrived, &any));
    int64_t silent = now - static_cast<int64_t>(arrived);
    if (any && silent > m.statement_max_age_ms.load()) {
      out->push_back(Warning{"no_recent_statement", "",
                             "No word from the workspace admin for " + std::to_string(silent / kDayMs) +
                                 " days: a device may have been revoked, or a new key issued, that this device has "
                                 "not heard of. Sync when you can; what you record now is kept either way."});
    }
    std::string bytes;
    bool found = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetMeta(StatementKey(ws), &bytes, &found));
    EpochStatement st;
    if (found && ParseEpochStatement(bytes, admin_pk, &st).ok()) {
      uint32_t epoch = 0;
      HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(ws, &epoch));
      if (st.epoch > epoch) {
        out->push_back(Warning{"key_withheld", "",
                               "The workspace admin moved to key " + std::to_string(st.epoch) +
                                   ", and this device holds key " + std::to_string(epoch) +
                                   " only: either this device was revoked, or its new key has not reached it (a hub "
                                   "keeps it back, or the admin has not yet published it). What you record now cannot "
                                   "be read by members on the new key."});
      }
      std::string missing;
      for (const DeviceId& d : st.revoked) {
        uint64_t unused = 0;
        bool held = false;
        HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(ws, d, &unused, &held));
        if (!held) missing += (missing.empty() ? "" : ", ") + Short(d);
      }
      if (!missing.empty()) {
        out->push_back(Warning{"revocation_withheld", "",
                               "The workspace admin revoked device " + missing +
                                   ", but its revocation has not reached this device: its commits are still taken "
                                   "here. Sync with the hub, or import a bundle from the admin."});
      }
    }
  }
  std::vector<Warning> hubs;
  HAMLET_RETURN_IF_ERROR(LoadHubWarnings(*m.store, ws, &hubs));
  out->insert(out->end(), hubs.begin(), hubs.end());
  return Status::OK();
}

}  // namespace hamlet
