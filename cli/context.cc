#include "context.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace hamlet::cli {

namespace {

// The passphrase: from a file (first line), HAMLET_PASSPHRASE, or typed at
// the terminal without echo.
Status ReadPassphrase(const std::string& file, std::string* out) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::NotFound("cannot read the passphrase file " + file);
    std::getline(in, *out);
    if (!out->empty() && out->back() == '\r') out->pop_back();
    return Status::OK();
  }
  if (const char* env = std::getenv("HAMLET_PASSPHRASE")) {
    *out = env;
    return Status::OK();
  }
  if (!isatty(STDIN_FILENO)) {
    return Status::InvalidArgument("no passphrase: set HAMLET_PASSPHRASE, use --passphrase-file, or run in a terminal");
  }
  std::fprintf(stderr, "Passphrase: ");
  std::fflush(stderr);
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::getline(std::cin, *out);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fprintf(stderr, "\n");
  return Status::OK();
}

}  // namespace

int Report(const std::string& what, const Status& s) {
  std::fprintf(stderr, "hamlet: %s: %s\n", what.c_str(), s.message().empty() ? Status::CodeName(s.code()) : s.message().c_str());
  return s.Retryable() ? kExitRetry : kExitError;
}

int Context::OpenReplica(std::unique_ptr<Replica>* out) const {
  if (db.empty()) {
    std::fprintf(stderr, "hamlet: no replica: give --db PATH or set HAMLET_DB\n");
    return kExitUsage;
  }
  std::string passphrase;
  Status s = ReadPassphrase(passphrase_file, &passphrase);
  if (!s.ok()) return Report("cannot unlock " + db, s);
  OpenOptions options;
  options.create_if_missing = false;
  s = Replica::OpenWithPassphrase(db, passphrase, options, out);
  if (s.code() == Code::kNotFound) {
    std::fprintf(stderr, "hamlet: there is no replica at %s\n", db.c_str());
    return kExitError;
  }
  if (s.code() == Code::kPermissionDenied) {
    std::fprintf(stderr, "hamlet: wrong passphrase for %s\n", db.c_str());
    return kExitError;
  }
  if (!s.ok()) return Report("cannot open " + db, s);
  return kExitOk;
}

}  // namespace hamlet::cli
