// The inbox of concerns (filters, search without diacritics, paging) and a
// concern's own page: its fields, receipt, sealed reporter, follow-ups and
// extensions, and the workflow's actions.
#include "app.h"
#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "office/categories.h"
#include "office/dates.h"
#include "office/deadlines.h"
#include "office/record_writes.h"

namespace hamlet::ui {

namespace {

using namespace hamlet::office;  // NOLINT(build/namespaces)

constexpr size_t kPerPage = 25;

const RecordSpec& Concerns() { return *SpecFor("concerns"); }

std::string Text(const Record& r, const char* field) {
  auto it = r.fields.find(field);
  return it == r.fields.end() ? "" : Show(it->second);
}

std::string Shown(const Record& r, const std::string& field) {
  const FieldSpec* f = FindField(Concerns(), field);
  auto it = r.fields.find(field);
  return f == nullptr || it == r.fields.end() ? Text(r, field.c_str()) : ShowField(*f, it->second);
}

std::string Options(const std::vector<std::string>& choices, const std::string& chosen, bool labels) {
  std::string out = "<option value=\"\"></option>";
  for (const std::string& c : choices) {
    out += "<option value=\"" + Esc(c) + "\"" + (c == chosen ? " selected" : "") + ">" +
           Esc(labels ? ChoiceLabel(c) : c) + "</option>";
  }
  return out;
}

const std::vector<std::string>& ChoicesOf(const char* field) { return FindField(Concerns(), field)->choices; }

void Inbox(App& app, const httplib::Request& req, httplib::Response& res) {
  Viewer v = app.ViewerFor(req);
  std::string status = Param(req, "status"), kind = Param(req, "kind"), category = Param(req, "category"),
              hamlet = Param(req, "hamlet"), due = Param(req, "due"), text = Param(req, "q");
  size_t page = 1;
  try {
    page = std::max<size_t>(1, std::stoul(Param(req, "page").empty() ? "1" : Param(req, "page")));
  } catch (...) {
  }
  CategoryList categories;
  Status s = Categories(app.R(), app.ws, &categories);
  std::vector<std::string> all_categories = categories.current;
  all_categories.insert(all_categories.end(), categories.retired.begin(), categories.retired.end());

  Query q;
  q.workspace = app.ws;
  q.collection = "concerns";
  q.text = text;
  if (!status.empty()) q.equals.emplace_back("status", status);
  if (!kind.empty()) q.equals.emplace_back("kind", kind);
  if (!category.empty()) q.equals.emplace_back("category", category);
  if (!hamlet.empty()) q.equals.emplace_back("hamlet", hamlet);
  bool by_due = due == "overdue" || due == "soon";
  q.limit = by_due ? 100000 : kPerPage;
  q.offset = by_due ? 0 : (page - 1) * kPerPage;
  QueryResult found;
  if (s.ok()) s = app.R().Find(q, &found);
  Settings settings;
  std::map<RecordId, std::vector<Extension>> extensions;
  if (s.ok()) s = LoadSettings(app.R(), app.ws, &settings);
  if (s.ok()) s = LoadExtensions(app.R(), app.ws, settings, &extensions);
  if (s.ok() && by_due) {
    KeepByDeadline(extensions, due == "overdue", due == "soon" ? 7 : -1, &found.records);
    found.total = found.records.size();
    size_t from = std::min(found.records.size(), (page - 1) * kPerPage);
    found.records = std::vector<Record>(found.records.begin() + from,
                                        found.records.begin() + std::min(found.records.size(), from + kPerPage));
  }

  std::string body;
  if (!s.ok()) body += ErrorBox(s);
  body += "<form class=\"filters\" method=\"get\" action=\"/inbox\" id=\"filters\">";
  body += "<label>" + Esc(Tr("Search (accents optional)")) + "<input type=\"search\" name=\"q\" id=\"q\" value=\"" +
          Esc(text) + "\"></label>";
  body += "<label>" + Esc(Tr("status")) + "<select name=\"status\" id=\"status\">" +
          Options(ChoicesOf("status"), status, true) + "</select></label>";
  body += "<label>" + Esc(Tr("kind")) + "<select name=\"kind\" id=\"kind\">" + Options(ChoicesOf("kind"), kind, true) +
          "</select></label>";
  body += "<label>" + Esc(Tr("category")) + "<select name=\"category\">" + Options(all_categories, category, true) +
          "</select></label>";
  body += "<label>" + Esc(Tr("hamlet")) + "<input type=\"text\" name=\"hamlet\" size=\"10\" value=\"" + Esc(hamlet) +
          "\"></label>";
  body += "<label>" + Esc(Tr("due")) +
          "<select name=\"due\" id=\"due\"><option value=\"\"></option><option value=\"overdue\"" +
          (due == "overdue" ? " selected" : "") + ">" + Esc(Tr("overdue")) + "</option><option value=\"soon\"" +
          (due == "soon" ? " selected" : "") + ">" + Esc(Tr("due within 7 days")) + "</option></select></label>";
  body += "<button type=\"submit\" id=\"find\">" + Esc(Tr("Find")) + "</button> <a href=\"/records/concerns/new\">" +
          Esc(Tr("Record a concern")) + "</a></form>\n";

  Timestamp today = Today();
  body += "<table id=\"concerns\"><thead><tr><th>" + Esc(Tr("received on")) + "</th><th>" + Esc(Tr("kind")) +
          "</th><th>" + Esc(Tr("category")) + "</th><th>" + Esc(Tr("summary")) + "</th><th>" + Esc(Tr("hamlet")) +
          "</th><th>" + Esc(Tr("status")) + "</th><th>" + Esc(Tr("due")) + "</th></tr></thead><tbody>\n";
  for (const Record& r : found.records) {
    Deadline d = DeadlineOf(r, extensions[r.id]);
    bool late = IsOpen(r) && d.has && d.due < today;
    body += std::string("<tr") + (late ? " class=\"late\"" : "") + " data-id=\"" + r.id.Hex() + "\"><td>" +
            Esc(Text(r, "received")) + "</td><td>" + Esc(Shown(r, "kind")) + "</td><td>" + Esc(Shown(r, "category")) +
            "</td><td><a href=\"/concern/" + r.id.Hex() + "\">" + Esc(ClipCharacters(Text(r, "summary"), 80)) +
            "</a></td><td>" + Esc(Text(r, "hamlet")) + "</td><td>" + Esc(Shown(r, "status")) + "</td><td>" +
            (d.has ? Esc(FormatDate(d.due)) : "") + "</td></tr>\n";
  }
  body += "</tbody></table>\n";
  size_t pages = (found.total + kPerPage - 1) / kPerPage;
  body += "<p class=\"pages\" id=\"paging\">" +
          Esc(Format(Tr("%zu of %zu concerns."), found.records.size(), static_cast<size_t>(found.total))) + " ";
  if (pages > 1) {
    std::string base = "/inbox?q=" + UrlParam(text) + "&status=" + UrlParam(status) + "&kind=" + UrlParam(kind) +
                       "&category=" + UrlParam(category) + "&hamlet=" + UrlParam(hamlet) + "&due=" + UrlParam(due) +
                       "&page=";
    for (size_t p = 1; p <= pages; p++) {
      body += p == page ? "<span>" + std::to_string(p) + "</span>"
                        : "<a href=\"" + Esc(base + std::to_string(p)) + "\">" + std::to_string(p) + "</a>";
    }
  }
  body += "</p>";
  SendPage(res, v, "/inbox", Tr("Concerns"), body);
}

// A concern's page; error, when set, says why the last action was refused,
// and typed keeps what was typed into its form.
void ConcernPage(App& app, const httplib::Request& req, httplib::Response& res, const std::string& hex,
                 const std::string& notice, const Status& error, const std::string& acted, int status) {
  Viewer v = app.ViewerFor(req);
  Record rec;
  Status s = FindById(app, "concerns", hex, &rec);
  if (!s.ok()) {
    SendPage(res, v, "/inbox", Tr("Concerns"), ErrorBox(s), 404);
    return;
  }
  std::vector<std::string> unreadable;
  OpenSealedFields(app.R(), app.ws, &rec, &unreadable);
  std::vector<Record> followups;
  Settings settings;
  std::map<RecordId, std::vector<Extension>> extensions;
  s = Followups(app.R(), app.ws, rec.id, &followups);
  if (s.ok()) s = LoadSettings(app.R(), app.ws, &settings);
  if (s.ok()) s = LoadExtensions(app.R(), app.ws, settings, &extensions, &rec.id);
  const std::vector<Extension>& extended = extensions[rec.id];

  std::string body;
  if (!notice.empty()) body += NoticeBox(notice);
  if (!s.ok()) body += ErrorBox(s);
  if (!error.ok()) body += ErrorBox(error);
  body += "<dl class=\"fields\" id=\"fields\">";
  for (const FieldSpec& f : Concerns().fields) {
    auto it = rec.fields.find(f.name);
    bool sealed = std::find(unreadable.begin(), unreadable.end(), f.name) != unreadable.end();
    if (it == rec.fields.end() && !sealed) continue;
    std::string shown =
        sealed ? "<span class=\"sealed\">" + Esc(Unreadable()) + "</span>" : Esc(ShowField(f, it->second));
    if (f.name == "due" && !extended.empty()) shown = Esc(DueText(DeadlineOf(rec, extended)));
    if (f.confidential && !sealed && IsDenunciation(rec.fields)) {
      shown += " <span class=\"sealed\">" + Esc(Tr("(sealed to the officers)")) + "</span>";
    }
    body += "<dt>" + Esc(Tr(f.label)) + "</dt><dd data-field=\"" + f.name + "\">" + shown + "</dd>";
    if (auto conflict = rec.conflicts.find(f.name); conflict != rec.conflicts.end()) {
      for (const Value& other : conflict->second) {
        body += "<dt></dt><dd>" + Esc(Format(Tr("also: %s (concurrent edit)"), ShowField(f, other).c_str())) +
                " <a href=\"/conflicts\">" + Esc(Tr("settle")) + "</a></dd>";
      }
    }
  }
  body += "</dl><p><a href=\"/records/concerns/" + rec.id.Hex() + "/edit\">" + Esc(Tr("Edit")) + "</a></p>";
  // The resident's receipt: its ticket, and whether what it binds still
  // reads as it was received (its code is known only to the resident).
  if (!Text(rec, "ticket").empty()) {
    bool changed = IntakeDigest(rec.fields) != Text(rec, "receipt_digest");
    body += "<h2>" + Esc(Tr("Receipt")) + "</h2><p id=\"receipt\">" + Esc(Tr("Ticket:")) + " <b>" +
            Esc(Text(rec, "ticket")) + "</b>. " +
            Esc(changed ? Tr("What was recorded when it was received has been changed since; the resident's receipt "
                             "still proves what was received.")
                        : Tr("It reads as when it was received.")) +
            "</p>";
  }

  body += AttachmentsSection(app, v, rec, "/concern/" + rec.id.Hex() + "/attach");

  body += "<h2>" + Esc(Tr("Follow-ups")) + "</h2><ul id=\"followups\">";
  for (const Extension& e : extended) body += "<li>" + Esc(ExtensionLabel(e) + " " + ExtensionText(e)) + "</li>";
  for (const Record& f : followups) {
    body += "<li>" + Esc(Text(f, "date")) + ": " + Esc(Text(f, "note")) + "</li>";
  }
  body += "</ul>";

  // The actions, each its own small form; a refused one keeps what was typed.
  auto typed = [&](const char* verb, const char* name) {
    return acted == verb ? Esc(Param(req, name)) : std::string();
  };
  body += "<h2>" + Esc(Tr("Actions")) + "</h2><div class=\"actions\">";
  for (const ConcernVerb& verb : ConcernVerbs()) {
    body += std::string("<form class=\"act\" method=\"post\" id=\"do-") + verb.name + "\" action=\"/concern/" +
            rec.id.Hex() + "/do/" + verb.name + "\">" + CsrfInput(v) + "<strong>" + Esc(Tr(verb.help)) +
            "</strong><label><span>" + Esc(Tr(verb.input)) + "</span><input type=\"text\" name=\"value\" value=\"" +
            typed(verb.name, "value") + "\" required></label>";
    if (std::string(verb.name) == "resolve") {
      body += "<label><span>" + Esc(Tr("When (DD/MM/YYYY; default today)")) +
              "</span><input type=\"text\" name=\"date\" size=\"12\" value=\"" + typed(verb.name, "date") +
              "\"></label>";
    }
    body += "<button type=\"submit\">" + Esc(Tr(verb.button)) + "</button></form>";
  }
  body += "<form class=\"act\" method=\"post\" id=\"do-followup\" action=\"/concern/" + rec.id.Hex() + "/followup\">" +
          CsrfInput(v) + "<strong>" + Esc(Tr("Add a follow-up entry to a concern (entries are never changed)")) +
          "</strong><label><span>" + Esc(Tr("What happened")) + "</span><textarea name=\"note\" required>" +
          typed("followup", "note") + "</textarea></label><label><span>" + Esc(Tr("When (DD/MM/YYYY; default today)")) +
          "</span><input type=\"text\" name=\"date\" size=\"12\" value=\"" + typed("followup", "date") +
          "\"></label><button type=\"submit\">" + Esc(Tr("Add")) + "</button></form>";
  if (Text(rec, "kind") == "denunciation" && IsOpen(rec)) {
    body += "<form class=\"act\" method=\"post\" id=\"do-extend\" action=\"/concern/" + rec.id.Hex() + "/extend\">" +
            CsrfInput(v) + "<strong>" +
            Esc(Tr("Extend a denunciation's deadline, at most twice by 30 days (hamlet settings), with the reason")) +
            "</strong><label><span>" + Esc(Tr("Why it needs longer")) +
            "</span><input type=\"text\" name=\"reason\" required value=\"" + typed("extend", "reason") +
            "\"></label><button type=\"submit\">" + Esc(Tr("Extend")) + "</button></form>";
  }
  body += "</div>";
  SendPage(res, v, "/inbox", Text(rec, "summary").empty() ? Tr("Concern") : Text(rec, "summary"), body, status);
}

// Commits b for an action on concern hex; on refusal shows the page again.
void Act(App& app, const httplib::Request& req, httplib::Response& res, const std::string& hex, const char* acted,
         const std::function<Status(const Record&, WriteBatch*)>& prepare) {
  Record rec;
  WriteBatch b;
  Status s = FindById(app, "concerns", hex, &rec);
  if (s.ok()) s = prepare(rec, &b);
  if (s.ok()) s = app.R().Commit(app.ws, b);
  if (!s.ok()) {
    ConcernPage(app, req, res, hex, "", s, acted, s.code() == Code::kInvalidArgument ? 400 : 409);
    return;
  }
  Redirect(res, "/concern/" + rec.id.Hex() + "?done=" + acted);
}

}  // namespace

void AddConcernPages(App& app) {
  httplib::Server& s = app.server;
  s.Get("/inbox", [&app](const httplib::Request& req, httplib::Response& res) { Inbox(app, req, res); });
  s.Get(R"(/concern/([0-9a-f]{32}))", [&app](const httplib::Request& req, httplib::Response& res) {
    std::string done = Param(req, "done");
    std::string notice = done.empty() ? "" : Tr("Saved.");
    ConcernPage(app, req, res, req.matches[1], notice, Status::OK(), "", 200);
  });
  Post(app, R"(/concern/([0-9a-f]{32})/do/(\w+))", [&app](const httplib::Request& req, httplib::Response& res) {
    const ConcernVerb* verb = FindConcernVerb(req.matches[2]);
    if (verb == nullptr) {
      res.status = 404;
      return;
    }
    Act(app, req, res, req.matches[1], verb->name, [&](const Record& rec, WriteBatch* b) {
      std::map<std::string, Value> fields;
      RecordChange changed;
      std::string value = Param(req, "value");
      Status st = value.empty() ? Status::InvalidArgument(Format(Tr("%s is empty"), Tr(verb->input)))
                                : ParseTyped(Concerns(), VerbFields(*verb, value, Param(req, "date")), &fields);
      if (st.ok()) st = PrepareChange(app.R(), app.ws, Concerns(), rec, std::move(fields), b, &changed);
      return st;
    });
  });
  Post(app, R"(/concern/([0-9a-f]{32})/followup)", [&app](const httplib::Request& req, httplib::Response& res) {
    Act(app, req, res, req.matches[1], "followup", [&](const Record& rec, WriteBatch* b) {
      return PrepareFollowup(rec, Param(req, "note"), Param(req, "date"), b);
    });
  });
  Post(app, R"(/concern/([0-9a-f]{32})/extend)", [&app](const httplib::Request& req, httplib::Response& res) {
    Act(app, req, res, req.matches[1], "extend", [&](const Record& rec, WriteBatch* b) {
      Settings settings;
      std::map<RecordId, std::vector<Extension>> extensions;
      Status st = LoadSettings(app.R(), app.ws, &settings);
      if (st.ok()) st = LoadExtensions(app.R(), app.ws, settings, &extensions, &rec.id);
      if (st.ok()) st = ExtendDeadline(settings, rec, extensions[rec.id], Param(req, "reason"), Today(), b);
      return st;
    });
  });
}

// Shown by the record pages after a concern is recorded: the receipt, whose
// code is never shown again.
std::string ReceiptBox(const office::NewRecord& added) {
  return "<div class=\"notice\" id=\"receipt\"><strong>" + Esc(Tr("Receipt for the resident:")) + "</strong><br>" +
         Esc(Tr("Ticket:")) + " <b>" + Esc(added.ticket) + "</b><br>" + Esc(Tr("Received:")) + " " +
         Esc(office::Show(added.fields.at("received"))) + "<br>" + Esc(Tr("Verification code:")) + " <b>" +
         Esc(added.code) + "</b></div>";
}

}  // namespace hamlet::ui
