// Replica: attachments (protocol.md 14). The sealed chunks live in
// AttachmentFiles; the reference is a record of the "attachments"
// collection written through Commit, so it merges, syncs and is deleted
// like any record.
#include <algorithm>
#include <set>

#include "attachment.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "replica_impl.h"

namespace hamlet {
namespace {

const std::string* Text(const Record& r, const char* field) {
  auto it = r.fields.find(field);
  return it != r.fields.end() ? std::get_if<std::string>(&it->second) : nullptr;
}

// The reference a record holds, and its key field: the key in hex, or
// sealed to the officers (a denunciation's file, its name sealed too);
// InvalidArgument when the record is not a well-formed reference. A sealed
// name is opened by the caller (OpenName), outside the replica's lock.
Status ReferenceOf(const Record& r, Attachment* a, std::string* key_field) {
  const std::string* of = Text(r, "of");
  const std::string* file = Text(r, "file");
  const std::string* key = Text(r, "key");
  std::optional<RecordId> record = of ? RecordId::FromHex(*of) : std::nullopt;
  std::string file_bytes, key_bytes;
  bool sealed = key && Replica::IsSealed(*key);
  bool ok = r.collection == format::kAttachmentCollection && record && file && HexDecode(*file, &file_bytes) &&
            file_bytes.size() == format::kAttachmentHashBytes && key &&
            (sealed || (HexDecode(*key, &key_bytes) && key_bytes.size() == 32));
  if (!ok) return Status::InvalidArgument(Format(Tr("record %s is not an attachment"), r.id.Hex().c_str()));
  *key_field = *key;
  a->confidential = sealed;
  a->reference = r.id;
  a->workspace = r.workspace;
  a->record = *record;
  a->file = *file;
  const std::string* name = Text(r, "name");
  const std::string* type = Text(r, "type");
  a->name = name ? *name : "";
  a->type = type ? *type : "application/octet-stream";
  auto size = r.fields.find("size");
  const int64_t* n = size != r.fields.end() ? std::get_if<int64_t>(&size->second) : nullptr;
  a->size = n ? static_cast<uint64_t>(std::max<int64_t>(0, *n)) : 0;
  a->deleted = r.deleted;
  return Status::OK();
}

// A sealed name as this device may read it: the name, or "" for a device
// that is not among the officers it was sealed to.
void OpenName(Replica& r, Attachment* a) {
  if (!a->confidential || !Replica::IsSealed(a->name)) return;
  std::string name;
  a->name = r.Unseal(a->workspace, a->name, &name).ok() ? name : "";
}

// The file's key from a reference's key field (opening it when sealed).
Status KeyOf(Replica& r, const Attachment& a, const std::string& key_field, Key32* key) {
  std::string hex = key_field;
  if (a.confidential && !r.Unseal(a.workspace, key_field, &hex).ok()) {
    return Status::PermissionDenied(Format(Tr("attachment %s belongs to a denunciation: only the officers may open it"),
                                           a.reference.Hex().c_str()));
  }
  std::string bytes;
  if (!HexDecode(hex, &bytes) || bytes.size() != 32) {
    return Status::DataLoss(Format(Tr("the key of attachment %s is damaged"), a.reference.Hex().c_str()));
  }
  *key = Key32::FromView(bytes);
  Wipe(&bytes);
  Wipe(&hex);
  return Status::OK();
}

Status FileBytes(const std::string& hex, std::string* bytes) {
  if (!HexDecode(hex, bytes) || bytes->size() != format::kAttachmentHashBytes) {
    return Status::InvalidArgument(Format(Tr("%s is not an attachment's file id (64 hex digits)"), hex.c_str()));
  }
  return Status::OK();
}

// Adds what this device holds of the file to a.
Status AddLocalState(AttachmentFiles* files, Attachment* a) {
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(a->file, &id));
  AttachmentFile f;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(files->Get(id, &f, &found));
  a->held = found && f.whole();
  a->sent = found && f.sent;
  a->wanted = found && f.wanted;
  return Status::OK();
}

}  // namespace

