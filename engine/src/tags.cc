#include "tags.h"

#include <set>

#include "coding.h"
#include "text.h"
#include "value_coding.h"

namespace hamlet {

std::string Tagger::Tag(std::string_view material) const {
  static const char* kDigits = "0123456789abcdef";
  std::string h = Hash(material, 16, key_.View());
  std::string out(16, '0');
  for (int i = 0; i < 8; i++) {
    out[2 * i] = kDigits[static_cast<uint8_t>(h[i]) >> 4];
    out[2 * i + 1] = kDigits[static_cast<uint8_t>(h[i]) & 15];
  }
  return out;
}

std::string Tagger::Collection(const WorkspaceId& ws, std::string_view collection) const {
  std::string m("c");
  Writer w(&m);
  w.Raw(ws.View());
  w.Bytes(collection);
  return Tag(m);
}

std::string Tagger::Equality(const WorkspaceId& ws, std::string_view collection, std::string_view field,
                             const Value& value) const {
  std::string m("e");
  Writer w(&m);
  w.Raw(ws.View());
  w.Bytes(collection);
  w.Bytes(field);
  EncodeValue(value, w);
  return Tag(m);
}

std::string Tagger::Word(const WorkspaceId& ws, std::string_view folded_word) const {
  std::string m("w");
  Writer w(&m);
  w.Raw(ws.View());
  w.Bytes(folded_word);
  return Tag(m);
}

std::string Tagger::ForRecord(const WorkspaceId& ws, const RecordState& st) const {
  if (!st.Alive()) return {};
  std::set<std::string> tags;
  tags.insert(Collection(ws, st.collection));
  std::set<std::string> words;
  for (const auto& [name, reg] : st.fields) {
    const Version* v = reg.winner();
    if (!v) continue;
    const auto* text = std::get_if<std::string>(&v->value);
    if (!text || text->size() <= kMaxEqualityText) tags.insert(Equality(ws, st.collection, name, v->value));
    if (text) {
      for (std::string& word : SearchWords(*text)) words.insert(std::move(word));
    }
  }
  for (const std::string& word : words) tags.insert(Word(ws, word));
  std::string out;
  for (const std::string& t : tags) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

}  // namespace hamlet
