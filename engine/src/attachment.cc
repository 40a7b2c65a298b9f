#include "attachment.h"

#include <cassert>

#include "coding.h"
#include "format.h"
#include "hamlet/language.h"

namespace hamlet {
namespace {

// Chunk i's nonce: the key is the file's own, so the index is enough.
std::string Nonce(size_t index) {
  std::string nonce(24, '\0');
  for (int b = 0; b < 8; b++) nonce[b] = static_cast<char>((static_cast<uint64_t>(index) >> (8 * b)) & 0xff);
  return nonce;
}

// What each chunk's seal also covers: its place in a file of this size and
// count, so that chunks cannot be moved, dropped or cut off unseen.
std::string Ad(const AttachmentManifest& m, size_t index) {
  std::string ad(format::kAttachmentAdPrefix);
  Writer w(&ad);
  w.Fixed64(m.size);
  w.Fixed64(index);
  w.Fixed64(m.chunks());
  return ad;
}

size_t ChunksFor(uint64_t size, uint32_t chunk_bytes) {
  return chunk_bytes == 0 ? 0 : static_cast<size_t>((size + chunk_bytes - 1) / chunk_bytes);
}

}  // namespace

size_t AttachmentManifest::SealedChunkSize(size_t i) const {
  assert(i < chunks());
  uint64_t start = uint64_t{chunk_bytes} * i;
  uint64_t plain = std::min<uint64_t>(chunk_bytes, size - start);
  return static_cast<size_t>(plain) + format::kAttachmentTagBytes;
}

uint64_t AttachmentManifest::SealedSize() const { return size + uint64_t{chunks()} * format::kAttachmentTagBytes; }

size_t AttachmentManifest::ChunkAt(uint64_t offset, uint64_t* chunk_start) const {
  assert(offset < SealedSize());
  uint64_t sealed_chunk = uint64_t{chunk_bytes} + format::kAttachmentTagBytes;
  size_t i = static_cast<size_t>(offset / sealed_chunk);
  *chunk_start = sealed_chunk * i;
  return i;
}

std::string AttachmentManifest::Encode() const {
  std::string out;
  Writer w(&out);
  w.U8(format::kAttachmentManifestVersion);
  w.Varint(size);
  w.Varint(chunk_bytes);
  w.Varint(hashes.size());
  for (const std::string& h : hashes) {
    assert(h.size() == format::kAttachmentHashBytes);
    w.Raw(h);
  }
  return out;
}

Status AttachmentManifest::Decode(std::string_view bytes, AttachmentManifest* out) {
  Reader r(bytes);
  uint8_t version = r.U8();
  if (r.ok() && version > format::kAttachmentManifestVersion) {
    return Status::Unimplemented(Format(Tr("attachment manifest version %u is newer than this build"), version));
  }
  AttachmentManifest m;
  m.size = r.Varint();
  uint64_t chunk_bytes = r.Varint();
  uint64_t count = r.Varint();
  bool shape = r.ok() && version == format::kAttachmentManifestVersion && m.size <= format::kMaxAttachmentBytes &&
               chunk_bytes == format::kAttachmentChunkBytes &&
               count == ChunksFor(m.size, static_cast<uint32_t>(chunk_bytes)) &&
               r.remaining() == count * format::kAttachmentHashBytes;
  if (!shape) return Status::InvalidArgument(Tr("malformed attachment manifest"));
  m.chunk_bytes = static_cast<uint32_t>(chunk_bytes);
  m.hashes.reserve(count);
  for (uint64_t i = 0; i < count; i++) m.hashes.emplace_back(r.Raw(format::kAttachmentHashBytes));
  if (m.Encode() != bytes) return Status::InvalidArgument(Tr("malformed attachment manifest"));
  *out = std::move(m);
  return Status::OK();
}

std::string AttachmentManifest::IdOf(std::string_view encoded) { return Hash(encoded, format::kAttachmentHashBytes); }

void SealAttachment(std::string_view plain, const Key32& key, AttachmentManifest* manifest,
                    std::vector<std::string>* chunks) {
  assert(plain.size() <= format::kMaxAttachmentBytes);
  AttachmentManifest m;
  m.size = plain.size();
  m.chunk_bytes = format::kAttachmentChunkBytes;
  size_t count = ChunksFor(m.size, m.chunk_bytes);
  m.hashes.resize(count);
  chunks->clear();
  chunks->reserve(count);
  for (size_t i = 0; i < count; i++) {
    std::string sealed;
    AeadSeal(key, Nonce(i), Ad(m, i), plain.substr(i * m.chunk_bytes, m.chunk_bytes), &sealed);
    m.hashes[i] = Hash(sealed, format::kAttachmentHashBytes);
    chunks->push_back(std::move(sealed));
  }
  *manifest = std::move(m);
}

bool AttachmentChunkMatches(const AttachmentManifest& manifest, size_t index, std::string_view sealed) {
  return index < manifest.chunks() && sealed.size() == manifest.SealedChunkSize(index) &&
         SecureEqual(Hash(sealed, format::kAttachmentHashBytes), manifest.hashes[index]);
}

Status OpenAttachmentChunk(const AttachmentManifest& manifest, const Key32& key, size_t index, std::string_view sealed,
                           std::string* plain) {
  plain->clear();
  if (!AttachmentChunkMatches(manifest, index, sealed) ||
      !AeadOpen(key, Nonce(index), Ad(manifest, index), sealed, plain)) {
    plain->clear();
    return Status::DataLoss(Format(Tr("chunk %zu of the attachment is damaged or forged"), index));
  }
  return Status::OK();
}

}  // namespace hamlet
