// How the hub turns a Status into an HTTP answer (protocol.md, "Errors").
//
// Every refusal carries a JSON body
//   {"error": {"code": SLUG, "message": TEXT, "retryable": BOOL}}
// so that a client knows whether trying again can help.
#ifndef HAMLET_SERVER_HTTP_ERROR_H_
#define HAMLET_SERVER_HTTP_ERROR_H_

#include <string>

#include "hamlet/status.h"

namespace hamlet::hub {

// The HTTP status code for an error of this code.
int HttpStatusFor(Code code);

// The JSON error body for s. s must not be OK.
std::string ErrorBody(const Status& s);

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_HTTP_ERROR_H_
