// Moving attachments' sealed bytes between a replica and a hub (protocol.md
// 14), over one HubConnection whose session is open. Both directions go on
// from the byte where a cut stopped them: an upload from what the hub says
// it holds (it keeps the first bytes of a chunk cut off), a download from
// what arrived (whole chunks are stored as they come, the rest is kept in
// memory for the next try).
#ifndef HAMLET_HTTP_ATTACHMENT_TRANSFER_H_
#define HAMLET_HTTP_ATTACHMENT_TRANSFER_H_

#include <string>

#include "hub_connection.h"

namespace hamlet {

// Sends every whole file of ws this device holds that no hub acknowledged;
// *sent counts the files the hub now holds whole. A file the hub refuses
// for its size or quota (OutOfRange) does not stop the others: the first
// such refusal of a file a live reference names is returned at the end,
// and a file none names is let go.
Status SendAttachments(HubConnection* c, const WorkspaceId& ws, size_t* sent);

// Fetches one file of ws (64 hex digits) this device lacks: the manifest,
// then the sealed bytes, each chunk checked before it is stored. DataLoss
// when the hub serves a chunk or manifest that does not match (nothing of
// it is stored); FailedPrecondition when the hub does not hold it whole yet.
Status FetchAttachmentFile(HubConnection* c, const WorkspaceId& ws, const std::string& file);

}  // namespace hamlet

#endif  // HAMLET_HTTP_ATTACHMENT_TRANSFER_H_
