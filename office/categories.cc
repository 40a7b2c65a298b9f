#include "categories.h"

#include <algorithm>
#include <map>

#include "hamlet/language.h"
#include "record_kinds.h"

namespace hamlet::office {

namespace {

const std::vector<std::string>& Defaults() {
  static const std::vector<std::string> names = {"land",        "infrastructure", "social_policy",
                                                 "environment", "public_order",   "other"};
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
    (*said)[std::get<std::string>(name->second)] =
        retired != rec.fields.end() && std::holds_alternative<bool>(retired->second) && std::get<bool>(retired->second);
  }
  return Status::OK();
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

Status ChangeCategory(Replica& r, const WorkspaceId& ws, const std::string& name, bool retire, WriteBatch* b,
                      bool* unchanged) {
  *unchanged = false;
  HAMLET_RETURN_IF_ERROR(ValidName(name));
  HAMLET_RETURN_IF_ERROR(MayChange(r, ws));
  CategoryList list;
  HAMLET_RETURN_IF_ERROR(Categories(r, ws, &list));
  bool is_current = std::find(list.current.begin(), list.current.end(), name) != list.current.end();
  if (!retire && is_current) {
    *unchanged = true;
    return Status::OK();
  }
  if (retire && !is_current) return Status::NotFound(Format(Tr("no current category %s"), name.c_str()));
  RecordId id = Replica::NamedRecordId(ws, kCollection, name);
  Record existing;
  Status s = r.Get(id, &existing);
  if (s.ok()) {
    b->Update(id, {{"retired", retire}});
  } else if (s.code() == Code::kNotFound) {
    b->InsertWithId(id, kCollection, {{"name", name}, {"retired", retire}});
    s = Status::OK();
  }
  return s;
}

}  // namespace hamlet::office
