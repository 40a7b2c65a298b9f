// The benchmark workload: typical records of a commune's field work.
#ifndef HAMLET_BENCH_WORKLOAD_H_
#define HAMLET_BENCH_WORKLOAD_H_

#include <map>
#include <random>
#include <string>
#include <utility>

#include "hamlet/types.h"

namespace hamlet::bench {

constexpr int kHamlets = 20;
constexpr int64_t kStart = 1767225600000;  // 2026-01-01.

// A concern as a cadre records it: ten fields, summary and details in
// Vietnamese, about 420 bytes of content.
std::map<std::string, Value> Concern(std::mt19937_64& rng);
// A status change with who it is assigned to: two fields.
std::map<std::string, Value> StatusChange(std::mt19937_64& rng);

// The comparison workloads' record (BENCHMARKS.md, "Beside other
// libraries"): eight text fields, each 40 to 200 bytes of ASCII words
// (about 120 on average).
extern const char* const kAppFields[8];
std::map<std::string, Value> AppRecord(std::mt19937_64& rng);
// One field of such a record, new text for it: {name, value}.
std::pair<std::string, Value> AppField(std::mt19937_64& rng);

std::string HamletName(int i);
extern const char* const kStatuses[5];

}  // namespace hamlet::bench

#endif  // HAMLET_BENCH_WORKLOAD_H_
