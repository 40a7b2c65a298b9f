// The hub against clients that break HTTP's limits: header floods, overlong
// lines, chunked bodies without end, and clients too slow to finish.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "format.h"
#include "helpers.h"
#include "hub_process.h"
#include "raw_connection.h"

using namespace hamlet::test;

namespace {

using Clock = std::chrono::steady_clock;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const std::string kStatusHead = "GET /v1/status HTTP/1.1\r\nHost: hub\r\n";

}  // namespace

TEST_CASE("a flood of header lines is cut off and the hub's memory stays bounded", "[hub][bad-input][guard]") {
  TempDir dir;
  // Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
  // default) before it is reused; a small one keeps the hub's RSS about
  // what the hub itself holds.
  std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  setenv("ASAN_OPTIONS", (asan + ":quarantine_size_mb=8:thread_local_quarantine_size_kb=64").c_str(), 1);
  HubProcess hub(dir.File("hub"), {"--threads", "8"});
  setenv("ASAN_OPTIONS", asan.c_str(), 1);
  long before = hub.RssKb();
  REQUIRE(before > 0);
  // Eight clients, each sending 8 KB header lines for two seconds and
  // reconnecting whenever the hub cuts them off.
  std::atomic<int> refusals{0}, wrong{0};
  std::atomic<size_t> sent{0};
  std::vector<std::thread> flooders;
  auto end = Clock::now() + std::chrono::seconds(2);
  for (int t = 0; t < 8; t++) {
    flooders.emplace_back([&, t] {
      std::string line = "X-Junk-" + std::to_string(t) + ": " + std::string(8000, 'a') + "\r\n";
      while (Clock::now() < end) {
        RawConnection c(hub.port());
        if (!c.connected()) {
          wrong++;
          break;
        }
        if (!c.Send(kStatusHead)) continue;
        while (Clock::now() < end && c.Send(line)) sent += line.size();
        std::string answer = c.ReadAll(2000);
        if (StartsWith(answer, "HTTP/1.1 431") && answer.find("\"code\":\"out_of_range\"") != std::string::npos) {
          refusals++;
        } else if (!answer.empty()) {
          wrong++;
        }
      }
    });
  }
  for (auto& t : flooders) t.join();
  long after = hub.RssKb();
  INFO("sent " << sent << " bytes of headers; hub RSS " << before << " kB -> " << after << " kB");
  CHECK(refusals > 8);
  CHECK(wrong == 0);
  CHECK(after - before < 64 * 1024);
  // The hub still answers.
  RawConnection ok(hub.port());
  REQUIRE(ok.connected());
  REQUIRE(ok.Send(kStatusHead + "\r\n"));
  CHECK(StartsWith(ok.ReadAll(1000), "HTTP/1.1 401"));  // Answered: the status page wants its operator token.
}

TEST_CASE("an overlong header line is refused with 431", "[hub][bad-input][guard]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  RawConnection c(hub.port());
  REQUIRE(c.connected());
  c.Send(kStatusHead + "X-Long: " + std::string(100000, 'b') + "\r\n\r\n");
  std::string answer = c.ReadAll(3000);
  CHECK(StartsWith(answer, "HTTP/1.1 431"));
  CHECK(answer.find("Hamlet-Protocol: " + std::to_string(hamlet::format::kHubProtocolVersion)) != std::string::npos);
  CHECK(answer.find("\"retryable\":false") != std::string::npos);
}

TEST_CASE("a chunked body is refused before it is read", "[hub][bad-input][guard]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  RawConnection c(hub.port());
  REQUIRE(c.connected());
  REQUIRE(c.Send("POST /v1/workspaces HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: chunked\r\n\r\n"));
  // A body that never ends: the hub answers without waiting for it.
  std::thread feeder([&] {
    std::string piece = "1000\r\n" + std::string(0x1000, 'c') + "\r\n";
    for (int i = 0; i < 2000 && c.Send(piece); i++) {
    }
  });
  std::string answer = c.ReadAll(3000);
  feeder.join();
  CHECK(StartsWith(answer, "HTTP/1.1 411"));
  CHECK(answer.find("Content-Length") != std::string::npos);
  CHECK(answer.find("\"code\":\"invalid_argument\"") != std::string::npos);
  // One answer, then the connection ends: the unread body is never taken
  // for further requests.
  CHECK(answer.find("HTTP/1.1", 1) == std::string::npos);
}

TEST_CASE("a body refused for its size is never taken for requests", "[hub][bad-input][guard]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  RawConnection c(hub.port());
  REQUIRE(c.connected());
  // A 17 MiB body made of requests: the hub answers 413 once, and nothing
  // inside the body is served.
  std::string inner = "GET /v1/status HTTP/1.1\r\nHost: hub\r\n\r\n";
  std::string body;
  while (body.size() + inner.size() <= (17u << 20)) body += inner;
  body.append((17u << 20) - body.size(), ' ');
  std::thread sender([&] {
    c.Send("POST /v1/workspaces HTTP/1.1\r\nHost: hub\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body);
  });
  std::string answer = c.ReadAll(3000);
  sender.join();
  CHECK(StartsWith(answer, "HTTP/1.1 413"));
  CHECK(answer.find("HTTP/1.1", 1) == std::string::npos);
}

TEST_CASE("slow and stalled clients are timed out and do not hold the hub", "[hub][bad-input][guard]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"), {"--head-timeout", "1", "--io-timeout", "2", "--threads", "4"});

  SECTION("a head sent a byte at a time") {
    RawConnection c(hub.port());
    REQUIRE(c.connected());
    auto start = Clock::now();
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
      std::string head = kStatusHead + "X-Slow: " + std::string(100, 'd');
      for (char ch : head) {
        if (stop || !c.Send(std::string(1, ch))) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    std::string answer = c.ReadAll(5000);
    stop = true;
    trickle.join();
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    CHECK(StartsWith(answer, "HTTP/1.1 408"));
    CHECK(answer.find("\"retryable\":true") != std::string::npos);
    CHECK(took < 3000);
  }

  SECTION("a body slower than the minimum rate") {
    RawConnection c(hub.port());
    REQUIRE(c.connected());
    REQUIRE(c.Send("POST /v1/workspaces HTTP/1.1\r\nHost: hub\r\nContent-Length: 100000\r\n\r\n"));
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
      for (int i = 0; i < 100 && !stop && c.Send(std::string(10, 'e')); i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    std::string answer = c.ReadAll(8000);
    stop = true;
    trickle.join();
    CHECK(StartsWith(answer, "HTTP/1.1 408"));
    CHECK(answer.find("too slowly") != std::string::npos);
  }

  SECTION("more stalled connections than threads") {
    std::vector<std::unique_ptr<RawConnection>> stalled;
    for (int i = 0; i < 12; i++) {
      stalled.push_back(std::make_unique<RawConnection>(hub.port()));
      REQUIRE(stalled.back()->Send("GET /v1/sta"));
    }
    // Each is cut off by the head timeout, and a real request gets through.
    RawConnection ok(hub.port());
    REQUIRE(ok.connected());
    REQUIRE(ok.Send(kStatusHead + "\r\n"));
    CHECK(StartsWith(ok.ReadAll(8000), "HTTP/1.1 401"));  // Answered: the status page wants its operator token.
    for (auto& s : stalled) CHECK(StartsWith(s->ReadAll(5000), "HTTP/1.1 408"));
  }

  SECTION("a connection that never sends is closed") {
    RawConnection c(hub.port());
    REQUIRE(c.connected());
    CHECK(c.ClosedByHub(4000));
  }
}
