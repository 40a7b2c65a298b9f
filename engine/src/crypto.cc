#include "crypto.h"

#include <utility>

#include <new>

#include <cstdlib>

#include <sodium.h>

#include <cassert>
#include <cstring>

#include "hamlet/language.h"

namespace hamlet {

static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kSignPublicBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSignSecretBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kKxPublicBytes == crypto_box_PUBLICKEYBYTES);
static_assert(kKxSecretBytes == crypto_box_SECRETKEYBYTES);
static_assert(kSealOverheadBytes == crypto_box_SEALBYTES);
static_assert(kPwSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);

namespace {
const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
}  // namespace

SecretBytes::SecretBytes(std::string_view bytes) : n_(bytes.size()) {
  // The guarded heap needs the library set up first; sodium_init is safe to
  // call more than once and from several threads.
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
  p_ = static_cast<uint8_t*>(sodium_malloc(n_ == 0 ? 1 : n_));
  if (p_ == nullptr) throw std::bad_alloc();
  if (n_) std::memcpy(p_, bytes.data(), n_);
}

SecretBytes::~SecretBytes() {
  if (p_) sodium_free(p_);  // Wipes, unlocks and unmaps.
}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    SecretBytes copy(other.View());
    std::swap(p_, copy.p_);
    std::swap(n_, copy.n_);
  }
  return *this;
}

Key32::Key32() : bytes_(std::string(32, '\0')) {}
Key32 Key32::FromView(std::string_view raw) {
  assert(raw.size() == 32);
  Key32 k;
  std::memcpy(k.bytes_.data(), raw.data(), 32);
  return k;
}
Key32 Key32::Random() {
  Key32 k;
  randombytes_buf(k.bytes_.data(), 32);
  return k;
}

Status InitCrypto() {
  if (sodium_init() < 0) return Status::Internal(Tr("libsodium failed to initialise"));
  return Status::OK();
}

std::string RandomBytes(size_t n) {
  std::string s(n, '\0');
  randombytes_buf(s.data(), n);
  return s;
}

Status DeriveKeyFromPassphrase(std::string_view passphrase, std::string_view salt,
                               uint64_t opslimit, uint64_t memlimit, Key32* out) {
  if (salt.size() != crypto_pwhash_SALTBYTES) return Status::DataLoss(Tr("stored salt has the wrong size"));
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_MAX ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > crypto_pwhash_MEMLIMIT_MAX) {
    return Status::DataLoss(Tr("stored Argon2id parameters are out of range"));
  }
  if (crypto_pwhash(out->data(), 32, passphrase.data(), passphrase.size(), U(salt), opslimit,
                    static_cast<size_t>(memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Unavailable(Tr("Argon2id ran out of memory"));
  }
  return Status::OK();
}

uint64_t PwhashOpsInteractive() { return crypto_pwhash_OPSLIMIT_INTERACTIVE; }
uint64_t PwhashMemInteractive() { return crypto_pwhash_MEMLIMIT_INTERACTIVE; }
uint64_t PwhashOpsModerate() { return crypto_pwhash_OPSLIMIT_MODERATE; }
uint64_t PwhashMemModerate() { return crypto_pwhash_MEMLIMIT_MODERATE; }

Key32 DeriveSubkey(const Key32& master, uint64_t id, const char context[8]) {
  Key32 sub;
  crypto_kdf_derive_from_key(sub.data(), 32, id, context, master.data());
  return sub;
}

void AeadSeal(const Key32& key, std::string_view nonce, std::string_view ad,
              std::string_view plaintext, std::string* out) {
  assert(nonce.size() == kAeadNonceBytes);
  size_t start = out->size();
  out->resize(start + plaintext.size() + kAeadTagBytes);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out->data() + start), &clen,
                                             U(plaintext), plaintext.size(), U(ad), ad.size(), nullptr,
                                             U(nonce), key.data());
  assert(clen == plaintext.size() + kAeadTagBytes);
}

void AeadZerosCiphertext(const Key32& key, std::string_view nonce, size_t offset, size_t n, std::string* out) {
  assert(nonce.size() == kAeadNonceBytes);
  // The AEAD encrypts with IETF ChaCha20 (32-bit counter from 1, its nonce
  // four zero bytes then the last 8 of the XChaCha20 nonce) under the
  // HChaCha20 subkey: for counters below 2^32 the same keystream as
  // XChaCha20 with a 64-bit counter, which libsodium lets us start anywhere.
  constexpr size_t kBlock = 64;
  size_t skip = offset % kBlock;
  std::string zeros(skip + n, '\0');
  std::string stream(zeros.size(), '\0');
  crypto_stream_xchacha20_xor_ic(reinterpret_cast<unsigned char*>(stream.data()), U(zeros), zeros.size(), U(nonce),
                                 1 + offset / kBlock, key.data());
  out->append(stream, skip, n);
}

