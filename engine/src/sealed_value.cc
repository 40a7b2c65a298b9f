#include "sealed_value.h"

#include <cassert>

#include "coding.h"
#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "padding.h"

namespace hamlet {

namespace {

constexpr size_t kBoxedKeyBytes = kKeyBytes + kSealOverheadBytes;

struct Parsed {
  std::string_view header;  // Version and readers: part of the associated data.
  std::vector<std::pair<DeviceId, std::string_view>> boxes;
  std::string_view nonce, ciphertext;
};

std::string AssociatedData(const WorkspaceId& ws, std::string_view header) {
  std::string ad(format::kSealedAdPrefix);
  ad += ws.View();
  ad += header;
  return ad;
}

// Decodes the text form into raw (which parsed then points into).
Status Parse(std::string_view sealed, std::string* raw, Parsed* out) {
  std::string_view prefix(format::kSealedPrefix);
  if (!LooksSealed(sealed) || !Base64Decode(sealed.substr(prefix.size()), raw)) {
    return Status::DataLoss(Tr("not a sealed value"));
  }
  Reader r(*raw);
  uint8_t version = r.U8();
  uint64_t n = r.Varint();
  if (!r.ok() || version != format::kSealedVersion || n == 0 || n > format::kMaxSealedReaders) {
    return Status::DataLoss(Tr("sealed value has an unknown version or reader count"));
  }
  for (uint64_t i = 0; i < n; i++) {
    auto device = DeviceId::FromBytes(r.Raw(format::kIdBytes));
    std::string_view box = r.Raw(kBoxedKeyBytes);
    if (!r.ok()) return Status::DataLoss(Tr("sealed value is truncated"));
    out->boxes.emplace_back(*device, box);
  }
  out->header = std::string_view(*raw).substr(0, r.pos());
  out->nonce = r.Raw(kAeadNonceBytes);
  if (!r.ok() || r.remaining() < kAeadTagBytes) return Status::DataLoss(Tr("sealed value is truncated"));
  out->ciphertext = r.Raw(r.remaining());
  return Status::OK();
}

}  // namespace

bool LooksSealed(std::string_view value) {
  return value.substr(0, sizeof format::kSealedPrefix - 1) == format::kSealedPrefix;
}

Status SealValue(const WorkspaceId& ws, const std::vector<SealedReader>& readers, std::string_view text,
                 std::string* sealed) {
  if (readers.empty()) return Status::InvalidArgument(Tr("a sealed value needs at least one reader"));
  if (readers.size() > format::kMaxSealedReaders) {
    return Status::InvalidArgument(
        Format(Tr("a sealed value has at most %s readers"), std::to_string(format::kMaxSealedReaders).c_str()));
  }
  if (text.size() > format::kMaxSealedText) return Status::InvalidArgument(Tr("text to seal is too long"));
  Key32 key = Key32::Random();
  std::string raw;
  Writer w(&raw);
  w.U8(format::kSealedVersion);
  w.Varint(readers.size());
  for (const SealedReader& reader : readers) {
    if (reader.kx_public_key.size() != kKxPublicBytes)
      return Status::InvalidArgument(Tr("reader key has the wrong size"));
    w.Raw(reader.device.View());
    std::string box = SealTo(reader.kx_public_key, key.View());
    assert(box.size() == kBoxedKeyBytes);
    w.Raw(box);
  }
  std::string ad = AssociatedData(ws, raw);
  std::string nonce = RandomBytes(kAeadNonceBytes);
  w.Raw(nonce);
  std::string padded(text);
  Pad(&padded, format::kSealedPadMinBytes);
  AeadSeal(key, nonce, ad, padded, &raw);
  Wipe(&padded);
  *sealed = format::kSealedPrefix + Base64Encode(raw);
  return Status::OK();
}

Status SealedReaders(std::string_view sealed, std::vector<DeviceId>* readers) {
  std::string raw;
  Parsed p;
  HAMLET_RETURN_IF_ERROR(Parse(sealed, &raw, &p));
  readers->clear();
  for (const auto& box : p.boxes) readers->push_back(box.first);
  return Status::OK();
}

Status OpenSealedValue(const WorkspaceId& ws, const DeviceId& device, std::string_view kx_public_key,
                       std::string_view kx_secret_key, std::string_view sealed, std::string* text) {
  std::string raw;
  Parsed p;
  HAMLET_RETURN_IF_ERROR(Parse(sealed, &raw, &p));
  for (const auto& [reader, box] : p.boxes) {
    if (reader != device) continue;
    std::string key_bytes;
    if (!OpenSealed(kx_public_key, kx_secret_key, box, &key_bytes) || key_bytes.size() != kKeyBytes) {
      return Status::DataLoss(Tr("the sealed value's key for this device does not open"));
    }
    Key32 key = Key32::FromView(key_bytes);
    Wipe(&key_bytes);
    text->clear();
    if (!AeadOpen(key, p.nonce, AssociatedData(ws, p.header), p.ciphertext, text)) {
      return Status::DataLoss(Tr("the sealed value was altered or belongs to another workspace"));
    }
    return Unpad(text, format::kSealedPadMinBytes);
  }
  return Status::PermissionDenied(Tr("this device is not among the readers of the sealed value"));
}

}  // namespace hamlet
