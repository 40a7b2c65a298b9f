#include <algorithm>
#include <filesystem>
#include <set>

#include "coding.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "replica_impl.h"
#include "rights.h"
#include "text.h"

namespace hamlet {

// ---- WriteBatch ----

RecordId WriteBatch::Insert(std::string collection, std::map<std::string, Value> fields) {
  RecordId id = *RecordId::FromBytes(RandomBytes(16));
  InsertWithId(id, std::move(collection), std::move(fields));
  return id;
}

void WriteBatch::InsertWithId(const RecordId& id, std::string collection, std::map<std::string, Value> fields) {
  entries_.push_back(Entry{Kind::kInsert, id, std::move(collection), std::move(fields)});
}

void WriteBatch::Update(const RecordId& id, std::map<std::string, Value> fields) {
  entries_.push_back(Entry{Kind::kUpdate, id, {}, std::move(fields)});
}

void WriteBatch::Delete(const RecordId& id) { entries_.push_back(Entry{Kind::kDelete, id, {}, {}}); }
void WriteBatch::Restore(const RecordId& id) { entries_.push_back(Entry{Kind::kRestore, id, {}, {}}); }

// ---- Opening ----

Replica::Replica(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Replica::~Replica() {
  // A group that cannot be committed now waits in the pending file.
  if (impl_) (void)impl_->Close();
}

static Status OpenReplica(const std::string& path, UserSecret secret, const OpenOptions& options,
                          std::unique_ptr<Replica::Impl>* out) {
  HAMLET_RETURN_IF_ERROR(InitCrypto());
  auto impl = std::make_unique<Replica::Impl>();
  impl->env = options.env ? options.env : Env::Default();
  impl->import_threads = options.import_threads;
  impl->group_max = options.group_commits ? format::kGroupMaxCommits : 1;
  std::error_code ec;
  const bool existed = path != ":memory:" && std::filesystem::exists(path, ec);
  HAMLET_RETURN_IF_ERROR(Store::Open(path, options.durable, options.create_if_missing, &impl->store));
  Status unlocked = Keystore::Open(impl->store.get(), secret, options, &impl->keys);
  Wipe(&secret.bytes);
  if (!unlocked.ok()) {
    impl->store->LeaveUntouchedOnClose();
    impl->store.reset();
    // A store this call made, and could not set up, is not left behind.
    if (!existed && path != ":memory:") {
      for (const char* suffix : {"", "-wal", "-shm", "-journal", format::kPendingSuffix}) {
        std::filesystem::remove(path + suffix, ec);
      }
    }
    return unlocked;
  }
  impl->device = DeviceIdFor(impl->keys->sign_public_key());
  impl->tagger = std::make_unique<Tagger>(impl->keys->tag_key());
  HAMLET_RETURN_IF_ERROR(impl->index_specs.Load(impl->store.get(), impl->keys->record_key()));
  Keystore* keys = impl->keys.get();
  impl->store->SetExpander([keys](const WorkspaceId& ws, std::string_view stored, std::string* bytes) {
    return ExpandCommit(
        ws, stored, [&](uint32_t epoch, const Key32** key) { return keys->WorkspaceKey(ws, epoch, key); }, bytes);
  });
  impl->applier = std::make_unique<Applier>(impl->store.get(), &impl->keys->record_key(), impl->tagger.get(),
                                            &impl->index_specs);
  HAMLET_RETURN_IF_ERROR(AttachmentFiles::Open(impl->store->db(), &impl->files));
  std::string hlc;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(impl->store->GetMeta("hlc", &hlc, &found));
  // Local commits do not write the clock: each keeps the stamp it took.
  uint64_t own = 0;
  HAMLET_RETURN_IF_ERROR(impl->store->LatestStamp(impl->device, &own));
  impl->clock = std::make_unique<HybridClock>(impl->env, std::max(own, found ? Reader(hlc).Fixed64() : 0));
  if (path != ":memory:") {
    // Local commits of a group that had not been committed when the process
    // ended are merged again before anything else.
    std::vector<PendingCommit> pending;
    HAMLET_RETURN_IF_ERROR(
        PendingLog::Open(impl->env, path + format::kPendingSuffix, options.durable, &impl->pending, &pending));
    if (!pending.empty()) {
      HAMLET_RETURN_IF_ERROR(impl->MergePending(pending).WithContext("merging the commits of the pending file: "));
      HAMLET_RETURN_IF_ERROR(impl->pending->Clear());
    }
  }
  *out = std::move(impl);
  return Status::OK();
}

Status Replica::OpenWithPassphrase(const std::string& path, std::string_view passphrase, const OpenOptions& options,
                                   std::unique_ptr<Replica>* out) {
  std::unique_ptr<Impl> impl;
  HAMLET_RETURN_IF_ERROR(OpenReplica(path, UserSecret{true, std::string(passphrase)}, options, &impl));
  out->reset(new Replica(std::move(impl)));
  return Status::OK();
}

Status Replica::OpenWithKey(const std::string& path, std::string_view key, const OpenOptions& options,
                            std::unique_ptr<Replica>* out) {
  std::unique_ptr<Impl> impl;
  HAMLET_RETURN_IF_ERROR(OpenReplica(path, UserSecret{false, std::string(key)}, options, &impl));
  out->reset(new Replica(std::move(impl)));
  return Status::OK();
}

DeviceId Replica::device_id() const { return impl_->device; }

// ---- Membership ----

Status Replica::Impl::AdminKey(const WorkspaceId& ws, std::string* admin_pk) {
  std::vector<std::pair<WorkspaceId, std::string>> all;
  HAMLET_RETURN_IF_ERROR(store->ListWorkspaces(&all));
  for (auto& [id, pk] : all) {
    if (id == ws) {
      *admin_pk = pk;
      return Status::OK();
    }
  }
  return Status::NotFound(Format(Tr("this replica does not belong to workspace %s"), ws.Hex().c_str()));
}

Status Replica::CreateWorkspace(WorkspaceId* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  WorkspaceId ws = *WorkspaceId::FromBytes(RandomBytes(16));
  Certificate cert = IssueCertificate(ws, m.keys->sign_public_key(), m.keys->kx_public_key(), format::kRoleAdmin,
                                      m.env->NowMillis(), m.keys->sign_secret_key());
  Status s = InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.store->PutWorkspace(ws, m.keys->sign_public_key()));
    HAMLET_RETURN_IF_ERROR(m.keys->AddWorkspaceKey(ws, 0, Key32::Random()));
    return m.store->PutDevice(ws, m.device, cert.bytes);
  });
  if (s.ok()) *out = ws;
  return s;
}

