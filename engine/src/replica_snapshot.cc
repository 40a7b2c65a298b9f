// Snapshots (protocol.md 6.5): making one of a workspace's merged state, and
// starting a new replica from one instead of from the first commit.
#include <algorithm>

#include "format.h"
#include "hamlet/language.h"
#include "identity.h"
#include "replica_impl.h"
#include "snapshot.h"

namespace hamlet {

namespace {

// Reads ws as the store holds it into *body (inside a transaction, so that
// one moment's state is read).
Status Collect(Replica::Impl& m, const WorkspaceId& ws, SnapshotBody* body) {
  Store& store = *m.store;
  body->clock = m.clock->last();
  std::vector<std::pair<DeviceId, std::string>> listed;
  HAMLET_RETURN_IF_ERROR(store.ListDevices(ws, &listed));
  for (auto& [d, cert] : listed) body->certificates.push_back(std::move(cert));
  HAMLET_RETURN_IF_ERROR(store.ListRevocations(ws, &listed));
  for (auto& [d, rev] : listed) body->revocations.push_back(std::move(rev));
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(store.GetChains(ws, &chains));
  std::map<uint32_t, const Key32*> epoch_keys;
  for (const auto& [author, info] : chains) {
    if (info.contiguous > 0) {
      SnapshotBody::Chain c{author, info.contiguous, {}};
      Store::Baseline base;
      HAMLET_RETURN_IF_ERROR(store.GetBaseline(ws, author, &base));
      if (base.seq == info.contiguous) {
        c.hash = base.hash;
      } else {
        std::string bytes;
        bool found = false;
        HAMLET_RETURN_IF_ERROR(store.GetCommit(ws, author, info.contiguous, &bytes, &found));
        if (!found) {
          return Status::DataLoss(Format(Tr("commit %s of device %s is missing from the log"),
                                         std::to_string(info.contiguous).c_str(), author.Hex().c_str()));
        }
        c.hash = Hash(bytes);
      }
      body->chains.push_back(std::move(c));
    }
    if (info.head <= info.contiguous) continue;
    Status inner;
    HAMLET_RETURN_IF_ERROR(
        store.ScanCommits(ws, author, info.contiguous, [&](uint64_t, std::string_view bytes, size_t) {
          SealedCommit c;
          std::string unused;
          inner = ParseCommit(bytes, &c);
          const Key32* key = nullptr;
          if (inner.ok()) inner = m.keys->WorkspaceKey(ws, c.header.epoch, &key);
          uint64_t hlc = 0;
          // A commit kept in the log whose content is unusable has no stamp to give.
          if (inner.ok() && !OpenCommit(ws, c, *key, &hlc, &unused).ok()) hlc = 0;
          body->beyond_gaps.push_back(SnapshotBody::LogCommit{std::string(bytes), hlc});
          return inner.ok();
        }));
    HAMLET_RETURN_IF_ERROR(inner);
  }
  std::vector<AsideRow> waiting;
  HAMLET_RETURN_IF_ERROR(store.ListAside(ws, true, &waiting));
  for (AsideRow& row : waiting) {
    if (!row.in_log) body->waiting.push_back(std::move(row.bytes));
  }
  Status inner;
  HAMLET_RETURN_IF_ERROR(store.ScanRecords(ws, [&](const RecordId& id, std::string_view sealed) {
    RecordState st;
    inner = Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st);
    if (!inner.ok()) return false;
    std::string encoded;
    EncodeState(st, &encoded);
    body->records.emplace_back(id, std::move(encoded));
    return true;
  }));
  return inner;
}

}  // namespace

Status Replica::MakeSnapshot(const WorkspaceId& ws, std::string_view hub, std::string* snapshot, SnapshotInfo* info) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk, own;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, m.device, &own, &found));
  Certificate cert;
  if (found) HAMLET_RETURN_IF_ERROR(ParseCertificate(own, &cert));
  if (!found || !MayMakeSnapshots(cert.role)) {
    return Status::PermissionDenied(Tr("only the admin's and the officers' devices make snapshots"));
  }
  SnapshotHeader header;
  header.workspace = ws;
  header.maker_certificate = own;
  HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(ws, &header.epoch));
  const Key32* key = nullptr;
  HAMLET_RETURN_IF_ERROR(m.keys->WorkspaceKey(ws, header.epoch, &key));
  SnapshotBody body;
  HAMLET_RETURN_IF_ERROR(m.EndGroup());
  HAMLET_RETURN_IF_ERROR(m.store->Begin());
  Status s = GetNumber(*m.store, PullKey(ws, hub), &header.position);
  uint64_t older_after = 0, older_upto = 0;
  if (s.ok()) s = GetOlderRange(*m.store, ws, hub, &older_after, &older_upto);
  if (s.ok() && older_upto > 0) {
    s = Status::FailedPrecondition(
        Tr("this device has not pulled the older part of the hub's log yet, so it makes no snapshot"));
  }
  bool known = false;
  if (s.ok()) s = m.store->GetMeta(InstanceKey(ws, hub), &header.hub_instance, &known);
  if (s.ok()) s = Collect(m, ws, &body);
  m.store->Rollback();  // Read only.
  HAMLET_RETURN_IF_ERROR(s);
  if (!known) header.position = 0;
  std::string encoded;
  EncodeSnapshotBody(body, &encoded);
  *snapshot = SealSnapshot(header, *key, m.keys->sign_secret_key(), encoded);
  const size_t plaintext = encoded.size();
  Wipe(&encoded);
  *info = SnapshotInfo();
  info->plaintext = plaintext;
  info->workspace = ws;
  info->maker = m.device;
  info->position = header.position;
  info->records = body.records.size();
  info->chains = body.chains.size();
  info->bytes = snapshot->size();
  return Status::OK();
}

