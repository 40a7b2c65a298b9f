// JSON forms of records, write batches and queries: the shape the C API, the
// command line and app wrappers exchange. protocol.md, "JSON forms", is the
// reference. Values map to JSON as: null, string (text), integer number,
// true/false, and {"$ts": milliseconds} for timestamps.
//
// All functions are pure and thread safe; parse errors are InvalidArgument
// with a message naming the offending member.
#ifndef HAMLET_JSON_H_
#define HAMLET_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "hamlet/export.h"
#include "hamlet/replica.h"

namespace hamlet {

HAMLET_EXPORT std::string RecordToJson(const Record& r);
HAMLET_EXPORT std::string QueryResultToJson(const QueryResult& r);
HAMLET_EXPORT std::string ConflictsToJson(const std::vector<Conflict>& c);
// {"id":REF,"workspace":W,"record":R,"file":F,"name":N,"type":T,"size":N,
//  "deleted":B,"held":B,"sent":B,"wanted":B,"confidential":B}, and an
//  array of them.
HAMLET_EXPORT std::string AttachmentToJson(const Attachment& a);
HAMLET_EXPORT std::string AttachmentsToJson(const std::vector<Attachment>& list);

// [{"op":"insert","collection":C,"fields":{...}[, "id":HEX]},
//  {"op":"update","id":HEX,"fields":{...}}, {"op":"delete","id":HEX},
//  {"op":"restore","id":HEX}]. *inserted receives the ids of inserts in order.
HAMLET_EXPORT Status ParseWriteBatchJson(std::string_view json, WriteBatch* batch, std::vector<RecordId>* inserted);

// {"collection":C, "workspace":HEX, "equals":{field:value}, "text":T,
//  "time_field":F, "from":TS, "to":TS, "order_by":F, "descending":B,
//  "offset":N, "limit":N}; only "collection" is required.
HAMLET_EXPORT Status ParseQueryJson(std::string_view json, Query* query);

// {"fields":{field:"words"|"exact"|"none"}, "others":"words"|"exact"|"none"};
// both members optional ("others" defaults to "words"). See IndexSpec.
HAMLET_EXPORT Status ParseIndexSpecJson(std::string_view json, IndexSpec* spec);

}  // namespace hamlet

#endif  // HAMLET_JSON_H_