Status Replica::JoinRequest(std::string* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  *out = EncodeJoinRequest(m.keys->sign_public_key(), m.keys->kx_public_key(), m.keys->sign_secret_key());
  return Status::OK();
}

Status Replica::Admit(const WorkspaceId& ws, std::string_view join_request, Role role, std::string* envelope) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  if (admin_pk != m.keys->sign_public_key()) {
    return Status::PermissionDenied(Tr("only the workspace admin can admit devices"));
  }
  if (role == Role::kAdmin) return Status::InvalidArgument(Tr("a workspace has one admin"));
  if (role == Role::kRelay)
    return Status::InvalidArgument(Tr("a relay hub gets no keys: certify it with CertifyRelay"));
  hamlet::JoinRequest req;
  HAMLET_RETURN_IF_ERROR(ParseJoinRequest(join_request, &req));
  Certificate cert = IssueCertificate(ws, req.sign_public_key, req.kx_public_key, static_cast<uint8_t>(role),
                                      m.env->NowMillis(), m.keys->sign_secret_key());
  Envelope e;
  e.workspace = ws;
  e.admin_public_key = admin_pk;
  e.certificate = cert.bytes;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, m.device, &e.admin_certificate, &found));
  if (!found) return Status::DataLoss(Tr("the admin's own certificate is missing"));
  uint32_t current = 0;
  HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(ws, &current));
  for (uint32_t epoch = 0; epoch <= current; epoch++) {
    const Key32* key = nullptr;
    if (!m.keys->WorkspaceKey(ws, epoch, &key).ok()) continue;
    e.keys.push_back(WrappedKey{epoch, SealTo(req.kx_public_key, key->View())});
  }
  HAMLET_RETURN_IF_ERROR(InTransaction(&m, [&] { return m.store->PutDevice(ws, cert.device(), cert.bytes); }));
  *envelope = EncodeEnvelope(e, m.keys->sign_secret_key());
  return Status::OK();
}

