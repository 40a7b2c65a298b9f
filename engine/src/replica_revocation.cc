// Revocations: the admin revoking a device, every replica taking note of
// it, and undoing what a revocation no longer lets count when it arrives
// after the revoked device's later commits did (protocol.md, "Revocation").
#include <set>

#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "replica_impl.h"

namespace hamlet {

Status Replica::Revoke(const WorkspaceId& ws, const DeviceId& device, RevokeResult* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  if (admin_pk != m.keys->sign_public_key())
    return Status::PermissionDenied(Tr("only the workspace admin revokes devices"));
  if (device == m.device) return Status::InvalidArgument(Tr("the admin cannot revoke itself"));
  std::vector<std::pair<DeviceId, std::string>> devices;
  HAMLET_RETURN_IF_ERROR(m.store->ListDevices(ws, &devices));
  bool member = false;
  for (auto& [d, cert] : devices) member |= d == device;
  if (!member)
    return Status::NotFound(
        Format(Tr("device %s is not a member of workspace %s"), device.Hex().c_str(), ws.Hex().c_str()));
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(m.store->GetChains(ws, &chains));
  uint32_t current = 0;
  HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(ws, &current));
  uint32_t epoch = current + 1;
  // The revocation names the device's last commit this replica holds with
  // all its predecessors, by number and hash: commits above it, or on any
  // other chain, never count anywhere after.
  uint64_t last_seq = chains[device].contiguous;
  std::string last_hash(kHashBytes, '\0');
  if (last_seq > 0) {
    std::string bytes;
    bool found = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetCommit(ws, device, last_seq, &bytes, &found));
    if (!found)
      return Status::DataLoss(
          Format(Tr("commit %s of the device is missing from the log"), std::to_string(last_seq).c_str()));
    last_hash = Hash(bytes);
  }
  Revocation rev = IssueRevocation(ws, device, last_seq, last_hash, epoch, m.keys->sign_secret_key());
  Key32 key = Key32::Random();
  RevokeResult result;
  result.epoch = epoch;
  result.revocation = rev.bytes;
  for (auto& [d, cert_bytes] : devices) {
    uint64_t unused = 0;
    bool revoked = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(ws, d, &unused, &revoked));
    if (d == device || d == m.device || revoked) continue;
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(cert_bytes, &cert));
    if (cert.role == format::kRoleRelay) continue;  // A relay hub reads nothing.
    result.grants.push_back(IssueKeyGrant(ws, epoch, d, cert.kx_public_key, key, m.keys->sign_secret_key()).bytes);
  }
  HAMLET_RETURN_IF_ERROR(InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.store->PutRevocation(ws, device, rev.last_seq, rev.last_hash, rev.bytes));
    return m.keys->AddWorkspaceKey(ws, epoch, key);
  }));
  *out = std::move(result);
  return Status::OK();
}

Status Replica::AcceptRevocation(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  WorkspaceId ws;
  HAMLET_RETURN_IF_ERROR(RevocationWorkspace(bytes, &ws));
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  Revocation rev;
  HAMLET_RETURN_IF_ERROR(ParseRevocation(bytes, admin_pk, &rev));
  uint64_t known_last = 0;
  bool known = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(rev.workspace, rev.device, &known_last, &known));
  if (known) return Status::OK();  // Taken before, and enforced then.
  HAMLET_RETURN_IF_ERROR(InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.store->PutRevocation(rev.workspace, rev.device, rev.last_seq, rev.last_hash, rev.bytes));
    return m.EnforceRevocation(rev);
  }));
  return m.RetryAside(rev.workspace);  // A revoked device's commits waiting for it are decided now.
}

