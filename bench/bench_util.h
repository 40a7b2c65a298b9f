// What the benchmark programs share: timing, medians, and stopping at the
// first failure (a benchmark has nobody to report an error to).
#ifndef HAMLET_BENCH_BENCH_UTIL_H_
#define HAMLET_BENCH_BENCH_UTIL_H_

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hamlet/replica.h"

namespace hamlet::bench {

// Wall-clock seconds fn takes.
double Seconds(const std::function<void()>& fn);
double Median(std::vector<double> v);

// Print what failed and exit(1) unless s is OK (rc a success code).
void Must(const Status& s, const char* what);
void MustSql(int rc, sqlite3* db, const char* what);

// Removes a SQLite database with its WAL and shared-memory files.
void RemoveDb(const std::string& path);

// Opens (creating) the replica at path with benchmark key number n.
std::unique_ptr<Replica> OpenReplica(const std::string& path, bool durable, int n);

}  // namespace hamlet::bench

#endif  // HAMLET_BENCH_BENCH_UTIL_H_
