#include "ui_server.h"

#include <sodium.h>

#include <chrono>

#include "app.h"
#include "hamlet/language.h"
#include "office/workspace.h"

namespace hamlet::ui {

namespace {

constexpr char kCookie[] = "hamlet_session";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

std::string SessionToken(const httplib::Request& req) {
  std::string cookies = req.get_header_value("Cookie");
  const std::string key = std::string(kCookie) + "=";
  size_t at = 0;
  while (at < cookies.size()) {
    size_t end = cookies.find(';', at);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(at, end - at);
    part.erase(0, part.find_first_not_of(' '));
    if (part.rfind(key, 0) == 0) return part.substr(key.size());
    at = end + 1;
  }
  return "";
}

void Refuse(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  std::string lang = LanguageCode(CurrentLanguage());
  res.set_content("<!DOCTYPE html><html lang=\"" + lang +
                      "\"><head><meta charset=\"utf-8\"><title>Hamlet</title></head><body><p>" + Esc(why) +
                      "</p></body></html>",
                  "text/html; charset=utf-8");
}

std::string LoginPage(const std::string& error) {
  std::string lang = LanguageCode(CurrentLanguage());
  return "<!DOCTYPE html><html lang=\"" + lang +
         "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         Esc(Tr("Hamlet: log in")) +
         "</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body class=\"login\"><main>"
         "<h1>Hamlet</h1><p>" +
         Esc(Tr("Type the passphrase of this computer's replica to open it.")) + "</p>" + error +
         "<form method=\"post\" action=\"/login\" id=\"login-form\"><label>" + Esc(Tr("Passphrase")) +
         " <input type=\"password\" name=\"passphrase\" id=\"passphrase\" autofocus required "
         "autocomplete=\"current-password\"></label> <button type=\"submit\" id=\"login\">" +
         Esc(Tr("Open")) + "</button></form></main></body></html>";
}

}  // namespace

std::string App::CsrfFor(const httplib::Request& req) {
  std::lock_guard<std::mutex> lock(mu);
  auto session = sessions.find(SessionToken(req));
  return session == sessions.end() ? "" : session->second.csrf;
}

Viewer App::ViewerFor(const httplib::Request& req) {
  Viewer v;
  v.csrf = CsrfFor(req);
  std::vector<DeviceStatus> devices;
  if (replica->Devices(ws, &devices).ok()) {
    for (const DeviceStatus& d : devices) {
      if (d.self) v.role = d.role;
    }
  }
  v.workspace = office::WorkspaceName(*replica, ws);
  if (v.workspace.empty()) v.workspace = ws.Hex().substr(0, 8);
  return v;
}

void Post(App& app, const std::string& pattern, httplib::Server::Handler handler) {
  // The body, and with it the form's token, is read after the guard: the
  // token is checked here, before the page does anything.
  app.server.Post(pattern, [&app, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    // A form with a file sends its token as a part of its body.
    std::string token = req.has_file("csrf") ? req.get_file_value("csrf").content : req.get_param_value("csrf");
    if (!SameToken(token, app.CsrfFor(req))) {
      return Refuse(res, 403, Tr("This form has expired or did not come from this app: open the page again."));
    }
    handler(req, res);
  });
}

struct UiServer::Impl : App {
  using App::App;
};

UiServer::UiServer(UiOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

UiServer::~UiServer() {
  Stop();
  Wait();  // Also stops a sync running, and waits for it.
}

int UiServer::port() const { return impl_->port.load(); }

Status UiServer::Start() {
  App& app = *impl_;
  httplib::Server& s = app.server;
  // The guard: who may ask at all, and with which session.
  s.set_pre_routing_handler([&app](const httplib::Request& req, httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    if (!IsLoopback(req.remote_addr)) {
      Refuse(res, 403, Tr("Only this computer may use the web app."));
      return R::Handled;
    }
    const std::string port = std::to_string(app.port.load());
    const std::string host = req.get_header_value("Host");
    if (host != "127.0.0.1:" + port && host != "localhost:" + port) {
      Refuse(res, 403, Tr("This address is not the web app's: open it as http://127.0.0.1 with its port."));
      return R::Handled;
    }
    if (req.method == "POST") {
      std::string site = req.get_header_value("Sec-Fetch-Site");
      std::string origin = req.get_header_value("Origin");
      bool cross = (!site.empty() && site != "same-origin" && site != "none") ||
                   (!origin.empty() && origin != "http://127.0.0.1:" + port && origin != "http://localhost:" + port);
      if (cross) {
        Refuse(res, 403, Tr("A form from another site may not change anything here."));
        return R::Handled;
      }
    }
    if (req.path.rfind("/assets/", 0) == 0 || req.path == "/login") return R::Unhandled;
    std::lock_guard<std::mutex> lock(app.mu);
    auto session = app.sessions.find(SessionToken(req));
    int64_t now = NowMs();
    if (session != app.sessions.end() && now - session->second.last_used_ms > app.options.session_idle_ms) {
      app.sessions.erase(session);
      session = app.sessions.end();
    }
    if (session == app.sessions.end()) {
      if (req.method == "GET") {
        Redirect(res, "/login");
      } else {
        Refuse(res, 403, Tr("No session: log in again."));
      }
      return R::Handled;
    }
    session->second.last_used_ms = now;
    return R::Unhandled;
  });
  s.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
                   "frame-ancestors 'none'; base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    // Not no-referrer: with it the browser sends "Origin: null" on its own
    // forms, which the guard cannot tell from a cross-site post.
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
  });

