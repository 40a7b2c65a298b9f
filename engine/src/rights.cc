#include "rights.h"

#include <string>

#include "format.h"
#include "hamlet/language.h"
#include "sealed_value.h"

namespace hamlet {

namespace {

const char* RoleName(uint8_t role) {
  return role == format::kRoleAdmin     ? TrMark("the admin")
         : role == format::kRoleOfficer ? TrMark("an officer")
         : role == format::kRoleRelay   ? TrMark("a relay hub")
                                        : TrMark("a cadre");
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
    return Status::PermissionDenied(Tr("a relay hub may not author commits: its certificate is for relaying only"));
  }
  const bool officer = role == format::kRoleAdmin || role == format::kRoleOfficer;
  for (const RecordOp& op : ops) {
    const std::string where = Format(Tr(" (record %s of %s)"), op.record.Hex().c_str(), op.collection.c_str());
    for (const char* coll : format::kOfficerCollections) {
      if (!officer && op.collection == coll) {
        return Status::PermissionDenied(Format(Tr("%s may not change the workspace's %s: officers only%s"),
                                               Tr(RoleName(role)), coll, where.c_str()));
      }
    }
    if (!officer && !op.alive && op.collection == format::kConcernCollection) {
      return Status::PermissionDenied(Format(Tr("%s may not delete a concern: officers only%s"),
                                             Tr(RoleName(role)), where.c_str()));
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
        return Status::PermissionDenied(
            Format(Tr("a denunciation's %s is written only as a sealed value%s"), f.name.c_str(), where.c_str()));
      }
      if (!officer && !makes_other_kind) {
        return Status::PermissionDenied(
            Format(Tr("%s writes %s in clear only together with a kind other than denunciation%s"),
                   Tr(RoleName(role)), f.name.c_str(), where.c_str()));
      }
    }
  }
  return Status::OK();
}

}  // namespace hamlet
