// The district report written out: a table for the terminal, CSV and JSON
// for other programs, and one self-contained HTML page (inline CSS and SVG
// charts, nothing fetched) that reads well printed.
#ifndef HAMLET_CLI_REPORT_FORMAT_H_
#define HAMLET_CLI_REPORT_FORMAT_H_

#include <string>

#include "report.h"

namespace hamlet::cli {

std::string ReportTable(const DistrictReport& report);
std::string ReportCsv(const DistrictReport& report);  // Warnings are not in it: say them elsewhere.
std::string ReportJson(const DistrictReport& report);
std::string ReportHtml(const DistrictReport& report);

// "Xã An Bình, 01/11/2026 to 07/11/2026".
std::string ReportTitle(const DistrictReport& report);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_REPORT_FORMAT_H_