  s.Get("/login", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(LoginPage(""), "text/html; charset=utf-8");
  });
  s.Post("/login", [&app](const httplib::Request& req, httplib::Response& res) {
    std::string passphrase = req.get_param_value("passphrase");
    std::lock_guard<std::mutex> lock(app.mu);  // One login at a time: each costs a key derivation.
    Status st;
    if (!app.replica) {
      OpenOptions open;
      open.create_if_missing = false;
      st = Replica::OpenWithPassphrase(app.options.db, passphrase, open, &app.replica);
      if (st.ok()) st = app.options.pick_workspace(*app.replica, &app.ws);
      if (st.ok()) {
        char hash[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(hash, passphrase.data(), passphrase.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
          st = Status::Unavailable(Tr("not enough memory to remember the passphrase"));
        }
        app.passphrase_hash = hash;
      }
      if (!st.ok()) app.replica.reset();
    } else if (crypto_pwhash_str_verify(app.passphrase_hash.c_str(), passphrase.data(), passphrase.size()) != 0) {
      st = Status::PermissionDenied(Tr("wrong passphrase"));
    }
    if (!st.ok()) {
      res.status = 401;
      res.set_content(LoginPage(ErrorBox(st)), "text/html; charset=utf-8");
      return;
    }
    std::string token = RandomToken();
    app.sessions[token] = App::Session{RandomToken(), NowMs()};
    res.set_header("Set-Cookie", std::string(kCookie) + "=" + token + "; HttpOnly; SameSite=Strict; Path=/");
    Redirect(res, "/inbox");
  });
  Post(app, "/logout", [&app](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(app.mu);
    app.sessions.erase(SessionToken(req));
    res.set_header("Set-Cookie", std::string(kCookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Redirect(res, "/login");
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) { Redirect(res, "/inbox"); });
  AddAssets(s);
  AddConcernPages(app);
  AddRecordPages(app);
  AddAttachmentPages(app);
  AddOfficePages(app);

  int bound = app.options.port == 0                                    ? app.server.bind_to_any_port("127.0.0.1")
              : app.server.bind_to_port("127.0.0.1", app.options.port) ? app.options.port
                                                                       : -1;
  if (bound <= 0) {
    return Status::Unavailable(
        Format(Tr("cannot listen on 127.0.0.1:%d: the port is taken; choose another with --port"), app.options.port));
  }
  app.port = bound;
  app.thread = std::thread([&app] { app.server.listen_after_bind(); });
  return Status::OK();
}

void UiServer::Wait() {
  if (impl_->thread.joinable()) impl_->thread.join();
  std::thread sync;
  {
    std::lock_guard<std::mutex> lock(impl_->sync.mu);
    if (impl_->sync.client) impl_->sync.client->Cancel();
    sync = std::move(impl_->sync.thread);
  }
  if (sync.joinable()) sync.join();
}

void UiServer::Stop() { impl_->server.stop(); }

}  // namespace hamlet::ui
