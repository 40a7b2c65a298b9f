// Identifiers and field values shared by the whole public API.
//
// All types here are plain values: copyable, comparable, and safe to use from
// any thread.
#ifndef HAMLET_TYPES_H_
#define HAMLET_TYPES_H_

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hamlet {

// A 128-bit identifier. Tag makes record, device and workspace ids distinct
// types so one cannot be passed where another is expected.
template <class Tag>
struct Id128 {
  std::array<uint8_t, 16> bytes{};

  auto operator<=>(const Id128&) const = default;
  bool IsZero() const {
    for (uint8_t b : bytes) if (b) return false;
    return true;
  }
  // 32 lowercase hex digits.
  std::string Hex() const {
    static const char* kDigits = "0123456789abcdef";
    std::string s(32, '0');
    for (int i = 0; i < 16; i++) {
      s[2 * i] = kDigits[bytes[i] >> 4];
      s[2 * i + 1] = kDigits[bytes[i] & 15];
    }
    return s;
  }
  // Parses 32 hex digits (either case); nullopt on anything else.
  static std::optional<Id128> FromHex(std::string_view hex) {
    if (hex.size() != 32) return std::nullopt;
    Id128 id;
    for (int i = 0; i < 32; i++) {
      char c = hex[i];
      int v = (c >= '0' && c <= '9') ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (v < 0) return std::nullopt;
      id.bytes[i / 2] = static_cast<uint8_t>(id.bytes[i / 2] | (i % 2 ? v : v << 4));
    }
    return id;
  }
  // Reads exactly 16 raw bytes; nullopt if the size is wrong.
  static std::optional<Id128> FromBytes(std::string_view raw) {
    if (raw.size() != 16) return std::nullopt;
    Id128 id;
    for (int i = 0; i < 16; i++) id.bytes[i] = static_cast<uint8_t>(raw[i]);
    return id;
  }
  std::string_view View() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
};

struct RecordTag {};
struct DeviceTag {};
struct WorkspaceTag {};
using RecordId = Id128<RecordTag>;
using DeviceId = Id128<DeviceTag>;
using WorkspaceId = Id128<WorkspaceTag>;

// A point in time: milliseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  int64_t millis = 0;
  auto operator<=>(const Timestamp&) const = default;
};

// The value of one field: null, UTF-8 text, a 64-bit integer, a boolean or a
// timestamp. Values order first by type (in that order), then by content, so
// sorting mixed values is well defined.
using Value = std::variant<std::monostate, std::string, int64_t, bool, Timestamp>;

enum class ValueType : uint8_t { kNull = 0, kText = 1, kInteger = 2, kBool = 3, kTimestamp = 4 };

inline ValueType TypeOf(const Value& v) { return static_cast<ValueType>(v.index()); }

// How a replica's local index finds the values of one field of a
// collection (Replica::SetIndex). The index is this device's own: what an
// app declares here changes no commit and nothing another replica sees.
enum class FieldIndex : uint8_t {
  kWords = 0,  // By exact value, time range and the words of its text (the default).
  kExact = 1,  // By exact value and time range; its words are not searched.
  kNone = 2,   // Not indexed: a query on it opens every record of the collection.
};

// What the local index keeps of one collection's fields.
struct IndexSpec {
  std::map<std::string, FieldIndex, std::less<>> fields;  // By field name.
  FieldIndex others = FieldIndex::kWords;                  // Every field not named.

  FieldIndex Of(std::string_view field) const {
    auto it = fields.find(field);
    return it == fields.end() ? others : it->second;
  }
  bool operator==(const IndexSpec&) const = default;
};

}  // namespace hamlet

#endif  // HAMLET_TYPES_H_
