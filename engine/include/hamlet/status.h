// Status: the result of every fallible operation in the engine.
//
// A Status is either OK or carries a code and a message. The codes follow
// Abseil's canonical codes, and each one says whether retrying the same call
// can help (see Retryable()). Status is a cheap value type; it is safe to copy
// and to pass between threads.
#ifndef HAMLET_STATUS_H_
#define HAMLET_STATUS_H_

#include "hamlet/export.h"
#include <string>
#include <string_view>

namespace hamlet {

// Numeric values are part of the C API (hamlet.h mirrors them) and never change.
enum class Code : int {
  kOk = 0,
  kCancelled = 1,          // The caller stopped the operation. Retry: yes.
  kInvalidArgument = 3,    // The input is malformed. Retry: no, fix the input.
  kNotFound = 5,           // The record, workspace or key does not exist. Retry: no.
  kAlreadyExists = 6,      // The object exists already. Retry: no.
  kPermissionDenied = 7,   // Wrong key or passphrase, unknown or revoked device. Retry: no.
  kFailedPrecondition = 9, // The replica is not in a state for this call. Retry: after fixing state.
  kAborted = 10,           // A concurrent change got in the way. Retry: yes.
  kOutOfRange = 11,        // A cursor or size beyond the limits. Retry: no.
  kUnimplemented = 12,     // A newer format or version than this build knows. Retry: after upgrade.
  kInternal = 13,          // A broken invariant inside the engine. Retry: no.
  kUnavailable = 14,       // Transient: busy database, link down. Retry: yes, with backoff.
  kDataLoss = 15,          // Corrupt or forged data: bad seal, bad signature, broken chain. Retry: no.
  kUnauthenticated = 16,   // The caller's identity could not be established. Retry: no.
};

class HAMLET_EXPORT Status {
 public:
  Status() = default;  // OK.
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {Code::kOutOfRange, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // True when repeating the same call later may succeed (busy, link down,
  // interrupted); false when only different input or state can help.
  bool Retryable() const { return IsRetryable(code_); }
  static bool IsRetryable(Code code);

  // "OK", or "<code name>: <message>", the code's name in the language of
  // the process (hamlet/language.h). Messages are made in that language
  // too; programs decide by code(), never by the words.
  std::string ToString() const;
  // The code's English name ("permission denied").
  static const char* CodeName(Code code);
  // The code as one lowercase word with underscores ("permission_denied"),
  // as the hub protocol carries it; and back (kInternal if unknown).
  static std::string CodeSlug(Code code);
  static Code CodeFromSlug(std::string_view slug);

  // Returns a copy whose message is prefixed with context, e.g. "import: ".
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace hamlet

#define HAMLET_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::hamlet::Status _hamlet_s = (expr);        \
    if (!_hamlet_s.ok()) return _hamlet_s;      \
  } while (0)

#endif  // HAMLET_STATUS_H_
