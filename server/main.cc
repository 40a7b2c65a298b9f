// hamlet-hub: the sync hub.
//
//   hamlet-hub serve --data DIR --listen 127.0.0.1:8787 [--tls-cert F --tls-key F]
//   hamlet-hub serve --store postgresql://... --listen ...
//   hamlet-hub token create --data DIR | --store URL
//   hamlet-hub backup --data DIR --to DIR2
//   hamlet-hub restored --data DIR | --store URL
//   hamlet-hub relay key --data DIR | --store URL
//   hamlet-hub relay add FILE --data DIR | --store URL
//   hamlet-hub serve ... --upstream URL [--relay-every SECONDS]
//
// serve prints "hamlet-hub listening on HOST:PORT" once it accepts
// connections, and stops cleanly on SIGTERM or SIGINT: requests in flight
// finish (a push is acknowledged only after it is durable) and no new ones
// are taken.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <thread>

#include "command_line_text.h"
#include "guarded_server.h"
#include "hamlet/language.h"
#include "hex.h"
#include "hub.h"
#include "pg.h"
#include "relay.h"

using namespace hamlet;

namespace {

// serve's first line once it accepts connections. Scripts and tests wait
// for it, so it reads the same in every language.
constexpr const char kListening[] = "hamlet-hub listening on %s:%d\n";

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "hamlet-hub: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

bool SplitListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  try {
    size_t used = 0;
    *port = std::stoi(listen.substr(colon + 1), &used);
    return used == listen.size() - colon - 1 && *port >= 0 && *port <= 65535 && !host->empty();
  } catch (...) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  SetUpLanguage();
  CLI::App app{Tr("hamlet-hub: stores and relays sealed Hamlet commits; it cannot read them")};
  app.require_subcommand(1);
  hamlet::cli::TranslateHelp(&app);
  std::string data, store_url, listen = "127.0.0.1:8787", tls_cert, tls_key;
  // Where the hub keeps what it stores: a data folder (SQLite), or a
  // PostgreSQL database that several hub processes can share.
  auto add_store = [&](CLI::App* cmd, const std::string& data_help) {
    CLI::Option* d = cmd->add_option("--data", data, data_help);
    CLI::Option* u = cmd->add_option("--store", store_url,
                                     Tr("A PostgreSQL database instead of a data folder: postgresql://USER@HOST/DB "
                                        "(libpq's form; several hub processes may serve one)"));
    d->excludes(u);
    u->excludes(d);
    return d;
  };
  CLI::App* serve = app.add_subcommand("serve", Tr("Serve the hub"));
  add_store(serve, Tr("Data folder (created if missing)"));
  serve->add_option("--listen", listen, Tr("Address and port to listen on, e.g. 127.0.0.1:8787 (port 0 picks one)"));
  serve->add_option("--tls-cert", tls_cert, Tr("PEM certificate: serve HTTPS"))->check(CLI::ExistingFile);
  serve->add_option("--tls-key", tls_key, Tr("PEM private key for --tls-cert"))->check(CLI::ExistingFile);
  hub::GuardLimits limits;
  double head_timeout = limits.head_timeout_ms / 1000.0, io_timeout = limits.io_timeout_ms / 1000.0;
  serve->add_option("--head-timeout", head_timeout, Tr("Seconds a client has to send a whole request head"))
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  serve
      ->add_option("--io-timeout", io_timeout,
                   Tr("Seconds any read or write may wait; a body may run slower than 512 bytes/s only this long"))
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  double keep_alive = limits.keep_alive_ms / 1000.0;
  serve
      ->add_option("--keep-alive", keep_alive,
                   Tr("Seconds an idle connection is kept for its next request (sooner given up when every thread is "
                      "busy); a request sent into a 2G cut arrives late"))
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  serve->add_option("--threads", limits.threads, Tr("Connections served at once"))
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  serve
      ->add_option("--max-connections-per-address", limits.max_connections_per_address,
                   Tr("Connections one client address (IPv4, or IPv6 /64) is served at once; "
                      "raise it when many devices share one address behind NAT"))
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve->add_option("--proxy-protocol-from", limits.proxies,
                    Tr("Address of a load balancer (haproxy with send-proxy) whose connections begin with a PROXY "
                       "protocol line naming the client; the limits per address then count clients. Repeatable"));
  serve
      ->add_option("--unsigned-requests-per-minute", limits.unsigned_requests_per_minute,
                   Tr("Requests without a device signature (sessions, joins, publishing, status pages) "
                      "one address may make a minute, and at once"))
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  // A device's pull page goes out as fast as its reader takes it: over 2G a
  // large one takes minutes, so what bounds it is progress, not time.
  hub::HubOptions hub_options;
  size_t max_pull_kib = hub_options.max_pull_bytes >> 10;
  double answer_stall = limits.answer_stall_ms / 1000.0;
  serve
      ->add_option("--max-pull-kib", max_pull_kib,
                   Tr("Largest pull page in KiB, whatever a device asks for (at least one commit goes)"))
      ->check(CLI::Range(4, 65536))
      ->capture_default_str();
  uint64_t max_attachment_mib = hub_options.max_attachment_bytes >> 20;
  uint64_t attachment_quota_mib = hub_options.attachment_quota_bytes >> 20;
  serve
      ->add_option("--max-attachment-mib", max_attachment_mib,
                   Tr("Largest attachment in MiB (a photo, a scanned letter) a device may send, before sealing"))
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  serve
      ->add_option("--attachment-quota-mib", attachment_quota_mib,
                   Tr("MiB of attachments the hub keeps for one workspace, sealed"))
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30))
      ->capture_default_str();
  serve
      ->add_option("--answer-stall", answer_stall,
                   Tr("Seconds a device may take no bytes of an answer it signed for (a 2G link stalls "
                      "for longer than its cuts) before the connection is closed"))
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  serve
      ->add_option("--min-answer-rate", limits.min_answer_bytes_per_second,
                   Tr("Bytes per second a device must average taking such an answer, after its first 30 s"))
      ->check(CLI::Range(16, 1 << 30))
      ->capture_default_str();
  hub::RelayOptions relay_options;
  double relay_every = relay_options.every_ms / 1000.0;
  serve->add_option("--upstream", relay_options.upstream,
                    Tr("Relay the workspaces this hub was given relay files for (hamlet-hub relay add) to and from "
                       "the hub at this URL, e.g. the district's: commits both ways, blind"));
  serve->add_option("--relay-every", relay_every, Tr("Seconds between two relay rounds"))
      ->check(CLI::Range(0.05, 86400.0))
      ->capture_default_str();
  double upstream_give_up = relay_options.sync.give_up_after_ms / 1000.0;
  serve
      ->add_option("--upstream-give-up", upstream_give_up,
                   Tr("Seconds a relay round keeps trying while nothing comes through from the upstream; the next "
                      "round goes on from where it stopped"))
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  serve
      ->add_option("--upstream-ca", relay_options.sync.ca_file,
                   Tr("PEM CA bundle for an upstream hub with a private certificate"))
      ->check(CLI::ExistingFile);
  CLI::App* relay = app.add_subcommand("relay", Tr("Relay workspaces to and from another hub"));
  relay->require_subcommand(1);
  CLI::App* relay_key = relay->add_subcommand(
      "key", Tr("Print this hub's relay request (made once) for the workspace admin to certify: hamlet relay certify"));
  add_store(relay_key, Tr("Data folder (created if missing)"));
  std::string relay_file;
  CLI::App* relay_add = relay->add_subcommand(
      "add", Tr("Serve and relay the workspace of a relay file the admin made (hamlet relay certify)"));
  relay_add->add_option("file", relay_file, Tr("The relay file"))->required()->check(CLI::ExistingFile);
  add_store(relay_add, Tr("Data folder (created if missing)"));
  CLI::App* token = app.add_subcommand("token", Tr("Manage publish and operator tokens"));
  token->require_subcommand(1);
  CLI::App* create = token->add_subcommand("create", Tr("Create a token for publishing one workspace"));
  add_store(create, Tr("Data folder"));
  bool operator_token = false;
  create->add_flag("--operator", operator_token,
                   Tr("Instead, a lasting token for the status pages and metrics (/, /v1/status, /metrics)"));
  std::string bundle_file;
  CLI::App* import = app.add_subcommand("import", Tr("Store the commits of a bundle file carried from a device"));
  import->add_option("file", bundle_file, Tr("The bundle, from hamlet bundle export"))
      ->required()
      ->check(CLI::ExistingFile);
  add_store(import, Tr("Data folder of the hub"))->check(CLI::ExistingDirectory);
  std::string backup_dir;
  CLI::App* backup = app.add_subcommand(
      "backup", Tr("Copy the hub's store, consistently, while it serves; served one day, the copy is a hub of its own "
                   "(devices then pull everything again rather than miss commits)"));
  backup->add_option("--data", data, Tr("Data folder of the hub"))->required()->check(CLI::ExistingDirectory);
  backup->add_option("--to", backup_dir, Tr("Folder for the copy (created; must not hold a hub)"))->required();
  CLI::App* restored = app.add_subcommand(
      "restored", Tr("Give a store restored from a backup (pg_restore, or a data folder copied by hand) an identity of "
                     "its own before it serves, so that devices pull everything again rather than miss commits"));
  add_store(restored, Tr("Data folder of the hub"))->check(CLI::ExistingDirectory);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "hamlet-hub: %s\n", hamlet::cli::DescribeUsageError(e).c_str());
    return 2;
  }

  if (data.empty() && store_url.empty()) {
    std::fprintf(stderr, "hamlet-hub: %s\n",
                 Tr("say where the hub keeps its store: --data DIR or --store postgresql://..."));
    return 2;
  }
  if (!store_url.empty() && !hub::IsPostgresUrl(store_url)) {
    std::fprintf(stderr, "hamlet-hub: %s\n",
                 Format(Tr("--store takes a PostgreSQL URL (postgresql://...), got '%s'"), store_url.c_str()).c_str());
    return 2;
  }
  std::unique_ptr<hub::HubStore> store;
  Status s = store_url.empty() ? hub::OpenSqliteHubStore(data, &store) : hub::OpenPostgresHubStore(store_url, &store);
  if (!s.ok()) return Fail(store_url.empty() ? Tr("cannot open the data folder") : Tr("cannot open the database"), s);
  const std::string where = store_url.empty() ? data : Tr("the database");
  hub_options.max_pull_bytes = max_pull_kib << 10;
  hub_options.max_attachment_bytes = max_attachment_mib << 20;
  hub_options.attachment_quota_bytes = attachment_quota_mib << 20;
  hub::Hub hub(store.get(), Env::Default(), hub_options);

  if (create->parsed()) {
    std::string t;
    s = operator_token ? hub.CreateOperatorToken(&t) : hub.CreateToken(&t);
    if (!s.ok()) return Fail(Tr("cannot create a token"), s);
    std::printf("%s\n", t.c_str());
    return 0;
  }

  if (backup->parsed()) {
    s = store->Backup(backup_dir);
    if (!s.ok()) return Fail(Format(Tr("cannot back up %s"), where.c_str()), s);
    std::printf("%s\n", Format(Tr("Backed up %s to %s."), where.c_str(), backup_dir.c_str()).c_str());
    return 0;
  }

  if (restored->parsed()) {
    s = store->RenewInstance();
    if (!s.ok()) return Fail(Format(Tr("cannot renew the identity of %s"), where.c_str()), s);
    std::printf("%s\n", Format(Tr("The store in %s has a new identity: devices will pull from it from the start."),
                               where.c_str())
                            .c_str());
    return 0;
  }

  if (relay_key->parsed()) {
    std::unique_ptr<hub::RelayIdentity> id;
    s = hub::RelayIdentity::LoadOrMake(store.get(), &id);
    if (!s.ok()) return Fail(Tr("cannot make the relay identity"), s);
    std::printf("%s\n", HexEncode(id->JoinRequest()).c_str());
    std::fprintf(stderr, "%s\n",
                 Format(Tr("This hub relays as device %s. Give the line above to the workspace admin: "
                           "hamlet relay certify REQUEST --out FILE; then hamlet-hub relay add FILE."),
                        id->device().Hex().c_str())
                     .c_str());
    return 0;
  }

  if (relay_add->parsed()) {
    std::string text;
    WorkspaceId ws;
    s = Env::Default()->ReadFile(relay_file, &text);
    if (s.ok()) s = hub::AddRelayedWorkspace(store.get(), Env::Default(), text, &ws);
    if (!s.ok()) return Fail(Format(Tr("cannot take %s"), relay_file.c_str()), s);
    std::printf("%s\n", Format(Tr("This hub serves and relays workspace %s: start it with serve --upstream URL."),
                               ws.Hex().c_str())
                            .c_str());
    return 0;
  }

  if (import->parsed()) {
    std::string bytes;
    hub::Hub::BundleImport done;
    s = Env::Default()->ReadFile(bundle_file, &bytes);
    if (s.ok()) s = hub.ImportBundle(bytes, &done);
    if (!s.ok()) return Fail(Format(Tr("cannot import %s"), bundle_file.c_str()), s);
    std::string said =
        Format(Tr("Imported %s into workspace %s: %zu commits, %zu new, %zu already here"), bundle_file.c_str(),
               done.workspace.Hex().c_str(), done.commits, done.stored, done.duplicates);
    if (done.devices_registered) {
      said += Format(TrN("; %zu device registered", "; %zu devices registered", done.devices_registered),
                     done.devices_registered);
    }
    if (done.revocations) {
      said += Format(TrN("; %zu revocation", "; %zu revocations", done.revocations), done.revocations);
    }
    std::printf("%s.\n", said.c_str());
    return 0;
  }

  std::string host;
  int port = 0;
  if (!SplitListen(listen, &host, &port)) {
    std::fprintf(stderr, "hamlet-hub: %s\n", Format(Tr("--listen takes HOST:PORT, got '%s'"), listen.c_str()).c_str());
    return 2;
  }
  if (tls_cert.empty() != tls_key.empty()) {
    std::fprintf(stderr, "hamlet-hub: %s\n", Tr("--tls-cert and --tls-key go together"));
    return 2;
  }
  limits.head_timeout_ms = static_cast<int64_t>(head_timeout * 1000);
  limits.io_timeout_ms = limits.body_grace_ms = static_cast<int64_t>(io_timeout * 1000);
  limits.answer_stall_ms = static_cast<int64_t>(answer_stall * 1000);
  limits.keep_alive_ms = static_cast<int64_t>(keep_alive * 1000);
  auto server = std::make_unique<hub::GuardedServer>(limits);
  if (!tls_cert.empty()) {
    s = server->UseTls(tls_cert, tls_key);
    if (!s.ok()) return Fail(Tr("cannot serve HTTPS"), s);
  }
  hub.Install(server.get());
  if (!store_url.empty()) {
    // Several processes serve one database: a client's unsigned requests
    // are counted once for all of them. Should the database fail, the
    // request is let through: it meets the same failure at once.
    const size_t per_minute = limits.unsigned_requests_per_minute;
    server->ShareUnsignedBucket([&store, per_minute](const std::string& address, int64_t* retry_after_ms) {
      bool taken = true;
      Status st = store->TakeUnsigned(address, Env::Default()->NowMillis(), per_minute, &taken, retry_after_ms);
      return !st.ok() || taken;
    });
  }

  // Signals go to one waiting thread, which stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "hamlet-hub: %s\n", Format(Tr("stopping on signal %d"), sig).c_str());
    server->stop();
  });

  int bound = server->Bind(host, port);
  if (bound < 0) {
    std::fprintf(stderr, "hamlet-hub: %s\n", Format(Tr("cannot listen on %s"), listen.c_str()).c_str());
    kill(getpid(), SIGTERM);
    waiter.join();
    return 1;
  }
  std::printf(kListening, host.c_str(), bound);
  std::fflush(stdout);
  std::unique_ptr<hub::Relay> relayer;
  if (!relay_options.upstream.empty()) {
    relay_options.every_ms = static_cast<int64_t>(relay_every * 1000);
    relay_options.sync.give_up_after_ms = static_cast<int64_t>(upstream_give_up * 1000);
    relayer = std::make_unique<hub::Relay>(&hub, store.get(), Env::Default(), relay_options);
    relayer->Start();
  }
  bool ok = server->listen_after_bind();
  if (relayer) relayer->Stop();
  kill(getpid(), SIGTERM);  // Wakes the waiter if the server ended on its own.
  waiter.join();
  return ok ? 0 : 1;
}
