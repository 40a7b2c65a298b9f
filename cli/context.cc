#include "context.h"

#include <sodium.h>

#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "hamlet/language.h"
#include "office/record_kinds.h"

namespace hamlet::cli {

namespace {

std::string Prompt(const char* question) {
  std::fprintf(stderr, "%s", question);
  std::fflush(stderr);
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fprintf(stderr, "\n");
  return line;
}

// The passphrase: from a file (first line), HAMLET_PASSPHRASE, or typed at
// the terminal without echo (twice when confirm is set).
Status ReadPassphrase(const std::string& file, bool confirm, std::string* out) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::NotFound(Format(Tr("cannot read the passphrase file %s"), file.c_str()));
    std::getline(in, *out);
    if (!out->empty() && out->back() == '\r') out->pop_back();
    return Status::OK();
  }
  if (const char* env = std::getenv("HAMLET_PASSPHRASE")) {
    *out = env;
    return Status::OK();
  }
  if (!isatty(STDIN_FILENO)) {
    return Status::InvalidArgument(Tr("no passphrase: set HAMLET_PASSPHRASE, use --passphrase-file, or run in a terminal"));
  }
  *out = Prompt(confirm ? Tr("New passphrase: ") : Tr("Passphrase: "));
  if (confirm && Prompt(Tr("The same again: ")) != *out) return Status::InvalidArgument(Tr("the two passphrases differ"));
  return Status::OK();
}

}  // namespace

int Open(const Context& c, const std::string& what, Opened* o) {
  if (int rc = c.OpenReplica(&o->replica); rc != kExitOk) return rc;
  Status s = c.PickWorkspace(*o->replica, &o->ws);
  return s.ok() ? kExitOk : Refuse(what, s);
}

Status FindDevice(Replica& r, const WorkspaceId& ws, const std::string& prefix, DeviceId* out) {
  std::vector<DeviceStatus> devices;
  HAMLET_RETURN_IF_ERROR(r.Devices(ws, &devices));
  std::string lower = prefix;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::vector<DeviceId> matches;
  for (const DeviceStatus& d : devices) {
    if (d.device.Hex().rfind(lower, 0) == 0) matches.push_back(d.device);
  }
  if (prefix.size() < 4) return Status::InvalidArgument(Tr("give at least 4 digits of the device id"));
  if (matches.empty()) return Status::InvalidArgument(Format(Tr("no device of this workspace starts with '%s'"), prefix.c_str()));
  if (matches.size() > 1) return Status::InvalidArgument(Format(Tr("'%s' names several devices: give more digits"), prefix.c_str()));
  *out = matches[0];
  return Status::OK();
}

void Say(const std::string& line) { std::printf("%s\n", line.c_str()); }

void Complain(const std::string& line) { std::fprintf(stderr, "hamlet: %s\n", line.c_str()); }

int Report(const std::string& what, const Status& s) {
  std::fprintf(stderr, "hamlet: %s: %s\n", what.c_str(), s.message().empty() ? Status::CodeName(s.code()) : s.message().c_str());
  return s.Retryable() ? kExitRetry : kExitError;
}

int Refuse(const std::string& what, const Status& s) {
  int rc = Report(what, s);
  return s.code() == Code::kInvalidArgument ? kExitUsage : rc;
}

void PrintWarnings(Replica& r, const WorkspaceId& ws) {
  std::vector<Warning> warnings;
  if (!r.Warnings(ws, &warnings).ok()) return;
  for (const Warning& w : warnings) std::fprintf(stderr, "hamlet: %s\n", Format(Tr("warning: %s"), w.message.c_str()).c_str());
}

Status WriteWithWarnings(Replica& r, const WorkspaceId& ws, const WriteBatch& b) {
  PrintWarnings(r, ws);
  return r.Commit(ws, b);
}

