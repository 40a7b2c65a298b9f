// The hub's push and pull routes, and bundle import: where commits enter
// and leave a hub (protocol.md 13.3, 6.2).
#include "hub.h"

#include <chrono>

#include "bundle.h"
#include "chain.h"
#include "signature_runs.h"
#include <nlohmann/json.hpp>

#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"
#include "hex.h"
#include "identity.h"

namespace hamlet::hub {

using nlohmann::json;

void Hub::Push(const httplib::Request& req, httplib::Response& res) {
  Count("push");
  auto start = std::chrono::steady_clock::now();
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  Certificate cert;
  if (!Authenticate(req, res, ws, &device, &cert)) return;
  metrics_.bytes_in += req.body.size();
  Chunk chunk;
  Status s = DecodeChunk(req.body, &chunk);
  if (s.ok() && chunk.workspace != ws) s = Status::InvalidArgument(Tr("the chunk belongs to another workspace"));
  // Other members' commits relayed by this device: a member the hub has
  // not heard of yet comes with the certificate the admin signed.
  bool relays = false;
  for (const SealedCommit& c : chunk.commits) relays = relays || c.header.author != device;
  if (s.ok() && relays) {
    std::string admin_pk;
    size_t registered = 0;
    s = store_->AdminKey(ws, &admin_pk);
    if (s.ok()) s = RegisterCertificates(ws, admin_pk, chunk, &registered);
  }
  AppendResult appended;
  if (s.ok()) s = Ingest(ws, chunk, &cert, &appended);
  uint64_t contiguous = 0;
  if (s.ok()) s = store_->Contiguous(ws, device, &contiguous);
  if (!s.ok()) return Fail(res, s);
  metrics_.commits_stored += appended.stored;
  metrics_.sync_requests++;
  metrics_.sync_micros += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
  res.set_content(
      json{{"stored", appended.stored}, {"duplicates", appended.duplicates}, {"contiguous", contiguous}}.dump(),
      "application/json");
}

Status Hub::RegisterCertificates(const WorkspaceId& ws, const std::string& admin_pk, const Chunk& chunk,
                                 size_t* registered) {
  for (const std::string& bytes : chunk.certificates) {
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(bytes, &cert));
    DeviceRecord known;
    Status found = store_->GetDevice(ws, cert.device(), &known);
    if (found.ok()) continue;
    if (found.code() != Code::kNotFound) return found;
    if (cert.workspace != ws) return Status::DataLoss(Tr("a certificate is for another workspace"));
    HAMLET_RETURN_IF_ERROR(VerifyCertificate(cert, admin_pk));
    HAMLET_RETURN_IF_ERROR(store_->PutDevice(ws, cert.device(), cert.bytes));
    (*registered)++;
  }
  return Status::OK();
}

