// Rights: what each role may write (protocol.md 7.2).
//
// Decided from a commit's operations and its author's certified role alone,
// never from the merged state, so every replica decides every commit the
// same way whatever order commits arrive in (and state digests stay equal).
// A replica refuses to make a commit that breaks them, and sets aside one
// that arrives (replica_import.cc). Pure and thread safe.
#ifndef HAMLET_RIGHTS_H_
#define HAMLET_RIGHTS_H_

#include <cstdint>
#include <vector>

#include "commit.h"
#include "hamlet/status.h"

namespace hamlet {

// PermissionDenied, naming the rule, when an author of role (format::kRole*)
// may not write ops.
Status CheckRights(uint8_t role, const std::vector<RecordOp>& ops);

}  // namespace hamlet

#endif  // HAMLET_RIGHTS_H_
