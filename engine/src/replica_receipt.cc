// Receipts (protocol.md 7.3): signed by the device that received the
// record, bound to its ticket, its id and its content as received.
#include <cstdio>

#include "coding.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "replica_impl.h"
#include "value_coding.h"

namespace hamlet {

namespace {

std::string ReceiptMessage(const WorkspaceId& ws, std::string_view ticket, const RecordId& record,
                           std::string_view digest) {
  std::string m(format::kReceiptSigPrefix);
  Writer w(&m);
  w.Raw(ws.View());
  w.Bytes(ticket);
  w.Raw(record.View());
  w.Bytes(digest);
  return m;
}

// Eight decimal digits from the proof, grouped 4-4. A proof is a signature,
// so only its signer can make one whose code another member will accept.
std::string CodeOf(std::string_view proof) {
  std::string h = Hash(proof, 16);
  uint64_t n = 0;
  for (int i = 0; i < 8; i++) n = (n << 8) | static_cast<unsigned char>(h[i]);
  char digits[16];
  std::snprintf(digits, sizeof digits, "%08llu", static_cast<unsigned long long>(n % 100000000ULL));
  return std::string(digits, 4) + "-" + std::string(digits + 4, 4);
}

}  // namespace

std::string Replica::ReceiptDigest(const std::map<std::string, Value>& content) {
  std::string all("hamlet receipt content");
  Writer w(&all);
  for (const auto& [name, value] : content) {
    w.Bytes(name);
    EncodeValue(value, w);
  }
  return HexEncode(Hash(all, 16));
}

Status Replica::SignReceipt(const WorkspaceId& ws, std::string_view ticket, const RecordId& record,
                            std::string_view digest, std::string* proof, std::string* code) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string admin;
  HAMLET_RETURN_IF_ERROR(impl_->AdminKey(ws, &admin));
  std::string sig = SignDetached(impl_->keys->sign_secret_key(), ReceiptMessage(ws, ticket, record, digest));
  *proof = HexEncode(sig);
  *code = CodeOf(sig);
  return Status::OK();
}

Status Replica::VerifyReceipt(const WorkspaceId& ws, const DeviceId& device, std::string_view ticket,
                              const RecordId& record, std::string_view digest, std::string_view proof,
                              std::string_view code) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string cert_bytes;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(impl_->store->GetDevice(ws, device, &cert_bytes, &found));
  if (!found)
    return Status::PermissionDenied(
        Format(Tr("device %s is not a member of workspace %s"), device.Hex().c_str(), ws.Hex().c_str()));
  Certificate cert;
  HAMLET_RETURN_IF_ERROR(ParseCertificate(cert_bytes, &cert));
  std::string sig;
  if (!HexDecode(proof, &sig) || sig.size() != kSignatureBytes)
    return Status::DataLoss(Tr("the receipt's proof is malformed"));
  if (!VerifyDetached(cert.sign_public_key, ReceiptMessage(ws, ticket, record, digest), sig)) {
    return Status::DataLoss(Format(Tr("the receipt's proof is not the signature of device %s"), device.Hex().c_str()));
  }
  if (!SecureEqual(CodeOf(sig), code)) return Status::DataLoss(Tr("the code is not this receipt's"));
  return Status::OK();
}

}  // namespace hamlet