Status Replica::Impl::EnforceRevocation(const Revocation& rev) {
  const WorkspaceId& ws = rev.workspace;
  std::map<DeviceId, Store::Baseline> baselines;
  HAMLET_RETURN_IF_ERROR(store->GetBaselines(ws, &baselines));
  if (auto b = baselines.find(rev.device); b != baselines.end()) {
    if (b->second.seq > rev.last_seq || (b->second.seq == rev.last_seq && b->second.hash != rev.last_hash)) {
      return StartOver(ws);  // The snapshot merged commits that do not count.
    }
  }
  std::vector<std::pair<uint64_t, std::string>> held;
  HAMLET_RETURN_IF_ERROR(store->ScanCommits(ws, rev.device, 0, [&](uint64_t seq, std::string_view bytes, size_t) {
    held.emplace_back(seq, std::string(bytes));
    return true;
  }));
  if (held.empty()) return Status::OK();
  std::map<uint64_t, std::string_view> none;
  RevokedChain chain(rev.last_seq, rev.last_hash, none, [&](uint64_t seq, std::string* bytes, bool* found) {
    return store->GetCommit(ws, rev.device, seq, bytes, found);
  });
  HAMLET_RETURN_IF_ERROR(chain.Init(held.front().first));
  const int64_t now = env->NowMillis();
  std::vector<AsideRow> dropped;
  for (const auto& [seq, bytes] : held) {
    SealedCommit c;
    HAMLET_RETURN_IF_ERROR(ParseCommit(bytes, &c));
    Status counts = chain.Check(c.header, c.Hash());
    if (!counts.ok()) dropped.push_back(MakeAside(c, counts, counts.code() == Code::kFailedPrecondition, false, now));
  }
  if (dropped.empty()) return Status::OK();
  // Records are made again from the log, which a replica that started from
  // a snapshot does not hold whole.
  if (!baselines.empty()) return StartOver(ws);
  // Those commits leave the log (kept aside), and the records are made
  // again from what remains, as if they had never arrived.
  for (const AsideRow& row : dropped) {
    HAMLET_RETURN_IF_ERROR(store->DeleteCommit(ws, row.author, row.seq));
    HAMLET_RETURN_IF_ERROR(store->PutAside(ws, row));
  }
  ChainInfo info;
  for (const auto& [seq, bytes] : held) {
    bool present = false;
    HAMLET_RETURN_IF_ERROR(store->HasCommit(ws, rev.device, seq, &present));
    if (!present) continue;
    info.head = seq;
    if (seq == info.contiguous + 1) info.contiguous = seq;
  }
  HAMLET_RETURN_IF_ERROR(store->PutChain(ws, rev.device, info));
  return RebuildRecords(ws);
}

Status Replica::Impl::MergeLogged(const WorkspaceId& ws, std::string_view bytes,
                                  std::map<uint32_t, const Key32*>* epoch_keys) {
  SealedCommit c;
  std::string body;
  std::vector<RecordOp> ops;
  HAMLET_RETURN_IF_ERROR(ParseCommit(bytes, &c));
  auto key = epoch_keys->find(c.header.epoch);
  if (key == epoch_keys->end()) {
    const Key32* k = nullptr;
    HAMLET_RETURN_IF_ERROR(keys->WorkspaceKey(ws, c.header.epoch, &k));
    key = epoch_keys->emplace(c.header.epoch, k).first;
  }
  HAMLET_RETURN_IF_ERROR(OpenCommit(ws, c, *key->second, &c.header.hlc, &body));
  HAMLET_RETURN_IF_ERROR(DecodeBody(c.header.author, body, &ops));
  return applier->Apply(ws, c.header, ops);
}

Status Replica::Impl::StartOver(const WorkspaceId& ws) {
  HAMLET_RETURN_IF_ERROR(store->ForgetOthers(ws, device));
  return RebuildRecords(ws);
}

Status Replica::Impl::DropRecords(const WorkspaceId& ws) {
  HAMLET_RETURN_IF_ERROR(applier->Flush());
  return store->DeleteRecords(ws, [&](const RecordId& id, std::string_view sealed, std::string* tags) {
    RecordState state;
    HAMLET_RETURN_IF_ERROR(Applier::OpenState(keys->record_key(), id, ws, sealed, &state));
    *tags = tagger->ForRecord(ws, state, index_specs.For(state.collection));
    return Status::OK();
  });
}

Status Replica::Impl::RebuildRecords(const WorkspaceId& ws) {
  HAMLET_RETURN_IF_ERROR(DropRecords(ws));
  // Commits kept in the log but never merged (their content unusable) stay so.
  std::vector<AsideRow> aside;
  HAMLET_RETURN_IF_ERROR(store->ListAside(ws, false, &aside));
  std::set<std::pair<DeviceId, uint64_t>> unmerged, merged;
  for (const AsideRow& row : aside) {
    if (row.in_log) unmerged.emplace(row.author, row.seq);
  }
  std::map<uint32_t, const Key32*> epoch_keys;
  Status inner;
  applier->SetAppliedOverride([&](const WriteRef& ref) { return merged.count({ref.device, ref.seq}) > 0; });
  Status s = store->ScanLog(ws, [&](const DeviceId& author, uint64_t seq, std::string_view bytes) {
    if (unmerged.count({author, seq})) return true;
    inner = MergeLogged(ws, bytes, &epoch_keys);
    if (!inner.ok()) return false;
    merged.emplace(author, seq);
    return true;
  });
  if (s.ok()) s = inner;
  if (s.ok()) s = applier->Flush();
  applier->SetAppliedOverride(nullptr);
  return s;
}

}  // namespace hamlet
