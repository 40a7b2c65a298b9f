// The PROXY protocol, version 1 (HAProxy's text form): a load balancer in
// front of several hub processes opens each connection to a hub with one
// line saying which client the connection is for, so that the limits per
// client address (protocol.md 13.5) count clients, not the balancer.
//
//   PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n
//   PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n
//   PROXY UNKNOWN ...\r\n   (the balancer's own checks: its address counts)
//
// A hub reads the line only on connections from the addresses its operator
// names (hamlet-hub serve --proxy-protocol-from ADDR); from anyone else it
// would be a forgery.
#ifndef HAMLET_SERVER_PROXY_HEADER_H_
#define HAMLET_SERVER_PROXY_HEADER_H_

#include <sys/socket.h>

#include <cstddef>
#include <string_view>

namespace hamlet::hub {

// The longest line version 1 allows, CRLF included.
constexpr size_t kMaxProxyLine = 107;

// Parses one header line without its CRLF. True for a well-formed line:
// *known says whether it named a client (TCP4, TCP6), whose address then
// goes to *client (port 0). False for anything else.
bool ParseProxyLine(std::string_view line, sockaddr_storage* client, bool* known);

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_PROXY_HEADER_H_
