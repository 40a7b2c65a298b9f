// The benchmark workload: typical records of a commune's field work.
#ifndef HAMLET_BENCH_WORKLOAD_H_
#define HAMLET_BENCH_WORKLOAD_H_

#include <map>
#include <random>
#include <string>

#include "hamlet/types.h"

namespace hamlet::bench {

constexpr int kHamlets = 20;
constexpr int64_t kStart = 1767225600000;  // 2026-01-01.

// A concern as a cadre records it: ten fields, summary and details in
// Vietnamese, about 420 bytes of content.
std::map<std::string, Value> Concern(std::mt19937_64& rng);
// A status change with who it is assigned to: two fields.
std::map<std::string, Value> StatusChange(std::mt19937_64& rng);

std::string HamletName(int i);
extern const char* const kStatuses[5];

}  // namespace hamlet::bench

#endif  // HAMLET_BENCH_WORKLOAD_H_
