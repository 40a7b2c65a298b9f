#include "keystore.h"

#include "format.h"
#include "text.h"

#include "coding.h"
#include "hamlet/language.h"

namespace hamlet {

namespace {

// 3: commits of format 2 in the log; 4: records keep their rows, ordered by
// a column of their own (a store of format 3 is given it when unlocked);
// 5: the tags of a collection follow its index spec (meta "index specs"),
// and the log may hold commits in the compact form (commit.h), neither of
// which a build that knows only 4 would follow, so it must not open one;
// 6: the pending file; 7: baselines, where a replica that started from a
// snapshot holds chains without their first commits (a build that knows
// only 6 would take its log for whole).
// An older store is brought to the current format when unlocked.
constexpr char kFormat[] = "hamlet-store-7";                  // 7: baselines of a snapshot (protocol.md 6.5, 8).
constexpr char kFormatWithoutBaselines[] = "hamlet-store-6";  // 6: the pending file.
constexpr char kFormatWithoutPending[] = "hamlet-store-5";
constexpr char kFormatWithoutSpecs[] = "hamlet-store-4";
constexpr char kFormatWithoutOrder[] = "hamlet-store-3";
constexpr uint8_t kKdfRaw = 0;
constexpr uint8_t kKdfArgon2id = 1;
constexpr char kWrapAd[] = "hamlet store key";
constexpr char kContext[9] = "hmlstore";

enum Subkey : uint64_t { kSecrets = 1, kRecords = 2, kTags = 3 };

Status DeriveUserKey(const UserSecret& secret, std::string_view kdf, Key32* out) {
  Reader r(kdf);
  uint8_t kind = r.U8();
  if (!r.ok()) return Status::DataLoss(Tr("key derivation record is damaged"));
  if (kind == kKdfRaw) {
    if (secret.is_passphrase) {
      return Status::PermissionDenied(Tr("this store is unlocked with a key, not a passphrase"));
    }
    *out = Key32::FromView(secret.bytes);
    return Status::OK();
  }
  if (kind != kKdfArgon2id) return Status::Unimplemented(Tr("unknown key derivation"));
  if (!secret.is_passphrase) return Status::PermissionDenied(Tr("this store is unlocked with a passphrase, not a key"));
  std::string_view salt = r.Raw(kPwSaltBytes);
  uint64_t ops = r.Varint();
  uint64_t mem = r.Varint();
  if (!r.done()) return Status::DataLoss(Tr("key derivation record is damaged"));
  return DeriveKeyFromPassphrase(secret.bytes, salt, ops, mem, out);
}

}  // namespace

std::string Keystore::SealAtRest(const Key32& key, std::string_view ad, std::string_view plaintext) {
  const std::string nonce = RandomBytes(kAeadNonceBytes);
  std::string out = nonce;
  AeadSeal(key, nonce, ad, plaintext, &out);
  return out;
}

bool Keystore::OpenAtRest(const Key32& key, std::string_view ad, std::string_view sealed, std::string* out) {
  if (sealed.size() < kAeadNonceBytes + kAeadTagBytes) return false;
  return AeadOpen(key, sealed.substr(0, kAeadNonceBytes), ad, sealed.substr(kAeadNonceBytes), out);
}

Status Keystore::Open(Store* store, const UserSecret& secret, const OpenOptions& options,
                      std::unique_ptr<Keystore>* out) {
  if (!secret.is_passphrase && secret.bytes.size() != kKeyBytes) {
    return Status::InvalidArgument(Tr("a raw store key must be exactly 32 bytes"));
  }
  std::unique_ptr<Keystore> ks(new Keystore());
  ks->store_ = store;
  std::string format, kdf, wrapped;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(store->GetMeta("format", &format, &found));
  Key32 store_key;
  if (found) {
    if (format != kFormat && format != kFormatWithoutBaselines && format != kFormatWithoutPending &&
        format != kFormatWithoutSpecs && format != kFormatWithoutOrder) {
      return Status::Unimplemented(Format(Tr("store format '%s' is not known to this build"), format.c_str()));
    }
    bool f1 = false, f2 = false;
    HAMLET_RETURN_IF_ERROR(store->GetMeta("kdf", &kdf, &f1));
    HAMLET_RETURN_IF_ERROR(store->GetMeta("wrapped_key", &wrapped, &f2));
    if (!f1 || !f2) return Status::DataLoss(Tr("store keys are missing"));
    Key32 user_key;
    HAMLET_RETURN_IF_ERROR(DeriveUserKey(secret, kdf, &user_key));
    std::string raw;
    if (!OpenAtRest(user_key, kWrapAd, wrapped, &raw) || raw.size() != kKeyBytes) {
      return Status::PermissionDenied(secret.is_passphrase ? Tr("wrong passphrase") : Tr("wrong key"));
    }
    store_key = Key32::FromView(raw);
    Wipe(&raw);
    if (format != kFormat) {
      HAMLET_RETURN_IF_ERROR(store->Begin());
      Status s = format == kFormatWithoutOrder ? store->MigrateRecordOrder() : Status::OK();
      if (s.ok()) s = store->PutMeta("format", kFormat);
      if (s.ok()) s = store->Commit();
      if (!s.ok()) {
        store->Rollback();
        return s.WithContext(std::string("bringing the store to ") + kFormat + ": ");
      }
    }
  } else {
    if (!options.create_if_missing) return Status::NotFound(Tr("no Hamlet store here"));
    Writer w(&kdf);
    Key32 user_key;
    if (secret.is_passphrase) {
      size_t chars = CountCodePoints(secret.bytes);
      if (chars < format::kMinPassphraseChars) {
        return Status::InvalidArgument(Format(Tr("a passphrase needs at least %s characters; this one has %s (a few "
                                                 "words are easier to remember than symbols)"),
                                              std::to_string(format::kMinPassphraseChars).c_str(),
                                              std::to_string(chars).c_str()));
      }
      uint64_t ops = options.pwhash_opslimit ? options.pwhash_opslimit : PwhashOpsModerate();
      uint64_t mem = options.pwhash_memlimit ? options.pwhash_memlimit : PwhashMemModerate();
      std::string salt = RandomBytes(kPwSaltBytes);
      w.U8(kKdfArgon2id);
      w.Raw(salt);
      w.Varint(ops);
      w.Varint(mem);
      HAMLET_RETURN_IF_ERROR(DeriveKeyFromPassphrase(secret.bytes, salt, ops, mem, &user_key));
    } else {
      w.U8(kKdfRaw);
      user_key = Key32::FromView(secret.bytes);
    }
    store_key = Key32::Random();
    SignKeyPair sign = SignKeygen();
    KxKeyPair kx = KxKeygen();
    Key32 secrets = DeriveSubkey(store_key, kSecrets, kContext);
    HAMLET_RETURN_IF_ERROR(store->Begin());
    Status s = store->PutMeta("kdf", kdf);
    if (s.ok()) s = store->PutMeta("wrapped_key", SealAtRest(user_key, kWrapAd, store_key.View()));
    if (s.ok()) s = store->PutMeta("sign_pk", sign.public_key);
    if (s.ok()) s = store->PutMeta("sign_sk", SealAtRest(secrets, "sign_sk", sign.secret_key));
    if (s.ok()) s = store->PutMeta("kx_pk", kx.public_key);
    if (s.ok()) s = store->PutMeta("kx_sk", SealAtRest(secrets, "kx_sk", kx.secret_key));
    if (s.ok()) s = store->PutMeta("format", kFormat);
    if (s.ok()) s = store->Commit();
    Wipe(&sign.secret_key);
    Wipe(&kx.secret_key);
    if (!s.ok()) {
      store->Rollback();
      return s;
    }
  }
  ks->secrets_key_ = DeriveSubkey(store_key, kSecrets, kContext);
  ks->record_key_ = DeriveSubkey(store_key, kRecords, kContext);
  ks->tag_key_ = DeriveSubkey(store_key, kTags, kContext);
  std::string sealed_sign, sealed_kx;
  bool a = false, b = false, c = false, d = false;
  HAMLET_RETURN_IF_ERROR(store->GetMeta("sign_pk", &ks->sign_pk_, &a));
  HAMLET_RETURN_IF_ERROR(store->GetMeta("sign_sk", &sealed_sign, &b));
  HAMLET_RETURN_IF_ERROR(store->GetMeta("kx_pk", &ks->kx_pk_, &c));
  HAMLET_RETURN_IF_ERROR(store->GetMeta("kx_sk", &sealed_kx, &d));
  std::string sign_sk, kx_sk;
  bool opened = a && b && c && d && OpenAtRest(ks->secrets_key_, "sign_sk", sealed_sign, &sign_sk) &&
                OpenAtRest(ks->secrets_key_, "kx_sk", sealed_kx, &kx_sk);
  // Into guarded memory, and the plain copies wiped.
  ks->sign_sk_ = SecretBytes(sign_sk);
  ks->kx_sk_ = SecretBytes(kx_sk);
  Wipe(&sign_sk);
  Wipe(&kx_sk);
  if (!opened) return Status::DataLoss(Tr("device keys are missing or damaged"));
  *out = std::move(ks);
  return Status::OK();
}

Status Keystore::LoadWorkspaceKeys(const WorkspaceId& ws) {
  if (ws_keys_.count(ws)) return Status::OK();
  std::vector<std::pair<uint32_t, std::string>> sealed;
  HAMLET_RETURN_IF_ERROR(store_->ListWorkspaceKeys(ws, &sealed));
  auto& keys = ws_keys_[ws];
  for (auto& [epoch, blob] : sealed) {
    std::string raw;
    std::string ad = "ws key " + ws.Hex() + " " + std::to_string(epoch);
    if (!OpenAtRest(secrets_key_, ad, blob, &raw) || raw.size() != kKeyBytes) {
      ws_keys_.erase(ws);
      return Status::DataLoss(Tr("workspace key is damaged"));
    }
    keys[epoch] = Key32::FromView(raw);
    Wipe(&raw);
  }
  return Status::OK();
}

Status Keystore::AddWorkspaceKey(const WorkspaceId& ws, uint32_t epoch, const Key32& key) {
  std::string ad = "ws key " + ws.Hex() + " " + std::to_string(epoch);
  HAMLET_RETURN_IF_ERROR(store_->PutWorkspaceKey(ws, epoch, SealAtRest(secrets_key_, ad, key.View())));
  ws_keys_.erase(ws);  // Reloaded on next use, after the transaction's fate is known.
  return Status::OK();
}

Status Keystore::WorkspaceKey(const WorkspaceId& ws, uint32_t epoch, const Key32** out) {
  HAMLET_RETURN_IF_ERROR(LoadWorkspaceKeys(ws));
  auto& keys = ws_keys_[ws];
  auto it = keys.find(epoch);
  if (it == keys.end()) {
    return Status::PermissionDenied(Format(Tr("this replica holds no key of workspace %s for epoch %s"),
                                           ws.Hex().c_str(), std::to_string(epoch).c_str()));
  }
  *out = &it->second;
  return Status::OK();
}

Status Keystore::CurrentEpoch(const WorkspaceId& ws, uint32_t* epoch) {
  HAMLET_RETURN_IF_ERROR(LoadWorkspaceKeys(ws));
  auto& keys = ws_keys_[ws];
  if (keys.empty())
    return Status::NotFound(Format(Tr("this replica does not belong to workspace %s"), ws.Hex().c_str()));
  *epoch = keys.rbegin()->first;
  return Status::OK();
}

}  // namespace hamlet