Status Replica::StartFromSnapshot(const WorkspaceId& ws, std::string_view snapshot, std::string_view hub,
                                  SnapshotInfo* info) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  SnapshotHeader header;
  HAMLET_RETURN_IF_ERROR(ReadSnapshotHeader(snapshot, &header));
  if (header.workspace != ws) {
    return Status::InvalidArgument(
        Format(Tr("the snapshot is of workspace %s, not of %s"), header.workspace.Hex().c_str(), ws.Hex().c_str()));
  }
  // Who vouches for it: a device the admin certified, as officer or admin,
  // and did not revoke.
  Certificate maker;
  if (!ParseCertificate(header.maker_certificate, &maker).ok() || maker.workspace != ws ||
      !VerifyCertificate(maker, admin_pk).ok()) {
    return Status::PermissionDenied(Tr("the snapshot's maker is not a device the workspace admin certified"));
  }
  const std::string maker_hex = maker.device().Hex();
  if (!MayMakeSnapshots(maker.role)) {
    return Status::PermissionDenied(Format(
        Tr("the snapshot was made by device %s, which is neither the admin's nor an officer's"), maker_hex.c_str()));
  }
  uint64_t unused = 0;
  bool revoked = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(ws, maker.device(), &unused, &revoked));
  if (revoked) {
    return Status::PermissionDenied(
        Format(Tr("the snapshot was made by device %s, which the admin revoked"), maker_hex.c_str()));
  }
  HAMLET_RETURN_IF_ERROR(VerifySnapshotSignature(snapshot, maker.sign_public_key));
  const Key32* key = nullptr;
  if (!m.keys->WorkspaceKey(ws, header.epoch, &key).ok()) {
    return Status::PermissionDenied(
        Format(Tr("the snapshot is sealed with key %s of the workspace, which this device does not hold"),
               std::to_string(header.epoch).c_str()));
  }
  std::string plain;
  HAMLET_RETURN_IF_ERROR(OpenSnapshot(snapshot, *key, &plain));
  SnapshotBody body;
  Status decoded = DecodeSnapshotBody(plain, &body);
  Wipe(&plain);
  HAMLET_RETURN_IF_ERROR(decoded);

  // The revocations it carries count as well: one naming its maker voids it.
  std::vector<Revocation> revocations;
  for (const std::string& bytes : body.revocations) {
    Revocation rev;
    if (!ParseRevocation(bytes, admin_pk, &rev).ok() || rev.workspace != ws) {
      return Status::DataLoss(Tr("the snapshot carries a revocation the workspace admin did not sign"));
    }
    if (rev.device == maker.device()) {
      return Status::PermissionDenied(
          Format(Tr("the snapshot was made by device %s, which the admin revoked"), maker_hex.c_str()));
    }
    revocations.push_back(std::move(rev));
  }
  std::map<DeviceId, Certificate> certs;
  for (const std::string& bytes : body.certificates) {
    Certificate c;
    if (!ParseCertificate(bytes, &c).ok() || c.workspace != ws || !VerifyCertificate(c, admin_pk).ok()) {
      return Status::DataLoss(Tr("the snapshot carries a certificate the workspace admin did not sign"));
    }
    certs[c.device()] = std::move(c);
  }
  std::vector<SealedCommit> beyond(body.beyond_gaps.size());
  for (size_t i = 0; i < beyond.size(); i++) {
    HAMLET_RETURN_IF_ERROR(ParseCommit(body.beyond_gaps[i].bytes, &beyond[i]).WithContext("snapshot: "));
    const DeviceId& a = beyond[i].header.author;
    if (!certs.count(a)) {
      return Status::DataLoss(Tr("the snapshot carries a commit of no member of its workspace"));
    }
  }

  HAMLET_RETURN_IF_ERROR(m.EndGroup());
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(m.store->GetChains(ws, &chains));
  for (const auto& [author, c] : chains) {
    if (author != m.device && c.head > 0) {
      return Status::FailedPrecondition(
          Tr("this replica holds commits of other members of the workspace already: a snapshot is only for a "
             "device's first sync"));
    }
  }
  bool position_used = false;
  uint64_t clock_before = m.clock->last();
  Status s = InTransaction(&m, [&]() -> Status {
    for (const auto& [d, c] : certs) {
      std::string stored;
      bool found = false;
      HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, d, &stored, &found));
      if (!found) HAMLET_RETURN_IF_ERROR(m.store->PutDevice(ws, d, c.bytes));
    }
    for (const Revocation& rev : revocations) {
      uint64_t last = 0;
      bool known = false;
      HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(ws, rev.device, &last, &known));
      if (!known)
        HAMLET_RETURN_IF_ERROR(m.store->PutRevocation(ws, rev.device, rev.last_seq, rev.last_hash, rev.bytes));
    }
    // This device's own commits the snapshot holds are in its records; the
    // rest are merged again on top of them.
    uint64_t own_covered = 0;
    std::map<DeviceId, ChainInfo> taken;
    for (const SnapshotBody::Chain& c : body.chains) {
      if (c.author == m.device) {
        own_covered = c.seq;
        continue;
      }
      if (!certs.count(c.author))
        return Status::DataLoss(Tr("the snapshot holds a chain of no member of its workspace"));
      HAMLET_RETURN_IF_ERROR(m.store->PutBaseline(ws, c.author, Store::Baseline{c.seq, c.hash}));
      taken[c.author] = ChainInfo{c.seq, c.seq};
    }
    for (size_t i = 0; i < beyond.size(); i++) {
      const CommitHeader& h = beyond[i].header;
      if (h.author == m.device) continue;  // This device's log is whole already.
      ChainInfo& info = taken[h.author];
      if (h.seq <= info.contiguous) return Status::DataLoss(Tr("the snapshot's log commits overlap its chains"));
      bool held = false;
      HAMLET_RETURN_IF_ERROR(m.store->HasCommit(ws, h.author, h.seq, &held));
      if (held) continue;
      HAMLET_RETURN_IF_ERROR(m.store->InsertCommit(ws, beyond[i], body.beyond_gaps[i].hlc, 0));
      info.head = std::max(info.head, h.seq);
    }
    for (const auto& [author, info] : taken) HAMLET_RETURN_IF_ERROR(m.store->PutChain(ws, author, info));
    HAMLET_RETURN_IF_ERROR(m.DropRecords(ws));
    for (auto& [id, encoded] : body.records) {
      RecordState st;
      HAMLET_RETURN_IF_ERROR(DecodeState(encoded, &st).WithContext("snapshot: "));
      HAMLET_RETURN_IF_ERROR(m.applier->Put(ws, id, std::move(st)));
    }
    std::map<uint32_t, const Key32*> epoch_keys;
    Status inner;
    HAMLET_RETURN_IF_ERROR(
        m.store->ScanCommits(ws, m.device, own_covered, [&](uint64_t, std::string_view bytes, size_t) {
          inner = m.MergeLogged(ws, bytes, &epoch_keys);
          return inner.ok();
        }));
    HAMLET_RETURN_IF_ERROR(inner);
    m.clock->Observe(body.clock);
    HAMLET_RETURN_IF_ERROR(m.PersistClock());
    std::string instance;
    bool known = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetMeta(InstanceKey(ws, hub), &instance, &known));
    if (known && !header.hub_instance.empty() && instance == header.hub_instance) {
      HAMLET_RETURN_IF_ERROR(PutNumber(*m.store, PullKey(ws, hub), header.position));
      position_used = true;
    }
    return Status::OK();
  });
  if (!s.ok()) {
    m.clock->Reset(clock_before);
    return s;
  }
  // Commits the maker held aside, waiting for something still to come, wait here too.
  if (!body.waiting.empty()) {
    std::vector<SealedCommit> waiting;
    for (const std::string& bytes : body.waiting) {
      SealedCommit c;
      if (ParseCommit(bytes, &c).ok()) waiting.push_back(std::move(c));
    }
    std::sort(waiting.begin(), waiting.end(), [](const SealedCommit& a, const SealedCommit& b) {
      return std::tie(a.header.author, a.header.seq) < std::tie(b.header.author, b.header.seq);
    });
    ImportResult unused_result;
    HAMLET_RETURN_IF_ERROR(m.ImportCommits(ws, {}, waiting, &unused_result));
  }
  *info = SnapshotInfo();
  info->workspace = ws;
  info->maker = maker.device();
  info->position = header.position;
  info->position_used = position_used;
  info->records = body.records.size();
  info->chains = body.chains.size();
  info->bytes = snapshot.size();
  return Status::OK();
}

}  // namespace hamlet
