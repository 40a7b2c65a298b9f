// For libraries that extend the C API of hamlet.h, as libhamlet_http does
// with hamlet_http.h: the C++ object behind a handle, and the calling
// thread's error message. Apps do not need this header.
#ifndef HAMLET_C_BRIDGE_H_
#define HAMLET_C_BRIDGE_H_

#include "hamlet.h"
#include "hamlet/export.h"
#include "hamlet/replica.h"
#include "hamlet/status.h"

namespace hamlet {

// The Replica behind a C handle; the handle keeps ownership, and the pointer
// is valid until hamlet_close(r). NULL for NULL.
HAMLET_EXPORT Replica* ReplicaOfHandle(hamlet_replica* r);

// Makes s the calling thread's error, as hamlet_errmsg() reports it, and
// returns its code as the C API returns it. s must not be OK.
HAMLET_EXPORT int SetCError(const Status& s);

}  // namespace hamlet

#endif  // HAMLET_C_BRIDGE_H_
