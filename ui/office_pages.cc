// The report (with its printable page and CSV), conflicts settled side by
// side, the sync run in the background with its progress, the devices and
// invites (admin), and the workspace's settings.
#include <ctime>

#include "app.h"
#include "hamlet/language.h"
#include "office/dates.h"
#include "office/deadlines.h"
#include "office/record_writes.h"
#include "office/report.h"
#include "office/report_format.h"
#include "office/sync_round.h"
#include "office/workspace.h"

namespace hamlet::ui {

namespace {

using namespace hamlet::office;  // NOLINT(build/namespaces)

// The report of the period the request names (default: this month so far).
Status BuildFor(App& app, const httplib::Request& req, DistrictReport* out) {
  ReportRequest r;
  r.today = Today();
  r.to = r.today;
  r.by = Param(req, "by");
  r.attachments = Param(req, "attachments") == "1";
  if (!r.by.empty() && r.by != "commune" && r.by != "hamlet" && r.by != "category" && r.by != "kind") {
    return Status::InvalidArgument(Format(Tr("no breakdown '%s'"), r.by.c_str()));
  }
  if (!Param(req, "to").empty()) HAMLET_RETURN_IF_ERROR(ParseDate(Param(req, "to"), &r.to).WithContext("--to: "));
  r.from = FirstOfMonth(r.to);
  if (!Param(req, "from").empty()) {
    HAMLET_RETURN_IF_ERROR(ParseDate(Param(req, "from"), &r.from).WithContext("--from: "));
  }
  if (r.from > r.to) return Status::InvalidArgument(Tr("--from is after --to"));
  r.workspaces.push_back(app.ws);
  return BuildReport(app.R(), r, out);
}

std::string Query(const httplib::Request& req) {
  return "from=" + UrlParam(Param(req, "from")) + "&to=" + UrlParam(Param(req, "to")) +
         "&by=" + UrlParam(Param(req, "by")) + "&attachments=" + UrlParam(Param(req, "attachments"));
}

void ReportPage(App& app, const httplib::Request& req, httplib::Response& res) {
  Viewer v = app.ViewerFor(req);
  DistrictReport report;
  Status s = BuildFor(app, req, &report);
  std::string by = Param(req, "by");
  std::string body = "<form class=\"filters\" method=\"get\" action=\"/report\" id=\"period\"><label>" +
                     Esc(Tr("First day (DD/MM/YYYY; default the first of --to's month)")) +
                     "<input type=\"text\" name=\"from\" size=\"12\" value=\"" + Esc(Param(req, "from")) +
                     "\"></label><label>" + Esc(Tr("Last day, included (default today)")) +
                     "<input type=\"text\" name=\"to\" size=\"12\" value=\"" + Esc(Param(req, "to")) +
                     "\"></label><label>" + Esc(Tr("Also break the figures down")) + "<select name=\"by\">";
  for (const char* choice : {"", "hamlet", "category", "kind"}) {
    static const std::map<std::string, const char*> labels = {
        {"", ""}, {"hamlet", TrMark("by hamlet")}, {"category", TrMark("by category")}, {"kind", TrMark("by kind")}};
    body += std::string("<option value=\"") + choice + "\"" + (by == choice ? " selected" : "") + ">" +
            Esc(*choice ? Tr(labels.at(choice)) : "") + "</option>";
  }
  body += "</select></label><label><span>" + Esc(Tr("Also count the concerns with files attached, and the files")) +
          "</span><input type=\"checkbox\" name=\"attachments\" value=\"1\" id=\"with-attachments\"" +
          (Param(req, "attachments") == "1" ? " checked" : "") + "></label><button type=\"submit\">" + Esc(Tr("Show")) +
          "</button></form>";
  if (!s.ok()) {
    SendPage(res, v, "/report", Tr("Report"), body + ErrorBox(s), 400);
    return;
  }
  body += "<p><a href=\"/report/page?" + Esc(Query(req)) + "\" id=\"printable\">" + Esc(Tr("Printable page")) +
          "</a> &middot; <a href=\"/report.csv?" + Esc(Query(req)) + "\" id=\"csv\">" + Esc(Tr("Download CSV")) +
          "</a></p><div class=\"report\" id=\"report\">" + ReportHtmlBody(report) + "</div>";
  SendPage(res, v, "/report", Tr("Report"), body);
}

void Conflicts(App& app, const httplib::Request& req, httplib::Response& res, const Status& error) {
  Viewer v = app.ViewerFor(req);
  std::vector<Conflict> all;
  Status s = app.R().Conflicts(app.ws, &all);
  std::string body;
  if (!Param(req, "done").empty()) body += NoticeBox(Tr("Saved."));
  if (!error.ok()) body += ErrorBox(error);
  if (!s.ok()) body += ErrorBox(s);
  if (all.empty()) body += "<p>" + Esc(Tr("No conflicts: every field has one value.")) + "</p>";
  for (const Conflict& k : all) {
    const RecordSpec* spec = SpecFor(k.collection);
    std::string link = k.collection == "concerns" ? "/concern/" + k.record.Hex()
                                                  : "/records/" + k.collection + "/" + k.record.Hex() + "/edit";
    body += "<form class=\"act\" method=\"post\" action=\"/conflicts/settle\" data-field=\"" + Esc(k.field) + "\">" +
            CsrfInput(v) + "<input type=\"hidden\" name=\"record\" value=\"" + k.record.Hex() +
            "\"><input type=\"hidden\" name=\"field\" value=\"" + Esc(k.field) + "\"><strong>" +
            Esc(FieldLabel(spec, k.field)) + "</strong> &middot; <a href=\"" + link + "\">" +
            Esc(spec ? Tr(spec->noun) : k.collection) + " " + k.record.Hex().substr(0, 8) + "</a><table><tr>";
    std::vector<Value> values{k.winner};
    values.insert(values.end(), k.others.begin(), k.others.end());
    for (size_t i = 0; i < values.size(); i++) {
      body += "<td><label><input type=\"radio\" name=\"pick\" value=\"" + std::to_string(i + 1) + "\"" +
              (i == 0 ? " checked" : "") + "> " + Esc(ReadableValue(app.R(), app.ws, values[i])) + "</label></td>";
    }
    body += "</tr></table><button type=\"submit\">" + Esc(Tr("Keep this one")) + "</button></form>";
  }
  SendPage(res, v, "/conflicts", Tr("Conflicts"), body, error.ok() ? 200 : 400);
}

void SyncPage(App& app, const httplib::Request& req, httplib::Response& res) {
  Viewer v = app.ViewerFor(req);
  std::string hub;
  Status has_hub = app.options.pick_hub(app.R(), app.ws, &hub);
  SyncState state;
  Status s = ReadSyncState(app.R(), app.ws, has_hub.ok() ? hub : "", &state);
  std::string body;
  bool running;
  {
    std::lock_guard<std::mutex> lock(app.sync.mu);
    running = app.sync.running;
    if (running) {
      std::string line = PhaseText(app.sync.progress) + LinkDownText(app.sync.progress);
      body += "<p id=\"progress\" role=\"status\">" + Esc(Tr("Syncing...")) + " " + Esc(line) + "</p>";
    } else if (app.sync.done) {
      body += app.sync.status.ok() ? NoticeBox(app.sync.summary) : ErrorBox(app.sync.status);
    }
  }
  if (!s.ok()) body += ErrorBox(s);
  body += "<dl class=\"fields\" id=\"state\"><dt>" + Esc(Tr("Hub")) + "</dt><dd>" +
          Esc(has_hub.ok() ? hub : has_hub.message()) + "</dd><dt>" + Esc(Tr("Last sync")) + "</dt><dd>" +
          Esc(state.last_sync ? FormatLocalTime(state.last_sync) : Tr("never")) + "</dd><dt>" +
          Esc(Tr("Not yet at the hub")) + "</dt><dd id=\"undelivered\">" +
          Esc(Format(TrN("%llu commit written here", "%llu commits written here", state.Undelivered()),
                     static_cast<unsigned long long>(state.Undelivered()))) +
          "</dd></dl>";
  if (!running) {
    body += "<form method=\"post\" action=\"/sync\" id=\"sync-form\">" + CsrfInput(v) +
            "<button type=\"submit\" id=\"sync\"" + (has_hub.ok() ? "" : " disabled") + ">" + Esc(Tr("Sync now")) +
            "</button></form>";
  }
  // While a sync runs, the page reloads itself every two seconds: no script.
  if (running) res.set_header("Refresh", "2");
  SendPage(res, v, "/sync", Tr("Sync"), body);
}

void StartSync(App& app, httplib::Response& res) {
  std::string hub;
  Status s = app.options.pick_hub(app.R(), app.ws, &hub);
  std::lock_guard<std::mutex> lock(app.sync.mu);
  if (app.sync.running) return Redirect(res, "/sync");
  if (app.sync.thread.joinable()) app.sync.thread.join();  // The last round ended.
  app.sync.done = true;
  app.sync.status = s;
  if (!s.ok()) return Redirect(res, "/sync");
  SyncOptions options = app.options.sync;
  options.hub = hub;
  options.progress = [&app](const SyncProgress& p) {
    std::lock_guard<std::mutex> lock(app.sync.mu);
    app.sync.progress = p;
  };
  app.sync.client = std::make_unique<HubClient>(app.replica.get(), options);
  app.sync.running = true;
  app.sync.progress = SyncProgress();
  app.sync.thread = std::thread([&app] {
    SyncOutcome outcome;
    Status st = SyncWorkspace(app.R(), app.ws, *app.sync.client, &outcome);
    std::lock_guard<std::mutex> lock(app.sync.mu);
    app.sync.status = st;
    app.sync.summary = Format(Tr("Synced: %s."), MovedText(outcome.report).c_str());
    app.sync.running = false;
  });
  Redirect(res, "/sync");
}

void DevicesPage(App& app, const httplib::Request& req, httplib::Response& res, const std::string& invite,
                 const Status& error) {
  Viewer v = app.ViewerFor(req);
  if (!v.Officer()) {
    SendPage(res, v, "/devices", Tr("Devices"), ErrorBox(Status::PermissionDenied(Tr("only officers see the devices"))),
             403);
    return;
  }
  std::vector<DeviceStatus> devices;
  Status s = app.R().Devices(app.ws, &devices);
  std::string body;
  if (!error.ok()) body += ErrorBox(error);
  if (!s.ok()) body += ErrorBox(s);
  body += "<table id=\"devices\"><thead><tr><th>" + Esc(Tr("Device")) + "</th><th>" + Esc(Tr("Role")) + "</th><th>" +
          Esc(Tr("Commits here")) + "</th><th></th></tr></thead><tbody>";
  for (const DeviceStatus& d : devices) {
    body += "<tr><td><code>" + d.device.Hex().substr(0, 12) + "</code></td><td>" + Esc(RoleLabel(d.role)) +
            "</td><td class=\"n\">" + std::to_string(d.contiguous) + "</td><td>" +
            Esc(d.self      ? Tr("(this device)")
                : d.revoked ? Tr("(revoked)")
                            : "") +
            "</td></tr>";
  }
  body += "</tbody></table>";
  if (v.role == Role::kAdmin) {
    body += "<h2>" + Esc(Tr("Invite a device")) + "</h2>";
    if (!invite.empty()) {
      body += "<div class=\"qr\" id=\"invite\">" + QrSvg(invite) + "<p><code>" + Esc(invite) + "</code></p><p>" +
              Esc(Tr("On the new device: hamlet join CODE --hub URL. It is admitted at this device's next sync.")) +
              "</p></div>";
    }
    body += "<form method=\"post\" action=\"/devices/invite\" class=\"act\" id=\"invite-form\">" + CsrfInput(v) +
            "<label><span>" + Esc(Tr("Role")) + "</span><select name=\"role\"><option value=\"cadre\">" +
            Esc(RoleLabel(Role::kCadre)) + "</option><option value=\"officer\">" + Esc(RoleLabel(Role::kOfficer)) +
            "</option></select></label><label><span>" + Esc(Tr("Valid for days")) +
            "</span><input type=\"text\" name=\"days\" value=\"7\" size=\"4\"></label><button type=\"submit\" "
            "id=\"make-invite\">" +
            Esc(Tr("Make an invite")) + "</button></form>";
  }
  SendPage(res, v, "/devices", Tr("Devices"), body, error.ok() ? 200 : 400);
}

void SettingsPage(App& app, const httplib::Request& req, httplib::Response& res, const Status& error) {
  Viewer v = app.ViewerFor(req);
  Settings settings;
  Status s = LoadSettings(app.R(), app.ws, &settings);
  std::string body;
  if (!Param(req, "done").empty()) body += NoticeBox(Tr("Saved."));
  if (!error.ok()) body += ErrorBox(error);
  if (!s.ok()) body += ErrorBox(s);
  body += "<table id=\"settings\"><tbody>";
  for (const SettingSpec& spec : SettingSpecs()) {
    int64_t value = settings.Get(spec.name);
    std::string shown = spec.yes_no ? (value ? "yes" : "no") : std::to_string(value);
    body += "<tr><td>" + Esc(Tr(spec.label)) + "</td><td>";
    if (v.Officer()) {
      body += "<form method=\"post\" action=\"/settings\">" + CsrfInput(v) +
              "<input type=\"hidden\" name=\"name\" value=\"" + spec.name +
              "\"><input type=\"text\" name=\"value\" "
              "size=\"5\" value=\"" +
              Esc(shown) + "\"> <button type=\"submit\">" + Esc(Tr("Save")) + "</button></form>";
    } else {
      body += Esc(spec.yes_no ? (value ? Tr("yes") : Tr("no")) : shown);
    }
    body += "</td></tr>";
  }
  body += "</tbody></table><p class=\"muted\">" +
          Esc(Tr("Concerns recorded or changed from now on follow these; due dates already written stay.")) + "</p>";
  SendPage(res, v, "/settings", Tr("Settings"), body, error.ok() ? 200 : 400);
}

}  // namespace

void AddOfficePages(App& app) {
  httplib::Server& s = app.server;
  s.Get("/report", [&app](const httplib::Request& req, httplib::Response& res) { ReportPage(app, req, res); });
  s.Get("/report/page", [&app](const httplib::Request& req, httplib::Response& res) {
    DistrictReport report;
    Status st = BuildFor(app, req, &report);
    if (!st.ok()) return SendPage(res, app.ViewerFor(req), "/report", Tr("Report"), ErrorBox(st), 400);
    res.set_content(ReportHtml(report), "text/html; charset=utf-8");
  });
  s.Get("/report.csv", [&app](const httplib::Request& req, httplib::Response& res) {
    DistrictReport report;
    Status st = BuildFor(app, req, &report);
    if (!st.ok()) return SendPage(res, app.ViewerFor(req), "/report", Tr("Report"), ErrorBox(st), 400);
    res.set_header("Content-Disposition", "attachment; filename=\"report.csv\"");
    res.set_content(ReportCsv(report), "text/csv; charset=utf-8");
  });
  s.Get("/conflicts",
        [&app](const httplib::Request& req, httplib::Response& res) { Conflicts(app, req, res, Status::OK()); });
  Post(app, "/conflicts/settle", [&app](const httplib::Request& req, httplib::Response& res) {
    std::vector<Conflict> all;
    Status st = app.R().Conflicts(app.ws, &all);
    const Conflict* k = nullptr;
    for (const Conflict& c : all) {
      if (c.record.Hex() == Param(req, "record") && c.field == Param(req, "field")) k = &c;
    }
    if (st.ok() && k == nullptr) st = Status::NotFound(Tr("this conflict is settled already"));
    size_t pick = 0;
    try {
      pick = std::stoul(Param(req, "pick"));
    } catch (...) {
    }
    WriteBatch b;
    Value chosen;
    if (st.ok()) st = PrepareSettle(app.R(), app.ws, *k, pick, "", &b, &chosen);
    if (st.ok()) st = app.R().Commit(app.ws, b);
    if (!st.ok()) return Conflicts(app, req, res, st);
    Redirect(res, "/conflicts?done=1");
  });
  s.Get("/sync", [&app](const httplib::Request& req, httplib::Response& res) { SyncPage(app, req, res); });
  Post(app, "/sync", [&app](const httplib::Request&, httplib::Response& res) { StartSync(app, res); });
  s.Get("/devices",
        [&app](const httplib::Request& req, httplib::Response& res) { DevicesPage(app, req, res, "", Status::OK()); });
  Post(app, "/devices/invite", [&app](const httplib::Request& req, httplib::Response& res) {
    std::string code;
    int days = 0;
    try {
      days = std::stoi(Param(req, "days"));
    } catch (...) {
    }
    Status st =
        days >= 1 && days <= 90 ? Status::OK() : Status::InvalidArgument(Tr("an invite is valid for 1 to 90 days"));
    Role role = Param(req, "role") == "officer" ? Role::kOfficer : Role::kCadre;
    if (st.ok()) st = app.R().CreateInvite(app.ws, role, &code, days * 86400000LL);
    DevicesPage(app, req, res, code, st);
  });
  s.Get("/settings",
        [&app](const httplib::Request& req, httplib::Response& res) { SettingsPage(app, req, res, Status::OK()); });
  Post(app, "/settings", [&app](const httplib::Request& req, httplib::Response& res) {
    WriteBatch b;
    Status st = ChangeSetting(app.R(), app.ws, Param(req, "name"), Param(req, "value"), &b);
    if (st.ok()) st = app.R().Commit(app.ws, b);
    if (!st.ok()) return SettingsPage(app, req, res, st);
    Redirect(res, "/settings?done=1");
  });
}

}  // namespace hamlet::ui
