#include "commit.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

#include "coding.h"
#include "compress.h"
#include "format.h"
#include "hamlet/language.h"
#include "padding.h"
#include "value_coding.h"

namespace hamlet {

namespace {

void EncodeHeader(const CommitHeader& h, Writer& w) {
  w.U8(h.version);
  w.U8(h.flags);
  w.Raw(h.author.View());
  w.Varint(h.seq);
  w.Varint(h.epoch);
  w.Raw(h.prev_hash);
  w.Raw(h.salt);
}

// The AEAD associated data, and the prefix of the signed message: a domain
// string, the workspace and the header.
std::string AssociatedData(const WorkspaceId& ws, const CommitHeader& h) {
  std::string ad(format::kCommitAdPrefix);
  ad.append(ws.View());
  Writer w(&ad);
  EncodeHeader(h, w);
  return ad;
}

std::string NonceFor(std::string_view ad) { return Hash(ad, kAeadNonceBytes); }

std::string SignedMessage(const WorkspaceId& ws, const CommitHeader& h, std::string_view ciphertext) {
  std::string m = AssociatedData(ws, h);
  Writer w(&m);
  w.Bytes(ciphertext);
  return m;
}

// Interns strings and devices referenced by a body.
struct Tables {
  std::map<std::string, uint64_t> strings;
  std::vector<std::string_view> string_order;
  std::map<DeviceId, uint64_t> devices;  // Index 0 is the author.
  std::vector<DeviceId> device_order;

