// Attachments in the web app: the list on a record's page (photos shown,
// other files offered for download), a file added from the browser, and
// one served, fetched from the hub first when this device lacks it.
#include "app.h"
#include "hamlet/language.h"
#include "office/attachments.h"
#include "office/sync_round.h"

namespace hamlet::ui {

namespace {

using namespace hamlet::office;  // NOLINT(build/namespaces)

// A header value's filename*, percent-encoded UTF-8 (RFC 6266, 8187).
std::string DispositionName(const std::string& name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : SafeFileName(name)) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Status FindReference(App& app, const std::string& hex, Attachment* out) {
  auto id = RecordId::FromHex(hex);
  Status s = id ? app.R().GetAttachment(*id, out) : Status::NotFound(Tr("no such record"));
  if (s.code() == Code::kInvalidArgument || (s.ok() && (out->workspace != app.ws || out->deleted))) {
    s = Status::NotFound(Tr("no such attachment"));
  }
  return s;
}

// Serves an attachment's bytes; fetches them from the hub first (the
// officer opened it) when this device lacks them.
void Serve(App& app, const httplib::Request& req, httplib::Response& res, const std::string& hex) {
  Viewer v = app.ViewerFor(req);
  Attachment a;
  Status s = FindReference(app, hex, &a);
  if (s.ok() && !a.held) {
    std::string hub;
    s = app.options.pick_hub(app.R(), app.ws, &hub);
    if (s.ok()) {
      SyncOptions options = app.options.sync;
      options.hub = hub;
      HubClient client(app.replica.get(), options);
      s = client.FetchAttachment(app.ws, a.reference);
    }
  }
  std::string bytes;
  if (s.ok()) s = app.R().ReadAttachment(a.reference, &bytes);
  if (!s.ok()) {
    int status = s.code() == Code::kNotFound           ? 404
                 : s.code() == Code::kPermissionDenied ? 403
                 : s.Retryable()                       ? 503
                                                       : 502;
    SendPage(res, v, "/inbox", Tr("Attachment"), ErrorBox(s), status);
    return;
  }
  // Only the image types a browser draws safely are shown in the page;
  // anything else (a page, a script, an SVG) only ever downloads.
  bool inline_image = IsImageType(a.type) && Param(req, "download").empty();
  res.set_header("Content-Disposition",
                 std::string(inline_image ? "inline" : "attachment") + "; filename*=UTF-8''" + DispositionName(a.name));
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::move(bytes), inline_image ? a.type : "application/octet-stream");
}

void Upload(App& app, const httplib::Request& req, httplib::Response& res, const std::string& collection,
            const std::string& hex, const std::string& back) {
  Record rec;
  Status s = FindById(app, collection, hex, &rec);
  if (s.ok() && !req.has_file("file")) s = Status::InvalidArgument(Tr("choose a file to attach"));
  if (s.ok()) {
    const httplib::MultipartFormData& f = req.get_file_value("file");
    if (f.filename.empty()) {
      s = Status::InvalidArgument(Tr("choose a file to attach"));
    } else {
      std::string name = SafeFileName(f.filename);
      s = app.R().Attach(app.ws, rec.id, f.content, name, MediaTypeFor(name));
    }
  }
  if (!s.ok()) {
    Viewer v = app.ViewerFor(req);
    SendPage(res, v, "/inbox", Tr("Attachment"),
             ErrorBox(s) + "<p><a href=\"" + Esc(back) + "\">" + Esc(Tr("Back")) + "</a></p>",
             s.code() == Code::kInvalidArgument || s.code() == Code::kOutOfRange ? 400 : 409);
    return;
  }
  Redirect(res, back + "?done=attach");
}

}  // namespace

std::string AttachmentsSection(App& app, const Viewer& v, const Record& rec, const std::string& upload_action) {
  std::vector<Attachment> list;
  Status s = app.R().Attachments(app.ws, &rec.id, &list);
  std::string body = "<h2>" + Esc(Tr("Attachments")) + "</h2>";
  if (!s.ok()) body += ErrorBox(s);
  body += "<ul id=\"attachments\">";
  for (const Attachment& a : list) {
    const std::string url = "/attachment/" + a.reference.Hex();
    body += "<li data-id=\"" + a.reference.Hex() + "\">";
    // A denunciation's file this device may not open shows as sealed.
    const bool readable = !a.confidential || !a.name.empty();
    if (a.held && readable && IsImageType(a.type)) {
      body +=
          "<a href=\"" + url + "\"><img class=\"attached\" src=\"" + url + "\" alt=\"" + Esc(a.name) + "\"></a><br>";
    }
    body += "<a href=\"" + url + "?download=1\">" + Esc(AttachmentName(a)) + "</a> (" + Esc(ByteSize(a.size)) + ", " +
            Esc(AttachmentStateText(a)) + ")";
    if (!a.held) body += " <a class=\"fetch\" href=\"" + url + "\">" + Esc(Tr("Open (fetched from the hub)")) + "</a>";
    body += "</li>";
  }
  if (list.empty()) body += "<li>" + Esc(Tr("No attachments.")) + "</li>";
  body += "</ul>";
  body += "<form class=\"act\" method=\"post\" enctype=\"multipart/form-data\" id=\"attach\" action=\"" +
          Esc(upload_action) + "\">" + CsrfInput(v) + "<strong>" +
          Esc(Tr("Attach a file (a photo of a letter, a signed record), sealed on this device")) +
          "</strong><label><span>" + Esc(Tr("The file to attach")) +
          "</span><input type=\"file\" name=\"file\" required></label><button type=\"submit\">" + Esc(Tr("Attach")) +
          "</button></form>";
  return body;
}

void AddAttachmentPages(App& app) {
  httplib::Server& s = app.server;
  s.Get(R"(/attachment/([0-9a-f]{32}))",
        [&app](const httplib::Request& req, httplib::Response& res) { Serve(app, req, res, req.matches[1]); });
  Post(app, R"(/concern/([0-9a-f]{32})/attach)", [&app](const httplib::Request& req, httplib::Response& res) {
    const std::string hex = req.matches[1];
    Upload(app, req, res, "concerns", hex, "/concern/" + hex);
  });
}

}  // namespace hamlet::ui
