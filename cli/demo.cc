// hamlet-demo: the engine's story in one run. An officer's laptop creates a
// commune workspace and admits a cadre's phone; both record offline; their
// commits travel as bundle files (as on an SD card); both converge.
//
// Usage: hamlet-demo [DIR]   (DIR defaults to a fresh temporary directory)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "hamlet.h"
#include "hamlet/env.h"
#include "hamlet/language.h"
#include "hamlet/replica.h"

using namespace hamlet;

namespace {

void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "hamlet-demo: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

void Check(const char* what, const Status& s) {
  if (!s.ok()) Die(what, s);
}

std::string Show(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? Tr("yes") : Tr("no");
  if (auto* t = std::get_if<Timestamp>(&v)) return "@" + std::to_string(t->millis);
  return "-";
}

void Print(const char* who, Replica& r, const WorkspaceId& ws) {
  std::fputs(Format(Tr("\n  %s holds:\n"), who).c_str(), stdout);
  for (const char* coll : {"dialogues", "concerns"}) {
    Query q;
    q.workspace = ws;
    q.collection = coll;
    q.order_by = "summary";
    QueryResult res;
    Check("query", r.Find(q, &res));
    for (const Record& rec : res.records) {
      std::printf("    %-9s %s", coll, rec.id.Hex().substr(0, 8).c_str());
      for (const auto& [name, value] : rec.fields) std::printf("  %s=%s", name.c_str(), Show(value).c_str());
      for (const auto& [name, others] : rec.conflicts) {
        std::fputs(Format(Tr("  [conflict on %s, also: %s]"), name.c_str(), Show(others.front()).c_str()).c_str(), stdout);
      }
      std::printf("\n");
    }
  }
}

// Writes what `to` lacks from `from` into a bundle file, then imports it.
void CarryBundle(Replica& from, Replica& to, const WorkspaceId& ws, const std::string& path, const char* label) {
  std::string cursor;
  Check("cursor", to.Cursor(ws, &cursor));
  ExportResult ex;
  Check("export", from.Export(ws, cursor, 64 << 20, &ex));
  Check("write bundle", Env::Default()->WriteFileAtomic(path, ex.chunk));
  std::string bytes;
  Check("read bundle", Env::Default()->ReadFile(path, &bytes));
  ImportResult im;
  Check("import", to.Import(bytes, &im));
  std::fputs(Format(Tr("  %s: bundle %s, %zu bytes, %zu commits, %zu new\n"), label,
                    std::filesystem::path(path).filename().c_str(), bytes.size(), ex.commits, im.applied)
                 .c_str(),
             stdout);
}

}  // namespace

int main(int argc, char** argv) {
  SetUpLanguage();
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
    std::filesystem::create_directories(dir);
  } else {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hamlet-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return 1;
    dir = tmpl;
  }
  std::fputs(Format(Tr("Hamlet %s engine demo, files in %s\n\n"), hamlet_version(), dir.c_str()).c_str(), stdout);

  OpenOptions opt;
  std::unique_ptr<Replica> officer, cadre;
  Check("open officer", Replica::OpenWithPassphrase(dir + "/officer.db", "mật khẩu văn phòng", opt, &officer));
  Check("open cadre", Replica::OpenWithPassphrase(dir + "/cadre.db", "mật khẩu điện thoại", opt, &cadre));
  WorkspaceId ws;
  Check("create workspace", officer->CreateWorkspace(&ws));
  std::fputs(Format(Tr("1. The officer's laptop creates the commune workspace %s.\n"), ws.Hex().substr(0, 8).c_str()).c_str(),
             stdout);
  std::string request, envelope;
  Check("join request", cadre->JoinRequest(&request));
  Check("admit", officer->Admit(ws, request, Role::kCadre, &envelope));
  WorkspaceId joined;
  Check("accept", cadre->Accept(envelope, officer->device_id(), &joined));
  std::fputs(Format(Tr("2. The cadre's phone joins (request %zu bytes, envelope %zu bytes).\n"), request.size(),
                    envelope.size())
                 .c_str(),
             stdout);

  std::fputs(Tr("3. No network. Both record offline.\n"), stdout);
  WriteBatch w1;
  RecordId dialogue = w1.Insert("dialogues", {{"summary", std::string("Đối thoại với dân thôn Bản Mường")},
                                              {"hamlet", std::string("Bản Mường")},
                                              {"attendees", int64_t{46}}});
  RecordId land = w1.Insert("concerns", {{"summary", std::string("Tranh chấp đất đai giữa hai hộ")},
                                         {"kind", std::string("complaint")},
                                         {"hamlet", std::string("Bản Mường")},
                                         {"status", std::string("received")}});
  Check("cadre commit", cadre->Commit(ws, w1));
  WriteBatch w2;
  w2.Insert("concerns", {{"summary", std::string("Đèn đường thôn 2 hỏng")},
                         {"kind", std::string("request")},
                         {"hamlet", std::string("Thôn 2")},
                         {"status", std::string("received")}});
  Check("officer commit", officer->Commit(ws, w2));
  (void)dialogue;

  std::fputs(Tr("4. Bundles travel by SD card, both ways.\n"), stdout);
  CarryBundle(*cadre, *officer, ws, dir + "/cadre-to-office.bundle", Tr("phone -> office"));
  CarryBundle(*officer, *cadre, ws, dir + "/office-to-cadre.bundle", Tr("office -> phone"));

  std::fputs(Tr("5. Offline again, both change the land complaint's status.\n"), stdout);
  WriteBatch e1, e2;
  e1.Update(land, {{"status", std::string("in progress")}, {"assigned_to", std::string("Cán bộ địa chính")}});
  e2.Update(land, {{"status", std::string("transferred")}});
  Check("officer edit", officer->Commit(ws, e1));
  Check("cadre edit", cadre->Commit(ws, e2));
  CarryBundle(*cadre, *officer, ws, dir + "/cadre-to-office-2.bundle", Tr("phone -> office"));
  CarryBundle(*officer, *cadre, ws, dir + "/office-to-cadre-2.bundle", Tr("office -> phone"));
  Print(Tr("the officer's laptop"), *officer, ws);
  Print(Tr("the cadre's phone"), *cadre, ws);

  std::string d1, d2;
  Check("digest", officer->StateDigest(ws, &d1));
  Check("digest", cadre->StateDigest(ws, &d2));
  std::fputs(Format(Tr("\n6. State digests: office %s, phone %s: %s\n"), d1.substr(0, 16).c_str(),
                    d2.substr(0, 16).c_str(), d1 == d2 ? Tr("converged") : Tr("DIFFERENT"))
                 .c_str(),
             stdout);

  Query q;
  q.collection = "concerns";
  q.text = "dat dai";
  QueryResult res;
  Check("search", cadre->Find(q, &res));
  std::fputs(Format(TrN("7. Searching \"dat dai\" (no diacritics typed) on the phone finds %zu concern: %s\n",
                        "7. Searching \"dat dai\" (no diacritics typed) on the phone finds %zu concerns: %s\n",
                        res.total),
                    res.total, res.total ? Show(res.records[0].fields["summary"]).c_str() : "")
                 .c_str(),
             stdout);
  std::unique_ptr<Replica> thief;
  Status s = Replica::OpenWithPassphrase(dir + "/cadre.db", "đoán thử", opt, &thief);
  std::fputs(Format(Tr("8. A lost phone opened with a guessed passphrase: %s\n"), s.ToString().c_str()).c_str(), stdout);
  return d1 == d2 && res.total == 1 && s.code() == Code::kPermissionDenied ? 0 : 1;
}
