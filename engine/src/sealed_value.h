// Sealed values: a text field only chosen devices can read (protocol.md,
// "Sealed values"), such as the reporter of a denunciation, which the
// workspace's officers may read but the cadre who recorded it, other members
// and the hub may not.
//
// A sealed value is itself ordinary text, so it is stored, merged, synced and
// counted like any other value; only its readers can turn it back into the
// original. All functions are pure and thread safe.
#ifndef HAMLET_SEALED_VALUE_H_
#define HAMLET_SEALED_VALUE_H_

#include <string>
#include <string_view>
#include <vector>

#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

struct SealedReader {
  DeviceId device;
  std::string kx_public_key;  // X25519, 32 bytes.
};

// Seals text for readers (1 to format::kMaxSealedReaders of them) within
// workspace ws. InvalidArgument when there are no readers, too many, or the
// text is too long.
Status SealValue(const WorkspaceId& ws, const std::vector<SealedReader>& readers, std::string_view text,
                 std::string* sealed);

// True when value has the form of a sealed value (its prefix); it may still
// fail to open.
bool LooksSealed(std::string_view value);

// The devices a sealed value was sealed to. DataLoss if it is malformed.
Status SealedReaders(std::string_view sealed, std::vector<DeviceId>* readers);

// Opens a sealed value as device (whose X25519 keys are given) of workspace
// ws. PermissionDenied when the device is not among its readers, DataLoss
// when it is malformed or was altered.
Status OpenSealedValue(const WorkspaceId& ws, const DeviceId& device, std::string_view kx_public_key,
                       std::string_view kx_secret_key, std::string_view sealed, std::string* text);

}  // namespace hamlet

#endif  // HAMLET_SEALED_VALUE_H_
