// Shared pieces of the C API implementations (c_api.cc in libhamlet,
// c_api_http.cc in libhamlet_http): exception fences, copies the caller
// frees with hamlet_free(), and argument checks.
#ifndef HAMLET_C_API_UTIL_H_
#define HAMLET_C_API_UTIL_H_

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "hamlet/c_bridge.h"
#include "hamlet/language.h"
#include "hamlet/types.h"

namespace hamlet::capi {

inline int Fail(const Status& s) { return SetCError(s); }

// Runs fn, turning any escaping exception into a status.
template <class Fn>
int Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(Status::Unavailable(hamlet::Tr("out of memory")));
  } catch (const std::exception& e) {
    return Fail(Status::Internal(e.what()));
  } catch (...) {
    return Fail(Status::Internal(hamlet::Tr("unknown exception")));
  }
}

// A malloc'ed, NUL-terminated copy for the caller to hamlet_free().
inline char* CopyString(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

// A malloc'ed copy of the bytes, NULL when there are none.
inline unsigned char* CopyBytes(const std::string& s) {
  if (s.empty()) return nullptr;
  auto* p = static_cast<unsigned char*>(std::malloc(s.size()));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  return p;
}

template <class Id>
Status ParseId(const char* hex, const char* what, Id* out) {
  if (!hex) return Status::InvalidArgument(hamlet::Format(hamlet::Tr("%s is NULL"), std::string(what).c_str()));
  auto id = Id::FromHex(hex);
  if (!id) return Status::InvalidArgument(hamlet::Format(hamlet::Tr("%s must be 32 hex digits"), std::string(what).c_str()));
  *out = *id;
  return Status::OK();
}

}  // namespace hamlet::capi

#define HAMLET_CHECK_ARG(cond, msg) \
  if (!(cond)) return ::hamlet::capi::Fail(::hamlet::Status::InvalidArgument(msg))

#endif  // HAMLET_C_API_UTIL_H_
