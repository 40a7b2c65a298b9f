#include "proxy_header.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

namespace hamlet::hub {

namespace {

bool IsPort(std::string_view s) {
  if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0')) return false;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v <= 65535;
}

}  // namespace

bool ParseProxyLine(std::string_view line, sockaddr_storage* client, bool* known) {
  *known = false;
  if (line.size() + 2 > kMaxProxyLine || line.substr(0, 6) != "PROXY ") return false;
  std::vector<std::string_view> parts;
  for (size_t at = 6; at <= line.size();) {
    size_t space = line.find(' ', at);
    if (space == std::string_view::npos) space = line.size();
    parts.push_back(line.substr(at, space - at));
    at = space + 1;
  }
  if (!parts.empty() && parts[0] == "UNKNOWN") return true;  // The rest is to be ignored.
  if (parts.size() != 5 || !IsPort(parts[3]) || !IsPort(parts[4])) return false;
  std::string src(parts[1]), dst(parts[2]);
  std::memset(client, 0, sizeof *client);
  if (parts[0] == "TCP4") {
    auto* a = reinterpret_cast<sockaddr_in*>(client);
    in_addr ignored;
    if (inet_pton(AF_INET, src.c_str(), &a->sin_addr) != 1 || inet_pton(AF_INET, dst.c_str(), &ignored) != 1) {
      return false;
    }
    a->sin_family = AF_INET;
  } else if (parts[0] == "TCP6") {
    auto* a = reinterpret_cast<sockaddr_in6*>(client);
    in6_addr ignored;
    if (inet_pton(AF_INET6, src.c_str(), &a->sin6_addr) != 1 || inet_pton(AF_INET6, dst.c_str(), &ignored) != 1) {
      return false;
    }
    a->sin6_family = AF_INET6;
  } else {
    return false;
  }
  *known = true;
  return true;
}

}  // namespace hamlet::hub
