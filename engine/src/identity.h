// Device identities: certificates, join requests and admission envelopes
// (protocol.md, "Devices and keys").
//
// A workspace's admin device signs a certificate for every device, itself
// included, so no one else (a hub least of all) can introduce a device. A new
// device sends a join request (its public keys, self-signed); the admin answers
// with an envelope holding its certificate and the workspace data keys sealed
// to the device's X25519 key. All functions are pure and thread safe.
#ifndef HAMLET_IDENTITY_H_
#define HAMLET_IDENTITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

DeviceId DeviceIdFor(std::string_view sign_public_key);

// A short digest of a set of device ids (order does not matter): 16 hex
// digits of BLAKE2b over them sorted. A client and a hub compare digests of
// the officers they know, so the hub sends officers' certificates only when
// the client lacks some (protocol.md 13.3, keys).
std::string DeviceSetDigest(std::vector<DeviceId> devices);

struct Certificate {
  WorkspaceId workspace;
  std::string sign_public_key;  // Ed25519, 32 bytes.
  std::string kx_public_key;    // X25519, 32 bytes.
  uint8_t role = 0;             // format::kRole*.
  int64_t issued_at = 0;        // Admin's wall clock, ms.
  std::string bytes;            // Canonical encoding, signature included.

  DeviceId device() const { return DeviceIdFor(sign_public_key); }
};

// Builds and signs a certificate with the admin's Ed25519 secret key.
Certificate IssueCertificate(const WorkspaceId& ws, std::string_view sign_pk, std::string_view kx_pk, uint8_t role,
                             int64_t issued_at, std::string_view admin_secret_key);
Status ParseCertificate(std::string_view bytes, Certificate* out);
// Checks the admin's signature over a parsed certificate.
Status VerifyCertificate(const Certificate& cert, std::string_view admin_public_key);

struct JoinRequest {
  std::string sign_public_key;
  std::string kx_public_key;
};
std::string EncodeJoinRequest(std::string_view sign_pk, std::string_view kx_pk, std::string_view sign_sk);
// Parses and checks the self-signature (proof that the sender holds the key).
Status ParseJoinRequest(std::string_view bytes, JoinRequest* out);

struct WrappedKey {
  uint32_t epoch = 0;
  std::string sealed;  // crypto_box_seal of the 32-byte key to the device's X25519 key.
};

struct Envelope {
  WorkspaceId workspace;
  std::string admin_public_key;
  std::string certificate;        // The joining device's.
  std::string admin_certificate;  // The admin's self-signed one.
  std::vector<WrappedKey> keys;
};
std::string EncodeEnvelope(const Envelope& e, std::string_view admin_secret_key);
// Parses and checks the admin's signature over the envelope.
Status ParseEnvelope(std::string_view bytes, Envelope* out);

// The admin's statement that a device is revoked: of its commits only
// 1..last_seq are accepted, and only those on the chain whose commit
// last_seq hashes to last_hash (32 zero bytes when last_seq is 0); it gets
// no key from epoch on.
struct Revocation {
  WorkspaceId workspace;
  DeviceId device;
  uint64_t last_seq = 0;
  std::string last_hash;  // H(commit last_seq), kHashBytes.
  uint32_t epoch = 0;  // The first epoch the device does not get.
  std::string bytes;   // Canonical encoding, signature included.
};
Revocation IssueRevocation(const WorkspaceId& ws, const DeviceId& device, uint64_t last_seq,
                           std::string_view last_hash, uint32_t epoch, std::string_view admin_secret_key);
// The workspace a revocation names, read before its signature can be
// checked (to find the admin key to check it with).
Status RevocationWorkspace(std::string_view bytes, WorkspaceId* ws);
// Parses and checks the admin's signature.
Status ParseRevocation(std::string_view bytes, std::string_view admin_public_key, Revocation* out);

// A workspace data key for one device, sealed to its X25519 key and signed
// by the admin, so a hub can relay it without reading it.
struct KeyGrant {
  WorkspaceId workspace;
  uint32_t epoch = 0;
  DeviceId device;
  std::string sealed;  // crypto_box_seal of the 32-byte key.
  std::string bytes;
};
KeyGrant IssueKeyGrant(const WorkspaceId& ws, uint32_t epoch, const DeviceId& device, std::string_view kx_public_key,
                       const Key32& key, std::string_view admin_secret_key);
Status ParseKeyGrant(std::string_view bytes, std::string_view admin_public_key, KeyGrant* out);

// A relay file (protocol.md 13.7): what the workspace admin gives a hub's
// operator so that the hub relays the workspace to another hub, as text:
// "hamlet relay 1", the admin's self-signed certificate and the hub's relay
// certificate, one line each, in hex.
std::string EncodeRelayFile(std::string_view admin_certificate, std::string_view relay_certificate);
// Parses a relay file and checks both certificates: the admin's signed by
// itself, the relay's (role relay, same workspace) by the admin.
Status ParseRelayFile(std::string_view text, Certificate* admin, Certificate* relay);

}  // namespace hamlet

#endif  // HAMLET_IDENTITY_H_
