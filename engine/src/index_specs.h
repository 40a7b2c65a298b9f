// IndexSpecs: what the local index keeps of each collection's fields, as
// apps declare it with Replica::SetIndex (protocol.md, "Local store").
//
// Kept in the store's meta table, sealed under the record key, so that the
// names of an app's collections and fields are not readable in the file.
// The tags of a record are a pure function of its state and its
// collection's spec: whoever changes a spec must retag that collection's
// records in the same transaction. Not thread safe.
#ifndef HAMLET_INDEX_SPECS_H_
#define HAMLET_INDEX_SPECS_H_

#include <map>
#include <string>
#include <string_view>

#include "crypto.h"
#include "hamlet/status.h"
#include "hamlet/types.h"
#include "store.h"

namespace hamlet {

class IndexSpecs {
 public:
  // The spec of collection: every field indexed by words when none was set.
  // The reference stays valid until the next Set or Load.
  const IndexSpec& For(std::string_view collection) const;
  void Set(std::string_view collection, const IndexSpec& spec);

  // Reads the specs from the store (none stored: every collection default).
  // DataLoss when the stored ones do not open under key or are malformed.
  Status Load(Store* store, const Key32& key);
  // Writes them; inside the caller's transaction.
  Status Save(Store* store, const Key32& key) const;

 private:
  std::map<std::string, IndexSpec, std::less<>> specs_;
};

}  // namespace hamlet

#endif  // HAMLET_INDEX_SPECS_H_
