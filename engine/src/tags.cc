#include "tags.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "coding.h"
#include "sealed_value.h"
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

uint64_t Tagger::Bucket(const WorkspaceId& ws, std::string_view collection, std::string_view field, char unit,
                        int64_t number) const {
  std::string n(1, unit);
  n += std::to_string(number);
  return Tag('b', ws, {collection, field, n});
}

namespace {

constexpr int64_t kDayMillis = 86400000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::chrono::year_month_day DateOf(int64_t day) {
  return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day)));
}

int64_t DayOf(std::chrono::year_month_day ymd) {
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

}  // namespace

Tagger::Cover Tagger::RangeCover(const WorkspaceId& ws, std::string_view collection, std::string_view field,
                                 int64_t from, int64_t to) const {
  using namespace std::chrono;
  Cover c;
  if (from >= to) return c;
  int64_t d0 = FloorDiv(from, kDayMillis);
  int64_t d1 = FloorDiv(to - 1, kDayMillis);
  int64_t first_full = from == d0 * kDayMillis ? d0 : d0 + 1;
  int64_t last_full = to == (d1 + 1) * kDayMillis ? d1 : d1 - 1;
  if (first_full > d0) c.partial.push_back(Bucket(ws, collection, field, 'd', d0));
  if (last_full < d1 && d1 != d0) c.partial.push_back(Bucket(ws, collection, field, 'd', d1));
  for (int64_t day = first_full; day <= last_full;) {
    year_month_day ymd = DateOf(day);
    int y = static_cast<int>(ymd.year());
    unsigned m = static_cast<unsigned>(ymd.month());
    if (ymd.day() == std::chrono::day(1)) {
      int64_t year_end = DayOf(year_month_day(ymd.year() + years(1), January, std::chrono::day(1))) - 1;
      if (m == 1 && year_end <= last_full) {
        c.whole.push_back(Bucket(ws, collection, field, 'y', y));
        day = year_end + 1;
        continue;
      }
      int64_t month_end = DayOf(year_month_day(ymd.year() / ymd.month() / std::chrono::day(1)) + months(1)) - 1;
      if (month_end <= last_full) {
        c.whole.push_back(Bucket(ws, collection, field, 'm', int64_t{y} * 12 + (m - 1)));
        day = month_end + 1;
        continue;
      }
    }
    c.whole.push_back(Bucket(ws, collection, field, 'd', day));
    day++;
  }
  return c;
}

uint64_t Tagger::Word(const WorkspaceId& ws, std::string_view folded_word) const {
  return Tag('w', ws, {folded_word});
}

void Tagger::Diff(std::string_view before, std::string_view after, std::string* removed, std::string* added) {
  removed->clear();
  added->clear();
  auto take = [](std::string_view* list) {
    size_t end = list->find(' ');
    std::string_view tag = list->substr(0, end);
    list->remove_prefix(end == std::string_view::npos ? list->size() : end + 1);
    return tag;
  };
  auto put = [](std::string* out, std::string_view tag) {
    if (!out->empty()) out->push_back(' ');
    out->append(tag);
  };
  std::string_view a = take(&before), b = take(&after);
  while (!a.empty() || !b.empty()) {
    if (b.empty() || (!a.empty() && a < b)) {
      put(removed, a);
      a = take(&before);
    } else if (a.empty() || b < a) {
      put(added, b);
      b = take(&after);
    } else {
      a = take(&before);
      b = take(&after);
    }
  }
}

void Tagger::FieldTags(const WorkspaceId& ws, std::string_view collection, std::string_view name, const Register& reg,
                       FieldIndex level, std::vector<uint64_t>* tags) const {
  const Version* v = reg.winner();
  if (!v || level == FieldIndex::kNone) return;
  const auto* text = std::get_if<std::string>(&v->value);
  if (text && LooksSealed(*text)) return;  // Random bytes: nothing to find them by.
  if (!text || text->size() <= kMaxEqualityText) tags->push_back(Equality(ws, collection, name, v->value));
  if (const auto* t = std::get_if<Timestamp>(&v->value)) {
    int64_t day = FloorDiv(t->millis, kDayMillis);
    std::chrono::year_month_day ymd = DateOf(day);
    int64_t y = static_cast<int>(ymd.year());
    tags->push_back(Bucket(ws, collection, name, 'y', y));
    tags->push_back(Bucket(ws, collection, name, 'm', y * 12 + (static_cast<unsigned>(ymd.month()) - 1)));
    tags->push_back(Bucket(ws, collection, name, 'd', day));
  }
  if (text && level == FieldIndex::kWords) {
    ForEachSearchWord(*text, [&](std::string_view word) { tags->push_back(Word(ws, word)); });
  }
}

std::string Tagger::ForRecord(const WorkspaceId& ws, const RecordState& st, const IndexSpec& spec) const {
  if (!st.Alive()) return {};
  std::vector<uint64_t> tags{Collection(ws, st.collection)};
  for (const auto& [name, reg] : st.fields) FieldTags(ws, st.collection, name, reg, spec.Of(name), &tags);
  return Format(std::move(tags));
}

std::string Tagger::Format(std::vector<uint64_t> tags) {
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  static const char* kDigits = "0123456789abcdef";
  std::string out(tags.empty() ? 0 : tags.size() * 17 - 1, ' ');
  char* p = out.data();
  for (size_t i = 0; i < tags.size(); i++, p += 17) {
    for (int d = 0; d < 16; d++) p[d] = kDigits[(tags[i] >> (60 - 4 * d)) & 15];
  }
  return out;
}

}  // namespace hamlet