int Context::OpenReplica(std::unique_ptr<Replica>* out) const {
  if (db.empty()) {
    std::fprintf(stderr, "hamlet: %s\n", Tr("no replica: give --db PATH or set HAMLET_DB"));
    return kExitUsage;
  }
  std::string passphrase;
  Status s = ReadPassphrase(passphrase_file, false, &passphrase);
  if (!s.ok()) return Report(Format(Tr("cannot unlock %s"), db.c_str()), s);
  OpenOptions options;
  options.create_if_missing = false;
  s = Replica::OpenWithPassphrase(db, passphrase, options, out);
  if (s.code() == Code::kNotFound) {
    std::fprintf(stderr, "hamlet: %s\n", Format(Tr("there is no replica at %s"), db.c_str()).c_str());
    return kExitError;
  }
  if (s.code() == Code::kPermissionDenied) {
    std::fprintf(stderr, "hamlet: %s\n", Format(Tr("wrong passphrase for %s"), db.c_str()).c_str());
    return kExitError;
  }
  if (!s.ok()) return Report(Format(Tr("cannot open %s"), db.c_str()), s);
  s = DeclareIndexes(**out);
  if (!s.ok()) {
    out->reset();
    return Report(Format(Tr("cannot open %s"), db.c_str()), s);
  }
  // How long the admin may be silent before writing warns of it.
  if (const char* days = std::getenv("HAMLET_STATEMENT_MAX_DAYS")) {
    char* end = nullptr;
    long n = std::strtol(days, &end, 10);
    if (end == days || *end != '\0' || n < 1 || n > 3650) {
      std::fprintf(stderr, "hamlet: %s\n",
                   Format(Tr("HAMLET_STATEMENT_MAX_DAYS takes a number of days from 1 to 3650, not '%s'"), days).c_str());
      out->reset();
      return kExitUsage;
    }
    (*out)->SetStatementMaxAge(n * 24 * 3600 * 1000LL);
  }
  return kExitOk;
}

int Context::CreateReplica(const std::string& kdf, std::unique_ptr<Replica>* out) const {
  if (db.empty()) {
    std::fprintf(stderr, "hamlet: %s\n", Tr("where? give --db PATH or set HAMLET_DB"));
    return kExitUsage;
  }
  if (std::ifstream(db).good()) {
    std::fprintf(stderr, "hamlet: %s\n", Format(Tr("there is already a file at %s; nothing was changed"), db.c_str()).c_str());
    return kExitError;
  }
  std::string passphrase;
  Status s = ReadPassphrase(passphrase_file, true, &passphrase);
  if (s.ok() && passphrase.empty()) s = Status::InvalidArgument(Tr("the passphrase is empty"));
  if (!s.ok()) return Report(Format(Tr("cannot create %s"), db.c_str()), s);
  OpenOptions options;
  if (kdf == "interactive") {
    options.pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    options.pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  } else if (kdf == "sensitive") {
    options.pwhash_opslimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
    options.pwhash_memlimit = crypto_pwhash_MEMLIMIT_SENSITIVE;
  }
  s = Replica::OpenWithPassphrase(db, passphrase, options, out);
  if (!s.ok()) return Refuse(Format(Tr("cannot create %s"), db.c_str()), s);
  s = DeclareIndexes(**out);
  if (!s.ok()) {
    out->reset();
    return Report(Format(Tr("cannot create %s"), db.c_str()), s);
  }
  return kExitOk;
}

Status Context::PickWorkspace(Replica& r, WorkspaceId* ws) const {
  if (!workspace.empty()) {
    auto id = WorkspaceId::FromHex(workspace);
    if (!id) return Status::InvalidArgument(Format(Tr("--workspace takes 32 hex digits, got '%s'"), workspace.c_str()));
    *ws = *id;
    return Status::OK();
  }
  std::string saved;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(r.LocalSetting(kDefaultWorkspaceSetting, &saved, &found));
  if (found) {
    if (auto id = WorkspaceId::FromHex(saved)) {
      *ws = *id;
      return Status::OK();
    }
  }
  std::vector<WorkspaceId> all;
  HAMLET_RETURN_IF_ERROR(r.Workspaces(&all));
  if (all.empty()) {
    return Status::FailedPrecondition(Tr("this replica belongs to no workspace yet: hamlet workspace create, or hamlet join"));
  }
  if (all.size() > 1) return Status::InvalidArgument(Tr("this replica holds several workspaces: choose one with --workspace"));
  *ws = all[0];
  return Status::OK();
}

Status Context::PickHub(Replica& r, const WorkspaceId& ws, const std::string& given, std::string* hub) const {
  *hub = given;
  if (hub->empty()) {
    bool found = false;
    HAMLET_RETURN_IF_ERROR(r.LocalSetting(HubSetting(ws), hub, &found));
    if (!found) return Status::InvalidArgument(Tr("which hub? give --hub URL or set HAMLET_HUB"));
  }
  if (hub->rfind("http://", 0) != 0 && hub->rfind("https://", 0) != 0) {
    return Status::InvalidArgument(Format(Tr("a hub is http://HOST:PORT or https://HOST:PORT, not '%s'"), hub->c_str()));
  }
  return Status::OK();
}

}  // namespace hamlet::cli