Status Hub::Ingest(const WorkspaceId& ws, const Chunk& chunk, const Certificate* pusher, AppendResult* out) {
  std::map<DeviceId, Certificate> authors;
  if (pusher != nullptr) authors[pusher->device()] = *pusher;
  std::string admin_pk;
  std::map<DeviceId, Revocation> revocations;
  bool others = false;
  for (const SealedCommit& c : chunk.commits) others = others || !authors.count(c.header.author);
  // Commits of authors other than the pusher (an import, or a device
  // relaying them) count as far as the admin's revocations let them.
  if (others) {
    HAMLET_RETURN_IF_ERROR(store_->AdminKey(ws, &admin_pk));
    std::vector<std::string> grants, statements;
    HAMLET_RETURN_IF_ERROR(store_->KeysFor(ws, DeviceId(), &grants, &statements));
    for (const std::string& bytes : statements) {
      Revocation rev;
      HAMLET_RETURN_IF_ERROR(ParseRevocation(bytes, admin_pk, &rev));
      revocations[rev.device] = rev;
    }
  }
  std::vector<std::string> hashes(chunk.commits.size());
  for (size_t i = 0; i < chunk.commits.size(); i++) hashes[i] = chunk.commits[i].Hash();
  std::vector<size_t> run_ends;
  FindRuns(chunk.commits, hashes, std::vector<bool>(chunk.commits.size(), true), &run_ends);
  RunVerifier verifier(ws, chunk.commits, run_ends,
                       [&](size_t i) -> std::string_view { return authors.at(chunk.commits[i].header.author).sign_public_key; });
  std::map<DeviceId, std::map<uint64_t, std::string_view>> by_author;
  for (const SealedCommit& c : chunk.commits) by_author[c.header.author][c.header.seq] = c.bytes;
  std::map<DeviceId, std::unique_ptr<RevokedChain>> revoked;
  for (size_t i = 0; i < chunk.commits.size(); i++) {
    const SealedCommit& c = chunk.commits[i];
    const DeviceId& author = c.header.author;
    auto it = authors.find(author);
    if (it == authors.end()) {
      DeviceRecord rec;
      Certificate cert;
      HAMLET_RETURN_IF_ERROR(store_->GetDevice(ws, author, &rec));
      HAMLET_RETURN_IF_ERROR(ParseCertificate(rec.certificate, &cert));
      it = authors.emplace(author, std::move(cert)).first;
      if (auto r = revocations.find(author); r != revocations.end()) {
        auto chain = std::make_unique<RevokedChain>(
            r->second.last_seq, r->second.last_hash, by_author[author],
            [this, ws, author](uint64_t seq, std::string* bytes, bool* found) {
              return store_->GetCommit(ws, author, seq, bytes, found);
            });
        HAMLET_RETURN_IF_ERROR(chain->Init(by_author[author].begin()->first));
        revoked[author] = std::move(chain);
      }
    }
    if (it->second.role == format::kRoleRelay) {
      return Status::PermissionDenied(
          Format(Tr("device %s is a relay hub: it may not author commits"), author.Hex().c_str()));
    }
    // A revoked device's commits count only up to its revocation, on the
    // chain the revocation names (the same rule as a replica's).
    if (auto r = revoked.find(author); r != revoked.end()) {
      HAMLET_RETURN_IF_ERROR(r->second->Check(c.header, hashes[i]));
    }
  }
  // One signature per run of linked commits (protocol.md 3.4); every
  // author is known by now.
  for (size_t i = 0; i < chunk.commits.size(); i++) HAMLET_RETURN_IF_ERROR(verifier.Verify(i));
  // A pusher's pulls leave out what it brought (protocol.md 13.3).
  const DeviceId via = pusher != nullptr ? pusher->device() : DeviceId();
  return store_->Append(ws, chunk.commits, env_->NowMillis(), out, pusher != nullptr ? &via : nullptr);
}

Status Hub::ImportBundle(std::string_view bytes, BundleImport* out) {
  *out = BundleImport();
  Bundle bundle;
  HAMLET_RETURN_IF_ERROR(DecodeBundle(bytes, &bundle));
  const WorkspaceId ws = bundle.workspace;
  out->workspace = ws;
  std::string admin_pk;
  Status s = store_->AdminKey(ws, &admin_pk);
  if (s.code() == Code::kNotFound)
    return Status::NotFound(Format(Tr("workspace %s is not published on this hub"), ws.Hex().c_str()));
  HAMLET_RETURN_IF_ERROR(s);
  // The admin's word first: a revocation decides what of the chunks counts.
  // One for a device the hub does not know yet waits until a chunk brings
  // the device's certificate.
  std::vector<size_t> waiting;
  auto take_revocations = [&](const std::vector<size_t>& which) -> Status {
    std::vector<size_t> still;
    for (size_t i : which) {
      DeviceId revoked;
      Status taken = TakeRevocation(ws, admin_pk, bundle.notices[i], &revoked);
      if (taken.code() == Code::kNotFound) {
        still.push_back(i);
        continue;
      }
      HAMLET_RETURN_IF_ERROR(taken.WithContext("bundle notice " + std::to_string(i + 1) + ": "));
      out->revocations++;
    }
    waiting = std::move(still);
    return Status::OK();
  };
  std::vector<size_t> revocations;
  for (size_t i = 0; i < bundle.notices.size(); i++) {
    std::string_view n = bundle.notices[i];
    if (n.substr(0, 4) == format::kRevocationMagic) revocations.push_back(i);
    if (n.substr(0, 4) == format::kStatementMagic) {
      HAMLET_RETURN_IF_ERROR(
          TakeStatement(ws, admin_pk, n).WithContext("bundle notice " + std::to_string(i + 1) + ": "));
    }
  }
  HAMLET_RETURN_IF_ERROR(take_revocations(revocations));
  for (size_t i = 0; i < bundle.chunks.size(); i++) {
    const std::string where = Format(Tr("bundle chunk %zu: "), i + 1);
    Chunk chunk;
    HAMLET_RETURN_IF_ERROR(DecodeChunk(bundle.chunks[i], &chunk).WithContext(where));
    if (chunk.workspace != ws) return Status::DataLoss(where + Tr("it belongs to another workspace"));
    // Devices the admin admitted while this hub was out of reach.
    HAMLET_RETURN_IF_ERROR(RegisterCertificates(ws, admin_pk, chunk, &out->devices_registered).WithContext(where));
    if (!waiting.empty()) HAMLET_RETURN_IF_ERROR(take_revocations(waiting));
    AppendResult appended;
    HAMLET_RETURN_IF_ERROR(Ingest(ws, chunk, nullptr, &appended).WithContext(where));
    out->chunks++;
    out->commits += chunk.commits.size();
    out->stored += appended.stored;
    out->duplicates += appended.duplicates;
    metrics_.commits_stored += appended.stored;
  }
  return Status::OK();
}

