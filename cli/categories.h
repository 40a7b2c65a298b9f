// The concern categories of a workspace: a default list (land,
// infrastructure, ...) that its officers extend or retire with `hamlet
// categories add|retire`. Each change is a record of its own in the
// "categories" collection, so changes made on different devices merge
// without losing one another.
#ifndef HAMLET_CLI_CATEGORIES_H_
#define HAMLET_CLI_CATEGORIES_H_

#include <string>
#include <vector>

#include "context.h"

namespace hamlet::cli {

struct CategoryList {
  std::vector<std::string> current;  // For new concerns, defaults first.
  std::vector<std::string> retired;  // Still valid on older concerns.
};

Status Categories(Replica& r, const WorkspaceId& ws, CategoryList* out);

// OK when name is a current category of ws (or, with include_retired, a
// retired one); InvalidArgument naming the choices otherwise.
Status CheckCategory(Replica& r, const WorkspaceId& ws, const std::string& name, bool include_retired);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_CATEGORIES_H_
