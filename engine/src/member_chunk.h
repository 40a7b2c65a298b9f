// Member chunks (protocol.md 6.4): what one replica of a workspace exports
// for another. A compact chunk (chunk.h), whose commits travel without the
// ciphertext of their padding, sealed as a whole with a workspace data key
// and padded to its size bucket: a receiver holding the key makes the
// left-out bytes again and imports canonical commits, while whoever carries
// the bytes learns only the workspace, the key epoch and the size bucket of
// the whole, not the size of any commit. A hub holds no data key and cannot
// take one; it takes the blind form.
#ifndef HAMLET_MEMBER_CHUNK_H_
#define HAMLET_MEMBER_CHUNK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

// Whether bytes begin as a member chunk does.
bool IsMemberChunk(std::string_view bytes);

// Seals inner (a compact chunk of ws) with key, the data key of epoch.
std::string SealMemberChunk(const WorkspaceId& ws, uint32_t epoch, const Key32& key, std::string_view inner);

// The workspace and key epoch a member chunk names, read without its key.
// DataLoss when the header is malformed, Unimplemented for a newer version.
Status MemberChunkHeader(std::string_view bytes, WorkspaceId* ws, uint32_t* epoch);

// Opens a member chunk with the data key of the epoch it names. DataLoss
// when the seal does not open (damaged, or sealed with another key) or the
// padding is not the one way to pad what it holds.
Status OpenMemberChunk(std::string_view bytes, const Key32& key, std::string* inner);

}  // namespace hamlet

#endif  // HAMLET_MEMBER_CHUNK_H_
