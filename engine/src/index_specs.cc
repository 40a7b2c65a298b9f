#include "index_specs.h"

#include "coding.h"
#include "hamlet/language.h"
#include "keystore.h"

namespace hamlet {

namespace {

constexpr char kMetaKey[] = "index specs";
constexpr char kAd[] = "hamlet index specs";

bool ValidLevel(uint8_t level) { return level <= static_cast<uint8_t>(FieldIndex::kNone); }

}  // namespace

const IndexSpec& IndexSpecs::For(std::string_view collection) const {
  static const IndexSpec kDefault;
  auto it = specs_.find(collection);
  return it == specs_.end() ? kDefault : it->second;
}

void IndexSpecs::Set(std::string_view collection, const IndexSpec& spec) {
  if (spec == IndexSpec{}) {
    auto it = specs_.find(collection);
    if (it != specs_.end()) specs_.erase(it);
    return;
  }
  specs_[std::string(collection)] = spec;
}

Status IndexSpecs::Save(Store* store, const Key32& key) const {
  std::string plain;
  Writer w(&plain);
  w.Varint(specs_.size());
  for (const auto& [collection, spec] : specs_) {
    w.Bytes(collection);
    w.U8(static_cast<uint8_t>(spec.others));
    w.Varint(spec.fields.size());
    for (const auto& [field, level] : spec.fields) {
      w.Bytes(field);
      w.U8(static_cast<uint8_t>(level));
    }
  }
  return store->PutMeta(kMetaKey, Keystore::SealAtRest(key, kAd, plain));
}

Status IndexSpecs::Load(Store* store, const Key32& key) {
  specs_.clear();
  std::string sealed;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(store->GetMeta(kMetaKey, &sealed, &found));
  if (!found) return Status::OK();
  std::string plain;
  if (!Keystore::OpenAtRest(key, kAd, sealed, &plain)) {
    return Status::DataLoss(Tr("the store's index settings are damaged"));
  }
  Reader r(plain);
  std::map<std::string, IndexSpec, std::less<>> specs;
  uint64_t n = r.Varint();
  for (uint64_t i = 0; r.ok() && i < n; i++) {
    std::string collection(r.Bytes());
    IndexSpec spec;
    uint8_t others = r.U8();
    if (!ValidLevel(others)) r.Fail();
    spec.others = static_cast<FieldIndex>(others);
    uint64_t fields = r.Varint();
    for (uint64_t j = 0; r.ok() && j < fields; j++) {
      std::string field(r.Bytes());
      uint8_t level = r.U8();
      if (!ValidLevel(level)) r.Fail();
      spec.fields[field] = static_cast<FieldIndex>(level);
    }
    specs[collection] = std::move(spec);
  }
  if (!r.done()) return Status::DataLoss(Tr("the store's index settings are malformed"));
  specs_ = std::move(specs);
  return Status::OK();
}

}  // namespace hamlet