Status Replica::CertifyRelay(const WorkspaceId& ws, std::string_view relay_request, DeviceId* relay,
                             std::string* relay_file) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  if (admin_pk != m.keys->sign_public_key())
    return Status::PermissionDenied(Tr("only the workspace admin certifies a relay hub"));
  std::string raw;
  hamlet::JoinRequest req;
  if (!HexDecode(relay_request, &raw)) {
    return Status::InvalidArgument(Tr("a relay request is the line of hex digits hamlet-hub relay key prints"));
  }
  HAMLET_RETURN_IF_ERROR(ParseJoinRequest(raw, &req));
  if (req.sign_public_key == m.keys->sign_public_key()) {
    return Status::InvalidArgument(Tr("that request is the admin's own device"));
  }
  // A member's certificate is never replaced by a relay's.
  std::string existing;
  bool member = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, DeviceIdFor(req.sign_public_key), &existing, &member));
  if (member) {
    Certificate known;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(existing, &known));
    if (known.role != format::kRoleRelay) {
      return Status::AlreadyExists(
          Format(Tr("device %s is a member of the workspace already; a relay hub has keys of its own"),
                 DeviceIdFor(req.sign_public_key).Hex().c_str()));
    }
  }
  Certificate cert = IssueCertificate(ws, req.sign_public_key, req.kx_public_key, format::kRoleRelay,
                                      m.env->NowMillis(), m.keys->sign_secret_key());
  bool found = false;
  std::string admin_certificate;
  HAMLET_RETURN_IF_ERROR(m.store->GetDevice(ws, m.device, &admin_certificate, &found));
  if (!found) return Status::DataLoss(Tr("the admin's own certificate is missing"));
  HAMLET_RETURN_IF_ERROR(InTransaction(&m, [&] { return m.store->PutDevice(ws, cert.device(), cert.bytes); }));
  *relay = cert.device();
  *relay_file = EncodeRelayFile(admin_certificate, cert.bytes);
  return Status::OK();
}

namespace {
// Where RequestJoin keeps the admin an invite code named, until Accept.
std::string JoiningMeta(const WorkspaceId& ws) { return "joining " + ws.Hex(); }
}  // namespace

Status Replica::Accept(std::string_view envelope, WorkspaceId* out) {
  Envelope e;
  HAMLET_RETURN_IF_ERROR(ParseEnvelope(envelope, &e));
  std::string expected;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    HAMLET_RETURN_IF_ERROR(impl_->store->GetMeta(JoiningMeta(e.workspace), &expected, &found));
  }
  auto admin = DeviceId::FromBytes(expected);
  if (!found || !admin) {
    return Status::PermissionDenied(
        Format(Tr("no invite to workspace %s was taken on this device, so nothing says who its admin is: join with an "
                  "invite code, or accept the envelope with the admin's fingerprint"),
               e.workspace.Hex().c_str()));
  }
  return Accept(envelope, *admin, out);
}

