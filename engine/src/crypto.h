// Thin, typed wrappers over libsodium: the only file that includes sodium.h.
//
// Every function is thread safe once InitCrypto() has returned OK (Replica::Open
// calls it). Secret key material lives in Key32, which wipes itself on destruction.
#ifndef HAMLET_CRYPTO_H_
#define HAMLET_CRYPTO_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "hamlet/status.h"

namespace hamlet {

constexpr size_t kKeyBytes = 32;
constexpr size_t kAeadNonceBytes = 24;  // XChaCha20-Poly1305-IETF.
constexpr size_t kAeadTagBytes = 16;
constexpr size_t kSignPublicBytes = 32;
constexpr size_t kSignSecretBytes = 64;
constexpr size_t kSignatureBytes = 64;
constexpr size_t kKxPublicBytes = 32;
constexpr size_t kKxSecretBytes = 32;
constexpr size_t kSealOverheadBytes = 48;  // crypto_box_seal.
constexpr size_t kHashBytes = 32;          // BLAKE2b-256.
constexpr size_t kPwSaltBytes = 16;

// A 32-byte secret that is wiped when it goes away.
// Secret bytes in libsodium's guarded heap (sodium_malloc): on pages of
// their own between inaccessible guard pages, locked in RAM where the
// system allows it, and wiped when freed. Copying makes a second guarded
// copy. Thread compatible.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes);
  ~SecretBytes();
  SecretBytes(const SecretBytes& other) : SecretBytes(other.View()) {}
  SecretBytes& operator=(const SecretBytes& other);
  std::string_view View() const { return {reinterpret_cast<const char*>(p_), n_}; }
  uint8_t* data() { return p_; }
  const uint8_t* data() const { return p_; }
  size_t size() const { return n_; }

 private:
  uint8_t* p_ = nullptr;
  size_t n_ = 0;
};

// A 32-byte key, kept as SecretBytes.
class Key32 {
 public:
  Key32();
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  std::string_view View() const { return bytes_.View(); }
  static Key32 FromView(std::string_view raw);  // raw must be 32 bytes.
  static Key32 Random();

 private:
  SecretBytes bytes_;
};

Status InitCrypto();

std::string RandomBytes(size_t n);

// Argon2id (crypto_pwhash) from a passphrase and a 16-byte salt.
Status DeriveKeyFromPassphrase(std::string_view passphrase, std::string_view salt,
                               uint64_t opslimit, uint64_t memlimit, Key32* out);
uint64_t PwhashOpsInteractive();
uint64_t PwhashMemInteractive();
uint64_t PwhashOpsModerate();
uint64_t PwhashMemModerate();

// A subkey for one purpose, derived with crypto_kdf (BLAKE2b). context is
// exactly 8 characters.
Key32 DeriveSubkey(const Key32& master, uint64_t id, const char context[8]);

// XChaCha20-Poly1305-IETF. Seal appends the ciphertext and tag to *out.
void AeadSeal(const Key32& key, std::string_view nonce, std::string_view ad,
              std::string_view plaintext, std::string* out);
// Returns false if the tag does not check out (wrong key, altered bytes).
bool AeadOpen(const Key32& key, std::string_view nonce, std::string_view ad,
              std::string_view ciphertext, std::string* out);
// Appends to *out the n bytes of ciphertext that AeadSeal with key and
// nonce makes of n zero bytes of plaintext starting at byte offset of the
// plaintext: the cipher's keystream there (XChaCha20 from block 1, the
// block after the one the tag's key comes from).
void AeadZerosCiphertext(const Key32& key, std::string_view nonce, size_t offset, size_t n, std::string* out);

// Ed25519.
struct SignKeyPair {
  std::string public_key;  // 32 bytes.
  std::string secret_key;  // 64 bytes.
};
SignKeyPair SignKeygen();
// The key pair a 32-byte seed determines (crypto_sign_seed_keypair).
SignKeyPair SignKeygenFromSeed(std::string_view seed);
std::string SignDetached(std::string_view secret_key, std::string_view message);
bool VerifyDetached(std::string_view public_key, std::string_view message,
                    std::string_view signature);

// X25519 key pair for crypto_box_seal (anonymous sealed boxes).
struct KxKeyPair {
  std::string public_key;  // 32 bytes.
  std::string secret_key;  // 32 bytes.
};
KxKeyPair KxKeygen();
// The key pair a 32-byte seed determines (crypto_box_seed_keypair).
KxKeyPair KxKeygenFromSeed(std::string_view seed);
std::string SealTo(std::string_view public_key, std::string_view message);
bool OpenSealed(std::string_view public_key, std::string_view secret_key,
                std::string_view sealed, std::string* out);

// BLAKE2b with an output of out_len bytes (16..64), keyed when key is non-empty.
std::string Hash(std::string_view data, size_t out_len = kHashBytes, std::string_view key = {});

// Streaming BLAKE2b, for digests over data that is produced piecewise.
class Hasher {
 public:
  explicit Hasher(size_t out_len = kHashBytes);
  void Update(std::string_view data);
  std::string Final();

 private:
  alignas(64) unsigned char state_[384];
  size_t out_len_;
};

// SipHash-2-4 (crypto_shorthash) of data under a 16-byte key: a fast PRF
// with an 8-byte output, for short inputs.
uint64_t ShortHash(std::string_view key16, std::string_view data);

// URL-safe base64 without padding (libsodium's variant), for binary data that
// must travel as text. Base64Decode returns false on anything else.
std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* out);

// Compares in constant time.
bool SecureEqual(std::string_view a, std::string_view b);

void Wipe(std::string* s);

}  // namespace hamlet

#endif  // HAMLET_CRYPTO_H_
