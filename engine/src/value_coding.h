// The binary encoding of a field value, used inside commit bodies and record
// states (protocol.md, "Values"): one tag byte (format.h, kVal*), then for text
// a varint length and UTF-8 bytes, for integers and timestamps a zigzag varint.
#ifndef HAMLET_VALUE_CODING_H_
#define HAMLET_VALUE_CODING_H_

#include "coding.h"
#include "format.h"
#include "hamlet/types.h"

namespace hamlet {

inline void EncodeValue(const Value& v, Writer& w) {
  switch (TypeOf(v)) {
    case ValueType::kNull: w.U8(format::kValNull); break;
    case ValueType::kText:
      w.U8(format::kValText);
      w.Bytes(std::get<std::string>(v));
      break;
    case ValueType::kInteger:
      w.U8(format::kValInt);
      w.SVarint(std::get<int64_t>(v));
      break;
    case ValueType::kBool: w.U8(std::get<bool>(v) ? format::kValTrue : format::kValFalse); break;
    case ValueType::kTimestamp:
      w.U8(format::kValTimestamp);
      w.SVarint(std::get<Timestamp>(v).millis);
      break;
  }
}

// Returns false on an unknown tag or a short read.
inline bool DecodeValue(Reader& r, Value* v) {
  switch (r.U8()) {
    case format::kValNull: *v = std::monostate{}; break;
    case format::kValText: *v = std::string(r.Bytes(format::kMaxValueBytes)); break;
    case format::kValInt: *v = r.SVarint(); break;
    case format::kValFalse: *v = false; break;
    case format::kValTrue: *v = true; break;
    case format::kValTimestamp: *v = Timestamp{r.SVarint()}; break;
    default: return false;
  }
  return r.ok();
}

}  // namespace hamlet

#endif  // HAMLET_VALUE_CODING_H_
