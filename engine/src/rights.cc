#include "rights.h"

#include <string>

#include "format.h"
#include "sealed_value.h"

namespace hamlet {

namespace {

const char* RoleName(uint8_t role) {
  return role == format::kRoleAdmin     ? "the admin"
         : role == format::kRoleOfficer ? "an officer"
         : role == format::kRoleRelay   ? "a relay hub"
                                        : "a cadre";
}

bool IsConfidential(const std::string& collection, const std::string& field) {
  if (collection != format::kConcernCollection) return false;
  for (const char* name : format::kConfidentialFields) {
    if (field == name) return true;
  }
  return false;
}

// True when value is a well-formed sealed value (section 7.1).
bool IsSealedValue(const Value& value) {
  const std::string* text = std::get_if<std::string>(&value);
  if (text == nullptr) return std::holds_alternative<std::monostate>(value);  // Clearing is allowed.
  std::vector<DeviceId> readers;
  return SealedReaders(*text, &readers).ok();
}

}  // namespace

Status CheckRights(uint8_t role, const std::vector<RecordOp>& ops) {
  // A relay hub carries sealed commits between hubs; it writes nothing.
  if (role == format::kRoleRelay) {
    return Status::PermissionDenied("a relay hub may not author commits: its certificate is for relaying only");
  }
  const bool officer = role == format::kRoleAdmin || role == format::kRoleOfficer;
  for (const RecordOp& op : ops) {
    const std::string where = " (record " + op.record.Hex() + " of " + op.collection + ")";
    for (const char* coll : format::kOfficerCollections) {
      if (!officer && op.collection == coll) {
        return Status::PermissionDenied(std::string(RoleName(role)) + " may not change the workspace's " + coll +
                                        ": officers only" + where);
      }
    }
    if (!officer && !op.alive && op.collection == format::kConcernCollection) {
      return Status::PermissionDenied(std::string(RoleName(role)) + " may not delete a concern: officers only" + where);
    }
    // The kind this op gives the record, if it writes one.
    const std::string* kind = nullptr;
    for (const FieldWrite& f : op.fields) {
      if (f.name == "kind") kind = std::get_if<std::string>(&f.value);
    }
    const bool makes_denunciation = kind != nullptr && *kind == format::kDenunciationKind;
    const bool makes_other_kind = kind != nullptr && *kind != format::kDenunciationKind;
    for (const FieldWrite& f : op.fields) {
      if (!IsConfidential(op.collection, f.name) || IsSealedValue(f.value)) continue;
      // In clear: never on a denunciation, and from a cadre only where the
      // same op says the concern is not one.
      if (makes_denunciation) {
        return Status::PermissionDenied("a denunciation's " + f.name + " is written only as a sealed value" + where);
      }
      if (!officer && !makes_other_kind) {
        return Status::PermissionDenied(std::string(RoleName(role)) + " writes " + f.name +
                                        " in clear only together with a kind other than denunciation" + where);
      }
    }
  }
  return Status::OK();
}

}  // namespace hamlet
