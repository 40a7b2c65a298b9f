// The district report: figures of the kind offices publish (dialogues held,
// citizens received, concerns by kind and how many were resolved, models
// registered) for a period, in total and by commune, hamlet, category or
// kind; and warnings when records are known to be missing from this
// replica, so that no figure is silently short.
#ifndef HAMLET_OFFICE_REPORT_H_
#define HAMLET_OFFICE_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hamlet/replica.h"

namespace hamlet::office {

struct Figures {
  int64_t dialogues = 0;
  int64_t attendees = 0;                    // Citizens received: the attendees of those dialogues.
  std::map<std::string, int64_t> received;  // Concerns received in the period, by kind.
  std::map<std::string, int64_t> resolved;  // Of those, resolved now, by kind.
  int64_t letters = 0;                      // Of those, arrived by letter (đơn thư).
  // Complaints and denunciations within the commune's jurisdiction, and of
  // those how many are resolved: the "29 of 39" offices publish.
  int64_t within_jurisdiction = 0;
  int64_t resolved_within_jurisdiction = 0;
  int64_t resolved_on_time = 0;  // Resolved on or before the due date (extensions counted).
  int64_t resolved_late = 0;     // Resolved after it.
  int64_t transferred = 0;
  int64_t rejected = 0;
  int64_t overdue = 0;                  // Still open today and past their due date.
  std::vector<double> days_to_resolve;  // From received to resolved, per resolved concern.
  int64_t models_new = 0;
  int64_t models_maintained = 0;
  // Only when the request asks: of the concerns received, those with a file
  // attached (a letter's photo, a signed record), and the files.
  int64_t with_attachments = 0;
  int64_t attachments = 0;

  int64_t Concerns() const;
  int64_t Resolved() const;
  // The median of days_to_resolve; negative when there is none.
  double MedianDaysToResolve() const;
};

struct ReportRequest {
  std::vector<WorkspaceId> workspaces;
  Timestamp from, to;  // Days, both included.
  std::string by;      // "", "commune", "hamlet", "category" or "kind".
  Timestamp today;     // For overdue.
  bool attachments = false;  // Also count the concerns' attachments.
};

struct DistrictReport {
  ReportRequest request;
  std::vector<std::string> communes;                    // The workspaces' names.
  std::vector<std::pair<std::string, Figures>> groups;  // In order; empty without "by".
  Figures total;
  std::vector<std::string> warnings;  // Why a figure may be short.
};

// Counts the records of the requested workspaces. A concern's deadline is
// its due date with its counted extensions (deadlines.h). Dialogues count by their
// date, concerns by the date received, models by their year (any year the
// period touches). With by, a record that has no such property (a model by
// hamlet, a dialogue by category) counts in the total only.
Status BuildReport(Replica& r, const ReportRequest& request, DistrictReport* out);

// What a metric counts.
enum class Source { kDialogues, kConcerns, kModels };

// One metric of the report: its key (CSV and JSON), its label, what it
// counts, and its value in a Figures as text ("-" when there is none).
struct Metric {
  std::string key;
  const char* label;  // In English; Tr gives the chosen language's. Two spaces lead a part of the line above.
  Source source;
  std::string (*value)(const Figures&);
  // Where it appears. A figure offices write as two numbers ("29 of 39")
  // is one line for people and two numbers for programs.
  enum class Where { kEverywhere, kForPrograms, kForPeople };
  Where where = Where::kEverywhere;
  bool ForPrograms() const { return where != Where::kForPeople; }  // CSV and JSON.
  bool ForPeople() const { return where != Where::kForPrograms; }  // The table and the page.
};
// The metrics of a report, with those of attachments only when asked.
const std::vector<Metric>& Metrics(bool attachments = false);

// Whether records of source are broken down by `by` (dialogues have no
// category, models no hamlet); if not, they count in the total only.
bool BrokenDown(Source source, const std::string& by);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_REPORT_H_