Status Replica::Accept(std::string_view envelope, const DeviceId& admin_device, WorkspaceId* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  Envelope e;
  HAMLET_RETURN_IF_ERROR(ParseEnvelope(envelope, &e));
  std::string held;
  if (m.AdminKey(e.workspace, &held).ok()) {
    return Status::AlreadyExists(
        Format(Tr("this device belongs to workspace %s already; an envelope cannot change its admin or its keys"),
               e.workspace.Hex().c_str()));
  }
  if (DeviceIdFor(e.admin_public_key) != admin_device) {
    return Status::PermissionDenied(Format(Tr("the envelope is signed by %s, not by the workspace admin %s the invite "
                                              "names: whoever answered is not the admin; nothing was joined"),
                                           DeviceIdFor(e.admin_public_key).Hex().c_str(), admin_device.Hex().c_str()));
  }
  Certificate mine, admin;
  HAMLET_RETURN_IF_ERROR(ParseCertificate(e.certificate, &mine));
  HAMLET_RETURN_IF_ERROR(ParseCertificate(e.admin_certificate, &admin));
  if (mine.sign_public_key != m.keys->sign_public_key() || mine.kx_public_key != m.keys->kx_public_key()) {
    return Status::InvalidArgument(Tr("this envelope admits another device"));
  }
  if (mine.workspace != e.workspace || admin.workspace != e.workspace ||
      admin.sign_public_key != e.admin_public_key || admin.role != format::kRoleAdmin) {
    return Status::DataLoss(Tr("envelope certificates do not match its workspace"));
  }
  HAMLET_RETURN_IF_ERROR(VerifyCertificate(mine, e.admin_public_key));
  HAMLET_RETURN_IF_ERROR(VerifyCertificate(admin, e.admin_public_key));
  std::map<uint32_t, Key32> keys;
  for (const WrappedKey& w : e.keys) {
    std::string raw;
    if (!OpenSealed(m.keys->kx_public_key(), m.keys->kx_secret_key(), w.sealed, &raw) || raw.size() != kKeyBytes) {
      return Status::DataLoss(Tr("a workspace key in the envelope cannot be opened"));
    }
    if (!keys.emplace(w.epoch, Key32::FromView(raw)).second) {
      return Status::DataLoss(Format(Tr("the envelope holds two keys for epoch %s"), std::to_string(w.epoch).c_str()));
    }
    Wipe(&raw);
  }
  if (keys.empty()) return Status::DataLoss(Tr("the envelope holds no workspace key"));
  Status s = InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.store->PutWorkspace(e.workspace, e.admin_public_key));
    // The admin's silence is counted from joining until a statement comes.
    HAMLET_RETURN_IF_ERROR(m.NoteStatementArrived(e.workspace));
    for (auto& [epoch, key] : keys) HAMLET_RETURN_IF_ERROR(m.keys->AddWorkspaceKey(e.workspace, epoch, key));
    HAMLET_RETURN_IF_ERROR(m.store->PutDevice(e.workspace, admin.device(), admin.bytes));
    HAMLET_RETURN_IF_ERROR(m.store->PutMeta(JoiningMeta(e.workspace), ""));
    return m.store->PutDevice(e.workspace, m.device, mine.bytes);
  });
  if (s.ok()) *out = e.workspace;
  return s;
}

namespace {
constexpr char kInvitePrefix[] = "hamlet2:";
constexpr size_t kInviteIdBytes = 8;
constexpr size_t kInviteSecretBytes = 16;
std::string InviteMeta(const WorkspaceId& ws, std::string_view id) { return "invite " + ws.Hex() + " " + HexEncode(id); }
}  // namespace

Status Replica::CreateInvite(const WorkspaceId& ws, Role role, std::string* code, int64_t valid_for_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin_pk));
  if (admin_pk != m.keys->sign_public_key()) return Status::PermissionDenied(Tr("only the workspace admin invites"));
  if (role == Role::kAdmin) return Status::InvalidArgument(Tr("a workspace has one admin"));
  if (role == Role::kRelay)
    return Status::InvalidArgument(Tr("a relay hub is certified, not invited: see CertifyRelay"));
  if (valid_for_ms <= 0) return Status::InvalidArgument(Tr("an invite must be valid for some time"));
  std::string id = RandomBytes(kInviteIdBytes), secret = RandomBytes(kInviteSecretBytes);
  std::string record(1, static_cast<char>(role));
  record += secret;
  Writer(&record).Fixed64(static_cast<uint64_t>(m.env->NowMillis() + valid_for_ms));
  std::string meta = InviteMeta(ws, id);
  HAMLET_RETURN_IF_ERROR(InTransaction(&m, [&] {
    return m.store->PutMeta(meta, Keystore::SealAtRest(m.keys->record_key(), meta, record));
  }));
  // The code names the admin (its device id, a hash of its signing key), so
  // the new device takes an envelope only from that key, whoever relays it.
  *code = kInvitePrefix + HexEncode(std::string(ws.View()) + id + secret + std::string(1, static_cast<char>(role)) +
                                    std::string(m.device.View()));
  return Status::OK();
}

