// Replica's sealed values: choosing the readers (the officers) from the
// certificates it holds and opening values sealed to this device
// (sealed_value.h).
#include "format.h"
#include "hamlet/language.h"
#include "identity.h"
#include "replica_impl.h"
#include "sealed_value.h"

namespace hamlet {

namespace {

// The admin and officer devices of ws with no known revocation.
Status Officers(Replica::Impl& m, const WorkspaceId& ws, std::vector<SealedReader>* out) {
  std::string admin;
  HAMLET_RETURN_IF_ERROR(m.AdminKey(ws, &admin));
  std::vector<std::pair<DeviceId, std::string>> certs;
  HAMLET_RETURN_IF_ERROR(m.store->ListDevices(ws, &certs));
  out->clear();
  for (const auto& entry : certs) {
    Certificate cert;
    HAMLET_RETURN_IF_ERROR(ParseCertificate(entry.second, &cert));
    if (cert.role != format::kRoleAdmin && cert.role != format::kRoleOfficer) continue;
    uint64_t last = 0;
    bool revoked = false;
    HAMLET_RETURN_IF_ERROR(m.store->GetRevocation(ws, entry.first, &last, &revoked));
    if (!revoked) out->push_back({entry.first, cert.kx_public_key});
  }
  return Status::OK();
}

}  // namespace

Status Replica::SealForOfficers(const WorkspaceId& ws, std::string_view text, std::string* sealed) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<SealedReader> readers;
  HAMLET_RETURN_IF_ERROR(Officers(*impl_, ws, &readers));
  if (readers.empty()) {
    return Status::FailedPrecondition(
        Format(Tr("this replica knows no officer device of workspace %s to seal to; sync first"), ws.Hex().c_str()));
  }
  return SealValue(ws, readers, text, sealed);
}

Status Replica::OfficersDigest(const WorkspaceId& ws, std::string* digest) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<SealedReader> officers;
  HAMLET_RETURN_IF_ERROR(Officers(*impl_, ws, &officers));
  std::vector<DeviceId> ids;
  for (const SealedReader& o : officers) ids.push_back(o.device);
  *digest = DeviceSetDigest(ids);
  return Status::OK();
}

Status Replica::Unseal(const WorkspaceId& ws, std::string_view sealed, std::string* text) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return OpenSealedValue(ws, impl_->device, impl_->keys->kx_public_key(), impl_->keys->kx_secret_key(), sealed, text);
}

Status Replica::SealedReaders(std::string_view sealed, std::vector<DeviceId>* readers) {
  return hamlet::SealedReaders(sealed, readers);
}

bool Replica::IsSealed(std::string_view value) { return LooksSealed(value); }

}  // namespace hamlet
