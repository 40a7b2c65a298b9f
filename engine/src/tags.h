// Blind index tags (protocol.md, "Local store").
//
// The local store must not hold readable values, yet must find records by
// field value and by word. Each indexable fact becomes a tag: 8 bytes of keyed
// BLAKE2b, as 16 hex digits, under a key that never leaves the device. A tag
// reveals that two records share a value, never the value. The tags of a
// record are a pure function of its visible state, so the store can remove
// exactly what it once added. Thread safe after construction.
#ifndef HAMLET_TAGS_H_
#define HAMLET_TAGS_H_

#include <string>
#include <string_view>

#include "crypto.h"
#include "hamlet/types.h"
#include "merge.h"

namespace hamlet {

class Tagger {
 public:
  // Text values up to this size get an equality tag; longer ones only words.
  static constexpr size_t kMaxEqualityText = 256;

  explicit Tagger(const Key32& key) : key_(key) {}

  std::string Collection(const WorkspaceId& ws, std::string_view collection) const;
  std::string Equality(const WorkspaceId& ws, std::string_view collection, std::string_view field,
                       const Value& value) const;
  std::string Word(const WorkspaceId& ws, std::string_view folded_word) const;

  // All tags of a record, space separated and sorted; empty when the record
  // is deleted (deleted records are found by id only).
  std::string ForRecord(const WorkspaceId& ws, const RecordState& st) const;

 private:
  std::string Tag(std::string_view material) const;
  Key32 key_;
};

}  // namespace hamlet

#endif  // HAMLET_TAGS_H_
