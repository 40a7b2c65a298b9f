// How every page of the web app is written: the layout and its style sheet
// (served from the program itself), forms and their fields, messages.
#include <qrencode.h>

#include "app.h"
#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "office/dates.h"

namespace hamlet::ui {

using office::FieldSpec;
using office::Kind;

namespace {

// Fits a small laptop's screen (from 1024 px wide), and prints without the
// navigation and the forms.
constexpr char kStyle[] = R"(
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:15px;color:#111;margin:0;background:#f5f5f4}
header{background:#7f1d1d;color:#fff;padding:.4em 1em;display:flex;flex-wrap:wrap;align-items:center;gap:.3em 1.2em}
header strong{font-size:1.1em}
header nav a{color:#fde68a;text-decoration:none;margin-right:1em}
header nav a.on{color:#fff;font-weight:bold;text-decoration:underline}
header form{margin:0 0 0 auto}
main{max-width:72em;margin:0 auto;padding:1em;background:#fff;min-height:80vh}
h1{font-size:1.4em;margin:.2em 0 .6em}
h2{font-size:1.15em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.n{text-align:right}
tr.late td{background:#fef2f2}
a{color:#1d4ed8}
.error{border:2px solid #b91c1c;background:#fef2f2;padding:.5em 1em;margin:.6em 0}
.notice{border:2px solid #15803d;background:#f0fdf4;padding:.5em 1em;margin:.6em 0}
form.filters{display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:end;margin:.4em 0}
form.filters label{display:flex;flex-direction:column;font-size:.85em}
form.record label,form.act label{display:block;margin:.45em 0}
form.record label span,form.act label span{display:block;font-size:.85em;color:#333}
input,select,textarea{font:inherit;padding:.25em;max-width:100%}
input[type=text],textarea{width:32em}
textarea{height:4em}
img.attached{max-width:24em;max-height:18em;border:1px solid #ccc}
button{font:inherit;padding:.3em .9em;cursor:pointer}
.actions{display:flex;flex-wrap:wrap;gap:1em}
.actions form{border:1px solid #ddd;padding:.5em .8em;flex:1 1 18em}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em}
dl.fields dt{color:#444}
dl.fields dd{margin:0}
.sealed{color:#6b21a8;font-style:italic}
.pages a,.pages span{margin-right:.6em}
.qr svg{width:14em;height:14em}
.muted{color:#555;font-size:.9em}
.report tr.sub td:first-child{padding-left:1.8em;color:#333}
.report .warn{border:2px solid #b45309;background:#fff7ed;padding:.5em 1em;margin:1em 0}
.report figure{margin:1em 0;page-break-inside:avoid}
.report svg text{font-size:12px;fill:#111}
.report svg text.ct{font-weight:bold;font-size:13px}
.report footer{color:#555;font-size:.85em;margin-top:2em}
@media print{header,form,.actions,.pages{display:none}main{max-width:none;padding:0}body{background:#fff}}
)";

}  // namespace

std::string Esc(const std::string& text) { return EscapeHtml(text); }

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

std::string UrlParam(const std::string& value) { return httplib::detail::encode_query_param(value); }

std::string CsrfInput(const Viewer& v) { return "<input type=\"hidden\" name=\"csrf\" value=\"" + Esc(v.csrf) + "\">"; }

std::string ErrorBox(const Status& s) {
  return "<div class=\"error\" role=\"alert\">" + Esc(s.message().empty() ? Status::CodeName(s.code()) : s.message()) +
         "</div>";
}

std::string NoticeBox(const std::string& text) {
  return "<div class=\"notice\" role=\"status\">" + Esc(text) + "</div>";
}

void Redirect(httplib::Response& res, const std::string& path) {
  res.status = 303;
  res.set_header("Location", path);
}

void SendPage(httplib::Response& res, const Viewer& v, const std::string& active, const std::string& title,
              const std::string& body, int status) {
  struct Section {
    const char* path;
    const char* label;
    bool officers_only;
  };
  static const Section sections[] = {
      {"/inbox", TrMark("Concerns"), false},        {"/records/dialogues", TrMark("Dialogues"), false},
      {"/records/models", TrMark("Models"), false}, {"/conflicts", TrMark("Conflicts"), false},
      {"/report", TrMark("Report"), false},         {"/sync", TrMark("Sync"), false},
      {"/devices", TrMark("Devices"), true},        {"/settings", TrMark("Settings"), false},
  };
  std::string nav;
  for (const Section& s : sections) {
    if (s.officers_only && !v.Officer()) continue;
    nav += std::string("<a href=\"") + s.path + "\"" + (active == s.path ? " class=\"on\"" : "") + ">" +
           Esc(Tr(s.label)) + "</a>";
  }
  std::string html = std::string("<!DOCTYPE html>\n<html lang=\"") + LanguageCode(CurrentLanguage()) +
                     "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
                     "initial-scale=1\"><title>" +
                     Esc(title + " - Hamlet") +
                     "</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body>"
                     "<header><strong>Hamlet</strong><span>" +
                     Esc(v.workspace) + "</span><nav>" + nav + "</nav><form method=\"post\" action=\"/logout\">" +
                     CsrfInput(v) + "<button type=\"submit\">" + Esc(Tr("Log out")) +
                     "</button></form></header><main><h1>" + Esc(title) + "</h1>\n" + body + "</main></body></html>\n";
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

std::string FieldInput(const FieldSpec& f, const std::string& value, const std::vector<std::string>& categories,
                       bool for_new) {
  std::string id = "f-" + f.name;
  std::string label =
      "<label for=\"" + id + "\"><span>" + Esc(Tr(f.label)) + (f.required && for_new ? " *" : "") + "</span>";
  auto select = [&](const std::vector<std::string>& choices, bool empty_choice) {
    std::string out = "<select name=\"" + f.name + "\" id=\"" + id + "\">";
    if (empty_choice) out += "<option value=\"\"></option>";
    for (const std::string& c : choices) {
      out += "<option value=\"" + Esc(c) + "\"" + (c == value ? " selected" : "") + ">" + Esc(office::ChoiceLabel(c)) +
             "</option>";
    }
    return out + "</select>";
  };
  std::string input;
  switch (f.kind) {
    case Kind::kChoice:
      input = select(f.choices, !for_new || !f.required);
      break;
    case Kind::kCategory:
      input = select(categories, !for_new);
      break;
    case Kind::kYesNo:
      input = select({"yes", "no"}, true);
      break;
    case Kind::kDate:
      input = "<input type=\"text\" name=\"" + f.name + "\" id=\"" + id + "\" value=\"" + Esc(value) +
              "\" placeholder=\"DD/MM/YYYY\" size=\"12\">";
      break;
    case Kind::kCount:
    case Kind::kYear:
      input = "<input type=\"text\" inputmode=\"numeric\" name=\"" + f.name + "\" id=\"" + id + "\" value=\"" +
              Esc(value) + "\" size=\"8\">";
      break;
    case Kind::kText:
      if (f.name == "details" || f.name == "notes" || f.name == "results" || f.name == "resolution" ||
          f.name == "commitments") {
        input = "<textarea name=\"" + f.name + "\" id=\"" + id + "\">" + Esc(value) + "</textarea>";
      } else {
        input = "<input type=\"text\" name=\"" + f.name + "\" id=\"" + id + "\" value=\"" + Esc(value) + "\">";
      }
      break;
  }
  return label + input + "</label>\n";
}

std::string TypedValue(const FieldSpec& f, const Record& rec) {
  auto it = rec.fields.find(f.name);
  if (it == rec.fields.end()) return "";
  if (const auto* b = std::get_if<bool>(&it->second)) return *b ? "yes" : "no";
  return office::Show(it->second);
}

Status FindById(App& app, const std::string& collection, const std::string& hex, Record* out) {
  auto id = RecordId::FromHex(hex);
  Status s = id ? app.R().Get(*id, out) : Status::NotFound(Tr("no such record"));
  if (s.ok() && (out->collection != collection || out->workspace != app.ws || out->deleted)) {
    s = Status::NotFound(Tr("no such record"));
  }
  return s;
}

std::string QrSvg(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                     &QRcode_free);
  if (!qr) return "";
  const int quiet = 4, size = qr->width + 2 * quiet;
  std::string path;
  for (int y = 0; y < qr->width; y++) {
    for (int x = 0; x < qr->width; x++) {
      if (qr->data[y * qr->width + x] & 1) {
        path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
      }
    }
  }
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) +
         "\" role=\"img\" aria-label=\"QR\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
         "<path d=\"" +
         path + "\" fill=\"#000\"/></svg>";
}

// The style sheet, from the program itself.
void AddAssets(httplib::Server& s) {
  s.Get("/assets/app.css",
        [](const httplib::Request&, httplib::Response& res) { res.set_content(kStyle, "text/css; charset=utf-8"); });
}

}  // namespace hamlet::ui
