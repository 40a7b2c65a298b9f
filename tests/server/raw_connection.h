// A raw TCP connection to a hub on loopback, for sending what no real client
// sends. It uses no Catch assertion, so threads may use it (Catch's are not
// thread safe): check connected().
#ifndef HAMLET_TESTS_RAW_CONNECTION_H_
#define HAMLET_TESTS_RAW_CONNECTION_H_

#include <functional>
#include <string>

namespace hamlet::test {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port from source_ip, any loopback address
  // (127.0.0.2 is another client to the hub).
  explicit RawConnection(int port, const char* source_ip = "127.0.0.1");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // Sends all of data; false once the hub has closed the connection.
  bool Send(const std::string& data);

  // Everything the hub sends until it closes the connection or timeout_ms.
  std::string ReadAll(int timeout_ms);

  // What the hub sends until a whole answer with a Content-Length body has
  // arrived, the hub closes, or timeout_ms.
  std::string ReadAnswer(int timeout_ms);

  // True when the hub has closed its side (a read sees the end at once).
  bool ClosedByHub(int timeout_ms);

 private:
  std::string ReadUntil(int timeout_ms, const std::function<bool(const std::string&)>& done);

  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_RAW_CONNECTION_H_
