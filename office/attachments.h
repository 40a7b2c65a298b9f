// Attachments as the programs built on the office layer show and take them
// (`hamlet <kind> attach`, `hamlet attachment`, the web app): a media type
// from a file's name, a reference found by the first digits of its id, a
// state a person reads.
#ifndef HAMLET_OFFICE_ATTACHMENTS_H_
#define HAMLET_OFFICE_ATTACHMENTS_H_

#include <string>

#include "hamlet/replica.h"

namespace hamlet::office {

// The media type the name's extension stands for (photos, scans, sound,
// video, documents), "application/octet-stream" for any other.
std::string MediaTypeFor(const std::string& name);
// True for a type a browser shows as an image.
bool IsImageType(const std::string& type);

// The live attachment of ws whose reference id starts with prefix (at least
// 6 hex digits). InvalidArgument when none or several do.
Status FindAttachment(Replica& r, const WorkspaceId& ws, const std::string& prefix, Attachment* out);

// The name as a person reads it: "(sealed to the officers)" for a
// denunciation's file on a device that may not open it.
std::string AttachmentName(const Attachment& a);

// "on this device, at the hub", "not sent yet", "at the hub (not fetched)",
// "will be fetched at the next sync": in the chosen language.
std::string AttachmentStateText(const Attachment& a);

// A name safe to write in a folder: the last part of name, without control
// characters, never "." or ".." (then "attachment").
std::string SafeFileName(const std::string& name);

}  // namespace hamlet::office

#endif  // HAMLET_OFFICE_ATTACHMENTS_H_
