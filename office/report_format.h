// The district report written out: CSV and JSON for other programs, one
// self-contained HTML page (inline CSS and SVG charts, nothing fetched) that
// reads well printed, and the parts a table of it is made of.
#ifndef HAMLET_OFFICE_REPORT_FORMAT_H_
#define HAMLET_OFFICE_REPORT_FORMAT_H_

#include <string>
#include <utility>
#include <vector>

#include "report.h"

namespace hamlet::office {

std::string ReportCsv(const DistrictReport& report);  // Warnings are not in it: say them elsewhere.
std::string ReportJson(const DistrictReport& report);
std::string ReportHtml(const DistrictReport& report);
// What ReportHtml's page holds between <body> and </body>: its title,
// warnings, figures and charts, for a page of another program's own.
std::string ReportHtmlBody(const DistrictReport& report);

// "Xã An Bình, 01/11/2026 to 07/11/2026".
std::string ReportTitle(const DistrictReport& report);
// ", by hamlet": what the figures are broken down by; "" when nothing.
std::string ReportByWhat(const DistrictReport& report);
// The columns of the report: each group, then the total ("Total").
std::vector<std::pair<std::string, const Figures*>> ReportColumns(const DistrictReport& report);
// A metric's value in a column: "–" for a group it is not broken down by.
std::string ReportCell(const DistrictReport& report, const Metric& m, const Figures* column);
// A group's name as people read it: a kind or a category by its label.
std::string ReportGroupLabel(const DistrictReport& report, const std::string& group);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_REPORT_FORMAT_H_
