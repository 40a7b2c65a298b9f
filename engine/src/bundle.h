// Bundle files: the chunks a replica exports for a peer it cannot reach, to
// be carried on an SD card (protocol.md, "Bundles"). A bundle also says who
// exported it and what that replica held, so the receiver knows what not to
// send back. All functions are pure and thread safe.
#ifndef HAMLET_BUNDLE_H_
#define HAMLET_BUNDLE_H_

#include <string>
#include <string_view>
#include <vector>

#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

struct Bundle {
  WorkspaceId workspace;
  DeviceId exporter;             // Zero for a bare chunk saved to a file.
  std::string exporter_cursor;   // What the exporter held (section 6.1); empty if unknown.
  // Signed word of the admin the exporter holds: revocations and the newest
  // epoch statement (protocol.md 7, 7.4), taken before the chunks.
  std::vector<std::string> notices;
  std::vector<std::string> chunks;  // Each a whole chunk, imported in order.
};

std::string EncodeBundle(const Bundle& bundle);
// Also accepts a bare chunk (a bundle of one chunk from an unknown exporter).
// DataLoss for damaged or truncated bytes.
Status DecodeBundle(std::string_view bytes, Bundle* out);

}  // namespace hamlet

#endif  // HAMLET_BUNDLE_H_
