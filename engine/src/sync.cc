// The sans-IO sync core: cursors, export of chunks, import of chunks.
//
// A cursor is a version vector (author -> highest commit number held
// contiguously), hex encoded. Import is in replica_import.cc.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <thread>

#include "chunk.h"
#include "coding.h"
#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "member_chunk.h"
#include "replica_impl.h"
#include "request_auth.h"

namespace hamlet {

namespace {

using VersionVector = std::map<DeviceId, uint64_t>;

std::string EncodeCursor(const VersionVector& vv) {
  std::string raw;
  Writer w(&raw);
  w.Varint(vv.size());
  for (auto& [d, seq] : vv) {
    w.Raw(d.View());
    w.Varint(seq);
  }
  return HexEncode(raw);
}

Status DecodeCursor(std::string_view hex, VersionVector* vv) {
  vv->clear();
  if (hex.empty()) return Status::OK();
  std::string raw;
  if (!HexDecode(hex, &raw)) return Status::InvalidArgument(Tr("cursor is malformed"));
  Reader r(raw);
  uint64_t n = r.Varint();
  if (n > raw.size()) return Status::InvalidArgument(Tr("cursor is malformed"));
  for (uint64_t i = 0; i < n && r.ok(); i++) {
    auto d = DeviceId::FromBytes(r.Raw(16));
    uint64_t seq = r.Varint();
    if (d) (*vv)[*d] = seq;
  }
  if (!r.done()) return Status::InvalidArgument(Tr("cursor is malformed"));
  return Status::OK();
}

}  // namespace

Status Replica::Cursor(const WorkspaceId& ws, std::string* cursor) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string admin;
  HAMLET_RETURN_IF_ERROR(impl_->AdminKey(ws, &admin));
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(impl_->store->GetChains(ws, &chains));
  VersionVector vv;
  for (auto& [d, c] : chains) {
    if (c.contiguous) vv[d] = c.contiguous;
  }
  *cursor = EncodeCursor(vv);
  return Status::OK();
}

Status Replica::Chains(const WorkspaceId& ws, std::vector<ChainStatus>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(impl_->store->GetChains(ws, &chains));
  out->clear();
  for (auto& [d, c] : chains) out->push_back(ChainStatus{d, c.contiguous, c.head});
  return Status::OK();
}

Status Replica::Devices(const WorkspaceId& ws, std::vector<DeviceStatus>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Store& store = *impl_->store;
  out->clear();
  std::vector<std::pair<DeviceId, std::string>> certs;
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(store.ListDevices(ws, &certs));
  HAMLET_RETURN_IF_ERROR(store.GetChains(ws, &chains));
  for (const auto& [device, bytes] : certs) {
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(bytes, &cert));
    DeviceStatus d;
    d.device = device;
    d.role = static_cast<Role>(cert.role);
    uint64_t last = 0;
    HAMLET_RETURN_IF_ERROR(store.GetRevocation(ws, device, &last, &d.revoked));
    d.self = device == impl_->device;
    if (auto it = chains.find(device); it != chains.end()) {
      d.contiguous = it->second.contiguous;
      d.head = it->second.head;
    }
    out->push_back(d);
  }
  return Status::OK();
}

Status Replica::SetLocalSetting(std::string_view key, std::string_view value) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return impl_->store->PutMeta("setting:" + std::string(key), value);
}

Status Replica::LocalSetting(std::string_view key, std::string* value, bool* found) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store->GetMeta("setting:" + std::string(key), value, found);
}