Status Replica::Attach(const WorkspaceId& ws, const RecordId& record, std::string_view bytes, std::string_view name,
                       std::string_view type, Attachment* out) {
  if (bytes.size() > format::kMaxAttachmentBytes) {
    return Status::OutOfRange(Tr("an attachment is at most 1 GiB"));
  }
  if (name.empty() || name.size() > format::kMaxNameBytes) {
    return Status::InvalidArgument(Tr("an attachment needs a name of at most 255 bytes"));
  }
  if (type.size() > format::kMaxNameBytes) return Status::InvalidArgument(Tr("the media type is too long"));
  Record target;
  HAMLET_RETURN_IF_ERROR(Get(record, &target));
  if (target.workspace != ws) {
    return Status::InvalidArgument(
        Format(Tr("record %s is not in workspace %s"), record.Hex().c_str(), ws.Hex().c_str()));
  }
  if (target.deleted) return Status::FailedPrecondition(Format(Tr("record %s is deleted"), record.Hex().c_str()));
  if (target.collection == format::kAttachmentCollection) {
    return Status::InvalidArgument(Tr("an attachment is attached to a record, not to another attachment"));
  }

  Key32 key = Key32::Random();
  AttachmentManifest manifest;
  std::vector<std::string> chunks;
  SealAttachment(bytes, key, &manifest, &chunks);
  AttachmentFile file;
  file.manifest = manifest.Encode();
  file.id = AttachmentManifest::IdOf(file.manifest);
  file.workspace = ws;
  file.chunks = chunks.size();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    Impl& m = *impl_;
    HAMLET_RETURN_IF_ERROR(m.EndGroup());
    HAMLET_RETURN_IF_ERROR(m.store->Begin());
    Status s = m.files->Add(file);
    for (size_t i = 0; s.ok() && i < chunks.size(); i++) s = m.files->PutChunk(file.id, i, chunks[i]);
    if (s.ok()) s = m.store->Commit();
    if (!s.ok()) {
      m.store->Rollback();
      return s;
    }
  }
  // A denunciation's file, and its name, are for the officers alone, as its
  // reporter is (protocol.md 14.3).
  std::string key_field = HexEncode(key.View());
  std::string name_field(name);
  auto kind = target.fields.find("kind");
  if (target.collection == format::kConcernCollection && kind != target.fields.end() &&
      kind->second == Value(std::string("denunciation"))) {
    std::string hex = key_field;
    HAMLET_RETURN_IF_ERROR(SealForOfficers(ws, hex, &key_field));
    HAMLET_RETURN_IF_ERROR(SealForOfficers(ws, std::string(name), &name_field));
    Wipe(&hex);
  }
  WriteBatch batch;
  RecordId reference = batch.Insert(format::kAttachmentCollection,
                                    {{"of", Value(record.Hex())},
                                     {"file", Value(HexEncode(file.id))},
                                     {"key", Value(key_field)},
                                     {"name", Value(name_field)},
                                     {"type", Value(type.empty() ? "application/octet-stream" : std::string(type))},
                                     {"size", Value(static_cast<int64_t>(bytes.size()))}});
  HAMLET_RETURN_IF_ERROR(Commit(ws, batch));
  return out ? GetAttachment(reference, out) : Status::OK();
}

