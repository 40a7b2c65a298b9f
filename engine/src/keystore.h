// Keystore: every secret a replica holds, sealed in its store.
//
// A random 32-byte store key is wrapped (XChaCha20-Poly1305) under the key
// the user supplies: derived from a passphrase with Argon2id, or handed in raw
// by a mobile wrapper. Subkeys of the store key seal the device's private
// keys, the workspace data keys, the materialised records, and key the blind
// index tags. Nothing here is written before the user's key checks out.
//
// Not thread safe: the Replica serialises calls.
#ifndef HAMLET_KEYSTORE_H_
#define HAMLET_KEYSTORE_H_

#include <map>
#include <memory>
#include <string>

#include "crypto.h"
#include "hamlet/replica.h"
#include "store.h"

namespace hamlet {

struct UserSecret {
  bool is_passphrase = false;
  std::string bytes;  // The passphrase, or the 32-byte raw key.
};

class Keystore {
 public:
  // Unlocks the keystore of an existing store, or creates one in a new store.
  static Status Open(Store* store, const UserSecret& secret, const OpenOptions& options,
                     std::unique_ptr<Keystore>* out);

  const Key32& record_key() const { return record_key_; }
  const Key32& tag_key() const { return tag_key_; }
  const std::string& sign_public_key() const { return sign_pk_; }
  std::string_view sign_secret_key() const { return sign_sk_.View(); }
  const std::string& kx_public_key() const { return kx_pk_; }
  std::string_view kx_secret_key() const { return kx_sk_.View(); }

  // Seals and stores a workspace data key.
  Status AddWorkspaceKey(const WorkspaceId& ws, uint32_t epoch, const Key32& key);
  // The data key of ws for epoch; PermissionDenied if this replica lacks it.
  // *out points into the keystore (no guarded copy is made: each costs a
  // mapping of its own) and stays valid until AddWorkspaceKey for ws or the
  // keystore goes.
  Status WorkspaceKey(const WorkspaceId& ws, uint32_t epoch, const Key32** out);
  // The newest epoch this replica holds a key for; NotFound if none.
  Status CurrentEpoch(const WorkspaceId& ws, uint32_t* epoch);

  // At-rest sealing with a random nonce: nonce || ciphertext.
  static std::string SealAtRest(const Key32& key, std::string_view ad, std::string_view plaintext);
  static bool OpenAtRest(const Key32& key, std::string_view ad, std::string_view sealed, std::string* out);

 private:
  Keystore() = default;
  Status LoadWorkspaceKeys(const WorkspaceId& ws);

  Store* store_ = nullptr;
  Key32 secrets_key_, record_key_, tag_key_;
  std::string sign_pk_, kx_pk_;
  SecretBytes sign_sk_, kx_sk_;  // In guarded memory while the store is open.
  std::map<WorkspaceId, std::map<uint32_t, Key32>> ws_keys_;
};

}  // namespace hamlet

#endif  // HAMLET_KEYSTORE_H_