namespace {

// Which chains an export takes, and how far.
struct ExportScope {
  const DeviceId* only = nullptr;    // Only this author's chain.
  const DeviceId* except = nullptr;  // Every chain but this author's.
  // Each chain only as far as it is held without a gap, and a revoked
  // author's only up to the last commit its revocation accepts: what a
  // hub takes from a relaying device (protocol.md 13.3).
  bool held_runs = false;
};

// Export's work, with m.mu held: the commits of ws after vv in the chains
// scope names, up to about max_bytes. Chains that appear or grow while a
// caller holds vv are thus never taken for the peer's.
Status ExportLocked(Replica::Impl& m, const WorkspaceId& ws, VersionVector vv, size_t max_bytes,
                    const ExportScope& scope, ChunkForm form, ExportResult* out) {
  const bool member = form == ChunkForm::kMember;
  std::string admin;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin));
  std::map<DeviceId, ChainInfo> chains;
  HAMLET_RETURN_IF_ERROR(m.store->GetChains(ws, &chains));
  Chunk chunk;
  chunk.workspace = ws;
  size_t budget = 0, canonical = 0;
  const size_t kMaxCanonical = format::kMaxChunkBytes - (1 << 20);
  bool more = false;
  Status inner;
  for (auto& [chain_author, info] : chains) {
    const DeviceId author = chain_author;  // A plain name the scan callback can capture.
    if (scope.only != nullptr && author != *scope.only) continue;
    if (scope.except != nullptr && author == *scope.except) continue;
    uint64_t after = vv.count(author) ? vv[author] : 0;
    uint64_t last = info.head;
    if (scope.held_runs) {
      last = info.contiguous;
      uint64_t revoked_after = 0;
      bool revoked = false;
      HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(ws, author, &revoked_after, &revoked));
      if (revoked) last = std::min(last, revoked_after);
    }
    if (last <= after) continue;
    Store::Baseline base;
    HAMLET_RETURN_IF_ERROR(m.store->GetBaseline(ws, author, &base));
    if (after < base.seq) {
      // Started from a snapshot: commits up to the baseline were never here.
      if (scope.held_runs) continue;  // The hub has them, or will have them from another member.
      return Status::FailedPrecondition(
          Format(Tr("this replica started from a snapshot and does not hold commits 1 to %s of device %s: the "
                    "receiver should sync with the hub instead"),
                 std::to_string(base.seq).c_str(), author.Hex().c_str()));
    }
    if (!chunk.commits.empty() && budget >= max_bytes) {
      more = true;
      break;
    }
    std::string cert;
    bool found = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, author, &cert, &found));
    if (!found) return Status::DataLoss(Format(Tr("certificate of device %s is missing"), author.Hex().c_str()));
    chunk.certificates.push_back(cert);
    budget += cert.size();
    HAMLET_RETURN_IF_ERROR(m.store->ScanCommits(ws, author, after, [&](uint64_t seq, std::string_view bytes, size_t padding_zeros) {
      if (seq > last) return false;
      SealedCommit c;
      inner = ParseCommit(bytes, &c);
      if (!inner.ok()) return false;
      c.padding_zeros = member ? padding_zeros : 0;
      const size_t size = bytes.size() - ElidableBytes(c, c.padding_zeros);
      // A member chunk's commits, padding made again, stay within what
      // one chunk may hold.
      if (!chunk.commits.empty() && (budget + size > max_bytes || canonical + bytes.size() > kMaxCanonical)) {
        more = true;
        return false;
      }
      budget += size;
      canonical += bytes.size();
      chunk.commits.push_back(std::move(c));
      vv[author] = seq;
      return true;
    }));
    HAMLET_RETURN_IF_ERROR(inner);
    if (more) break;
  }
  out->commits = chunk.commits.size();
  out->more = more;
  out->next_cursor = EncodeCursor(vv);
  out->chunk.clear();
  if (chunk.commits.empty()) return Status::OK();
  if (!member) {
    out->chunk = EncodeChunk(chunk);
    return Status::OK();
  }
  // Sealed with the oldest key epoch of its commits, which every member
  // that can open any of them holds (a device is given the keys before the
  // one it joins at); commits of later epochs keep their padding, so the
  // holder of that key learns the size of none it cannot open.
  uint32_t epoch = UINT32_MAX;
  for (const SealedCommit& c : chunk.commits) epoch = std::min(epoch, c.header.epoch);
  for (SealedCommit& c : chunk.commits) {
    if (c.header.epoch != epoch) c.padding_zeros = 0;
  }
  const Key32* key = nullptr;
  HAMLET_RETURN_IF_ERROR(m.keys->WorkspaceKey(ws, epoch, &key));
  out->chunk = SealMemberChunk(ws, epoch, *key, EncodeCompactChunk(chunk));
  return Status::OK();
}

}  // namespace