Status Replica::RequestJoin(std::string_view code, WorkspaceId* ws, std::string* invite_id, std::string* request) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  std::string raw;
  std::string_view prefix(kInvitePrefix);
  if (code.substr(0, 7) == "hamlet1") {
    return Status::InvalidArgument(
        Tr("this invite code is of an older kind that does not name the admin; ask for a new one"));
  }
  if (code.substr(0, prefix.size()) != prefix || !HexDecode(code.substr(prefix.size()), &raw) ||
      raw.size() != 16 + kInviteIdBytes + kInviteSecretBytes + 1 + 16) {
    return Status::InvalidArgument(Tr("not a Hamlet invite code"));
  }
  *ws = *WorkspaceId::FromBytes(raw.substr(0, 16));
  std::string held;
  if (m.AdminKey(*ws, &held).ok()) {
    return Status::AlreadyExists(Format(Tr("this device belongs to workspace %s already"), ws->Hex().c_str()));
  }
  HAMLET_RETURN_IF_ERROR(
      InTransaction(&m, [&] { return m.store->PutMeta(JoiningMeta(*ws), raw.substr(raw.size() - 16)); }));
  std::string id = raw.substr(16, kInviteIdBytes);
  std::string secret = raw.substr(16 + kInviteIdBytes, kInviteSecretBytes);
  std::string join = EncodeJoinRequest(m.keys->sign_public_key(), m.keys->kx_public_key(), m.keys->sign_secret_key());
  *invite_id = HexEncode(id);
  *request = id + join + Hash(id + join, 32, secret);
  Wipe(&secret);
  return Status::OK();
}

Status Replica::AdmitInvited(const WorkspaceId& ws, std::string_view request, std::string* envelope,
                             std::string* certificate, std::string* invite_id) {
  std::string id, join, record;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    Impl& m = *impl_;
    if (request.size() < kInviteIdBytes + 32 + 1) return Status::InvalidArgument(Tr("join request is too short"));
    id = request.substr(0, kInviteIdBytes);
    join = request.substr(kInviteIdBytes, request.size() - kInviteIdBytes - 32);
    std::string_view mac = request.substr(request.size() - 32);
    std::string meta = InviteMeta(ws, id), sealed;
    bool found = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetMeta(meta, &sealed, &found));
    if (!found)
      return Status::NotFound(Format(Tr("no invite %s in workspace %s"), HexEncode(id).c_str(), ws.Hex().c_str()));
    if (sealed.empty())
      return Status::PermissionDenied(Format(Tr("invite %s has been used already"), HexEncode(id).c_str()));
    if (!Keystore::OpenAtRest(m.keys->record_key(), meta, sealed, &record) ||
        record.size() != 1 + kInviteSecretBytes + 8) {
      return Status::DataLoss(Format(Tr("invite %s is damaged"), HexEncode(id).c_str()));
    }
    int64_t expires = static_cast<int64_t>(Reader(std::string_view(record).substr(1 + kInviteSecretBytes)).Fixed64());
    if (m.env->NowMillis() > expires) {
      return Status::PermissionDenied(
          Format(Tr("invite %s has expired: make a new one for the device (hamlet invite)"), HexEncode(id).c_str()));
    }
    if (!SecureEqual(Hash(id + join, 32, record.substr(1, kInviteSecretBytes)), mac)) {
      return Status::PermissionDenied(
          Format(Tr("the join request does not carry invite %s's secret"), HexEncode(id).c_str()));
    }
  }
  HAMLET_RETURN_IF_ERROR(Admit(ws, join, static_cast<Role>(record[0]), envelope));
  hamlet::JoinRequest parsed;
  HAMLET_RETURN_IF_ERROR(ParseJoinRequest(join, &parsed));
  HAMLET_RETURN_IF_ERROR(DeviceCertificate(ws, DeviceIdFor(parsed.sign_public_key), certificate));
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string meta = InviteMeta(ws, id);
  // The invite is spent: the same code cannot admit a second device.
  HAMLET_RETURN_IF_ERROR(InTransaction(impl_.get(), [&] { return impl_->store->PutMeta(meta, ""); }));
  *invite_id = HexEncode(id);
  return Status::OK();
}

