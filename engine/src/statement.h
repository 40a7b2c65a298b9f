// The epoch statement (protocol.md 7.4): the workspace admin's signed word
// of which key epoch is current and which devices are revoked, as of a
// moment on the admin's clock. A hub relays it but cannot make or alter
// one, so a device that holds an older epoch than the statement names, or
// no revocation for a device it lists, knows something was withheld; and a
// device that has heard no newer statement for a long time knows it may be
// cut off. All functions are pure and thread safe.
#ifndef HAMLET_STATEMENT_H_
#define HAMLET_STATEMENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

struct EpochStatement {
  WorkspaceId workspace;
  uint32_t epoch = 0;             // The workspace's current key epoch.
  int64_t issued_ms = 0;          // The admin's wall clock when it was made.
  std::vector<DeviceId> revoked;  // Every device revoked so far, ordered by id.
  std::string bytes;              // Canonical encoding, signature included.
};

// Encodes and signs a statement; revoked need not be ordered.
EpochStatement IssueEpochStatement(const WorkspaceId& ws, uint32_t epoch, int64_t issued_ms,
                                   std::vector<DeviceId> revoked, std::string_view admin_secret_key);
// The workspace a statement names, read before its signature can be checked.
// InvalidArgument when the bytes are not a statement.
Status StatementWorkspace(std::string_view bytes, WorkspaceId* ws);
// Parses and checks the admin's signature: DataLoss when malformed or not
// the admin's, Unimplemented for a newer version.
Status ParseEpochStatement(std::string_view bytes, std::string_view admin_public_key, EpochStatement* out);

}  // namespace hamlet

#endif  // HAMLET_STATEMENT_H_
