#include "hamlet/status.h"

#include "hamlet/language.h"

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
    case Code::kCancelled:
      return TrMark("cancelled");
    case Code::kInvalidArgument:
      return TrMark("invalid argument");
    case Code::kNotFound:
      return TrMark("not found");
    case Code::kAlreadyExists:
      return TrMark("already exists");
    case Code::kPermissionDenied:
      return TrMark("permission denied");
    case Code::kFailedPrecondition:
      return TrMark("failed precondition");
    case Code::kAborted:
      return TrMark("aborted");
    case Code::kOutOfRange:
      return TrMark("out of range");
    case Code::kUnimplemented:
      return TrMark("unimplemented");
    case Code::kInternal:
      return TrMark("internal");
    case Code::kUnavailable:
      return TrMark("unavailable");
    case Code::kDataLoss:
      return TrMark("data loss");
    case Code::kUnauthenticated:
      return TrMark("unauthenticated");
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
  return std::string(Tr(CodeName(code_))) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + message_);
}

}  // namespace hamlet
