#include "plain_replicas.h"

#include <string>

namespace hamlet::test {

Status OpenInMemory(uint64_t n, std::unique_ptr<Replica>* out) {
  OpenOptions opt;
  opt.durable = false;
  std::string key(32, '\0');
  for (uint64_t i = 0; i < 32; i++) key[i] = static_cast<char>(n * 37 + i * 11 + 5);
  return Replica::OpenWithKey(":memory:", key, opt, out);
}

Status JoinDirect(Replica& admin, const WorkspaceId& ws, Replica& device) {
  std::string request, envelope;
  WorkspaceId joined;
  HAMLET_RETURN_IF_ERROR(device.JoinRequest(&request));
  HAMLET_RETURN_IF_ERROR(admin.Admit(ws, request, Role::kCadre, &envelope));
  return device.Accept(envelope, admin.device_id(), &joined);
}

}  // namespace hamlet::test
