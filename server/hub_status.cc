// The hub operator's pages: status as JSON and HTML, and Prometheus metrics.
#include "hub.h"

#include <nlohmann/json.hpp>

#include "crypto.h"
#include "format.h"
#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "relay.h"

namespace hamlet::hub {

using nlohmann::json;

namespace {

// A role's word in /v1/status; the page shows it translated.
const char* RoleWord(uint8_t role) {
  switch (role) {
    case format::kRoleAdmin: return TrMark("admin");
    case format::kRoleOfficer: return TrMark("officer");
    case format::kRoleRelay: return TrMark("relay");
    default: return TrMark("cadre");
  }
}

}  // namespace

void Hub::StatusJson(const httplib::Request& req, httplib::Response& res) {
  Count("status");
  if (!AuthenticateOperator(req, res)) return;
  std::vector<WorkspaceSummary> all;
  Status s = store_->Summaries(&all);
  if (!s.ok()) return Fail(res, s);
  int64_t now = env_->NowMillis();
  int64_t stale = options_.stale_after_days * 86400000LL;
  json spaces = json::array();
  for (const WorkspaceSummary& w : all) {
    json devices = json::array();
    for (const DeviceSummary& d : w.devices) {
      devices.push_back({{"device", d.device.Hex()},
                         {"role", RoleWord(d.role)},
                         {"revoked", d.revoked},
                         {"last_seen", d.last_seen},
                         {"commits", d.commits},
                         {"stale", !d.revoked && (d.last_seen == 0 || now - d.last_seen > stale)}});
    }
    json space{{"workspace", w.workspace.Hex()}, {"created", w.created}, {"commits", w.commits}, {"devices", devices}};
    RelayRound round;
    bool relayed = false;
    s = LastRelayRound(store_, w.workspace, &round, &relayed);
    if (!s.ok()) return Fail(res, s);
    if (relayed) {
      space["relay"] = {{"upstream", round.upstream},
                        {"last_round", round.at},
                        {"last_success", round.last_ok},
                        {"error", round.error}};
    }
    spaces.push_back(space);
  }
  res.set_content(json{{"hub_time", now}, {"stale_after_days", options_.stale_after_days}, {"workspaces", spaces}}.dump(),
                  "application/json");
}

void Hub::StatusPage(const httplib::Request& req, httplib::Response& res) {
  Count("page");
  if (!AuthenticateOperator(req, res)) return;
  std::vector<WorkspaceSummary> all;
  Status s = store_->Summaries(&all);
  if (!s.ok()) return Fail(res, s);
  int64_t now = env_->NowMillis();
  auto ago = [&](int64_t at) {
    int64_t minutes = std::max<int64_t>(0, now - at) / 60000;
    return Format(TrN("%lld minute ago", "%lld minutes ago", static_cast<unsigned long>(minutes)),
                  static_cast<long long>(minutes));
  };
  std::string html = std::string("<!doctype html><html lang=\"") + LanguageCode(CurrentLanguage()) +
                     "\"><head><meta charset=\"utf-8\"><title>" + EscapeHtml(Tr("Hamlet hub")) +
                     "</title><style>"
                     "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                     "td,th{border:1px solid #999;padding:.3em .6em}.stale{background:#fdd}</style></head><body>"
                     "<h1>" +
                     EscapeHtml(Tr("Hamlet hub")) + "</h1><p>" +
                     EscapeHtml(Tr("This hub stores sealed commits; it cannot read any record.")) + "</p>";
  for (const WorkspaceSummary& w : all) {
    html += "<h2>" + EscapeHtml(Format(Tr("Workspace %s"), w.workspace.Hex().c_str())) + "</h2><p>" +
            EscapeHtml(Format(TrN("%zu commit stored.", "%zu commits stored.", w.commits), w.commits)) + "</p>";
    RelayRound round;
    bool relayed = false;
    s = LastRelayRound(store_, w.workspace, &round, &relayed);
    if (!s.ok()) return Fail(res, s);
    if (relayed) {
      std::string said =
          round.error.empty()
              ? Format(Tr("Relayed to %s: last round %s, done."), round.upstream.c_str(), ago(round.at).c_str())
              : Format(Tr("Relayed to %s: last round %s, failed: %s (last done %s)."), round.upstream.c_str(),
                       ago(round.at).c_str(), round.error.c_str(),
                       round.last_ok == 0 ? Tr("never") : ago(round.last_ok).c_str());
      html += std::string("<p") + (round.error.empty() ? "" : " class=\"stale\"") + ">" + EscapeHtml(said) + "</p>";
    }
    html += "<table><tr>";
    for (const char* heading : {Tr("device"), Tr("role"), Tr("commits"), Tr("last seen")}) {
      html += "<th>" + EscapeHtml(heading) + "</th>";
    }
    html += "</tr>";
    for (const DeviceSummary& d : w.devices) {
      bool stale = !d.revoked && (d.last_seen == 0 || now - d.last_seen > options_.stale_after_days * 86400000LL);
      int64_t days = (now - d.last_seen) / 86400000;
      std::string seen = d.last_seen == 0 ? Tr("never")
                                          : Format(TrN("%lld day ago", "%lld days ago", static_cast<unsigned long>(days)),
                                                   static_cast<long long>(days));
      std::string role = d.revoked ? Format(Tr("%s (revoked)"), Tr(RoleWord(d.role))) : Tr(RoleWord(d.role));
      html += std::string("<tr") + (stale ? " class=\"stale\"" : "") + "><td>" + d.device.Hex() + "</td><td>" +
              EscapeHtml(role) + "</td><td>" + std::to_string(d.commits) + "</td><td>" + EscapeHtml(seen) +
              "</td></tr>";
    }
    html += "</table>";
  }
  html += "</body></html>";
  res.set_content(html, "text/html; charset=utf-8");
}

void Hub::MetricsText(const httplib::Request& req, httplib::Response& res) {
  Count("metrics");
  if (!AuthenticateOperator(req, res)) return;
  std::string out;
  {
    std::lock_guard<std::mutex> lock(metrics_.mu);
    out += "# HELP hamlet_requests_total Requests by route.\n# TYPE hamlet_requests_total counter\n";
    for (auto& [route, n] : metrics_.requests) {
      out += "hamlet_requests_total{route=\"" + route + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP hamlet_errors_total Error responses by kind.\n# TYPE hamlet_errors_total counter\n";
    for (auto& [code, n] : metrics_.errors) {
      out += "hamlet_errors_total{code=\"" + code + "\"} " + std::to_string(n) + "\n";
    }
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
           std::to_string(v) + "\n";
  };
  counter("hamlet_commits_stored_total", "Commits stored by pushes.", metrics_.commits_stored);
  counter("hamlet_bytes_in_total", "Chunk bytes received.", metrics_.bytes_in);
  counter("hamlet_bytes_out_total", "Chunk bytes sent.", metrics_.bytes_out);
  out += "# HELP hamlet_sync_seconds Time spent serving push and pull.\n# TYPE hamlet_sync_seconds summary\n";
  out += "hamlet_sync_seconds_sum " + std::to_string(metrics_.sync_micros.load() / 1e6) + "\n";
  out += "hamlet_sync_seconds_count " + std::to_string(metrics_.sync_requests.load()) + "\n";
  res.set_content(out, "text/plain; version=0.0.4");
}

}  // namespace hamlet::hub
