// The officer's web app (`hamlet ui`): a web server on this computer's
// loopback address that shows one replica in the browser, built on the
// office layer (office/) so that its forms check what the command line
// checks, with nothing of it written again in JavaScript.
//
// Who may use it: only a browser on this computer (the server binds to
// 127.0.0.1, and refuses a request from any other address or naming any
// other host, which stops a web page from reaching it by DNS rebinding),
// and only after the replica's passphrase is typed. A login gives the
// browser a random session token in a cookie (HttpOnly, SameSite=Strict);
// every form carries the session's own CSRF token, and a post that comes
// from another site (Origin or Sec-Fetch-Site) is refused. Every page and
// asset is inside the program; the Content-Security-Policy lets the browser
// fetch nothing else.
//
// Thread safety: Start once; Wait, Stop and port may then be called from
// any thread. Requests are served on the server's own threads.
#ifndef HAMLET_UI_UI_SERVER_H_
#define HAMLET_UI_UI_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "hamlet/hub_client.h"
#include "hamlet/replica.h"

namespace hamlet::ui {

struct UiOptions {
  std::string db;                               // The replica's file.
  int port = 0;                                 // 0: any free port.
  int64_t session_idle_ms = 8 * 3600 * 1000LL;  // A session not used for this long ends.
  // The workspace the app shows, once the replica is open (the command
  // line's --workspace, else the replica's default).
  std::function<Status(Replica&, WorkspaceId*)> pick_workspace;
  // The hub a sync of ws goes to.
  std::function<Status(Replica&, const WorkspaceId&, std::string*)> pick_hub;
  // Options for a sync (the hub filled in by the server), e.g. a CA file.
  SyncOptions sync;
};

class UiServer {
 public:
  explicit UiServer(UiOptions options);
  ~UiServer();
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;

  // Binds 127.0.0.1:port and starts serving on a thread of its own.
  // Unavailable (retryable) when the port is taken.
  Status Start();
  // The port bound, once started.
  int port() const;
  // Serves until Stop is called.
  void Wait();
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hamlet::ui

#endif  // HAMLET_UI_UI_SERVER_H_
