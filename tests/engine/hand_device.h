// A device admitted by a workspace's admin whose keys the test itself holds,
// so it can sign and seal commits with any number, chain link, key or body
// it likes: how the tests play a rogue or revoked member.
#ifndef HAMLET_TESTS_HAND_DEVICE_H_
#define HAMLET_TESTS_HAND_DEVICE_H_

#include <string>
#include <vector>

#include "commit.h"
#include "crypto.h"
#include "hamlet/replica.h"

namespace hamlet::test {

struct HandDevice {
  HandDevice() = default;
  WorkspaceId ws;
  SignKeyPair sign = SignKeygen();
  KxKeyPair kx = KxKeygen();
  std::string cert;
  Key32 data_key;  // Epoch 0's, from its envelope.

  // Admitted by admin (as a cadre) with a join request made from its keys.
  HandDevice(Replica& admin, const WorkspaceId& w);
  // Certified by admin as a relay hub (no key comes with that); the test
  // hands it data_key, as a relay operator who also got hold of a member's
  // key would have it.
  static HandDevice Relay(Replica& admin, const WorkspaceId& w, const Key32& key);
  DeviceId id() const;

  // A commit writing summary into one record of "concerns" (the record id
  // follows from seq unless given), sealed with data_key as epoch 0 unless
  // another key and epoch are given.
  SealedCommit Make(uint64_t seq, const std::string& prev_hash, const std::string& summary,
                    const RecordId* record = nullptr, const Key32* key = nullptr, uint32_t epoch = 0,
                    uint64_t hlc = 0);
  // A commit of the given operations, sealed with data_key as epoch 0.
  SealedCommit MakeOps(uint64_t seq, const std::string& prev_hash, const std::vector<RecordOp>& ops);
  // A commit of a body made by hand (protocol.md 3.2), sealed as epoch 0.
  SealedCommit MakeBody(uint64_t seq, const std::string& prev_hash, const std::string& body);
  // Signed by this device, but its ciphertext is random bytes.
  SealedCommit Garbage(uint64_t seq, const std::string& prev_hash);
  static uint64_t HlcFor(uint64_t seq);

  // A chunk of commits with this device's certificate.
  std::string ChunkOf(std::vector<SealedCommit> commits) const;
};

}  // namespace hamlet::test

#endif  // HAMLET_TESTS_HAND_DEVICE_H_