void Hub::Recent(const httplib::Request& req, httplib::Response& res) {
  Count("pull");
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  constexpr uint64_t kMaxDays = 36500;
  uint64_t days = 0;
  Status s = NumberParam(req, "days", 0, &days);
  if (s.ok() && (days == 0 || days > kMaxDays)) {
    s = Status::InvalidArgument(Format(Tr("days must be between 1 and %s"), std::to_string(kMaxDays).c_str()));
  }
  uint64_t after = 0;
  const int64_t since = env_->NowMillis() - static_cast<int64_t>(days) * 86400000;
  if (s.ok()) s = store_->RecentAfter(ws, since, &after);
  if (!s.ok()) return Fail(res, s);
  res.set_content(nlohmann::json{{"after", after}}.dump(), "application/json");
}

void Hub::Pull(const httplib::Request& req, httplib::Response& res) {
  Count("pull");
  auto start = std::chrono::steady_clock::now();
  WorkspaceId ws;
  if (!WorkspaceFrom(req, &ws)) return Fail(res, Status::InvalidArgument(Tr("bad workspace id")));
  DeviceId device;
  if (!Authenticate(req, res, ws, &device)) return;
  // A page is named by after, upto and max_bytes; offset asks for the rest
  // of one that was cut (protocol.md 13.3).
  uint64_t after = 0, upto = 0, offset = 0;
  size_t max_bytes = options_.max_pull_bytes;
  try {
    if (req.has_param("after")) after = std::stoull(req.get_param_value("after"));
    if (req.has_param("upto")) upto = std::stoull(req.get_param_value("upto"));
    if (req.has_param("offset")) offset = std::stoull(req.get_param_value("offset"));
    if (req.has_param("max_bytes")) max_bytes = std::min<size_t>(max_bytes, std::stoull(req.get_param_value("max_bytes")));
  } catch (...) {
    return Fail(res, Status::InvalidArgument(Tr("after, upto, offset and max_bytes are non-negative integers")));
  }
  if (offset > 0 && upto == 0) {
    return Fail(res, Status::InvalidArgument(Tr("a pull from an offset names its page with upto")));
  }
  std::vector<std::string> raw;
  uint64_t next = after;
  bool more = false;
  Status s = store_->ReadAfter(ws, device, after, upto, max_bytes, &raw, &next, &more);
  Chunk chunk;
  chunk.workspace = ws;
  std::map<DeviceId, bool> authors;
  for (size_t i = 0; s.ok() && i < raw.size(); i++) {
    SealedCommit c;
    s = ParseCommit(raw[i], &c);
    if (!s.ok()) break;
    authors[c.header.author] = true;
    chunk.commits.push_back(std::move(c));
  }
  for (auto it = authors.begin(); s.ok() && it != authors.end(); ++it) {
    DeviceRecord rec;
    s = store_->GetDevice(ws, it->first, &rec);
    if (s.ok()) chunk.certificates.push_back(rec.certificate);
  }
  if (!s.ok()) return Fail(res, s);
  std::sort(chunk.commits.begin(), chunk.commits.end(), [](const SealedCommit& a, const SealedCommit& b) {
    return std::tie(a.header.author, a.header.seq) < std::tie(b.header.author, b.header.seq);
  });
  res.set_header("Hamlet-Next", std::to_string(next));
  res.set_header("Hamlet-More", more ? "1" : "0");
  if (chunk.commits.empty()) {
    res.status = 204;
  } else {
    std::string bytes = EncodeChunk(chunk);
    res.set_header("Hamlet-Page-Size", std::to_string(bytes.size()));
    res.set_header("Hamlet-Page-Digest", Replica::PullPageDigest(bytes));
    if (offset > bytes.size()) {
      return Fail(res,
                  Status::OutOfRange(Format(Tr("offset %s is past the page's %s bytes"), std::to_string(offset).c_str(),
                                            std::to_string(bytes.size()).c_str())));
    }
    res.set_header("Hamlet-Offset", std::to_string(offset));
    bytes.erase(0, offset);
    metrics_.bytes_out += bytes.size();
    res.set_content(bytes, "application/octet-stream");
  }
  metrics_.sync_requests++;
  metrics_.sync_micros += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace hamlet::hub
