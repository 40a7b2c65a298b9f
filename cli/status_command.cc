#include "commands.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "hamlet/language.h"
#include "office/dates.h"
#include "table.h"

namespace hamlet::cli {

namespace {

using nlohmann::json;

int ShowStatus(const Context& c, bool as_json) {
  const std::string what = "status";
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  std::vector<DeviceStatus> devices;
  std::string hub, last_sync, cursor;
  bool synced = false;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = r->Devices(ws, &devices);
  if (s.ok()) s = r->LocalSetting(LastSyncSetting(ws), &last_sync, &synced);
  if (s.ok()) s = r->Cursor(ws, &cursor);
  std::vector<SetAsideCommit> aside;
  if (s.ok()) s = r->SetAside(ws, &aside);
  std::vector<Warning> warnings;
  if (s.ok()) s = r->Warnings(ws, &warnings);
  if (!s.ok()) return Refuse(what, s);
  Status has_hub = c.PickHub(*r, ws, "", &hub);
  uint64_t delivered = 0, written = 0;
  if (has_hub.ok()) s = r->Delivered(ws, hub, &delivered);
  if (!s.ok()) return Refuse(what, s);
  const DeviceStatus* self = nullptr;
  size_t heard = 0, missing = 0;
  for (const DeviceStatus& d : devices) {
    if (d.self) self = &d;
    if (!d.self && d.head > 0) heard++;
    if (d.head > d.contiguous) missing += d.head - d.contiguous;
  }
  if (self) written = self->contiguous;
  uint64_t undelivered = written > delivered ? written - delivered : 0;
  int64_t last = synced ? std::stoll(last_sync) : 0;
  std::string name = WorkspaceName(*r, ws);

  if (as_json) {
    json list = json::array();
    for (const DeviceStatus& d : devices) {
      list.push_back({{"device", d.device.Hex()}, {"role", RoleName(d.role)}, {"revoked", d.revoked},
                      {"this_device", d.self}, {"commits_here", d.contiguous}, {"missing", d.head - d.contiguous}});
    }
    json set_aside = json::array();
    for (const SetAsideCommit& a : aside) {
      set_aside.push_back({{"author", a.author.Hex()},
                           {"seq", a.seq},
                           {"hash", a.hash},
                           {"code", Status::CodeSlug(a.code)},
                           {"reason", a.reason},
                           {"may_pass_later", a.may_pass_later},
                           {"kept_in_log", a.in_log},
                           {"seen", a.seen_millis}});
    }
    json out{{"workspace", ws.Hex()},
             {"name", name},
             {"hub", has_hub.ok() ? json(hub) : json()},
             {"last_sync", last ? json(last) : json()},
             {"written_here", written},
             {"at_hub", delivered},
             {"not_delivered", undelivered},
             {"cursor", cursor},
             {"devices", list},
             {"set_aside", set_aside}};
    json warned = json::array();
    for (const Warning& w : warnings) {
      warned.push_back({{"kind", w.kind}, {"hub", w.hub.empty() ? json() : json(w.hub)}, {"message", w.message}});
    }
    out["warnings"] = warned;
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  Say(name.empty() ? Format(Tr("Workspace %s"), ws.Hex().c_str())
                   : Format(Tr("Workspace %s: %s"), ws.Hex().c_str(), name.c_str()));
  auto count = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  std::string delivery;
  if (written == 0) {
    delivery = Tr("nothing written on this device yet");
  } else if (!has_hub.ok()) {
    delivery = Format(Tr("none of the %llu commits written on this device: there is no hub yet"), count(written));
  } else if (undelivered == 0) {
    delivery = Format(Tr("all %llu commits written on this device are at the hub"), count(written));
  } else {
    delivery = Format(Tr("%llu of %llu commits written on this device are NOT yet at the hub: run hamlet sync "
                         "(or carry a bundle)"),
                      count(undelivered), count(written));
  }
  PrintTable({{std::string(Tr("Hub:")), has_hub.ok() ? hub : Tr("none yet (workspace publish, or join)")},
              {std::string(Tr("Last sync:")), last ? FormatLocalTime(last) : Tr("never")},
              {std::string(Tr("Delivered:")), delivery},
              {std::string(Tr("Heard from:")),
               Format(Tr("%zu of the %zu other devices of the workspace"), heard,
                      devices.empty() ? 0 : devices.size() - (self ? 1 : 0))}});
  std::vector<std::vector<std::string>> rows{{Tr("DEVICE"), Tr("ROLE"), Tr("COMMITS HERE"), ""}};
  for (const DeviceStatus& d : devices) {
    std::string note = d.self ? Tr("this device") : d.head == 0 ? Tr("nothing heard yet") : "";
    if (d.head > d.contiguous) note = Format(Tr("%llu known to be missing"), count(d.head - d.contiguous));
    if (d.revoked) note += note.empty() ? Tr("revoked") : std::string(", ") + Tr("revoked");
    rows.push_back({d.device.Hex().substr(0, 8), RoleLabel(d.role), std::to_string(d.contiguous), note});
  }
  PrintTable(rows);
  if (missing > 0) {
    Say(Tr("Some commits are known to exist but have not reached this device: figures may be short until they do."));
  }
  if (!aside.empty()) {
    Say(Format(TrN("Set aside: %zu commit received but not merged, kept as evidence; the rest merged as usual:",
                   "Set aside: %zu commits received but not merged, kept as evidence; the rest merged as usual:",
                   aside.size()),
               aside.size()));
    std::vector<std::vector<std::string>> set{{Tr("DEVICE"), Tr("COMMIT"), Tr("SINCE"), Tr("WHY")}};
    for (const SetAsideCommit& a : aside) {
      set.push_back({a.author.Hex().substr(0, 8), std::to_string(a.seq), FormatLocalTime(a.seen_millis / 1000),
                     a.reason + (a.may_pass_later ? " " + std::string(Tr("(may pass later)")) : "")});
    }
    PrintTable(set);
  }
  for (const Warning& w : warnings) Say(Format(Tr("Warning: %s"), w.message.c_str()));
  Say(Format(Tr("Cursor (for hamlet bundle export --since): %s"), cursor.empty() ? "\"\"" : cursor.c_str()));
  return kExitOk;
}

}  // namespace

void AddStatusCommand(CLI::App* app, const Context* context) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd =
      app->add_subcommand("status", Tr("What is not yet at the hub, the last sync, the devices heard from"));
  cmd->add_flag("--json", *as_json, Tr("Print JSON"));
  OnRun(cmd, [context, as_json] { return ShowStatus(*context, *as_json); });
}

}  // namespace hamlet::cli
