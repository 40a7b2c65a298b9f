// Lists, and forms to add and edit, of every kind of record (dialogues,
// models, concerns), built from the record kinds of office/record_kinds.h:
// the same fields, defaults and checks as the command line's.
#include "app.h"
#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "office/categories.h"
#include "office/record_writes.h"

namespace hamlet::ui {

std::string ReceiptBox(const office::NewRecord& added);

namespace {

using namespace hamlet::office;  // NOLINT(build/namespaces)

constexpr size_t kPerPage = 25;

// The categories a form offers: the current ones, and on an edit also the
// retired one the record already has.
std::vector<std::string> CategoryChoices(App& app, const Record* rec) {
  CategoryList list;
  if (!Categories(app.R(), app.ws, &list).ok()) return {};
  std::vector<std::string> out = list.current;
  if (rec != nullptr) {
    auto it = rec->fields.find("category");
    if (it != rec->fields.end() && std::find(out.begin(), out.end(), Show(it->second)) == out.end()) {
      out.push_back(Show(it->second));
    }
  }
  return out;
}

std::string Form(App& app, const Viewer& v, const RecordSpec& spec, const std::string& action, const Typed& typed,
                 const Record* rec) {
  std::vector<std::string> categories = CategoryChoices(app, rec);
  std::string body =
      "<form class=\"record\" method=\"post\" id=\"record\" action=\"" + Esc(action) + "\">" + CsrfInput(v);
  for (const FieldSpec& f : spec.fields) {
    if (f.automatic) continue;
    auto it = typed.find(f.name);
    body += FieldInput(f, it == typed.end() ? "" : it->second, categories, rec == nullptr);
  }
  return body + "<button type=\"submit\" id=\"save\">" + Esc(Tr("Save")) + "</button></form>";
}

// What a form holds as typed: every field it has, in the record's words.
Typed FormTyped(const RecordSpec& spec, const httplib::Request& req) {
  Typed typed;
  for (const FieldSpec& f : spec.fields) {
    if (!f.automatic && req.has_param(f.name)) typed[f.name] = req.get_param_value(f.name);
  }
  return typed;
}

// The typed values of a record as read, sealed values opened where they can be.
Typed RecordTyped(App& app, const RecordSpec& spec, Record rec) {
  std::vector<std::string> unreadable;
  OpenSealedFields(app.R(), app.ws, &rec, &unreadable);
  Typed typed;
  for (const FieldSpec& f : spec.fields) typed[f.name] = TypedValue(f, rec);
  return typed;
}

void List(App& app, const RecordSpec& spec, const httplib::Request& req, httplib::Response& res) {
  Viewer v = app.ViewerFor(req);
  std::string text = Param(req, "q");
  size_t page = 1;
  try {
    page = std::max<size_t>(1, std::stoul(Param(req, "page").empty() ? "1" : Param(req, "page")));
  } catch (...) {
  }
  Query q;
  q.workspace = app.ws;
  q.collection = spec.collection;
  q.text = text;
  q.limit = kPerPage;
  q.offset = (page - 1) * kPerPage;
  QueryResult found;
  Status s = app.R().Find(q, &found);
  std::string body;
  if (!Param(req, "done").empty()) body += NoticeBox(Tr("Saved."));
  if (!s.ok()) body += ErrorBox(s);
  body += "<form class=\"filters\" method=\"get\"><label>" + Esc(Tr("Search (accents optional)")) +
          "<input type=\"search\" name=\"q\" value=\"" + Esc(text) + "\"></label><button type=\"submit\">" +
          Esc(Tr("Find")) + "</button> <a href=\"/records/" + spec.collection + "/new\" id=\"add\">" +
          Esc(Format(Tr("Record a %s"), Tr(spec.noun))) + "</a></form>";
  body += "<table id=\"records\"><thead><tr>";
  for (const FieldSpec& f : spec.fields) {
    if (f.listed) body += "<th>" + Esc(Tr(f.label)) + "</th>";
  }
  body += "<th></th></tr></thead><tbody>";
  for (const Record& r : found.records) {
    body += "<tr data-id=\"" + r.id.Hex() + "\">";
    for (const FieldSpec& f : spec.fields) {
      if (!f.listed) continue;
      auto it = r.fields.find(f.name);
      body += "<td>" + Esc(it == r.fields.end() ? "" : ClipCharacters(ShowField(f, it->second), 60)) + "</td>";
    }
    body += "<td><a href=\"/records/" + spec.collection + "/" + r.id.Hex() + "/edit\">" + Esc(Tr("Edit")) +
            "</a></td></tr>";
  }
  body += "</tbody></table><p class=\"pages\">" +
          Esc(Format(Tr("%zu of %zu %s."), found.records.size(), static_cast<size_t>(found.total), Tr(spec.plural)));
  size_t pages = (found.total + kPerPage - 1) / kPerPage;
  for (size_t p = 1; pages > 1 && p <= pages; p++) {
    body += p == page ? " <span>" + std::to_string(p) + "</span>"
                      : " <a href=\"/records/" + spec.collection + "?q=" + Esc(UrlParam(text)) +
                            "&amp;page=" + std::to_string(p) + "\">" + std::to_string(p) + "</a>";
  }
  body += "</p>";
  std::string title = Tr(spec.plural);
  size_t first = 1;  // The first character's bytes.
  while (first < title.size() && (static_cast<unsigned char>(title[first]) & 0xC0) == 0x80) first++;
  SendPage(res, v, "/records/" + spec.collection, UpperCase(title.substr(0, first)) + title.substr(first), body);
}

std::string Title(const RecordSpec& spec, bool add) {
  return add ? Format(Tr("Record a %s"), Tr(spec.noun)) : Format(Tr("Change fields of a %s"), Tr(spec.noun));
}

std::string Section(const RecordSpec& spec) {
  return spec.collection == "concerns" ? "/inbox" : "/records/" + spec.collection;
}

void Create(App& app, const RecordSpec& spec, const httplib::Request& req, httplib::Response& res) {
  Viewer v = app.ViewerFor(req);
  Typed typed = FormTyped(spec, req);
  Typed given;
  for (const auto& [name, value] : typed) {
    if (!value.empty()) given[name] = value;  // An empty input is a field not given.
  }
  std::map<std::string, Value> fields;
  WriteBatch b;
  NewRecord added;
  Status s = ParseTyped(spec, given, &fields);
  if (s.ok()) s = PrepareNewRecord(app.R(), app.ws, spec, std::move(fields), &b, &added);
  if (s.ok()) s = app.R().Commit(app.ws, b);
  if (!s.ok()) {
    SendPage(res, v, Section(spec), Title(spec, true),
             ErrorBox(s) + Form(app, v, spec, "/records/" + spec.collection + "/new", typed, nullptr),
             s.code() == Code::kInvalidArgument ? 400 : 409);
    return;
  }
  if (spec.collection != "concerns") {
    Redirect(res, "/records/" + spec.collection + "?done=1");
    return;
  }
  // The receipt's code is shown this once: it is never stored.
  std::string body = NoticeBox(Format(Tr("Recorded %s %s."), Tr(spec.noun), added.id.Hex().c_str()));
  if (added.n_sealed) {
    body +=
        NoticeBox(Tr("The reporter's details are sealed to the officers: from now on only their devices can read "
                     "them."));
  }
  body +=
      ReceiptBox(added) + "<p><a href=\"/concern/" + added.id.Hex() + "\">" + Esc(Tr("Open the concern")) + "</a></p>";
  SendPage(res, v, "/inbox", Title(spec, true), body);
}

void Edit(App& app, const RecordSpec& spec, const httplib::Request& req, httplib::Response& res, bool save) {
  Viewer v = app.ViewerFor(req);
  Record rec;
  Status s = FindById(app, spec.collection, req.matches[2], &rec);
  if (!s.ok()) {
    SendPage(res, v, Section(spec), Title(spec, false), ErrorBox(s), 404);
    return;
  }
  std::string action = "/records/" + spec.collection + "/" + rec.id.Hex() + "/edit";
  Typed before = RecordTyped(app, spec, rec);
  if (!save) {
    SendPage(res, v, Section(spec), Title(spec, false), Form(app, v, spec, action, before, &rec));
    return;
  }
  // Only what was changed is written: a field left as it was stays out of
  // the write (and out of any conflict).
  Typed typed = FormTyped(spec, req), changed;
  std::map<std::string, Value> fields;
  for (const auto& [name, value] : typed) {
    if (value != before[name]) changed[name] = value;
  }
  for (auto it = changed.begin(); s.ok() && it != changed.end();) {
    const FieldSpec* f = FindField(spec, it->first);  // Typed holds the spec's fields only.
    if (it->second.empty()) {
      s = f->required ? Status::InvalidArgument(Format(Tr("%s is required"), Tr(f->label))) : Status::OK();
      fields[it->first] = std::monostate{};  // Cleared.
      it = changed.erase(it);
    } else {
      ++it;
    }
  }
  std::map<std::string, Value> parsed;
  if (s.ok()) s = ParseTyped(spec, changed, &parsed);
  fields.insert(parsed.begin(), parsed.end());
  WriteBatch b;
  RecordChange result;
  if (s.ok()) s = PrepareChange(app.R(), app.ws, spec, rec, std::move(fields), &b, &result);
  if (s.ok()) s = app.R().Commit(app.ws, b);
  if (!s.ok()) {
    SendPage(res, v, Section(spec), Title(spec, false), ErrorBox(s) + Form(app, v, spec, action, typed, &rec),
             s.code() == Code::kInvalidArgument ? 400 : 409);
    return;
  }
  Redirect(res, spec.collection == "concerns" ? "/concern/" + rec.id.Hex() + "?done=edit"
                                              : "/records/" + spec.collection + "?done=1");
}

}  // namespace

void AddRecordPages(App& app) {
  httplib::Server& s = app.server;
  auto spec_of = [](const httplib::Request& req) { return SpecFor(req.matches[1]); };
  s.Get(R"(/records/(\w+))", [&app, spec_of](const httplib::Request& req, httplib::Response& res) {
    const RecordSpec* spec = spec_of(req);
    if (spec == nullptr) return void(res.status = 404);
    if (spec->collection == "concerns") return Redirect(res, "/inbox");
    List(app, *spec, req, res);
  });
  s.Get(R"(/records/(\w+)/new)", [&app, spec_of](const httplib::Request& req, httplib::Response& res) {
    const RecordSpec* spec = spec_of(req);
    if (spec == nullptr) return void(res.status = 404);
    Viewer v = app.ViewerFor(req);
    SendPage(res, v, Section(*spec), Title(*spec, true),
             Form(app, v, *spec, "/records/" + spec->collection + "/new", {}, nullptr));
  });
  Post(app, R"(/records/(\w+)/new)", [&app, spec_of](const httplib::Request& req, httplib::Response& res) {
    const RecordSpec* spec = spec_of(req);
    if (spec == nullptr) return void(res.status = 404);
    Create(app, *spec, req, res);
  });
  s.Get(R"(/records/(\w+)/([0-9a-f]{32})/edit)", [&app, spec_of](const httplib::Request& req, httplib::Response& res) {
    const RecordSpec* spec = spec_of(req);
    if (spec == nullptr) return void(res.status = 404);
    Edit(app, *spec, req, res, false);
  });
  Post(app, R"(/records/(\w+)/([0-9a-f]{32})/edit)",
       [&app, spec_of](const httplib::Request& req, httplib::Response& res) {
         const RecordSpec* spec = spec_of(req);
         if (spec == nullptr) return void(res.status = 404);
         Edit(app, *spec, req, res, true);
       });
}

}  // namespace hamlet::ui
