#include "hamlet/status.h"

namespace hamlet {

bool Status::IsRetryable(Code code) {
  switch (code) {
    case Code::kCancelled:
    case Code::kAborted:
    case Code::kUnavailable:
      return true;
    default:
      return false;
  }
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kCancelled: return "cancelled";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kAlreadyExists: return "already exists";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kAborted: return "aborted";
    case Code::kOutOfRange: return "out of range";
    case Code::kUnimplemented: return "unimplemented";
    case Code::kInternal: return "internal";
    case Code::kUnavailable: return "unavailable";
    case Code::kDataLoss: return "data loss";
    case Code::kUnauthenticated: return "unauthenticated";
  }
  return "unknown";
}

std::string Status::CodeSlug(Code code) {
  std::string s = CodeName(code);
  for (char& c : s) c = c == ' ' ? '_' : c;
  return s;
}

Code Status::CodeFromSlug(std::string_view slug) {
  for (int c = 0; c <= static_cast<int>(Code::kUnauthenticated); c++) {
    if (CodeSlug(static_cast<Code>(c)) == slug) return static_cast<Code>(c);
  }
  return Code::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + message_);
}

}  // namespace hamlet
