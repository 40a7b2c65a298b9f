#include "tags.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "coding.h"
#include "text.h"
#include "value_coding.h"

namespace hamlet {

std::string Tagger::Hex(uint64_t tag) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; i++) out[i] = kDigits[(tag >> (60 - 4 * i)) & 15];
  return out;
}

uint64_t Tagger::Tag(char domain, const WorkspaceId& ws, std::initializer_list<std::string_view> parts) const {
  char stack[512];
  size_t need = 1 + 16;
  for (std::string_view p : parts) need += 10 + p.size();
  std::string heap;
  char* buf = stack;
  if (need > sizeof stack) {
    heap.resize(need);
    buf = heap.data();
  }
  size_t n = 0;
  buf[n++] = domain;
  std::memcpy(buf + n, ws.bytes.data(), 16);
  n += 16;
  for (std::string_view p : parts) {
    uint64_t len = p.size();
    while (len >= 0x80) {
      buf[n++] = static_cast<char>(len | 0x80);
      len >>= 7;
    }
    buf[n++] = static_cast<char>(len);
    std::memcpy(buf + n, p.data(), p.size());
    n += p.size();
  }
  return ShortHash(key_, std::string_view(buf, n));
}

uint64_t Tagger::Collection(const WorkspaceId& ws, std::string_view collection) const {
  return Tag('c', ws, {collection});
}

uint64_t Tagger::Equality(const WorkspaceId& ws, std::string_view collection, std::string_view field,
                          const Value& value) const {
  std::string v;
  Writer w(&v);
  EncodeValue(value, w);
  return Tag('e', ws, {collection, field, v});
}

uint64_t Tagger::Word(const WorkspaceId& ws, std::string_view folded_word) const {
  return Tag('w', ws, {folded_word});
}

std::string Tagger::ForRecord(const WorkspaceId& ws, const RecordState& st) const {
  if (!st.Alive()) return {};
  std::vector<uint64_t> tags{Collection(ws, st.collection)};
  for (const auto& [name, reg] : st.fields) {
    const Version* v = reg.winner();
    if (!v) continue;
    const auto* text = std::get_if<std::string>(&v->value);
    if (!text || text->size() <= kMaxEqualityText) tags.push_back(Equality(ws, st.collection, name, v->value));
    if (text) ForEachSearchWord(*text, [&](std::string_view word) { tags.push_back(Word(ws, word)); });
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  std::string out;
  out.reserve(tags.size() * 17);
  for (uint64_t t : tags) {
    if (!out.empty()) out.push_back(' ');
    out += Hex(t);
  }
  return out;
}

}  // namespace hamlet
