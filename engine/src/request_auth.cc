#include "request_auth.h"

#include <cstdlib>

#include "crypto.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"

namespace hamlet {

std::string RequestMessage(std::string_view method, std::string_view target, std::string_view challenge,
                           uint64_t counter, std::string_view body) {
  std::string m = "hamlet request v1\n";
  m += method;
  m += '\n';
  m += target;
  m += '\n';
  m += HexEncode(challenge);
  m += '\n';
  m += std::to_string(counter);
  m += '\n';
  m += HexEncode(Hash(body));
  return m;
}

std::string SignRequest(const DeviceId& device, std::string_view sign_secret_key, std::string_view method,
                        std::string_view target, std::string_view challenge, uint64_t counter,
                        std::string_view body) {
  std::string sig = SignDetached(sign_secret_key, RequestMessage(method, target, challenge, counter, body));
  return std::string(kAuthScheme) + " device=" + device.Hex() + ",challenge=" + HexEncode(challenge) +
         ",counter=" + std::to_string(counter) + ",signature=" + HexEncode(sig);
}

Status ParseAuthorization(std::string_view header, RequestAuth* out) {
  auto bad = [] { return Status(Code::kUnauthenticated, Tr("malformed Authorization header")); };
  std::string_view scheme(kAuthScheme);
  if (header.substr(0, scheme.size()) != scheme || header.size() <= scheme.size() || header[scheme.size()] != ' ') {
    return bad();
  }
  std::string_view rest = header.substr(scheme.size() + 1);
  bool have_device = false, have_counter = false;
  out->challenge.clear();
  out->signature.clear();
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return bad();
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "device") {
      auto d = DeviceId::FromHex(value);
      if (!d) return bad();
      out->device = *d;
      have_device = true;
    } else if (key == "challenge") {
      if (!HexDecode(value, &out->challenge) || out->challenge.size() != kChallengeBytes) return bad();
    } else if (key == "counter") {
      if (value.empty() || value.size() > 19 || value.find_first_not_of("0123456789") != std::string_view::npos) {
        return bad();
      }
      out->counter = std::strtoull(std::string(value).c_str(), nullptr, 10);
      have_counter = true;
    } else if (key == "signature") {
      if (!HexDecode(value, &out->signature) || out->signature.size() != kSignatureBytes) return bad();
    } else {
      return bad();
    }
  }
  if (!have_device || !have_counter || out->challenge.empty() || out->signature.empty()) return bad();
  return Status::OK();
}

Status VerifyRequest(const RequestAuth& auth, std::string_view sign_public_key, std::string_view method,
                     std::string_view target, std::string_view body) {
  if (DeviceIdFor(sign_public_key) != auth.device ||
      !VerifyDetached(sign_public_key, RequestMessage(method, target, auth.challenge, auth.counter, body),
                      auth.signature)) {
    return Status(Code::kUnauthenticated, Tr("request signature does not check out"));
  }
  return Status::OK();
}

}  // namespace hamlet
