// Replicas for programs that run without Catch2 (the link scenarios, the
// hub benchmark): in memory, without fsync, and joined to a workspace
// directly, without a hub.
#ifndef HAMLET_TESTS_PLAIN_REPLICAS_H_
#define HAMLET_TESTS_PLAIN_REPLICAS_H_

#include <cstdint>
#include <memory>

#include "hamlet/replica.h"

namespace hamlet::test {

// Opens an in-memory replica (durable = false) whose key follows from n:
// the same n gives the same key, different n different keys.
Status OpenInMemory(uint64_t n, std::unique_ptr<Replica>* out);

// device joins ws as a cadre: its join request, admin's admission and its
// acceptance, handed over in memory.
Status JoinDirect(Replica& admin, const WorkspaceId& ws, Replica& device);

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_PLAIN_REPLICAS_H_
