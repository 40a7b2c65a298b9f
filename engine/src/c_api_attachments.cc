// The C API of attachments (hamlet.h, protocol.md 14).
#include <string>

#include "c_api_util.h"
#include "hamlet.h"
#include "hamlet/c_bridge.h"
#include "hamlet/json.h"
#include "hamlet/replica.h"

using hamlet::Status;
using hamlet::capi::CopyBytes;
using hamlet::capi::CopyString;
using hamlet::capi::Fail;
using hamlet::capi::Guarded;
using hamlet::capi::ParseId;

namespace {

#define RETURN_IF_ERROR_INT(expr)  \
  do {                             \
    ::hamlet::Status _s = (expr);  \
    if (!_s.ok()) return Fail(_s); \
  } while (0)

}  // namespace

int hamlet_attach(hamlet_replica* r, const char* workspace, const char* record_id, const unsigned char* bytes,
                  size_t len, const char* name, const char* type, char** out_json) {
  HAMLET_CHECK_ARG(r && record_id && (bytes || len == 0) && name, "replica, record_id, bytes and name are required");
  if (out_json) *out_json = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    hamlet::RecordId record;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    RETURN_IF_ERROR_INT(ParseId(record_id, "record id", &record));
    hamlet::Attachment a;
    std::string_view data(reinterpret_cast<const char*>(bytes), bytes ? len : 0);
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->Attach(ws, record, data, name, type ? type : "", &a));
    if (out_json) *out_json = CopyString(hamlet::AttachmentToJson(a));
    return HAMLET_OK;
  });
}

int hamlet_attachments(hamlet_replica* r, const char* workspace, const char* record_id, char** out_json) {
  HAMLET_CHECK_ARG(r && out_json, "replica and out_json are required");
  *out_json = nullptr;
  return Guarded([&] {
    hamlet::WorkspaceId ws;
    RETURN_IF_ERROR_INT(ParseId(workspace, "workspace", &ws));
    hamlet::RecordId record;
    if (record_id) RETURN_IF_ERROR_INT(ParseId(record_id, "record id", &record));
    std::vector<hamlet::Attachment> list;
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->Attachments(ws, record_id ? &record : nullptr, &list));
    *out_json = CopyString(hamlet::AttachmentsToJson(list));
    return HAMLET_OK;
  });
}

int hamlet_attachment_read(hamlet_replica* r, const char* attachment, unsigned char** out, size_t* out_len) {
  HAMLET_CHECK_ARG(r && attachment && out && out_len, "replica, attachment, out and out_len are required");
  *out = nullptr;
  *out_len = 0;
  return Guarded([&] {
    hamlet::RecordId reference;
    RETURN_IF_ERROR_INT(ParseId(attachment, "attachment", &reference));
    std::string bytes;
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->ReadAttachment(reference, &bytes));
    if (!bytes.empty()) {
      *out = CopyBytes(bytes);
      *out_len = bytes.size();
    }
    return HAMLET_OK;
  });
}

int hamlet_attachment_drop(hamlet_replica* r, const char* attachment) {
  HAMLET_CHECK_ARG(r && attachment, "replica and attachment are required");
  return Guarded([&] {
    hamlet::RecordId reference;
    RETURN_IF_ERROR_INT(ParseId(attachment, "attachment", &reference));
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->DropAttachment(reference));
    return HAMLET_OK;
  });
}

int hamlet_attachment_want(hamlet_replica* r, const char* attachment, int wanted) {
  HAMLET_CHECK_ARG(r && attachment, "replica and attachment are required");
  return Guarded([&] {
    hamlet::RecordId reference;
    RETURN_IF_ERROR_INT(ParseId(attachment, "attachment", &reference));
    RETURN_IF_ERROR_INT(hamlet::ReplicaOfHandle(r)->WantAttachment(reference, wanted != 0));
    return HAMLET_OK;
  });
}