Status Replica::Export(const WorkspaceId& ws, std::string_view peer_cursor, size_t max_bytes, ExportResult* out,
                       ChunkForm form) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  VersionVector vv;
  HAMLET_RETURN_IF_ERROR(DecodeCursor(peer_cursor, &vv));
  return ExportLocked(*impl_, ws, std::move(vv), max_bytes, ExportScope(), form, out);
}

std::string Replica::PullPageDigest(std::string_view page) {
  return HexEncode(Hash(page, format::kPageDigestBytes));
}

Status Replica::DeviceCertificate(const WorkspaceId& ws, const DeviceId& device, std::string* certificate) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  bool found = false;
  HAMLET_RETURN_IF_ERROR(impl_->store->GetDevice(ws, device, certificate, &found));
  if (!found)
    return Status::NotFound(
        Format(Tr("no certificate of device %s in workspace %s"), device.Hex().c_str(), ws.Hex().c_str()));
  return Status::OK();
}

Status Replica::AuthorizeRequest(const WorkspaceId& ws, std::string_view method, std::string_view target,
                                 std::string_view challenge, uint64_t counter, std::string_view body,
                                 std::string* header) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string admin;
  HAMLET_RETURN_IF_ERROR(impl_->AdminKey(ws, &admin));
  if (challenge.size() != kChallengeBytes) return Status::InvalidArgument(Tr("a session challenge is 16 bytes"));
  *header = SignRequest(impl_->device, impl_->keys->sign_secret_key(), method, target, challenge, counter, body);
  return Status::OK();
}

Status Replica::ExportAuthored(const WorkspaceId& ws, uint64_t after, size_t max_bytes, ExportResult* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  // Only this device's commits go, however the other chains grow while a
  // pull imports beside the push.
  VersionVector vv;
  vv[impl_->device] = after;
  ExportScope scope;
  scope.only = &impl_->device;
  return ExportLocked(*impl_, ws, std::move(vv), max_bytes, scope, ChunkForm::kBlind, out);
}

Status Replica::ExportRelayed(const WorkspaceId& ws, std::map<DeviceId, uint64_t>* held, size_t max_bytes,
                              ExportResult* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ExportScope scope;
  scope.except = &impl_->device;
  scope.held_runs = true;
  HAMLET_RETURN_IF_ERROR(ExportLocked(*impl_, ws, *held, max_bytes, scope, ChunkForm::kBlind, out));
  return DecodeCursor(out->next_cursor, held);
}

Status Replica::PullPosition(const WorkspaceId& ws, std::string_view hub, uint64_t* position) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return GetNumber(*impl_->store, PullKey(ws, hub), position);
}

Status Replica::SetPullPosition(const WorkspaceId& ws, std::string_view hub, uint64_t position) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return PutNumber(*impl_->store, PullKey(ws, hub), position);
}

Status Replica::OlderRange(const WorkspaceId& ws, std::string_view hub, uint64_t* after, uint64_t* upto) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return GetOlderRange(*impl_->store, ws, hub, after, upto);
}

Status Replica::SetOlderRange(const WorkspaceId& ws, std::string_view hub, uint64_t after, uint64_t upto) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return PutOlderRange(*impl_->store, ws, hub, after, upto);
}

Status Replica::Delivered(const WorkspaceId& ws, std::string_view hub, uint64_t* seq) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return GetNumber(*impl_->store, DeliveredKey(ws, hub), seq);
}

Status Replica::SetDelivered(const WorkspaceId& ws, std::string_view hub, uint64_t seq) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return PutNumber(*impl_->store, DeliveredKey(ws, hub), seq);
}

}  // namespace hamlet
