// AddressTable: what each client address holds of a hub, for the limits
// GuardedServer sets per address (connections served at once, and a token
// bucket for requests that carry no device signature).
//
// An address is an IPv4 address or an IPv6 /64 (one subscriber usually holds
// a whole /64, so counting single IPv6 addresses would bound nothing).
// Entries are dropped once an address holds nothing and its bucket is full
// again; the table never tracks more than max_addresses at once and refuses
// new addresses while full.
//
// Thread safe: every method may be called from any thread.
#ifndef HAMLET_SERVER_ADDRESS_TABLE_H_
#define HAMLET_SERVER_ADDRESS_TABLE_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hamlet::hub {

class AddressTable {
 public:
  AddressTable(size_t max_connections, size_t unsigned_per_minute, size_t max_addresses);

  // The key a peer address is counted under, or "" for a family other than
  // IPv4 and IPv6 (never limited: a Unix socket is the operator's own).
  static std::string KeyOf(const sockaddr_storage& addr);

  // Counts one more connection for key; false, counting nothing, when the
  // address already holds max_connections or the table is full.
  bool Open(const std::string& key, int64_t now_ms);
  // Ends a connection Open counted.
  void Close(const std::string& key, int64_t now_ms);

  // Takes one unsigned request from key's bucket. False when the bucket is
  // empty; *retry_after_ms then says when the next one will be taken.
  bool TakeUnsigned(const std::string& key, int64_t now_ms, int64_t* retry_after_ms);

  size_t tracked() const;

 private:
  struct Entry {
    size_t connections = 0;
    double tokens = 0;
    int64_t refilled_ms = 0;
  };
  void Refill(Entry* e, int64_t now_ms) const;
  bool Idle(Entry* e, int64_t now_ms) const;
  void Sweep(int64_t now_ms);

  const size_t max_connections_;
  const double capacity_;
  const double per_ms_;
  const size_t max_addresses_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  int64_t last_sweep_ms_ = 0;
};

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_ADDRESS_TABLE_H_
