// Byte-level encoding helpers shared by every encoder and decoder of the
// commit, chunk, certificate and record-state formats (protocol.md, "Encoding").
//
// Integers are unsigned LEB128 varints unless stated; signed integers are
// zigzag-mapped first. Fixed-width integers are little-endian.
#ifndef HAMLET_CODING_H_
#define HAMLET_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hamlet {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Appends encoded values to a string it does not own.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void SVarint(int64_t v) { Varint(ZigZag(v)); }
  void Fixed64(uint64_t v) {
    for (int i = 0; i < 8; i++) out_->push_back(static_cast<char>(v >> (8 * i)));
  }
  void Raw(std::string_view bytes) { out_->append(bytes); }
  // A varint length followed by the bytes.
  void Bytes(std::string_view bytes) {
    Varint(bytes.size());
    out_->append(bytes);
  }
  size_t size() const { return out_->size(); }

 private:
  std::string* out_;
};

// Reads encoded values from a byte range it does not own; the range must
// outlive the Reader. Every read checks bounds: after a failed read ok() is
// false and all later reads fail too, so a decoder can check once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok_ ? in_.size() - pos_ : 0; }
  std::string_view consumed_since(size_t start) const { return in_.substr(start, pos_ - start); }

  uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) break;  // Overflows 64 bits.
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t SVarint() { return UnZigZag(Varint()); }
  uint64_t Fixed64() {
    if (!Need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  std::string_view Raw(size_t n) {
    if (!Need(n)) return {};
    std::string_view v = in_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  // A varint length (at most max_len) followed by that many bytes.
  std::string_view Bytes(size_t max_len = SIZE_MAX) {
    uint64_t n = Varint();
    if (!ok_ || n > max_len) {
      ok_ = false;
      return {};
    }
    return Raw(static_cast<size_t>(n));
  }
  void Fail() { ok_ = false; }

 private:
  bool Need(size_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace hamlet

#endif  // HAMLET_CODING_H_
