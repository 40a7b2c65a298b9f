// libFuzzer target for every decoder that takes bytes from outside: chunks
// (bundle files, pushes, pulls), commits, commit bodies, record states,
// certificates, join requests, key envelopes, revocations, key grants and
// the Authorization header of signed requests, sealed values, bundle files,
// what a member chunk holds (a member may seal any bytes it likes), and
// attachment manifests (a hub or a member may serve any), and snapshots,
// sealed and opened (an officer may seal any bytes it likes).
//
// The first input byte picks the decoder; the rest is its input. A decoder
// must return a Status for any input: no crash, no sanitizer report, no
// unbounded allocation (libFuzzer's -rss_limit_mb catches those).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "attachment.h"
#include "bundle.h"
#include "chunk.h"
#include "commit.h"
#include "identity.h"
#include "member_chunk.h"
#include "merge.h"
#include "request_auth.h"
#include "sealed_value.h"
#include "snapshot.h"

using namespace hamlet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string admin_key(32, '\x07');
  switch (data[0] % 16) {
    case 0: {
      Chunk chunk;
      if (DecodeChunk(in, &chunk).ok()) {
        // A decoded chunk re-encodes to bytes that decode to the same commits.
        Chunk again;
        if (!DecodeChunk(EncodeChunk(chunk), &again).ok() || again.commits.size() != chunk.commits.size()) {
          __builtin_trap();
        }
      }
      break;
    }
    case 1: {
      SealedCommit c;
      if (ParseCommit(in, &c).ok() && c.bytes != in) __builtin_trap();
      break;
    }
    case 2: {
      std::vector<RecordOp> ops;
      (void)DecodeBody(DeviceId(), in, &ops);
      break;
    }
    case 3: {
      RecordState st;
      (void)DecodeState(in, &st);
      break;
    }
    case 4: {
      Certificate cert;
      (void)ParseCertificate(in, &cert);
      break;
    }
    case 5: {
      JoinRequest req;
      (void)ParseJoinRequest(in, &req);
      break;
    }
    case 6: {
      Envelope env;
      (void)ParseEnvelope(in, &env);
      break;
    }
    case 7: {
      Revocation rev;
      (void)ParseRevocation(in, admin_key, &rev);
      break;
    }
    case 8: {
      KeyGrant grant;
      (void)ParseKeyGrant(in, admin_key, &grant);
      break;
    }
    case 9: {
      RequestAuth auth;
      (void)ParseAuthorization(in, &auth);
      break;
    }
    case 11: {
      Bundle bundle;
      (void)DecodeBundle(in, &bundle);
      break;
    }
    case 12: {
      // The compact chunk inside a member chunk, and the member chunk itself.
      static const Key32 key = Key32::FromView(std::string(32, '\x05'));
      EpochKeyLookup keys = [](uint32_t epoch, const Key32** k) {
        if (epoch > 3) return Status::PermissionDenied("no key of that epoch");
        *k = &key;
        return Status::OK();
      };
      Chunk chunk;
      (void)DecodeChunk(in, &chunk, &keys);
      std::string inner;
      (void)OpenMemberChunk(in, key, &inner);
      break;
    }
    case 13: {
      AttachmentManifest m;
      if (AttachmentManifest::Decode(in, &m).ok()) {
        // What decodes encodes to the same bytes, and every chunk has a size.
        if (m.Encode() != in) __builtin_trap();
        for (size_t i = 0; i < m.chunks(); i++) (void)m.SealedChunkSize(i);
        uint64_t start = 0;
        if (m.chunks() > 0 && m.ChunkAt(m.SealedSize() - 1, &start) != m.chunks() - 1) __builtin_trap();
      }
      break;
    }
    case 14: {
      SnapshotBody body;
      if (DecodeSnapshotBody(in, &body).ok()) {
        // What decodes encodes to bytes that decode and encode to themselves
        // (a number may arrive in a longer form than the encoder writes).
        std::string once, twice;
        EncodeSnapshotBody(body, &once);
        SnapshotBody again;
        if (!DecodeSnapshotBody(once, &again).ok()) __builtin_trap();
        EncodeSnapshotBody(again, &twice);
        if (twice != once) __builtin_trap();
      }
      break;
    }
    case 15: {
      SnapshotHeader h;
      if (ReadSnapshotHeader(in, &h).ok()) {
        (void)VerifySnapshotSignature(in, admin_key);
        std::string body;
        (void)OpenSnapshot(in, Key32::FromView(std::string(32, '\x05')), &body);
      }
      break;
    }
    case 10: {
      // A sealed value is text in a record: anyone may have written it.
      std::vector<DeviceId> readers;
      (void)SealedReaders(in, &readers);
      std::string text;
      const std::string kx_key(32, '\x09');
      (void)OpenSealedValue(WorkspaceId(), readers.empty() ? DeviceId() : readers[0], kx_key, kx_key, in, &text);
      break;
    }
  }
  return 0;
}
