#include "tampering_proxy.h"

#include <stdexcept>

#include "hamlet/replica.h"

namespace hamlet::test {

TamperingProxy::TamperingProxy(const std::string& hub_url) : hub_url_(hub_url) {
  auto relay = [this](const httplib::Request& req, httplib::Response& res) {
    httplib::Client hub(hub_url_);
    httplib::Headers headers;
    for (const auto& [name, value] : req.headers) {
      if (name == "Authorization" || name == "Content-Type") headers.emplace(name, value);
    }
    std::string content_type = req.get_header_value("Content-Type");
    httplib::Result r = req.method == "GET" ? hub.Get(req.target, headers)
                                            : hub.Post(req.target, headers, req.body, content_type);
    if (!r) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    for (const auto& [name, value] : r->headers) {
      if (name.rfind("Hamlet-", 0) == 0 || name == "Retry-After") res.set_header(name, value);
    }
    res.set_content(r->body, r->get_header_value("Content-Type"));
    std::lock_guard<std::mutex> lock(mu_);
    if (!tamper_) return;
    std::string before = res.body;
    tamper_(req, res);
    // A lying hub names the page it changed as its own (a whole page: the
    // tests do not cut the link).
    if (res.body != before && res.has_header("Hamlet-Page-Digest")) {
      res.headers.erase("Hamlet-Page-Size");
      res.headers.erase("Hamlet-Page-Digest");
      res.set_header("Hamlet-Page-Size", std::to_string(res.body.size()));
      res.set_header("Hamlet-Page-Digest", Replica::PullPageDigest(res.body));
    }
    if (res.body != before && res.has_header("Hamlet-Snapshot-Digest")) {  // Likewise a snapshot.
      res.headers.erase("Hamlet-Snapshot-Size");
      res.headers.erase("Hamlet-Snapshot-Digest");
      res.set_header("Hamlet-Snapshot-Size", std::to_string(res.body.size()));
      res.set_header("Hamlet-Snapshot-Digest", Replica::PullPageDigest(res.body));
    }
  };
  server_.Get(".*", relay);
  server_.Post(".*", relay);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("the tampering proxy cannot listen");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::yield();
}

TamperingProxy::~TamperingProxy() {
  server_.stop();
  thread_.join();
}

void TamperingProxy::SetTamper(Tamper tamper) {
  std::lock_guard<std::mutex> lock(mu_);
  tamper_ = std::move(tamper);
}

}  // namespace hamlet::test
