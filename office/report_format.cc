#include "report_format.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "dates.h"
#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "record_kinds.h"

namespace hamlet::office {

namespace {

using nlohmann::json;

std::string Iso(Timestamp t) {
  std::string d = FormatDate(t);  // DD/MM/YYYY
  return d.substr(6, 4) + "-" + d.substr(3, 2) + "-" + d.substr(0, 2);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// A horizontal bar chart: one row per label, one bar per series, with the
// value written at the end of each bar.
struct Series {
  std::string name, color;
  std::vector<int64_t> values;
};

std::string BarChart(const std::string& title, const std::vector<std::string>& labels,
                     const std::vector<Series>& series) {
  const int label_w = 190, bar_h = 16, gap = 10, chart_w = 620, value_w = 50;
  int64_t max = 1;
  for (const Series& s : series) {
    for (int64_t v : s.values) max = std::max(max, v);
  }
  int row_h = static_cast<int>(series.size()) * bar_h + gap;
  int height = 30 + static_cast<int>(labels.size()) * row_h + 24;
  std::string svg = "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(chart_w) +
                    "\" height=\"" + std::to_string(height) + "\" role=\"img\" aria-label=\"" + EscapeHtml(title) +
                    "\">";
  svg += "<text x=\"0\" y=\"16\" class=\"ct\">" + EscapeHtml(title) + "</text>";
  double scale = static_cast<double>(chart_w - label_w - value_w) / static_cast<double>(max);
  for (size_t i = 0; i < labels.size(); i++) {
    int y = 30 + static_cast<int>(i) * row_h;
    svg += "<text x=\"0\" y=\"" + std::to_string(y + bar_h - 3) + "\">" + EscapeHtml(ClipCharacters(labels[i], 28)) +
           "</text>";
    for (size_t k = 0; k < series.size(); k++) {
      int64_t v = series[k].values[i];
      int by = y + static_cast<int>(k) * bar_h;
      double w = std::max(1.0, static_cast<double>(v) * scale);
      svg += "<rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(by + 1) + "\" width=\"" +
             Fmt("%.1f", w) + "\" height=\"" + std::to_string(bar_h - 2) + "\" fill=\"" + series[k].color + "\"/>";
      svg += "<text x=\"" + Fmt("%.1f", label_w + w + 4) + "\" y=\"" + std::to_string(by + bar_h - 4) +
             "\" class=\"v\">" + std::to_string(v) + "</text>";
    }
  }
  int ly = height - 8, lx = label_w;
  for (const Series& s : series) {
    svg += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(ly - 10) +
           "\" width=\"10\" height=\"10\" fill=\"" + s.color + "\"/><text x=\"" + std::to_string(lx + 14) + "\" y=\"" +
           std::to_string(ly) + "\">" + EscapeHtml(s.name) + "</text>";
    lx += 30 + static_cast<int>(CharacterCount(s.name)) * 7;
  }
  return svg + "</svg></figure>\n";
}

int64_t Of(const std::map<std::string, int64_t>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

// A metric's value in a column: "–" for a group it is not broken down by.
std::string ReportCell(const DistrictReport& r, const Metric& m, const Figures* column) {
  if (column != &r.total && !BrokenDown(m.source, r.request.by)) return "\u2013";
  return m.value(*column);
}

// The columns of the report: each group, then the total.
std::vector<std::pair<std::string, const Figures*>> ReportColumns(const DistrictReport& r) {
  std::vector<std::pair<std::string, const Figures*>> cols;
  for (const auto& g : r.groups) cols.emplace_back(g.first, &g.second);
  cols.emplace_back(Tr("Total"), &r.total);
  return cols;
}

std::string ReportTitle(const DistrictReport& r) {
  std::string communes;
  for (const std::string& c : r.communes) communes += (communes.empty() ? "" : ", ") + c;
  return Format(Tr("%s, %s to %s"), communes.c_str(), FormatDate(r.request.from).c_str(),
                FormatDate(r.request.to).c_str());
}

// ", by hamlet": what the figures are broken down by, if anything.
std::string ReportByWhat(const DistrictReport& r) {
  if (r.request.by.empty()) return "";
  static const std::map<std::string, const char*> by = {
      {"commune", TrMark("by commune")},
      {"hamlet", TrMark("by hamlet")},
      {"category", TrMark("by category")},
      {"kind", TrMark("by kind")},
  };
  auto it = by.find(r.request.by);
  return ", " + std::string(it == by.end() ? r.request.by.c_str() : Tr(it->second));
}

// A group's name as people read it: a kind or a category by its label.
std::string ReportGroupLabel(const DistrictReport& r, const std::string& group) {
  return r.request.by == "kind" || r.request.by == "category" ? ChoiceLabel(group) : group;
}

std::string ReportCsv(const DistrictReport& r) {
  std::string out = "group";
  for (const Metric& m : Metrics(r.request.attachments)) {
    if (m.ForPrograms()) out += "," + m.key;
  }
  out += "\n";
  for (const auto& c : ReportColumns(r)) {
    out += CsvField(c.second == &r.total ? "total" : c.first);
    for (const Metric& m : Metrics(r.request.attachments)) {
      if (!m.ForPrograms()) continue;
      std::string v = ReportCell(r, m, c.second);
      out += "," + (v == "-" || v == "\u2013" ? std::string() : v);
    }
    out += "\n";
  }
  return out;
}

std::string ReportJson(const DistrictReport& r) {
  auto figures = [&r](const Figures& f) {
    json j;
    for (const Metric& m : Metrics(r.request.attachments)) {
      if (!m.ForPrograms() || (&f != &r.total && !BrokenDown(m.source, r.request.by))) continue;
      std::string v = m.value(f);
      if (v == "-") {
        j[m.key] = nullptr;
      } else if (v.find('.') != std::string::npos) {
        j[m.key] = std::stod(v);
      } else {
        j[m.key] = std::stoll(v);
      }
    }
    return j;
  };
  json groups = json::array();
  for (const auto& g : r.groups) {
    json j = figures(g.second);
    j["group"] = g.first;
    groups.push_back(j);
  }
  json out{{"period", {{"from", Iso(r.request.from)}, {"to", Iso(r.request.to)}}},
           {"communes", r.communes},
           {"by", r.request.by.empty() ? json() : json(r.request.by)},
           {"total", figures(r.total)},
           {"groups", groups},
           {"warnings", r.warnings}};
  return out.dump(2) + "\n";
}

std::string ReportHtml(const DistrictReport& r) {
  std::string title = ReportTitle(r);
  std::string h = std::string("<!DOCTYPE html>\n<html lang=\"") + LanguageCode(CurrentLanguage()) +
                  R"("><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)" + EscapeHtml(Format(Tr("Report: %s"), title.c_str())) +
                  R"(</title>
<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#111;margin:2em auto;max-width:60em;padding:0 1em;font-size:14px}
h1{font-size:1.5em;margin-bottom:.2em}
p.sub{color:#444;margin-top:0}
table{border-collapse:collapse;margin:1em 0;width:100%}
th,td{border:1px solid #999;padding:.3em .6em}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eee}
tr.sub td:first-child{padding-left:1.8em;color:#333}
.warn{border:2px solid #b45309;background:#fff7ed;padding:.5em 1em;margin:1em 0}
figure{margin:1em 0;page-break-inside:avoid}
svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:12px;fill:#111}
svg text.ct{font-weight:bold;font-size:13px}
footer{color:#555;font-size:.85em;margin-top:2em}
@media print{body{margin:0;max-width:none}.warn{background:none}th{background:none}a{color:#111}}
</style></head><body>
)";
  return h + ReportHtmlBody(r) + "</body></html>\n";
}

std::string ReportHtmlBody(const DistrictReport& r) {
  std::string title = ReportTitle(r);
  std::string h = "<h1>" + EscapeHtml(Tr("District report on mass mobilization work")) + "</h1>\n";
  h += "<p class=\"sub\">" + EscapeHtml(title + ReportByWhat(r)) + "</p>\n";
  if (!r.warnings.empty()) {
    h += "<div class=\"warn\" id=\"warnings\"><strong>" + EscapeHtml(Tr("Figures may be short:")) + "</strong><ul>\n";
    for (const std::string& w : r.warnings) h += "<li>" + EscapeHtml(w) + "</li>\n";
    h += "</ul></div>\n";
  }
  auto cols = ReportColumns(r);
  h += "<table id=\"figures\"><thead><tr><th></th>";
  for (const auto& c : cols)
    h += "<th>" + EscapeHtml(c.second == &r.total ? c.first : ReportGroupLabel(r, c.first)) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (const Metric& m : Metrics(r.request.attachments)) {
    if (!m.ForPeople()) continue;
    std::string label = Tr(m.label);
    bool sub = label.rfind("  ", 0) == 0;
    if (sub) label = label.substr(2);
    h += std::string("<tr") + (sub ? " class=\"sub\"" : "") + " data-metric=\"" + m.key + "\"><td>" +
         EscapeHtml(label) + "</td>";
    for (const auto& c : cols) h += "<td class=\"n\">" + EscapeHtml(ReportCell(r, m, c.second)) + "</td>";
    h += "</tr>\n";
  }
  h += "</tbody></table>\n";

  const Figures& t = r.total;
  h += BarChart(Tr("Concerns received and resolved, by kind"),
                {Tr("Requests and feedback"), Tr("Complaints"), Tr("Denunciations")},
                {{Tr("received"),
                  "#2563eb",
                  {Of(t.received, "request"), Of(t.received, "complaint"), Of(t.received, "denunciation")}},
                 {Tr("resolved"),
                  "#16a34a",
                  {Of(t.resolved, "request"), Of(t.resolved, "complaint"), Of(t.resolved, "denunciation")}}});
  if (!r.groups.empty()) {
    std::vector<std::string> labels;
    Series concerns{Tr("concerns"), "#2563eb", {}}, resolved{Tr("resolved"), "#16a34a", {}},
        dialogues{Tr("dialogues"), "#9333ea", {}};
    for (const auto& g : r.groups) {
      labels.push_back(ReportGroupLabel(r, g.first));
      concerns.values.push_back(g.second.Concerns());
      resolved.values.push_back(g.second.Resolved());
      dialogues.values.push_back(g.second.dialogues);
    }
    static const std::map<std::string, const char*> titles = {
        {"commune", TrMark("By commune")},
        {"hamlet", TrMark("By hamlet")},
        {"category", TrMark("By category")},
        {"kind", TrMark("By kind")},
    };
    auto title_of = titles.find(r.request.by);
    h += BarChart(title_of == titles.end() ? r.request.by : Tr(title_of->second), labels,
                  {dialogues, concerns, resolved});
  }
  h += BarChart(Tr("Models registered (Dân vận khéo)"), {Tr("New"), Tr("Maintained")},
                {{Tr("models"), "#ca8a04", {t.models_new, t.models_maintained}}});
  h += "<footer>" +
       EscapeHtml(Format(Tr("Dialogues count by their date, concerns by the date received, models by their year. "
                            "Resolved, transferred and rejected describe the concerns of the period as they stand now; "
                            "on time means by the due date, extensions counted; overdue means still open today and "
                            "past it. Letters are "
                            "concerns that arrived by letter. Made by hamlet on %s."),
                         FormatDate(r.request.today).c_str())) +
       "</footer>\n";
  return h;
}

}  // namespace hamlet::office
