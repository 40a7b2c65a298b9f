// Blind index tags (protocol.md, "Local store").
//
// The local store must not hold readable values, yet must find records by
// field value and by word. Each indexable fact becomes a tag: SipHash-2-4
// (8 bytes, as 16 hex digits) under a key that never leaves the device. A tag
// reveals that two records share a value, never the value. The tags of a
// record are a pure function of its visible state, so the store can remove
// exactly what it once added. Thread safe after construction.
#ifndef HAMLET_TAGS_H_
#define HAMLET_TAGS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>
#include <string_view>

#include "crypto.h"
#include "hamlet/types.h"
#include "merge.h"

namespace hamlet {

class Tagger {
 public:
  // Text values up to this size get an equality tag; longer ones only words.
  static constexpr size_t kMaxEqualityText = 256;

  // Uses the first 16 bytes of key as the SipHash key.
  explicit Tagger(const Key32& key) : key_(key.View().substr(0, 16)) {}

  uint64_t Collection(const WorkspaceId& ws, std::string_view collection) const;
  uint64_t Equality(const WorkspaceId& ws, std::string_view collection, std::string_view field,
                    const Value& value) const;
  uint64_t Word(const WorkspaceId& ws, std::string_view folded_word) const;

  // Calendar buckets of a timestamp field (UTC): unit 'y' (year), 'm'
  // (year * 12 + month - 1) or 'd' (days since 1970-01-01).
  uint64_t Bucket(const WorkspaceId& ws, std::string_view collection, std::string_view field, char unit,
                  int64_t number) const;

  // The buckets that cover [from, to): whole ones (every value in them is in
  // range) and partial ones (the first and last day when the bounds are not
  // at midnight UTC; their records must be checked).
  struct Cover {
    std::vector<uint64_t> whole;
    std::vector<uint64_t> partial;
  };
  Cover RangeCover(const WorkspaceId& ws, std::string_view collection, std::string_view field, int64_t from,
                   int64_t to) const;

  // A tag as the index stores it: 16 lowercase hex digits.
  static std::string Hex(uint64_t tag);

  // All tags of a record, space separated and sorted; empty when the record
  // is deleted (deleted records are found by id only). spec is what the
  // index keeps of the fields of the record's collection.
  std::string ForRecord(const WorkspaceId& ws, const RecordState& st, const IndexSpec& spec) const;

  // What changes from one tag list of ForRecord's form to another: the tags
  // only before goes to *removed, those only after to *added (same form).
  static void Diff(std::string_view before, std::string_view after, std::string* removed, std::string* added);

 private:
  // The tags one field gives a live record of collection: of its winning
  // value as far as level asks, none when it has none or holds a sealed
  // value. ForRecord is the collection's tag and these of every field, in
  // Format.
  void FieldTags(const WorkspaceId& ws, std::string_view collection, std::string_view field, const Register& reg,
                 FieldIndex level, std::vector<uint64_t>* out) const;
  // Tags in ForRecord's form: sorted, each once, space separated.
  static std::string Format(std::vector<uint64_t> tags);
  // Hashes a one-letter domain, the workspace id and the parts, each
  // length-prefixed, without allocating for short inputs.
  uint64_t Tag(char domain, const WorkspaceId& ws, std::initializer_list<std::string_view> parts) const;
  std::string key_;
};

}  // namespace hamlet

#endif  // HAMLET_TAGS_H_