Status Replica::Attachments(const WorkspaceId& ws, const RecordId* record, std::vector<Attachment>* out) {
  out->clear();
  Query q;
  q.workspace = ws;
  q.collection = format::kAttachmentCollection;
  if (record) q.equals.push_back({"of", Value(record->Hex())});
  q.limit = SIZE_MAX;
  QueryResult found;
  HAMLET_RETURN_IF_ERROR(Find(q, &found));
  // Oldest first: a reference is written once, when the file is attached.
  std::stable_sort(found.records.begin(), found.records.end(), [](const Record& x, const Record& y) {
    return x.updated_millis != y.updated_millis ? x.updated_millis < y.updated_millis : x.id < y.id;
  });
  for (const Record& r : found.records) {
    Attachment a;
    std::string key;
    if (!ReferenceOf(r, &a, &key).ok()) continue;  // Not written by Attach: not a file of ours to list.
    OpenName(*this, &a);
    out->push_back(std::move(a));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (Attachment& a : *out) HAMLET_RETURN_IF_ERROR(AddLocalState(impl_->files.get(), &a));
  return Status::OK();
}

Status Replica::GetAttachment(const RecordId& reference, Attachment* out) {
  Record r;
  HAMLET_RETURN_IF_ERROR(Get(reference, &r));
  std::string key;
  HAMLET_RETURN_IF_ERROR(ReferenceOf(r, out, &key));
  OpenName(*this, out);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return AddLocalState(impl_->files.get(), out);
}

Status Replica::ReadAttachment(const RecordId& reference, std::string* bytes) {
  bytes->clear();
  Record r;
  HAMLET_RETURN_IF_ERROR(Get(reference, &r));
  Attachment a;
  std::string key_field;
  HAMLET_RETURN_IF_ERROR(ReferenceOf(r, &a, &key_field));
  Key32 k;
  HAMLET_RETURN_IF_ERROR(KeyOf(*this, a, key_field, &k));
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(a.file, &id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  AttachmentFile f;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(impl_->files->Get(id, &f, &found));
  if (!found || !f.whole()) {
    return Status::FailedPrecondition(
        Format(Tr("attachment %s is not on this device yet: fetch it from the hub"), reference.Hex().c_str()));
  }
  AttachmentManifest manifest;
  HAMLET_RETURN_IF_ERROR(AttachmentManifest::Decode(f.manifest, &manifest));
  std::string sealed, plain;
  for (size_t i = 0; i < manifest.chunks(); i++) {
    HAMLET_RETURN_IF_ERROR(impl_->files->GetChunk(id, i, &sealed));
    HAMLET_RETURN_IF_ERROR(OpenAttachmentChunk(manifest, k, i, sealed, &plain));
    bytes->append(plain);
  }
  Wipe(&plain);
  if (bytes->size() != a.size) {
    return Status::DataLoss(Format(Tr("attachment %s holds %zu bytes where its record says %llu"),
                                   reference.Hex().c_str(), bytes->size(), static_cast<unsigned long long>(a.size)));
  }
  return Status::OK();
}

Status Replica::DropAttachment(const RecordId& reference) {
  Attachment a;
  HAMLET_RETURN_IF_ERROR(GetAttachment(reference, &a));
  if (a.deleted) return Status::OK();
  WriteBatch batch;
  batch.Delete(reference);
  HAMLET_RETURN_IF_ERROR(Commit(a.workspace, batch));
  return PruneAttachments(a.workspace, nullptr);
}

Status Replica::WantAttachment(const RecordId& reference, bool wanted) {
  Record r;
  HAMLET_RETURN_IF_ERROR(Get(reference, &r));
  Attachment a;
  std::string key;
  HAMLET_RETURN_IF_ERROR(ReferenceOf(r, &a, &key));
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(a.file, &id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  HAMLET_RETURN_IF_ERROR(m.EndGroup());
  AttachmentFile f;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.files->Get(id, &f, &found));
  if (!found) {
    // The manifest comes with the first fetch; until then the row names
    // the file and that it is wanted.
    f.id = id;
    f.workspace = a.workspace;
    HAMLET_RETURN_IF_ERROR(m.files->Add(f));
  }
  return m.files->SetWanted(id, wanted);
}

Status Replica::PruneAttachments(const WorkspaceId& ws, uint64_t* freed) {
  if (freed) *freed = 0;
  std::vector<Attachment> live;
  HAMLET_RETURN_IF_ERROR(Attachments(ws, nullptr, &live));
  std::set<std::string> keep;
  for (const Attachment& a : live) {
    Record parent;
    Status s = Get(a.record, &parent);
    if (s.ok() && !parent.deleted) keep.insert(a.file);
    if (!s.ok() && s.code() != Code::kNotFound) return s;
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  HAMLET_RETURN_IF_ERROR(m.EndGroup());
  std::vector<AttachmentFile> holding;
  HAMLET_RETURN_IF_ERROR(m.files->Holding(ws, &holding));
  for (const AttachmentFile& f : holding) {
    if (!f.sent || keep.count(HexEncode(f.id))) continue;
    AttachmentManifest manifest;
    if (freed && AttachmentManifest::Decode(f.manifest, &manifest).ok()) {
      for (size_t i = 0; i < f.held; i++) *freed += manifest.SealedChunkSize(i);
    }
    HAMLET_RETURN_IF_ERROR(m.files->DropChunks(f.id));
  }
  return Status::OK();
}

Status Replica::UnsentAttachments(const WorkspaceId& ws, std::vector<std::string>* files) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<AttachmentFile> rows;
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  HAMLET_RETURN_IF_ERROR(impl_->files->Unsent(ws, &rows));
  files->clear();
  for (const AttachmentFile& f : rows) files->push_back(HexEncode(f.id));
  return Status::OK();
}

Status Replica::WantedAttachments(const WorkspaceId& ws, std::vector<std::string>* files) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<AttachmentFile> rows;
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  HAMLET_RETURN_IF_ERROR(impl_->files->Wanted(ws, &rows));
  files->clear();
  for (const AttachmentFile& f : rows) files->push_back(HexEncode(f.id));
  return Status::OK();
}

Status Replica::AttachmentState(const std::string& file, AttachmentLayout* out) {
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(file, &id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  AttachmentFile f;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(impl_->files->Get(id, &f, &found));
  if (!found) return Status::NotFound(Format(Tr("this device knows no attachment file %s"), file.c_str()));
  *out = AttachmentLayout();
  if (f.manifest.empty()) return Status::OK();  // Wanted, its manifest not fetched yet.
  AttachmentManifest m;
  HAMLET_RETURN_IF_ERROR(AttachmentManifest::Decode(f.manifest, &m));
  out->manifest = f.manifest;
  out->sealed_size = m.SealedSize();
  out->sealed_chunk_bytes = uint64_t{m.chunk_bytes} + format::kAttachmentTagBytes;
  out->chunks = m.chunks();
  out->held_chunks = f.held;
  return Status::OK();
}

Status Replica::ReadAttachmentChunk(const std::string& file, size_t index, std::string* sealed) {
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(file, &id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return impl_->files->GetChunk(id, index, sealed);
}

Status Replica::MarkAttachmentSent(const std::string& file) {
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(file, &id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  HAMLET_RETURN_IF_ERROR(impl_->EndGroup());
  return impl_->files->SetSent(id);
}

Status Replica::TakeAttachmentManifest(const WorkspaceId& ws, const std::string& file, std::string_view manifest) {
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(file, &id));
  AttachmentManifest m;
  if (!SecureEqual(AttachmentManifest::IdOf(manifest), id) || !AttachmentManifest::Decode(manifest, &m).ok()) {
    return Status::DataLoss(Format(Tr("the manifest of attachment file %s was forged or damaged"), file.c_str()));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& mi = *impl_;
  HAMLET_RETURN_IF_ERROR(mi.EndGroup());
  AttachmentFile f;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(mi.files->Get(id, &f, &found));
  if (found && !f.manifest.empty()) return Status::OK();
  bool wanted = found && f.wanted;
  HAMLET_RETURN_IF_ERROR(mi.store->Begin());
  f.id = id;
  f.workspace = ws;
  f.manifest.assign(manifest);
  f.chunks = m.chunks();
  f.held = 0;
  f.sent = true;  // It came from a hub.
  f.wanted = wanted;
  Status s = found ? mi.files->DropChunks(id) : Status::OK();
  if (s.ok()) s = mi.files->Put(f);
  if (s.ok()) s = mi.store->Commit();
  if (!s.ok()) mi.store->Rollback();
  return s;
}

Status Replica::TakeAttachmentChunk(const std::string& file, size_t index, std::string_view sealed) {
  std::string id;
  HAMLET_RETURN_IF_ERROR(FileBytes(file, &id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  HAMLET_RETURN_IF_ERROR(m.EndGroup());
  AttachmentFile f;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(m.files->Get(id, &f, &found));
  AttachmentManifest manifest;
  if (!found || f.manifest.empty() || !AttachmentManifest::Decode(f.manifest, &manifest).ok()) {
    return Status::FailedPrecondition(Format(Tr("no manifest for attachment file %s yet"), file.c_str()));
  }
  if (index != f.held) {
    return Status::InvalidArgument(
        Format(Tr("chunk %zu of attachment file %s is not the next one (%zu)"), index, file.c_str(), f.held));
  }
  if (!AttachmentChunkMatches(manifest, index, sealed)) {
    return Status::DataLoss(
        Format(Tr("chunk %zu of attachment file %s does not match its manifest"), index, file.c_str()));
  }
  HAMLET_RETURN_IF_ERROR(m.store->Begin());
  Status s = m.files->PutChunk(id, index, sealed);
  if (s.ok() && index + 1 == f.chunks) s = m.files->SetWanted(id, false);
  if (s.ok()) s = m.store->Commit();
  if (!s.ok()) m.store->Rollback();
  return s;
}

}  // namespace hamlet
