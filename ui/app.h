// What the web app's pages share: the open replica, the sessions, the sync
// running in the background, and how a page is written (layout, forms,
// errors). Internal to ui/.
#ifndef HAMLET_UI_APP_H_
#define HAMLET_UI_APP_H_

#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "office/record_kinds.h"
#include "ui_server.h"

namespace hamlet::ui {

// The sync the app runs in the background: one at a time.
struct SyncRun {
  std::mutex mu;
  bool running = false;
  bool done = false;  // A round ended since the app started.
  SyncProgress progress;
  std::string hub;
  Status status;
  std::string summary;  // Of the last round, as people read it.
  std::unique_ptr<HubClient> client;
  std::thread thread;
};

// What a page is drawn for: the session's CSRF token, and who is looking.
struct Viewer {
  std::string csrf;
  Role role = Role::kCadre;
  std::string workspace;  // Its name, else its id.
  bool Officer() const { return role == Role::kAdmin || role == Role::kOfficer; }
};

struct App {
  explicit App(UiOptions o) : options(std::move(o)) {}
  UiOptions options;
  httplib::Server server;
  std::thread thread;
  std::atomic<int> port{0};

  std::mutex mu;  // Guards what follows.
  struct Session {
    std::string csrf;
    int64_t last_used_ms = 0;
  };
  std::map<std::string, Session> sessions;  // By session token.
  std::unique_ptr<Replica> replica;         // Open once someone logged in.
  WorkspaceId ws;
  std::string passphrase_hash;  // To check later logins without opening the file again.

  SyncRun sync;

  // The replica and workspace; valid once a session exists (a page runs
  // only for a session, and the replica then stays open).
  Replica& R() { return *replica; }
  // Who asks, for the page drawn for req (whose session the guard checked).
  Viewer ViewerFor(const httplib::Request& req);
  // The CSRF token of req's session; "" when it has none.
  std::string CsrfFor(const httplib::Request& req);
};

// Adds the routes of each group of pages to app.server.
void AddConcernPages(App& app);
void AddRecordPages(App& app);
void AddOfficePages(App& app);  // Report, conflicts, sync, devices and invites, settings.
void AddAttachmentPages(App& app);

// The attachments of rec for its page: photos shown, other files to
// download, those not on this device fetched when opened, and a form that
// posts a new one to upload_action.
std::string AttachmentsSection(App& app, const Viewer& v, const Record& rec, const std::string& upload_action);

// The style sheet, from the program itself.
void AddAssets(httplib::Server& s);

// Adds a route for a form's post: the session's CSRF token must come with
// the form, or the post is refused (403) before handler runs.
void Post(App& app, const std::string& pattern, httplib::Server::Handler handler);

// A whole page: the layout with its navigation (active names the current
// section's path), title and body. Sets res's body and type.
void SendPage(httplib::Response& res, const Viewer& v, const std::string& active, const std::string& title,
              const std::string& body, int status = 200);
// Sends the browser on to path (after a post).
void Redirect(httplib::Response& res, const std::string& path);
// A box that says why something was refused (the Status's message).
std::string ErrorBox(const Status& s);
// A box that says what was done.
std::string NoticeBox(const std::string& text);
// The hidden input every form carries.
std::string CsrfInput(const Viewer& v);
std::string Esc(const std::string& text);
// The value of a query or form parameter, "" when absent.
std::string Param(const httplib::Request& req, const char* name);
// A query string's parameter, encoded.
std::string UrlParam(const std::string& value);
// The input for field f of a record form, holding value as typed. For a
// category, categories are the choices.
std::string FieldInput(const office::FieldSpec& f, const std::string& value, const std::vector<std::string>& categories,
                       bool for_new);
// A record's value of f as a form shows it for editing ("" when none).
std::string TypedValue(const office::FieldSpec& f, const Record& rec);
// The record of collection whose id is hex, in the app's workspace.
Status FindById(App& app, const std::string& collection, const std::string& hex, Record* out);
// A QR code of text as an SVG image.
std::string QrSvg(const std::string& text);

}  // namespace hamlet::ui

#endif  // HAMLET_UI_APP_H_