RecordId Replica::NamedRecordId(const WorkspaceId& ws, std::string_view collection, std::string_view name) {
  std::string input = "hamlet named record";
  Writer w(&input);
  w.Raw(ws.View());
  w.Bytes(collection);
  w.Bytes(name);
  return *RecordId::FromBytes(Hash(input, 16));
}

Status Replica::AcceptCertificate(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  Certificate cert;
  HAMLET_RETURN_IF_ERROR(ParseCertificate(bytes, &cert));
  std::string admin_pk, stored;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(cert.workspace, &admin_pk));
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.store->GetDevice(cert.workspace, cert.device(), &stored, &found));
  if (found && stored == cert.bytes) return Status::OK();  // Checked when it was stored.
  HAMLET_RETURN_IF_ERROR(VerifyCertificate(cert, admin_pk));
  if (found) return Status::OK();
  HAMLET_RETURN_IF_ERROR(
      InTransaction(&m, [&] { return m.store->PutDevice(cert.workspace, cert.device(), cert.bytes); }));
  return m.RetryAside(cert.workspace);  // Commits by this device may have waited for it.
}

Status Replica::AcceptKeyGrant(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  if (bytes.size() < 20) return Status::InvalidArgument(Tr("not a key grant"));
  auto ws = WorkspaceId::FromBytes(bytes.substr(4, 16));
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(*ws, &admin_pk));
  KeyGrant grant;
  HAMLET_RETURN_IF_ERROR(ParseKeyGrant(bytes, admin_pk, &grant));
  if (grant.device != m.device)
    return Status::InvalidArgument(Format(Tr("this key grant is for device %s"), grant.device.Hex().c_str()));
  std::string raw;
  if (!OpenSealed(m.keys->kx_public_key(), m.keys->kx_secret_key(), grant.sealed, &raw) || raw.size() != kKeyBytes) {
    return Status::DataLoss(Tr("the key grant cannot be opened"));
  }
  Key32 key = Key32::FromView(raw);
  Wipe(&raw);
  uint32_t current = 0;
  HAMLET_RETURN_IF_ERROR(m.keys->CurrentEpoch(grant.workspace, &current));
  if (grant.epoch <= current) {
    const Key32* held = nullptr;
    if (m.keys->WorkspaceKey(grant.workspace, grant.epoch, &held).ok() && SecureEqual(held->View(), key.View())) {
      return Status::OK();  // Taken before.
    }
    return Status::DataLoss(Format(Tr("a key grant for epoch %s would replace a key this device holds; refused"),
                                   std::to_string(grant.epoch).c_str()));
  }
  if (grant.epoch != current + 1) {
    return Status::FailedPrecondition(
        Format(Tr("a key grant for epoch %s comes before the one for epoch %s; grants are taken in order"),
               std::to_string(grant.epoch).c_str(), std::to_string(current + 1).c_str()));
  }
  HAMLET_RETURN_IF_ERROR(
      InTransaction(&m, [&] { return m.keys->AddWorkspaceKey(grant.workspace, grant.epoch, key); }));
  return m.RetryAside(grant.workspace);  // Commits sealed with this key may have waited for it.
}

Status Replica::Workspaces(std::vector<WorkspaceId>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::pair<WorkspaceId, std::string>> all;
  HAMLET_RETURN_IF_ERROR(impl_->store->ListWorkspaces(&all));
  out->clear();
  for (auto& [id, pk] : all) out->push_back(id);
  return Status::OK();
}

Status Replica::Checkpoint() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return impl_->store->Checkpoint();
}

Status Replica::IntegrityCheck(std::string* result) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return impl_->store->IntegrityCheck(result);
}

}  // namespace hamlet
