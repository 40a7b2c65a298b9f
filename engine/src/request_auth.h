// Signed hub requests (protocol.md, "Authentication"), shared by the sync
// client and the hub.
//
// A device opens a session by asking the hub for a challenge. Each request
// of the session then carries, in its Authorization header, the device id,
// the challenge, a counter that grows with every request, and an Ed25519
// signature over the method, the request target, the challenge, the counter
// and a hash of the body. The hub accepts each (challenge, counter) once and
// only while the challenge is fresh, so a captured request cannot be
// replayed, and no device clock is trusted.
//
// Pure functions; thread safe.
#ifndef HAMLET_REQUEST_AUTH_H_
#define HAMLET_REQUEST_AUTH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

constexpr char kAuthScheme[] = "Hamlet";
constexpr size_t kChallengeBytes = 16;

struct RequestAuth {
  DeviceId device;
  std::string challenge;  // 16 raw bytes.
  uint64_t counter = 0;
  std::string signature;  // 64 raw bytes.
};

// The bytes a device signs for one request.
std::string RequestMessage(std::string_view method, std::string_view target, std::string_view challenge,
                           uint64_t counter, std::string_view body);

// The Authorization header value for a request, signed with the device's
// Ed25519 secret key.
std::string SignRequest(const DeviceId& device, std::string_view sign_secret_key, std::string_view method,
                        std::string_view target, std::string_view challenge, uint64_t counter,
                        std::string_view body);

// Parses an Authorization header value; Unauthenticated when malformed.
Status ParseAuthorization(std::string_view header, RequestAuth* out);

// Checks the signature of a parsed request; Unauthenticated when it fails.
Status VerifyRequest(const RequestAuth& auth, std::string_view sign_public_key, std::string_view method,
                     std::string_view target, std::string_view body);

}  // namespace hamlet

#endif  // HAMLET_REQUEST_AUTH_H_
