#include "commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "hamlet/hub_client.h"
#include "hamlet/language.h"
#include "office/dates.h"
#include "qr.h"
#include "table.h"

namespace hamlet::cli {

namespace {

using nlohmann::json;

SyncOptions HubOptions(const std::string& hub) {
  SyncOptions o;
  o.hub = hub;
  return o;
}

int Init(const Context& c, const std::string& kdf) {
  std::unique_ptr<Replica> r;
  if (int rc = c.CreateReplica(kdf, &r); rc != kExitOk) return rc;
  std::printf("%s\n", Format(Tr("Created %s for device %s."), c.db.c_str(), r->device_id().Hex().c_str()).c_str());
  return kExitOk;
}

int WorkspaceCreate(const Context& c, const std::string& name) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  Status s = r->CreateWorkspace(&ws);
  if (s.ok() && !name.empty()) {
    // The name travels with the workspace, as a record every member gets.
    WriteBatch b;
    b.Insert(kWorkspaceCollection, {{"name", name}});
    s = r->Commit(ws, b);
  }
  if (s.ok()) s = r->SetLocalSetting(kDefaultWorkspaceSetting, ws.Hex());
  if (!s.ok()) return Refuse("workspace create", s);
  if (name.empty()) {
    std::printf("%s\n", Format(Tr("Created workspace %s; this device is its admin."), ws.Hex().c_str()).c_str());
  } else {
    std::printf("%s\n",
                Format(Tr("Created workspace %s for %s; this device is its admin."), ws.Hex().c_str(), name.c_str())
                    .c_str());
  }
  return kExitOk;
}

int WorkspacePublish(const Context& c, const std::string& given_hub, const std::string& token) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  std::string hub;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = c.PickHub(*r, ws, given_hub, &hub);
  if (!s.ok()) return Refuse("workspace publish", s);
  HubClient client(r.get(), HubOptions(hub));
  s = client.Publish(ws, token);
  if (s.ok()) s = r->SetLocalSetting(HubSetting(ws), hub);
  if (!s.ok()) return Refuse("workspace publish", s);
  std::printf("%s\n", Format(Tr("Published workspace %s on %s."), ws.Hex().c_str(), hub.c_str()).c_str());
  return kExitOk;
}

int Invite(const Context& c, const std::string& role_name, int valid_days) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  Role role = role_name == "officer" ? Role::kOfficer : Role::kCadre;
  WorkspaceId ws;
  std::string code;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = r->CreateInvite(ws, role, &code, valid_days * 86400000LL);
  if (!s.ok()) return Refuse("invite", s);
  if (isatty(STDOUT_FILENO)) std::printf("%s", TerminalQr(code).c_str());
  std::printf("%s\n", code.c_str());
  if (isatty(STDERR_FILENO)) {
    std::fprintf(stderr, "%s\n", Tr("On the new device: hamlet join CODE --hub URL. It is admitted at this device's next sync."));
  }
  return kExitOk;
}

// A join in two steps across two runs or one waiting run: the request is
// posted once (its invite id kept in the replica), then the answer fetched.
int Join(const Context& c, const std::string& code, const std::string& given_hub, int wait_s) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  std::string pending;
  bool found = false;
  Status s = r->LocalSetting("join", &pending, &found);
  if (!s.ok()) return Refuse("join", s);
  json state = found ? json::parse(pending, nullptr, false) : json();
  std::string hub = given_hub;
  WorkspaceId ws;
  std::string invite;
  if (!code.empty()) {
    if (hub.empty()) return Refuse("join", Status::InvalidArgument(Tr("which hub? give --hub URL or set HAMLET_HUB")));
    if (hub.rfind("http://", 0) != 0 && hub.rfind("https://", 0) != 0) {
      return Refuse("join", Status::InvalidArgument(
                                Format(Tr("a hub is http://HOST:PORT or https://HOST:PORT, not '%s'"), hub.c_str())));
    }
    HubClient client(r.get(), HubOptions(hub));
    s = client.RequestJoin(code, &ws, &invite);
    if (!s.ok()) return Refuse("join", s);
    s = r->SetLocalSetting("join", json{{"workspace", ws.Hex()}, {"invite", invite}, {"hub", hub}}.dump());
    if (!s.ok()) return Refuse("join", s);
  } else if (state.is_object() && state.value("workspace", json()).is_string() &&
             state.value("invite", json()).is_string() && state.value("hub", json()).is_string()) {
    ws = WorkspaceId::FromHex(state["workspace"].get<std::string>()).value_or(WorkspaceId{});
    invite = state["invite"].get<std::string>();
    if (hub.empty()) hub = state["hub"].get<std::string>();
  } else {
    return Refuse("join", Status::InvalidArgument(Tr("give the invite code: hamlet join CODE --hub URL")));
  }
  HubClient client(r.get(), HubOptions(hub));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  for (;;) {
    s = client.CompleteJoin(ws, invite);
    if (!s.ok() && s.Retryable() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      continue;
    }
    break;
  }
  if (s.code() == Code::kUnavailable) {
    std::fprintf(stderr, "hamlet: join: %s\n",
                 Format(Tr("asked to join workspace %s; the admin's device admits this one at its next sync. "
                           "Run hamlet join again then (or wait with --wait SECONDS)"),
                        ws.Hex().c_str())
                     .c_str());
    return kExitRetry;
  }
  if (!s.ok()) return Refuse("join", s);
  r->SetLocalSetting(kDefaultWorkspaceSetting, ws.Hex());
  r->SetLocalSetting(HubSetting(ws), hub);
  r->SetLocalSetting("join", "");
  std::printf("%s\n", Format(Tr("Joined workspace %s through %s."), ws.Hex().c_str(), hub.c_str()).c_str());
  return kExitOk;
}

