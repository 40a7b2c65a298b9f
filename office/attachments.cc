#include "attachments.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "hamlet/language.h"

namespace hamlet::office {

std::string MediaTypeFor(const std::string& name) {
  static const std::map<std::string, std::string> kTypes = {
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"png", "image/png"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"heic", "image/heic"},
      {"heif", "image/heif"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"pdf", "application/pdf"},
      {"txt", "text/plain"},
      {"mp3", "audio/mpeg"},
      {"m4a", "audio/mp4"},
      {"ogg", "audio/ogg"},
      {"opus", "audio/ogg"},
      {"amr", "audio/amr"},
      {"wav", "audio/wav"},
      {"mp4", "video/mp4"},
      {"3gp", "video/3gpp"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"odt", "application/vnd.oasis.opendocument.text"}};
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "application/octet-stream";
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = kTypes.find(ext);
  return it != kTypes.end() ? it->second : "application/octet-stream";
}

bool IsImageType(const std::string& type) {
  return type == "image/jpeg" || type == "image/png" || type == "image/gif" || type == "image/webp";
}

Status FindAttachment(Replica& r, const WorkspaceId& ws, const std::string& prefix, Attachment* out) {
  std::string lower = prefix;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.size() < 6 || !std::all_of(lower.begin(), lower.end(), [](char c) { return std::isxdigit(c); })) {
    return Status::InvalidArgument(
        Format(Tr("'%s' is not an attachment id: give its first 6 or more hex digits"), prefix.c_str()));
  }
  std::vector<Attachment> all;
  HAMLET_RETURN_IF_ERROR(r.Attachments(ws, nullptr, &all));
  const Attachment* found = nullptr;
  for (const Attachment& a : all) {
    if (a.reference.Hex().rfind(lower, 0) != 0) continue;
    if (found) {
      return Status::InvalidArgument(Format(Tr("several attachments start with %s: give more digits"), prefix.c_str()));
    }
    found = &a;
  }
  if (!found) return Status::InvalidArgument(Format(Tr("no attachment starts with %s"), prefix.c_str()));
  *out = *found;
  return Status::OK();
}

std::string AttachmentName(const Attachment& a) {
  return a.confidential && a.name.empty() ? Tr("(sealed to the officers)") : a.name;
}

std::string AttachmentStateText(const Attachment& a) {
  if (a.held && a.sent) return Tr("on this device, at the hub");
  if (a.held) return Tr("on this device, not sent yet");
  if (a.wanted) return Tr("will be fetched at the next sync");
  return Tr("at the hub (not fetched)");
}

std::string SafeFileName(const std::string& name) {
  std::string base = name.substr(name.find_last_of("/\\") == std::string::npos ? 0 : name.find_last_of("/\\") + 1);
  std::string out;
  for (char c : base) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  if (out.empty() || out == "." || out == "..") return "attachment";
  return out;
}

}  // namespace hamlet::office
