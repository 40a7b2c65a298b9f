#include "commands.h"

#include <cstdio>

#include "hamlet/env.h"
#include "hamlet/language.h"
#include "office/dates.h"
#include "office/report.h"
#include "office/report_format.h"
#include "table.h"

namespace hamlet::cli {

namespace {

struct ReportArgs {
  std::string from, to, by, format = "table", out;
  bool all_workspaces = false;
  bool attachments = false;
};

// The report as a table for the terminal.
std::string ReportTable(const DistrictReport& r) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{""};
  auto cols = ReportColumns(r);
  for (const auto& c : cols) header.push_back(c.second == &r.total ? c.first : ReportGroupLabel(r, c.first));
  rows.push_back(header);
  for (const Metric& m : Metrics(r.request.attachments)) {
    if (!m.ForPeople()) continue;
    std::vector<std::string> row{Tr(m.label)};
    for (const auto& c : cols) row.push_back(ReportCell(r, m, c.second));
    rows.push_back(row);
  }
  std::string out = Format(Tr("Report: %s"), (ReportTitle(r) + ReportByWhat(r)).c_str()) + "\n\n";
  out += FormatTable(rows, 1);
  if (!r.warnings.empty()) {
    out += "\n" + std::string(Tr("Figures may be short:")) + "\n";
    for (const std::string& w : r.warnings) out += "  - " + w + "\n";
  }
  return out;
}

int Run(const Context& c, const ReportArgs& a) {
  const std::string what = "report";
  ReportRequest req;
  req.today = Today();
  req.by = a.by;
  req.attachments = a.attachments;
  Status s;
  req.to = req.today;
  if (!a.to.empty() && !(s = ParseDate(a.to, &req.to)).ok()) return Refuse(what, s.WithContext("--to: "));
  req.from = FirstOfMonth(req.to);
  if (!a.from.empty() && !(s = ParseDate(a.from, &req.from)).ok()) return Refuse(what, s.WithContext("--from: "));
  if (req.from > req.to) return Refuse(what, Status::InvalidArgument(Tr("--from is after --to")));
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  if (a.all_workspaces) {
    s = r->Workspaces(&req.workspaces);
    if (s.ok() && req.workspaces.empty()) s = Status::FailedPrecondition(Tr("this replica belongs to no workspace yet"));
  } else {
    WorkspaceId ws;
    s = c.PickWorkspace(*r, &ws);
    req.workspaces.push_back(ws);
  }
  DistrictReport report;
  if (s.ok()) s = BuildReport(*r, req, &report);
  if (!s.ok()) return Refuse(what, s);
  std::string text = a.format == "csv"    ? ReportCsv(report)
                     : a.format == "json" ? ReportJson(report)
                     : a.format == "html" ? ReportHtml(report)
                                          : ReportTable(report);
  if (a.out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    s = Env::Default()->WriteFileAtomic(a.out, text);
    if (!s.ok()) return Refuse(what, s);
    Say(Format(Tr("Wrote the %s report for %s to %s."), a.format.c_str(), ReportTitle(report).c_str(), a.out.c_str()));
  }
  // The table says them itself; elsewhere they go to stderr, so that no
  // figure is taken as complete unawares.
  if (a.format != "table" || !a.out.empty()) {
    for (const std::string& w : report.warnings) {
      Complain("report: " + Format(Tr("figures may be short: %s"), w.c_str()));
    }
  }
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App* app, const Context* c) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd =
      app->add_subcommand("report", Tr("The district report for a period: dialogues, citizens, concerns, models"));
  cmd->add_option("--from", a->from, Tr("First day (DD/MM/YYYY; default the first of --to's month)"));
  cmd->add_option("--to", a->to, Tr("Last day, included (default today)"));
  cmd->add_option("--by", a->by, Tr("Also break the figures down"))
      ->check(CLI::IsMember({"commune", "hamlet", "category", "kind"}));
  cmd->add_option("--format", a->format, Tr("table, csv, json or html (one self-contained page)"))
      ->check(CLI::IsMember({"table", "csv", "json", "html"}))
      ->capture_default_str();
  cmd->add_option("--out", a->out, Tr("Write to this file instead of the terminal"));
  cmd->add_flag("--all-workspaces", a->all_workspaces, Tr("Every commune this replica holds, not just one"));
  cmd->add_flag("--attachments", a->attachments, Tr("Also count the concerns with files attached, and the files"));
  cmd->footer(
      Tr("Dialogues count by their date, concerns by the date received, models by their year.\n"
         "Resolved, transferred and rejected describe those concerns as they stand now; on time means\n"
         "by the due date, extensions counted; overdue means still open today and past it. The report\n"
         "warns when devices are known to hold records that have not reached this replica."));
  OnRun(cmd, [c, a] { return Run(*c, *a); });
}

}  // namespace hamlet::cli
