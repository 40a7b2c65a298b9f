#include "http_error.h"

#include <cassert>
#include <nlohmann/json.hpp>

namespace hamlet::hub {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kFailedPrecondition: return 409;
    case Code::kOutOfRange: return 413;
    case Code::kDataLoss: return 422;
    case Code::kUnimplemented: return 501;
    case Code::kUnavailable: return 503;
    default: return 500;
  }
}

std::string ErrorBody(const Status& s) {
  assert(!s.ok());
  nlohmann::json body{
      {"error", {{"code", Status::CodeSlug(s.code())}, {"message", s.message()}, {"retryable", s.Retryable()}}}};
  return body.dump();
}

}  // namespace hamlet::hub