bool AeadOpen(const Key32& key, std::string_view nonce, std::string_view ad,
              std::string_view ciphertext, std::string* out) {
  if (nonce.size() != kAeadNonceBytes || ciphertext.size() < kAeadTagBytes) return false;
  out->resize(ciphertext.size() - kAeadTagBytes);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out->data()), &mlen, nullptr,
                                                 U(ciphertext), ciphertext.size(), U(ad), ad.size(), U(nonce),
                                                 key.data()) != 0) {
    out->clear();
    return false;
  }
  return true;
}

SignKeyPair SignKeygen() {
  SignKeyPair kp;
  kp.public_key.resize(crypto_sign_PUBLICKEYBYTES);
  kp.secret_key.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(kp.public_key.data()),
                      reinterpret_cast<unsigned char*>(kp.secret_key.data()));
  return kp;
}

SignKeyPair SignKeygenFromSeed(std::string_view seed) {
  assert(seed.size() == crypto_sign_SEEDBYTES);
  SignKeyPair kp;
  kp.public_key.resize(crypto_sign_PUBLICKEYBYTES);
  kp.secret_key.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(kp.public_key.data()),
                           reinterpret_cast<unsigned char*>(kp.secret_key.data()), U(seed));
  return kp;
}

std::string SignDetached(std::string_view secret_key, std::string_view message) {
  assert(secret_key.size() == crypto_sign_SECRETKEYBYTES);
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, U(message), message.size(),
                       U(secret_key));
  return sig;
}

bool VerifyDetached(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(U(signature), U(message), message.size(), U(public_key)) == 0;
}

KxKeyPair KxKeygen() {
  KxKeyPair kp;
  kp.public_key.resize(crypto_box_PUBLICKEYBYTES);
  kp.secret_key.resize(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(reinterpret_cast<unsigned char*>(kp.public_key.data()),
                     reinterpret_cast<unsigned char*>(kp.secret_key.data()));
  return kp;
}

KxKeyPair KxKeygenFromSeed(std::string_view seed) {
  assert(seed.size() == crypto_box_SEEDBYTES);
  KxKeyPair kp;
  kp.public_key.resize(crypto_box_PUBLICKEYBYTES);
  kp.secret_key.resize(crypto_box_SECRETKEYBYTES);
  crypto_box_seed_keypair(reinterpret_cast<unsigned char*>(kp.public_key.data()),
                          reinterpret_cast<unsigned char*>(kp.secret_key.data()), U(seed));
  return kp;
}

std::string SealTo(std::string_view public_key, std::string_view message) {
  assert(public_key.size() == crypto_box_PUBLICKEYBYTES);
  std::string out(message.size() + crypto_box_SEALBYTES, '\0');
  crypto_box_seal(reinterpret_cast<unsigned char*>(out.data()), U(message), message.size(), U(public_key));
  return out;
}

bool OpenSealed(std::string_view public_key, std::string_view secret_key, std::string_view sealed,
                std::string* out) {
  if (public_key.size() != crypto_box_PUBLICKEYBYTES || secret_key.size() != crypto_box_SECRETKEYBYTES ||
      sealed.size() < crypto_box_SEALBYTES) {
    return false;
  }
  out->resize(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(out->data()), U(sealed), sealed.size(),
                           U(public_key), U(secret_key)) != 0) {
    out->clear();
    return false;
  }
  return true;
}

std::string Hash(std::string_view data, size_t out_len, std::string_view key) {
  assert(out_len >= crypto_generichash_BYTES_MIN && out_len <= crypto_generichash_BYTES_MAX);
  std::string out(out_len, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out_len, U(data), data.size(),
                     key.empty() ? nullptr : U(key), key.size());
  return out;
}

static_assert(sizeof(crypto_generichash_state) <= 384);

Hasher::Hasher(size_t out_len) : out_len_(out_len) {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, out_len);
}
void Hasher::Update(std::string_view data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), U(data), data.size());
}
std::string Hasher::Final() {
  std::string out(out_len_, '\0');
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_),
                           reinterpret_cast<unsigned char*>(out.data()), out_len_);
  return out;
}

uint64_t ShortHash(std::string_view key16, std::string_view data) {
  assert(key16.size() == crypto_shorthash_KEYBYTES);
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, U(data), data.size(), U(key16));
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(out[i]) << (8 * i);
  return v;
}

std::string Base64Encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), U(bytes), bytes.size(), kVariant);
  out.resize(out.size() - 1);  // The terminating NUL.
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  out->resize(text.size() * 3 / 4 + 1);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), text.data(), text.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    out->clear();
    return false;
  }
  out->resize(len);
  return true;
}

bool SecureEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Wipe(std::string* s) {
  if (!s->empty()) sodium_memzero(s->data(), s->size());
  s->clear();
}

}  // namespace hamlet
