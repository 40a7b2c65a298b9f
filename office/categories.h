// The concern categories of a workspace: a default list (land,
// infrastructure, ...) that its officers extend or retire (`hamlet
// categories add|retire`, or the web app). Each change is a record of its own in the
// "categories" collection, so changes made on different devices merge
// without losing one another.
#ifndef HAMLET_OFFICE_CATEGORIES_H_
#define HAMLET_OFFICE_CATEGORIES_H_

#include <string>
#include <vector>

#include "hamlet/replica.h"

namespace hamlet::office {

struct CategoryList {
  std::vector<std::string> current;  // For new concerns, defaults first.
  std::vector<std::string> retired;  // Still valid on older concerns.
};

Status Categories(Replica& r, const WorkspaceId& ws, CategoryList* out);

// OK when name is a current category of ws (or, with include_retired, a
// retired one); InvalidArgument naming the choices otherwise.
Status CheckCategory(Replica& r, const WorkspaceId& ws, const std::string& name, bool include_retired);

// Builds in *b the change that adds name to ws's categories (retire false)
// or retires it; the caller commits b. *unchanged is set when name already
// is a current category (adding): then b stays empty. PermissionDenied for
// a cadre's device, NotFound when retiring a name that is no current
// category, InvalidArgument for a name that cannot be one.
Status ChangeCategory(Replica& r, const WorkspaceId& ws, const std::string& name, bool retire, WriteBatch* b,
                      bool* unchanged);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_CATEGORIES_H_