  uint64_t Str(const std::string& s) {
    auto [it, inserted] = strings.emplace(s, strings.size());
    if (inserted) string_order.push_back(it->first);
    return it->second;
  }
  uint64_t Dev(const DeviceId& d) {
    auto [it, inserted] = devices.emplace(d, devices.size());
    if (inserted) device_order.push_back(d);
    return it->second;
  }
};

Status CheckName(const std::string& s, const char* what) {
  if (s.empty() || s.size() > format::kMaxNameBytes) {
    return Status::InvalidArgument(Format(Tr("%s must be 1 to 255 bytes"), std::string(what).c_str()));
  }
  return Status::OK();
}

}  // namespace

std::string SealedCommit::Hash() const {
  assert(known_hash.empty() || known_hash == hamlet::Hash(bytes));
  return known_hash.empty() ? hamlet::Hash(bytes) : known_hash;
}

Status EncodeBody(const DeviceId& author, const std::vector<RecordOp>& ops, std::string* out) {
  if (ops.empty()) return Status::InvalidArgument(Tr("a commit needs at least one operation"));
  if (ops.size() > format::kMaxOpsPerCommit) return Status::InvalidArgument(Tr("too many operations in one commit"));
  size_t field_writes = 0;
  for (const RecordOp& op : ops) field_writes += op.fields.size();
  if (field_writes > format::kMaxFieldWritesPerCommit) {
    return Status::InvalidArgument(Format(Tr("more than %s field writes in one commit: split it into several"),
                                          std::to_string(format::kMaxFieldWritesPerCommit).c_str()));
  }
  Tables t;
  t.Dev(author);
  std::set<RecordId> seen;
  for (const RecordOp& op : ops) {
    if (!seen.insert(op.record).second) {
      return Status::InvalidArgument(Format(Tr("record %s appears twice in one commit"), op.record.Hex().c_str()));
    }
    HAMLET_RETURN_IF_ERROR(CheckName(op.collection, "a collection name"));
    t.Str(op.collection);
    if (op.alive_base.size() > format::kMaxBaseRefs) return Status::InvalidArgument(Tr("too many base references"));
    for (const WriteRef& r : op.alive_base) t.Dev(r.device);
    std::set<std::string_view> names;
    for (const FieldWrite& f : op.fields) {
      HAMLET_RETURN_IF_ERROR(CheckName(f.name, "a field name"));
      if (!names.insert(f.name).second)
        return Status::InvalidArgument(Format(Tr("field '%s' written twice"), f.name.c_str()));
      if (f.base.size() > format::kMaxBaseRefs) return Status::InvalidArgument(Tr("too many base references"));
      if (auto* s = std::get_if<std::string>(&f.value); s && s->size() > format::kMaxValueBytes) {
        return Status::InvalidArgument(Format(Tr("value of field '%s' exceeds 1 MiB"), f.name.c_str()));
      }
      t.Str(f.name);
      for (const WriteRef& r : f.base) t.Dev(r.device);
    }
  }
  out->clear();
  Writer w(out);
  w.Varint(t.device_order.size() - 1);
  for (size_t i = 1; i < t.device_order.size(); i++) w.Raw(t.device_order[i].View());
  w.Varint(t.string_order.size());
  for (std::string_view s : t.string_order) w.Bytes(s);
  auto refs = [&](const std::vector<WriteRef>& base) {
    w.Varint(base.size());
    for (const WriteRef& r : base) {
      w.Varint(t.devices.at(r.device));
      w.Varint(r.seq);
    }
  };
  w.Varint(ops.size());
  for (const RecordOp& op : ops) {
    w.Raw(op.record.View());
    w.Varint(t.strings.at(op.collection));
    w.U8(op.alive ? 1 : 0);
    refs(op.alive_base);
    w.Varint(op.fields.size());
    for (const FieldWrite& f : op.fields) {
      w.Varint(t.strings.at(f.name));
      EncodeValue(f.value, w);
      refs(f.base);
    }
  }
  if (out->size() > format::kMaxCommitPlaintext) return Status::InvalidArgument(Tr("commit exceeds 4 MiB"));
  return Status::OK();
}

Status DecodeBody(const DeviceId& author, std::string_view body, std::vector<RecordOp>* ops) {
  Reader r(body);
  std::vector<DeviceId> devices{author};
  uint64_t ndev = r.Varint();
  if (!r.ok() || ndev > r.remaining() / 16) return Status::DataLoss(Tr("commit body: bad device table"));
  for (uint64_t i = 0; i < ndev; i++) devices.push_back(*DeviceId::FromBytes(r.Raw(16)));
  uint64_t nstr = r.Varint();
  if (!r.ok() || nstr > r.remaining()) return Status::DataLoss(Tr("commit body: bad string table"));
  std::vector<std::string> strings;
  strings.reserve(nstr);
  for (uint64_t i = 0; i < nstr; i++) {
    std::string_view s = r.Bytes(format::kMaxNameBytes);
    if (s.empty()) r.Fail();
    strings.emplace_back(s);
  }
  auto str = [&](uint64_t i) -> const std::string* {
    if (i >= strings.size()) {
      r.Fail();
      return nullptr;
    }
    return &strings[i];
  };
  auto refs = [&](std::vector<WriteRef>* out) {
    uint64_t n = r.Varint();
    if (n > format::kMaxBaseRefs) return r.Fail();
    out->resize(n);
    for (auto& ref : *out) {
      uint64_t d = r.Varint();
      ref.seq = r.Varint();
      if (d >= devices.size() || ref.seq == 0) return r.Fail();
      ref.device = devices[d];
    }
  };
  uint64_t nops = r.Varint();
  if (!r.ok() || nops == 0 || nops > format::kMaxOpsPerCommit || nops > r.remaining() / 20) {
    return Status::DataLoss(Tr("commit body: bad operation count"));
  }
  ops->clear();
  ops->resize(nops);
  uint64_t field_writes = 0;
  for (RecordOp& op : *ops) {
    auto id = RecordId::FromBytes(r.Raw(16));
    if (!id) break;
    op.record = *id;
    if (auto* s = str(r.Varint())) op.collection = *s;
    uint8_t alive = r.U8();
    if (alive > 1) r.Fail();
    op.alive = alive == 1;
    refs(&op.alive_base);
    uint64_t nf = r.Varint();
    if (nf > r.remaining()) r.Fail();
    field_writes += nf;
    if (field_writes > format::kMaxFieldWritesPerCommit) {
      return Status::DataLoss(Format(Tr("commit body: more than %s field writes"),
                                     std::to_string(format::kMaxFieldWritesPerCommit).c_str()));
    }
    if (!r.ok()) break;
    op.fields.resize(nf);
    for (FieldWrite& f : op.fields) {
      if (auto* s = str(r.Varint())) f.name = *s;
      if (!DecodeValue(r, &f.value)) r.Fail();
      refs(&f.base);
      if (!r.ok()) break;
    }
    if (!r.ok()) break;
  }
  if (!r.done()) return Status::DataLoss(Tr("commit body is malformed"));
  return Status::OK();
}

std::string CanonicalBytes(const CommitHeader& h, std::string_view ciphertext, std::string_view signature) {
  std::string out;
  out.reserve(80 + ciphertext.size() + signature.size());
  Writer w(&out);
  EncodeHeader(h, w);
  w.Bytes(ciphertext);
  w.Raw(signature);
  return out;
}

// Every maker of a SealedCommit ends here, once its bytes are final.
static void PointInto(SealedCommit* c, size_t ct_len) {
  c->ciphertext_offset = c->bytes.size() - kSignatureBytes - ct_len;
  c->ciphertext_size = ct_len;
  c->known_hash.clear();
  c->padding_zeros = 0;
}

Status SealCommit(const WorkspaceId& ws, CommitHeader header, std::string_view body, const Key32& data_key,
                  std::string_view sign_secret_key, SealedCommit* out) {
  assert(header.seq >= 1 && header.prev_hash.size() == kHashBytes);
  header.version = format::kCommitVersion;
  header.flags = 0;
  header.salt = RandomBytes(format::kSaltBytes);
  // Inside the seal: the clock, the inner flags, the body, the padding.
  std::string plaintext;
  Writer w(&plaintext);
  w.Fixed64(header.hlc);
  w.U8(0);
  bool compressed = body.size() >= format::kCompressMinBytes && Compress(body, 3, 9, &plaintext);
  if (compressed) plaintext[8] = static_cast<char>(format::kCommitInnerFlagZstd);
  if (!compressed) plaintext.append(body);
  const size_t zeros = plaintext.size() + 1;  // After the padding's marker.
  Pad(&plaintext, format::kCommitPadMinBytes);
  std::string ad = AssociatedData(ws, header);
  std::string ciphertext;
  AeadSeal(data_key, NonceFor(ad), ad, plaintext, &ciphertext);
  Wipe(&plaintext);
  std::string signature = SignDetached(sign_secret_key, SignedMessage(ws, header, ciphertext));
  out->header = std::move(header);
  out->bytes = CanonicalBytes(out->header, ciphertext, signature);
  PointInto(out, ciphertext.size());
  out->padding_zeros = zeros;
  return Status::OK();
}

Status ParseCommit(std::string_view bytes, SealedCommit* out) {
  Reader r(bytes);
  CommitHeader& h = out->header;
  h.version = r.U8();
  if (r.ok() && h.version > format::kCommitVersion) {
    return Status::Unimplemented(
        Format(Tr("commit format version %s is newer than this build"), std::to_string(h.version).c_str()));
  }
  if (r.ok() && h.version != format::kCommitVersion) {
    return Status::DataLoss(Format(Tr("commit format version %s is older than any this build reads (its clock travels "
                                      "in clear, its size unpadded)"),
                                   std::to_string(h.version).c_str()));
  }
  h.flags = r.U8();
  auto author = DeviceId::FromBytes(r.Raw(16));
  h.seq = r.Varint();
  h.hlc = 0;  // Sealed: OpenCommit reads it.
  uint64_t epoch = r.Varint();
  h.prev_hash = std::string(r.Raw(kHashBytes));
  h.salt = std::string(r.Raw(format::kSaltBytes));
  std::string_view ct = r.Bytes(format::kMaxCommitCiphertext);
  r.Raw(kSignatureBytes);
  if (!r.done() || !author || h.seq == 0 || epoch > UINT32_MAX || ct.size() < kAeadTagBytes ||
      (h.flags & ~format::kCommitKnownFlags)) {
    return Status::DataLoss(Tr("commit is malformed or truncated"));
  }
  h.author = *author;
  h.epoch = static_cast<uint32_t>(epoch);
  out->bytes.assign(bytes);
  PointInto(out, ct.size());
  return Status::OK();
}

Status VerifyCommit(const WorkspaceId& ws, const SealedCommit& c, std::string_view author_public_key) {
  if (!VerifyDetached(author_public_key, SignedMessage(ws, c.header, c.ciphertext()), c.signature())) {
    return Status::DataLoss(Format(Tr("commit %s/%s: signature does not check out"), c.header.author.Hex().c_str(),
                                   std::to_string(c.header.seq).c_str()));
  }
  return Status::OK();
}

Status OpenCommit(const WorkspaceId& ws, const SealedCommit& c, const Key32& data_key, uint64_t* hlc,
                  std::string* body, size_t* padding_zeros) {
  std::string ad = AssociatedData(ws, c.header);
  std::string plaintext;
  std::string name = "commit " + c.header.author.Hex() + "/" + std::to_string(c.header.seq);
  if (!AeadOpen(data_key, NonceFor(ad), ad, c.ciphertext(), &plaintext)) {
    return Status::PermissionDenied(Format(Tr("%s: cannot be opened with this workspace's key of epoch %s"),
                                           name.c_str(), std::to_string(c.header.epoch).c_str()));
  }
  struct Wiper {
    std::string* s;
    ~Wiper() { Wipe(s); }
  } wiper{&plaintext};
  Status s = Unpad(&plaintext, format::kCommitPadMinBytes);
  if (!s.ok()) return s.WithContext(name + ": ");
  if (padding_zeros) *padding_zeros = plaintext.size() + 1;
  Reader r(plaintext);
  *hlc = r.Fixed64();
  uint8_t flags = r.U8();
  if (!r.ok() || (flags & ~format::kCommitKnownInnerFlags)) {
    return Status::DataLoss(Format(Tr("%s: sealed plaintext is malformed"), name.c_str()));
  }
  std::string_view payload = std::string_view(plaintext).substr(r.pos());
  if (!(flags & format::kCommitInnerFlagZstd)) {
    body->assign(payload);
    return Status::OK();
  }
  Status unpacked = Decompress(payload, format::kMaxCommitPlaintext, body);
  if (!unpacked.ok()) return unpacked.WithContext(name + ": plaintext: ");
  return Status::OK();
}

size_t ElidableBytes(const SealedCommit& c, size_t padding_zeros) {
  const size_t plain = c.ciphertext_size - kAeadTagBytes;
  if (padding_zeros == 0 || padding_zeros > plain || plain - padding_zeros < format::kCompactMinElided) return 0;
  return plain - padding_zeros;
}

bool ShortenCiphertext(const SealedCommit& c, size_t padding_zeros, std::string* shorter, size_t* elided) {
  const size_t n = ElidableBytes(c, padding_zeros);
  if (n == 0) return false;
  std::string_view ct = c.ciphertext();
  shorter->assign(ct.substr(0, padding_zeros));
  shorter->append(ct.substr(padding_zeros + n));  // The tag.
  *elided = n;
  return true;
}

Status LengthenCiphertext(const WorkspaceId& ws, const CommitHeader& h, std::string_view shorter, size_t elided,
                          const Key32& key, std::string* full) {
  if (shorter.size() < kAeadTagBytes || elided > format::kMaxCommitCiphertext) {
    return Status::DataLoss(Tr("a commit without its padding is malformed"));
  }
  const size_t zeros = shorter.size() - kAeadTagBytes;
  full->assign(shorter.substr(0, zeros));
  AeadZerosCiphertext(key, NonceFor(AssociatedData(ws, h)), zeros, elided, full);
  full->append(shorter.substr(zeros));
  return Status::OK();
}

bool CompactCommit(const SealedCommit& c, size_t padding_zeros, std::string* out) {
  std::string shorter;
  size_t elided = 0;
  if (!ShortenCiphertext(c, padding_zeros, &shorter, &elided)) return false;
  out->clear();
  Writer w(out);
  w.U8(format::kCompactCommitMarker);
  w.Varint(padding_zeros);
  w.Varint(elided);
  out->append(CanonicalBytes(c.header, shorter, c.signature()));
  return true;
}

bool IsCompactCommit(std::string_view stored) {
  return !stored.empty() && static_cast<uint8_t>(stored[0]) == format::kCompactCommitMarker;
}

size_t CompactPaddingZeros(std::string_view stored) {
  if (!IsCompactCommit(stored)) return 0;
  Reader r(stored);
  r.U8();
  uint64_t zeros = r.Varint();
  return r.ok() ? static_cast<size_t>(zeros) : 0;
}

Status ExpandCommit(const WorkspaceId& ws, std::string_view stored,
                    const std::function<Status(uint32_t epoch, const Key32** key)>& key_for, std::string* bytes) {
  Reader r(stored);
  r.U8();
  uint64_t zeros = r.Varint();
  uint64_t elided = r.Varint();
  SealedCommit c;
  if (!r.ok() || !IsCompactCommit(stored) || elided > format::kMaxCommitCiphertext ||
      !ParseCommit(stored.substr(r.pos()), &c).ok() || zeros != c.ciphertext_size - kAeadTagBytes) {
    return Status::DataLoss(Tr("a commit in the log is malformed"));
  }
  const Key32* key = nullptr;
  HAMLET_RETURN_IF_ERROR(key_for(c.header.epoch, &key));
  std::string full;
  HAMLET_RETURN_IF_ERROR(LengthenCiphertext(ws, c.header, c.ciphertext(), elided, *key, &full));
  *bytes = CanonicalBytes(c.header, full, c.signature());
  return Status::OK();
}

}  // namespace hamlet
