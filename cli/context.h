// What every hamlet command shares: which replica, how to unlock it, and how
// to report a failure (one line on stderr, an exit status that says whether
// trying again can help).
#ifndef HAMLET_CLI_CONTEXT_H_
#define HAMLET_CLI_CONTEXT_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "hamlet/replica.h"
#include "office/workspace.h"

namespace hamlet::cli {

// The command line is built on the office layer (office/): its names are
// used here unqualified.
using namespace hamlet::office;  // NOLINT(build/namespaces)

// Exit statuses. kExitRetry (EX_TEMPFAIL) tells scripts that the same command
// may succeed later: the link was down or the hub busy.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRetry = 75;

struct Context {
  std::string db;               // --db or HAMLET_DB.
  std::string passphrase_file;  // --passphrase-file; else HAMLET_PASSPHRASE; else a prompt.
  std::string workspace;        // --workspace; else the replica's default.

  // Opens the existing replica at db. On failure prints why and returns the
  // exit status to end with; on success returns kExitOk.
  int OpenReplica(std::unique_ptr<Replica>* out) const;
  // Creates a new replica at db; a passphrase typed at the terminal is asked
  // twice. Refuses to touch an existing file.
  // kdf: "moderate" (desktops, the default), "interactive" (phones, slow
  // machines) or "sensitive": libsodium's Argon2id limits of that name.
  int CreateReplica(const std::string& kdf, std::unique_ptr<Replica>* out) const;

  // The workspace a command acts on: --workspace, else the replica's default
  // (set by workspace create and join), else its only workspace.
  Status PickWorkspace(Replica& r, WorkspaceId* ws) const;
  // The hub for ws: given (a --hub option or HAMLET_HUB), else the one saved
  // when the workspace was published or joined.
  Status PickHub(Replica& r, const WorkspaceId& ws, const std::string& given, std::string* hub) const;
};

// Prints to stderr, one line each, what the replica warns of for ws
// (Replica::Warnings: the admin silent for long, a key or revocation kept
// back, a hub that withholds). Says nothing when all is well.
void PrintWarnings(Replica& r, const WorkspaceId& ws);
// Commits b to ws after printing the warnings: what a cadre records is kept
// either way, but the cadre should know before writing.
Status WriteWithWarnings(Replica& r, const WorkspaceId& ws, const WriteBatch& b);

// An open replica and the workspace a command acts on.
struct Opened {
  std::unique_ptr<Replica> replica;
  WorkspaceId ws;
};
// Opens both; on failure has said why and returns the exit status.
int Open(const Context& c, const std::string& what, Opened* o);
// The device of ws whose id starts with prefix (at least 4 hex digits);
// InvalidArgument when none or several do.
Status FindDevice(Replica& r, const WorkspaceId& ws, const std::string& prefix, DeviceId* out);

// Prints line and a newline on stdout.
void Say(const std::string& line);
// Prints "hamlet: ", line and a newline on stderr.
void Complain(const std::string& line);

// Prints "hamlet: what: message" on stderr and returns the exit status for s.
int Report(const std::string& what, const Status& s);
// The same, but a bad argument (InvalidArgument) is a usage error: exit 2.
int Refuse(const std::string& what, const Status& s);

// Makes cmd run fn once parsed; a non-zero result becomes the exit status
// (the command has already said why).
template <typename Fn>
void OnRun(CLI::App* cmd, Fn fn) {
  cmd->callback([fn] {
    int rc = fn();
    if (rc != kExitOk) throw CLI::RuntimeError(rc);
  });
}

// For a command that does something itself and also has subcommands
// (devices, categories, conflicts): runs fn only when no subcommand was given.
template <typename Fn>
void OnRunAlone(CLI::App* cmd, Fn fn) {
  OnRun(cmd, [cmd, fn] { return cmd->get_subcommands().empty() ? fn() : kExitOk; });
}

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_CONTEXT_H_
