#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "hamlet/language.h"
#include "office/categories.h"
#include "office/deadlines.h"
#include "office/record_kinds.h"
#include "table.h"

namespace hamlet::cli {

namespace {

int Change(const Context& c, const std::string& name, bool retire) {
  const std::string what = retire ? "categories retire" : "categories add";
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  WriteBatch b;
  bool unchanged = false;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = ChangeCategory(*r, ws, name, retire, &b, &unchanged);
  if (!s.ok()) return Refuse(what, s);
  if (unchanged) {
    Say(Format(Tr("%s is already a category."), name.c_str()));
    return kExitOk;
  }
  s = WriteWithWarnings(*r, ws, b);
  if (!s.ok()) return Refuse(what, s);
  Say(retire ? Format(Tr("Retired category %s: older concerns keep it, new ones cannot use it."), name.c_str())
             : Format(Tr("Added category %s."), name.c_str()));
  return kExitOk;
}

int List(const Context& c, bool as_json) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  CategoryList list;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = Categories(*r, ws, &list);
  if (!s.ok()) return Refuse("categories", s);
  if (as_json) {
    std::printf("%s\n", nlohmann::json{{"current", list.current}, {"retired", list.retired}}.dump().c_str());
    return kExitOk;
  }
  // The name to type, and what it reads as in the chosen language.
  std::vector<std::vector<std::string>> rows{{Tr("CATEGORY"), Tr("READS AS"), ""}};
  for (const std::string& n : list.current) rows.push_back({n, ChoiceLabel(n), ""});
  for (const std::string& n : list.retired) rows.push_back({n, ChoiceLabel(n), Tr("(retired)")});
  PrintTable(rows);
  return kExitOk;
}

int ListSettings(const Context& c, bool as_json) {
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  Settings settings;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = LoadSettings(*r, ws, &settings);
  if (!s.ok()) return Refuse("settings", s);
  if (as_json) {
    nlohmann::json out = nlohmann::json::object();
    for (const SettingSpec& spec : SettingSpecs()) {
      int64_t v = settings.Get(spec.name);
      out[spec.name] = spec.yes_no ? nlohmann::json(v != 0) : nlohmann::json(v);
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{Tr("SETTING"), Tr("VALUE"), Tr("MEANING"), ""}};
  for (const SettingSpec& spec : SettingSpecs()) {
    int64_t v = settings.Get(spec.name);
    rows.push_back({spec.name, spec.yes_no ? (v ? Tr("yes") : Tr("no")) : std::to_string(v), Tr(spec.label),
                    settings.Changed(spec) ? Tr("(changed)") : ""});
  }
  PrintTable(rows);
  return kExitOk;
}

int SetSetting(const Context& c, const std::string& name, const std::string& value) {
  const std::string what = "settings set";
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  WriteBatch b;
  Status s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = ChangeSetting(*r, ws, name, value, &b);
  if (s.ok()) s = WriteWithWarnings(*r, ws, b);
  if (!s.ok()) return Refuse(what, s);
  Say(Format(Tr("Set %s to %s. Concerns recorded or changed from now on follow it; due dates already written stay."),
             name.c_str(), value.c_str()));
  return kExitOk;
}

}  // namespace

void AddCategoryCommands(CLI::App* app, const Context* c) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app->add_subcommand("categories", Tr("List the workspace's concern categories, or change them"));
  cmd->add_flag("--json", *as_json, Tr("Print JSON"));
  OnRunAlone(cmd, [c, as_json] { return List(*c, *as_json); });
  for (bool retire : {false, true}) {
    auto name = std::make_shared<std::string>();
    CLI::App* sub = cmd->add_subcommand(retire ? "retire" : "add",
                                        retire ? Tr("Retire a category (as an officer): older concerns keep it")
                                               : Tr("Add a category (as an officer)"));
    sub->add_option("name", *name, Tr("The category, e.g. irrigation or \"Thủy lợi\""))->required();
    OnRun(sub, [c, name, retire] { return Change(*c, *name, retire); });
  }
  auto settings_json = std::make_shared<bool>(false);
  CLI::App* settings = app->add_subcommand(
      "settings", Tr("List the workspace's settings: the deadlines of concerns, and whether the area is remote"));
  settings->add_flag("--json", *settings_json, Tr("Print JSON"));
  OnRunAlone(settings, [c, settings_json] { return ListSettings(*c, *settings_json); });
  auto setting = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  CLI::App* set = settings->add_subcommand("set", Tr("Change a setting (as an officer)"));
  set->add_option("name", *setting, Tr("The setting, e.g. remote_area or request_days"))->required();
  set->add_option("value", *value, Tr("A number of days or times, or yes or no"))->required();
  OnRun(set, [c, setting, value] { return SetSetting(*c, *setting, *value); });
}

}  // namespace hamlet::cli
