#include "workload.h"

#include <cmath>

namespace hamlet::bench {

const char* const kStatuses[5] = {"received", "in progress", "resolved", "transferred", "rejected"};

namespace {
const char* kWords[] = {"đất", "đai", "đường", "giao", "thông", "nước", "sạch", "điện", "chiếu", "sáng",
                        "trường", "học", "trạm", "y", "tế", "hộ", "nghèo", "chính", "sách", "bảo",
                        "hiểm", "môi", "trường", "rác", "thải", "an", "ninh", "trật", "tự", "cầu",
                        "cống", "mương", "thủy", "lợi", "lúa", "ngô", "chăn", "nuôi", "giống", "vốn",
                        "vay", "ngân", "hàng", "xây", "dựng", "nhà", "văn", "hóa", "thôn", "bản"};
const char* kCategories[] = {"land", "infrastructure", "social policy", "environment", "public order", "other"};
const char* kKinds[] = {"request", "complaint", "denunciation"};
const char* kSurnames[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"};
const char* kNames[] = {"Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Minh Đức", "Thị Hoa", "Văn Hùng"};

const char* kOnsets[] = {"b", "c", "ch", "d", "đ", "g", "h", "kh", "l", "m", "n", "ng",
                          "nh", "ph", "qu", "s", "t", "th", "tr", "v", "x"};
const char* kRhymes[] = {"a", "ai", "an", "ang", "anh", "ao", "át", "ăn", "âm", "ấn", "ật", "e",
                         "em", "én", "ê", "ênh", "i", "ím", "in", "ình", "o", "oa", "oái", "oàn",
                         "ôi", "ông", "ơi", "u", "úa", "uân", "ưa", "ước", "ương", "ỏi", "ẫn"};
constexpr size_t kSyllables = (sizeof kOnsets / sizeof *kOnsets) * (sizeof kRhymes / sizeof *kRhymes);

// A syllable drawn with Zipf-like frequencies: the common ones very common,
// most of them rare, as in real notes.
std::string Syllable(std::mt19937_64& rng) {
  double u = std::uniform_real_distribution<double>(0, 1)(rng);
  size_t rank = static_cast<size_t>(std::pow(static_cast<double>(kSyllables), u)) - 1;
  size_t i = (rank * 7919) % kSyllables;  // Spread ranks over the table.
  return std::string(kOnsets[i % (sizeof kOnsets / sizeof *kOnsets)]) + kRhymes[i / (sizeof kOnsets / sizeof *kOnsets)];
}

std::string Sentence(std::mt19937_64& rng, int words) {
  std::string s;
  for (int i = 0; i < words; i++) {
    if (i) s += ' ';
    s += (rng() % 4 == 0) ? std::string(kWords[rng() % (sizeof kWords / sizeof *kWords)]) : Syllable(rng);
  }
  return s;
}

const char* kTopics[] = {"tranh chấp đất đai", "sửa đường giao thông", "trợ cấp hộ nghèo", "ô nhiễm rác thải",
                         "an ninh trật tự", "xin hỗ trợ vốn vay"};
}  // namespace

const char* const kAppFields[8] = {"title",  "body",     "hamlet",      "category",
                                   "status", "reporter", "assigned_to", "resolution"};

namespace {

const char* kAsciiWords[] = {"dat",  "dai",   "duong", "giao", "thong", "nuoc", "sach",  "dien",  "chieu", "sang",
                             "truong", "hoc", "tram",  "te",   "ho",    "ngheo", "chinh", "sach",  "bao",   "hiem",
                             "moi",  "rac",   "thai",  "an",   "ninh",  "trat", "tu",    "cau",   "cong",  "muong",
                             "thuy", "loi",   "lua",   "ngo",  "chan",  "nuoi", "giong", "von",   "vay",   "ngan",
                             "hang", "xay",   "dung",  "nha",  "van",   "hoa",  "thon",  "ban",   "xa",    "huyen"};

// 40 to 200 bytes of words, uniformly.
std::string AsciiText(std::mt19937_64& rng) {
  size_t target = 40 + rng() % 161;
  std::string s;
  while (s.size() < target) {
    if (!s.empty()) s += ' ';
    s += kAsciiWords[rng() % (sizeof kAsciiWords / sizeof *kAsciiWords)];
  }
  s.resize(target);
  if (s.back() == ' ') s.back() = 'a';
  return s;
}

}  // namespace

std::map<std::string, Value> AppRecord(std::mt19937_64& rng) {
  std::map<std::string, Value> r;
  for (const char* f : kAppFields) r[f] = AsciiText(rng);
  return r;
}

std::pair<std::string, Value> AppField(std::mt19937_64& rng) {
  std::string name = kAppFields[rng() % 8];
  return {name, Value(AsciiText(rng))};
}

std::string HamletName(int i) { return "Thôn " + std::to_string(i + 1); }

std::map<std::string, Value> Concern(std::mt19937_64& rng) {
  int64_t received = kStart + static_cast<int64_t>(rng() % (365LL * 86400000));
  return {
      {"kind", std::string(kKinds[rng() % 3])},
      {"category", std::string(kCategories[rng() % 6])},
      {"summary", std::string(kTopics[rng() % 6]) + " " + Sentence(rng, 5)},
      {"details", Sentence(rng, 45)},
      {"reporter", std::string(kSurnames[rng() % 8]) + " " + kNames[rng() % 7]},
      {"contact", "09" + std::to_string(10000000 + rng() % 89999999)},
      {"hamlet", HamletName(static_cast<int>(rng() % kHamlets))},
      {"status", std::string(kStatuses[rng() % 5])},
      {"received_at", Timestamp{received}},
      {"due", Timestamp{received + 15LL * 86400000}},
  };
}

std::map<std::string, Value> StatusChange(std::mt19937_64& rng) {
  return {{"status", std::string(kStatuses[rng() % 5])},
          {"assigned_to", std::string(kSurnames[rng() % 8]) + " " + kNames[rng() % 7]}};
}

}  // namespace hamlet::bench