int Devices(const Context& c, bool as_json) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  std::vector<DeviceStatus> devices;
  std::string last_sync;
  bool synced = false;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = r->Devices(ws, &devices);
  if (s.ok()) s = r->LocalSetting(LastSyncSetting(ws), &last_sync, &synced);
  if (!s.ok()) return Refuse("devices", s);
  int64_t last = synced ? std::stoll(last_sync) : 0;
  if (as_json) {
    json list = json::array();
    for (const DeviceStatus& d : devices) {
      json item{{"device", d.device.Hex()}, {"role", RoleName(d.role)}, {"revoked", d.revoked},
                {"this_device", d.self},   {"commits_here", d.contiguous}, {"highest_seen", d.head}};
      if (d.self) item["last_sync"] = last == 0 ? json() : json(last);
      list.push_back(item);
    }
    std::printf("%s\n", json{{"workspace", ws.Hex()}, {"devices", list}}.dump(2).c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{Tr("DEVICE"), Tr("ROLE"), Tr("STATUS"), Tr("COMMITS HERE"), ""}};
  for (const DeviceStatus& d : devices) {
    std::string commits = std::to_string(d.contiguous);
    if (d.head > d.contiguous) {
      commits += " " + Format(Tr("(%llu missing)"), static_cast<unsigned long long>(d.head - d.contiguous));
    }
    rows.push_back({d.device.Hex(), RoleLabel(d.role), d.revoked ? Tr("revoked") : Tr("active"), commits,
                    d.self ? Tr("<- this device") : ""});
  }
  PrintTable(rows);
  if (last > 0) {
    std::printf("%s\n", Format(Tr("This device last synced %s."), FormatLocalTime(last).c_str()).c_str());
  } else {
    std::printf("%s\n", Tr("This device has not synced yet."));
  }
  return kExitOk;
}

int Revoke(const Context& c, const std::string& prefix, const std::string& given_hub) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  DeviceId device;
  std::string hub;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = FindDevice(*r, ws, prefix, &device);
  if (s.ok()) s = c.PickHub(*r, ws, given_hub, &hub);
  if (!s.ok()) return Refuse("devices revoke", s);
  HubClient client(r.get(), HubOptions(hub));
  RevokeResult result;
  s = client.Revoke(ws, device, &result);
  if (!s.ok()) return Refuse("devices revoke", s);
  std::printf("%s\n", Format(Tr("Revoked %s; the workspace key is now epoch %u, sent to the %zu remaining devices."),
                            device.Hex().c_str(), result.epoch, result.grants.size())
                         .c_str());
  return kExitOk;
}

// Certifies a hub to relay the workspace, registers it with the
// workspace's hub (the one it relays to), and writes the relay file for
// its operator (hamlet-hub relay add).
int RelayCertify(const Context& c, const std::string& request, const std::string& out, const std::string& given_hub) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  DeviceId relay;
  std::string hub, file;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = c.PickHub(*r, ws, given_hub, &hub);
  if (s.ok()) s = r->CertifyRelay(ws, request, &relay, &file);
  if (s.ok()) s = HubClient(r.get(), HubOptions(hub)).RegisterDevice(ws, relay);
  if (s.ok()) s = Env::Default()->WriteFileAtomic(out, file);
  if (!s.ok()) return Refuse("relay certify", s);
  std::printf("%s\n", Format(Tr("Certified hub %1$s to relay workspace %2$s to and from %3$s. Give %4$s to its "
                               "operator: hamlet-hub relay add %4$s."),
                            relay.Hex().c_str(), ws.Hex().c_str(), hub.c_str(), out.c_str())
                         .c_str());
  return kExitOk;
}

}  // namespace

