#include "address_table.h"

#include <netinet/in.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace hamlet::hub {

AddressTable::AddressTable(size_t max_connections, size_t unsigned_per_minute, size_t max_addresses)
    : max_connections_(max_connections),
      capacity_(static_cast<double>(unsigned_per_minute)),
      per_ms_(static_cast<double>(unsigned_per_minute) / 60000.0),
      max_addresses_(max_addresses) {
  assert(max_connections_ > 0 && unsigned_per_minute > 0 && max_addresses_ > 0);
}

std::string AddressTable::KeyOf(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    return std::string("4", 1) + std::string(reinterpret_cast<const char*>(&a->sin_addr), 4);
  }
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    const unsigned char* b = a->sin6_addr.s6_addr;
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, kMapped, 12) == 0) return std::string("4", 1) + std::string(reinterpret_cast<const char*>(b + 12), 4);
    return std::string("6", 1) + std::string(reinterpret_cast<const char*>(b), 8);
  }
  return "";
}

void AddressTable::Refill(Entry* e, int64_t now_ms) const {
  if (now_ms > e->refilled_ms) {
    e->tokens = std::min(capacity_, e->tokens + static_cast<double>(now_ms - e->refilled_ms) * per_ms_);
    e->refilled_ms = now_ms;
  }
}

bool AddressTable::Idle(Entry* e, int64_t now_ms) const {
  Refill(e, now_ms);
  return e->connections == 0 && e->tokens >= capacity_;
}

void AddressTable::Sweep(int64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = Idle(&it->second, now_ms) ? entries_.erase(it) : std::next(it);
  }
  last_sweep_ms_ = now_ms;
}

bool AddressTable::Open(const std::string& key, int64_t now_ms) {
  if (key.empty()) return true;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // A full table is swept at most once a second: a flood of new addresses
    // must not make every connection walk the whole table.
    if (entries_.size() >= max_addresses_ && now_ms - last_sweep_ms_ >= 1000) Sweep(now_ms);
    if (entries_.size() >= max_addresses_) return false;
    Entry fresh;
    fresh.tokens = capacity_;
    fresh.refilled_ms = now_ms;
    it = entries_.emplace(key, fresh).first;
  }
  if (it->second.connections >= max_connections_) return false;
  it->second.connections++;
  return true;
}

void AddressTable::Close(const std::string& key, int64_t now_ms) {
  if (key.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  assert(it != entries_.end() && it->second.connections > 0);
  if (it == entries_.end()) return;
  it->second.connections--;
  if (Idle(&it->second, now_ms)) entries_.erase(it);
}

bool AddressTable::TakeUnsigned(const std::string& key, int64_t now_ms, int64_t* retry_after_ms) {
  if (key.empty()) return true;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  assert(it != entries_.end());  // Taken only on a connection Open counted.
  if (it == entries_.end()) return true;
  Entry& e = it->second;
  Refill(&e, now_ms);
  if (e.tokens >= 1.0) {
    e.tokens -= 1.0;
    return true;
  }
  *retry_after_ms = static_cast<int64_t>(std::ceil((1.0 - e.tokens) / per_ms_));
  return false;
}

size_t AddressTable::tracked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace hamlet::hub
