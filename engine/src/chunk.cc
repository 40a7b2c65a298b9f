#include "chunk.h"

#include <cassert>
#include <cstring>
#include <tuple>

#include "coding.h"
#include "format.h"
#include "hamlet/language.h"

namespace hamlet {

namespace {

void EncodeRunCommit(const SealedCommit& c, bool compact, Writer& w) {
  w.U8(c.header.version);
  w.U8(c.header.flags);
  w.Varint(c.header.epoch);
  w.Raw(c.header.salt);
  if (compact) {
    std::string shorter;
    size_t elided = 0;
    if (ShortenCiphertext(c, c.padding_zeros, &shorter, &elided)) {
      w.Varint(elided);
      w.Bytes(shorter);
    } else {
      w.Varint(0);
      w.Bytes(c.ciphertext());
    }
  } else {
    w.Bytes(c.ciphertext());
  }
  w.Raw(c.signature());
}

std::string Encode(const Chunk& chunk, bool compact) {
  std::string out(format::kChunkMagic);
  Writer w(&out);
  w.U8(compact ? format::kChunkCompactVersion : format::kChunkVersion);
  w.Raw(chunk.workspace.View());
  w.Varint(chunk.certificates.size());
  for (const std::string& c : chunk.certificates) w.Bytes(c);

  // Split into runs of consecutive sequence numbers by one author.
  std::vector<std::pair<size_t, size_t>> runs;  // [begin, end)
  for (size_t i = 0; i < chunk.commits.size(); i++) {
    const CommitHeader& h = chunk.commits[i].header;
    if (i > 0) {
      const CommitHeader& p = chunk.commits[i - 1].header;
      assert(std::tie(p.author, p.seq) < std::tie(h.author, h.seq));
      if (p.author == h.author && p.seq + 1 == h.seq) {
        runs.back().second = i + 1;
        continue;
      }
    }
    runs.emplace_back(i, i + 1);
  }
  w.Varint(runs.size());
  for (auto [begin, end] : runs) {
    const CommitHeader& first = chunk.commits[begin].header;
    w.Raw(first.author.View());
    w.Varint(first.seq);
    w.Raw(first.prev_hash);
    w.Varint(end - begin);
    for (size_t i = begin; i < end; i++) EncodeRunCommit(chunk.commits[i], compact, w);
  }
  out += Hash(out, format::kChunkChecksumBytes);
  return out;
}

}  // namespace

size_t ChunkFixedOverhead(const std::vector<std::string>& certificates) {
  Chunk empty;
  empty.certificates = certificates;
  return EncodeChunk(empty).size();
}

std::string EncodeChunk(const Chunk& chunk) { return Encode(chunk, false); }

std::string EncodeCompactChunk(const Chunk& chunk) { return Encode(chunk, true); }

Status DecodeChunk(std::string_view bytes, Chunk* out, const EpochKeyLookup* keys) {
  std::string_view magic(format::kChunkMagic);
  if (bytes.substr(0, 4) == format::kMemberChunkMagic) {
    return Status::InvalidArgument(Tr(
        "a member chunk is sealed for the workspace's members and opened by a replica's import; a hub or relay takes "
        "the blind form (a push, or a bundle file)"));
  }
  if (bytes.substr(0, std::min(bytes.size(), magic.size())) != magic.substr(0, std::min(bytes.size(), magic.size()))) {
    return Status::InvalidArgument(Tr("not a Hamlet chunk or bundle"));
  }
  if (bytes.size() < 4 + 1 + 16 + format::kChunkChecksumBytes) return Status::DataLoss(Tr("chunk is truncated"));
  if (bytes.size() > format::kMaxChunkBytes) return Status::OutOfRange(Tr("chunk exceeds 64 MiB"));
  if (static_cast<uint8_t>(bytes[4]) < format::kChunkVersion) {
    return Status::DataLoss(
        Format(Tr("chunk format version %s is older than any this build reads; export it again with a current build"),
               std::to_string(static_cast<uint8_t>(bytes[4])).c_str()));
  }
  const bool compact = static_cast<uint8_t>(bytes[4]) == format::kChunkCompactVersion;
  if (compact && keys == nullptr) {
    return Status::InvalidArgument(Tr("a chunk without its commits' padding travels only inside a member chunk"));
  }
  if (static_cast<uint8_t>(bytes[4]) != format::kChunkVersion && !compact) {
    return Status::Unimplemented(Format(Tr("chunk format version %s is newer than this build"),
                                        std::to_string(static_cast<uint8_t>(bytes[4])).c_str()));
  }
  std::string_view body = bytes.substr(0, bytes.size() - format::kChunkChecksumBytes);
  if (!SecureEqual(Hash(body, format::kChunkChecksumBytes), bytes.substr(body.size()))) {
    return Status::DataLoss(Tr("chunk checksum does not match: truncated or damaged in transit"));
  }
  Reader r(body.substr(5));
  auto ws = WorkspaceId::FromBytes(r.Raw(16));
  out->workspace = ws ? *ws : WorkspaceId{};
  out->certificates.clear();
  out->commits.clear();
  uint64_t ncerts = r.Varint();
  if (ncerts > r.remaining()) r.Fail();
  for (uint64_t i = 0; i < ncerts && r.ok(); i++) out->certificates.emplace_back(r.Bytes(4096));
  size_t expanded = body.size();  // What the commits come to, padding made again.
  uint64_t nruns = r.Varint();
  if (nruns > r.remaining()) r.Fail();
  for (uint64_t run = 0; run < nruns && r.ok(); run++) {
    CommitHeader h;
    auto author = DeviceId::FromBytes(r.Raw(16));
    h.seq = r.Varint();
    h.prev_hash = r.Raw(kHashBytes);
    uint64_t count = r.Varint();
    if (!author || h.seq == 0 || count == 0 || count > r.remaining()) {
      r.Fail();
      break;
    }
    h.author = *author;
    for (uint64_t i = 0; i < count && r.ok(); i++) {
      h.version = r.U8();
      h.flags = r.U8();
      uint64_t epoch = r.Varint();
      if (epoch > UINT32_MAX) r.Fail();
      h.epoch = static_cast<uint32_t>(epoch);
      h.salt = r.Raw(format::kSaltBytes);
      uint64_t elided = compact ? r.Varint() : 0;
      std::string_view ct = r.Bytes(format::kMaxCommitCiphertext);
      std::string_view sig = r.Raw(kSignatureBytes);
      if (!r.ok() || elided > format::kMaxCommitCiphertext) {
        r.Fail();
        break;
      }
      std::string full;
      expanded += elided;
      if (expanded > format::kMaxChunkBytes) {
        return Status::DataLoss(Tr("chunk: its commits with their padding would exceed 64 MiB"));
      }
      if (elided > 0) {
        const Key32* key = nullptr;
        Status s = (*keys)(h.epoch, &key);
        if (s.ok()) s = LengthenCiphertext(out->workspace, h, ct, elided, *key, &full);
        if (!s.ok()) return s.WithContext("chunk: ");
        ct = full;
      }
      SealedCommit c;
      Status s = ParseCommit(CanonicalBytes(h, ct, sig), &c);
      if (!s.ok()) return s.WithContext("chunk: ");
      c.known_hash = c.Hash();
      h.prev_hash = c.known_hash;
      h.seq++;
      out->commits.push_back(std::move(c));
    }
  }
  if (!r.done() || !ws) return Status::DataLoss(Tr("chunk is malformed"));
  return Status::OK();
}

}  // namespace hamlet
