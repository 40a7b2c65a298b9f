#include "categories.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "hamlet/language.h"
#include "record_kinds.h"
#include "table.h"

namespace hamlet::cli {

namespace {

const std::vector<std::string>& Defaults() {
  static const std::vector<std::string> names = {"land",         "infrastructure", "social_policy",
                                                 "environment",  "public_order",   "other"};
  return names;
}

constexpr char kCollection[] = "categories";

// Whether this device may change the workspace's categories: officers and
// the admin may, cadres may not.
Status MayChange(Replica& r, const WorkspaceId& ws) {
  std::vector<DeviceStatus> devices;
  HAMLET_RETURN_IF_ERROR(r.Devices(ws, &devices));
  for (const DeviceStatus& d : devices) {
    if (d.self && (d.role == Role::kAdmin || d.role == Role::kOfficer)) return Status::OK();
  }
  return Status::PermissionDenied(Tr("only officers change the categories"));
}

Status ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == ' ' || name.back() == ' ' ||
      name.find_first_of(",\n\t") != std::string::npos) {
    return Status::InvalidArgument(Tr("a category is 1 to 64 bytes, without commas or surrounding spaces"));
  }
  return Status::OK();
}

// What the category records say, by name: true when retired. Each name has
// one record (Replica::NamedRecordId), so concurrent changes merge by clock.
Status Said(Replica& r, const WorkspaceId& ws, std::map<std::string, bool>* said) {
  Query q;
  q.workspace = ws;
  q.collection = kCollection;
  q.limit = 100000;
  QueryResult res;
  HAMLET_RETURN_IF_ERROR(r.Find(q, &res));
  said->clear();
  for (const Record& rec : res.records) {
    auto name = rec.fields.find("name");
    auto retired = rec.fields.find("retired");
    if (name == rec.fields.end() || !std::holds_alternative<std::string>(name->second)) continue;
    (*said)[std::get<std::string>(name->second)] = retired != rec.fields.end() &&
                                                    std::holds_alternative<bool>(retired->second) &&
                                                    std::get<bool>(retired->second);
  }
  return Status::OK();
}

int Change(const Context& c, const std::string& name, bool retire) {
  const std::string what = retire ? "categories retire" : "categories add";
  Status s = ValidName(name);
  if (!s.ok()) return Refuse(what, s);
  std::unique_ptr<Replica> r;
  if (int rc = c.OpenReplica(&r); rc != kExitOk) return rc;
  WorkspaceId ws;
  s = c.PickWorkspace(*r, &ws);
  if (s.ok()) s = MayChange(*r, ws);
  CategoryList list;
  if (s.ok()) s = Categories(*r, ws, &list);
  if (!s.ok()) return Refuse(what, s);
  bool is_current = std::find(list.current.begin(), list.current.end(), name) != list.current.end();
  if (!retire && is_current) {
    Say(Format(Tr("%s is already a category."), name.c_str()));
    return kExitOk;
  }
  if (retire && !is_current) return Refuse(what, Status::NotFound(Format(Tr("no current category %s"), name.c_str())));
  WriteBatch b;
  RecordId id = Replica::NamedRecordId(ws, kCollection, name);
  Record existing;
  s = r->Get(id, &existing);
  if (s.ok()) {
    b.Update(id, {{"retired", retire}});
  } else if (s.code() == Code::kNotFound) {
    b.InsertWithId(id, kCollection, {{"name", name}, {"retired", retire}});
    s = Status::OK();
  }
  if (s.ok()) s = WriteWithWarnings(*r, ws, b);
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

}  // namespace

Status Categories(Replica& r, const WorkspaceId& ws, CategoryList* out) {
  std::map<std::string, bool> said;
  HAMLET_RETURN_IF_ERROR(Said(r, ws, &said));
  out->current.clear();
  out->retired.clear();
  for (const std::string& n : Defaults()) {
    auto it = said.find(n);
    (it != said.end() && it->second ? out->retired : out->current).push_back(n);
    if (it != said.end()) said.erase(it);
  }
  for (const auto& entry : said) (entry.second ? out->retired : out->current).push_back(entry.first);
  return Status::OK();
}

Status CheckCategory(Replica& r, const WorkspaceId& ws, const std::string& name, bool include_retired) {
  CategoryList list;
  HAMLET_RETURN_IF_ERROR(Categories(r, ws, &list));
  if (std::find(list.current.begin(), list.current.end(), name) != list.current.end()) return Status::OK();
  bool retired = std::find(list.retired.begin(), list.retired.end(), name) != list.retired.end();
  if (retired && include_retired) return Status::OK();
  std::string all;
  for (const std::string& n : list.current) all += (all.empty() ? "" : ", ") + n;
  return Status::InvalidArgument(
      retired ? Format(Tr("--category is one of %s, not '%s' (retired)"), all.c_str(), name.c_str())
              : Format(Tr("--category is one of %s, not '%s'"), all.c_str(), name.c_str()));
}

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
}

}  // namespace hamlet::cli