void AddSetupCommands(CLI::App* app, const Context* c) {
  CLI::App* init = app->add_subcommand("init", Tr("Create this device's encrypted replica (asks for a new passphrase)"));
  auto kdf = std::make_shared<std::string>(std::getenv("HAMLET_KDF") ? std::getenv("HAMLET_KDF") : "moderate");
  init->add_option("--kdf", *kdf,
                   Tr("How hard the passphrase is to guess by brute force: moderate (256 MiB, desktops), interactive "
                      "(64 MiB, phones and slow machines) or sensitive (1 GiB) (default: $HAMLET_KDF or moderate)"))
      ->check(CLI::IsMember({"moderate", "interactive", "sensitive"}));
  init->footer(Tr("The passphrase needs at least 8 characters; a few words are easier to remember than symbols."));
  OnRun(init, [c, kdf] { return Init(*c, *kdf); });

  CLI::App* workspace = app->add_subcommand("workspace", Tr("Create or publish a workspace (one commune)"));
  workspace->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  CLI::App* create = workspace->add_subcommand("create", Tr("Create a workspace; this device becomes its admin"));
  create->add_option("--name", *name, Tr("Its name, e.g. the commune's"));
  OnRun(create, [c, name] { return WorkspaceCreate(*c, *name); });
  auto hub = std::make_shared<std::string>();
  if (const char* h = std::getenv("HAMLET_HUB")) *hub = h;
  auto token = std::make_shared<std::string>();
  CLI::App* publish = workspace->add_subcommand("publish", Tr("Publish the workspace on a hub, with the operator's token"));
  publish->add_option("--hub", *hub, Tr("The hub (default: $HAMLET_HUB)"));
  publish->add_option("--token", *token, Tr("The token from hamlet-hub token create"))->required();
  OnRun(publish, [c, hub, token] { return WorkspacePublish(*c, *hub, *token); });

  auto role = std::make_shared<std::string>("cadre");
  CLI::App* invite = app->add_subcommand("invite", Tr("Make an invite code for one new device (as the admin)"));
  invite->add_option("--role", *role, Tr("cadre or officer"))->check(CLI::IsMember({"cadre", "officer"}))->capture_default_str();
  auto days = std::make_shared<int>(7);
  invite->add_option("--valid-days", *days, Tr("Days the code can admit a device in"))
      ->check(CLI::Range(1, 365))
      ->capture_default_str();
  OnRun(invite, [c, role, days] { return Invite(*c, *role, *days); });

  auto code = std::make_shared<std::string>();
  auto wait = std::make_shared<int>(0);
  CLI::App* join = app->add_subcommand("join", Tr("Join a workspace with an invite code"));
  join->footer(Tr("Exit status 75: asked, not yet admitted; run hamlet join again after the admin syncs."));
  join->add_option("code", *code, Tr("The invite code (leave out to finish a join asked for before)"));
  join->add_option("--hub", *hub, Tr("The hub (default: $HAMLET_HUB)"));
  join->add_option("--wait", *wait, Tr("Seconds to wait for the admin's answer"))->check(CLI::Range(0, 86400));
  OnRun(join, [c, code, hub, wait] { return Join(*c, *code, *hub, *wait); });

  auto as_json = std::make_shared<bool>(false);
  CLI::App* devices = app->add_subcommand("devices", Tr("List the workspace's devices, or revoke one"));
  devices->add_flag("--json", *as_json, Tr("Print JSON"));
  auto id = std::make_shared<std::string>();
  CLI::App* revoke = devices->add_subcommand("revoke", Tr("Revoke a device and rotate the workspace key (as the admin)"));
  revoke->add_option("device", *id, Tr("The device id, or its first digits"))->required();
  revoke->add_option("--hub", *hub, Tr("The hub (default: $HAMLET_HUB, else the workspace's)"));
  OnRun(revoke, [c, id, hub] { return Revoke(*c, *id, *hub); });
  auto relay_request = std::make_shared<std::string>();
  auto relay_out = std::make_shared<std::string>();
  CLI::App* relay = app->add_subcommand("relay", Tr("Let a hub relay the workspace to and from another hub (as the admin)"));
  relay->require_subcommand(1);
  CLI::App* certify = relay->add_subcommand(
      "certify", Tr("Certify a hub (a commune's) to relay the workspace to its hub (the district's); it reads nothing"));
  certify->add_option("request", *relay_request, Tr("The line hamlet-hub relay key printed on that hub"))->required();
  certify->add_option("--out", *relay_out, Tr("Where to write the relay file for that hub's operator"))->required();
  certify->add_option("--hub", *hub, Tr("The hub it relays to (default: $HAMLET_HUB, else the workspace's)"));
  OnRun(certify, [c, relay_request, relay_out, hub] { return RelayCertify(*c, *relay_request, *relay_out, *hub); });
  // Without revoke, devices lists.
  OnRunAlone(devices, [c, as_json] { return Devices(*c, *as_json); });
}

}  // namespace hamlet::cli
