// Member chunks (protocol.md 6.4): what one replica exports for another,
// its commits without their padding, sealed together.
#include <catch2/catch.hpp>

#include <map>

#include "chunk.h"
#include "coding.h"
#include "commit.h"
#include "format.h"
#include "hand_device.h"
#include "helpers.h"
#include "member_chunk.h"
#include "padding.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

ExportResult ExportAll(Replica& from, const WorkspaceId& ws, std::string_view cursor, ChunkForm form) {
  ExportResult ex;
  REQUIRE(from.Export(ws, cursor, 64 << 20, &ex, form).ok());
  REQUIRE_FALSE(ex.more);
  return ex;
}

std::string CursorOf(Replica& r, const WorkspaceId& ws) {
  std::string cursor;
  REQUIRE(r.Cursor(ws, &cursor).ok());
  return cursor;
}

// n one-field updates of one record by r, as an app's edits would be.
void Edit(Replica& r, const WorkspaceId& ws, int n) {
  WriteBatch create;
  RecordId id = create.Insert("concerns", {{"summary", std::string("đường liên thôn bị sạt lở")}});
  REQUIRE(r.Commit(ws, create).ok());
  for (int i = 0; i < n; i++) {
    WriteBatch w;
    w.Update(id, {{"status", std::string(i % 2 ? "open" : "in_progress")}});
    REQUIRE(r.Commit(ws, w).ok());
  }
}

}  // namespace

TEST_CASE("a member chunk carries the same commits in fewer bytes", "[member]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  Replica& c = *g.members[2];
  Edit(a, g.ws, 100);
  const std::string cursor = CursorOf(b, g.ws);
  ExportResult member = ExportAll(a, g.ws, cursor, ChunkForm::kMember);
  ExportResult blind = ExportAll(a, g.ws, cursor, ChunkForm::kBlind);
  CHECK(member.commits == blind.commits);
  CHECK(member.next_cursor == blind.next_cursor);
  REQUIRE(IsMemberChunk(member.chunk));
  INFO("member " << member.chunk.size() << " bytes, blind " << blind.chunk.size());
  // 101 commits of about 300 bytes, each padded to 1,040 in the blind form.
  CHECK(member.chunk.size() * 3 < blind.chunk.size());

  // b imports the member chunk, c the blind one: the same commits, byte for byte.
  ImportResult rb, rc;
  REQUIRE(b.Import(member.chunk, &rb).ok());
  REQUIRE(c.Import(blind.chunk, &rc).ok());
  CHECK(rb.applied == 101);
  CHECK(rc.applied == 101);
  CHECK(Digest(b, g.ws) == Digest(a, g.ws));
  CHECK(Digest(c, g.ws) == Digest(a, g.ws));
  const std::string empty_cursor;
  CHECK(ExportAll(b, g.ws, empty_cursor, ChunkForm::kBlind).chunk ==
        ExportAll(c, g.ws, empty_cursor, ChunkForm::kBlind).chunk);
  // Twice is harmless, whichever form came first.
  REQUIRE(c.Import(member.chunk, &rc).ok());
  CHECK(rc.duplicates == 101);
  CHECK(rc.applied == 0);
}

TEST_CASE("whoever carries a member chunk sees no commit and no commit's size", "[member]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Edit(a, g.ws, 20);
  const std::string cursor = CursorOf(*g.members[1], g.ws);
  ExportResult member = ExportAll(a, g.ws, cursor, ChunkForm::kMember);
  ExportResult blind = ExportAll(a, g.ws, cursor, ChunkForm::kBlind);
  Chunk decoded;
  REQUIRE(DecodeChunk(blind.chunk, &decoded).ok());
  REQUIRE(decoded.commits.size() == 21);
  // In the blind form every signature, salt and certificate shows; in the
  // member form none does.
  for (const SealedCommit& c : decoded.commits) {
    CHECK(blind.chunk.find(c.signature()) != std::string::npos);
    CHECK(member.chunk.find(c.signature()) == std::string::npos);
    CHECK(member.chunk.find(c.header.salt) == std::string::npos);
  }
  for (const std::string& cert : decoded.certificates) CHECK(member.chunk.find(cert) == std::string::npos);
  // Its length is the header and the sealed bucket of the whole: the sizes of
  // the commits inside add up to one padded length.
  WorkspaceId ws;
  uint32_t epoch = 99;
  REQUIRE(MemberChunkHeader(member.chunk, &ws, &epoch).ok());
  CHECK(ws == g.ws);
  CHECK(epoch == 0);
  const size_t header = 4 + 1 + 16 + 1 + kAeadNonceBytes;
  const size_t sealed = member.chunk.size() - header;
  const size_t length_bytes = sealed - 16 < 128 ? 1 : sealed - 16 < 16384 ? 2 : 3;
  const size_t padded = sealed - length_bytes - kAeadTagBytes;
  CHECK(PaddedSize(padded, format::kMemberChunkPadMinBytes) == padded);
  // The hub's decoder, given one, says what it is.
  Chunk none;
  Status s = DecodeChunk(member.chunk, &none);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("member chunk") != std::string::npos);
}

TEST_CASE("a damaged member chunk, or one for another workspace, changes nothing", "[member]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  Edit(a, g.ws, 10);
  ExportResult member = ExportAll(a, g.ws, CursorOf(b, g.ws), ChunkForm::kMember);
  const std::string before = Digest(b, g.ws);
  ImportResult r;
  for (size_t at : {size_t{40}, member.chunk.size() / 2, member.chunk.size() - 1}) {
    std::string bad = member.chunk;
    bad[at] ^= 0x20;
    Status s = b.Import(bad, &r);
    INFO("byte " << at << ": " << s.ToString());
    CHECK(s.code() == Code::kDataLoss);
    CHECK(Digest(b, g.ws) == before);
  }
  Status s = b.Import(std::string_view(member.chunk).substr(0, member.chunk.size() - 7), &r);
  CHECK(s.code() == Code::kDataLoss);
  // A newer version than this build reads.
  std::string newer = member.chunk;
  newer[4] = 2;
  CHECK(b.Import(newer, &r).code() == Code::kUnimplemented);
  CHECK(Digest(b, g.ws) == before);

  // A replica of another workspace is told so, as for a blind chunk.
  Group other;
  MakeGroup(1, "", &other);
  s = other.members[0]->Import(member.chunk, &r);
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.message().find(g.ws.Hex()) != std::string::npos);

  // Saved to a file, it is a bundle of one chunk.
  BundleImportResult br;
  REQUIRE(b.ImportBundle(member.chunk, &br).ok());
  CHECK(br.applied == 11);
  CHECK(Digest(b, g.ws) == Digest(a, g.ws));
}

TEST_CASE("a member chunk spanning a key rotation hides only what the older key opens", "[member]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Replica& kept = *g.members[1];
  Replica& revoked = *g.members[2];
  Edit(admin, g.ws, 5);  // Epoch 0.
  const std::string kept_cursor = CursorOf(kept, g.ws);
  RevokeResult rr;
  REQUIRE(admin.Revoke(g.ws, revoked.device_id(), &rr).ok());
  REQUIRE(kept.AcceptKeyGrant(rr.grants[0]).ok());
  REQUIRE(kept.AcceptRevocation(rr.revocation).ok());
  Edit(admin, g.ws, 5);  // Epoch 1.

  // Both epochs: sealed with the older key, and only its commits compact.
  ExportResult both = ExportAll(admin, g.ws, kept_cursor, ChunkForm::kMember);
  WorkspaceId ws;
  uint32_t epoch = 9;
  REQUIRE(MemberChunkHeader(both.chunk, &ws, &epoch).ok());
  CHECK(epoch == 0);
  // The commits of epoch 1 keep their padding inside it.
  CHECK(both.chunk.size() > 6 * (format::kCommitPadMinBytes + kAeadTagBytes));
  ImportResult r;
  REQUIRE(kept.Import(both.chunk, &r).ok());
  CHECK(r.applied == both.commits);
  CHECK(r.set_aside == 0);
  CHECK(Digest(kept, g.ws) == Digest(admin, g.ws));
  // The revoked device opens the older seal, takes the commits of epoch 0
  // and sets aside those of epoch 1, which it cannot open.
  REQUIRE(revoked.Import(both.chunk, &r).ok());
  CHECK(r.set_aside == 6);
  CHECK(r.applied == both.commits - 6);

  // Only epoch 1: the revoked device cannot open the seal at all.
  const std::string after = CursorOf(revoked, g.ws);
  ExportResult fresh = ExportAll(admin, g.ws, CursorOf(kept, g.ws), ChunkForm::kMember);
  CHECK(fresh.chunk.empty());
  Edit(admin, g.ws, 2);
  fresh = ExportAll(admin, g.ws, after, ChunkForm::kMember);
  REQUIRE(MemberChunkHeader(fresh.chunk, &ws, &epoch).ok());
  CHECK(epoch == 1);
  const std::string digest = Digest(revoked, g.ws);
  Status s = revoked.Import(fresh.chunk, &r);
  CHECK(s.code() == Code::kPermissionDenied);
  CHECK(s.message().find("key 1") != std::string::npos);
  CHECK(Digest(revoked, g.ws) == digest);
}

namespace {

// A rogue member's own encoder of a compact chunk (protocol.md 6.4): one run
// of its commits, each with whatever `elided` it likes to claim and the
// ciphertext bytes it likes to send.
struct Claim {
  const SealedCommit* commit;
  uint64_t elided;
  std::string ciphertext;
};

std::string RogueMemberChunk(const HandDevice& d, const std::vector<Claim>& claims) {
  std::string inner(format::kChunkMagic);
  Writer w(&inner);
  w.U8(format::kChunkCompactVersion);
  w.Raw(d.ws.View());
  w.Varint(1);
  w.Bytes(d.cert);
  w.Varint(1);
  const CommitHeader& first = claims.front().commit->header;
  w.Raw(first.author.View());
  w.Varint(first.seq);
  w.Raw(first.prev_hash);
  w.Varint(claims.size());
  for (const Claim& c : claims) {
    w.U8(c.commit->header.version);
    w.U8(c.commit->header.flags);
    w.Varint(c.commit->header.epoch);
    w.Raw(c.commit->header.salt);
    w.Varint(c.elided);
    w.Bytes(c.ciphertext);
    w.Raw(c.commit->signature());
  }
  inner += Hash(inner, format::kChunkChecksumBytes);
  return SealMemberChunk(d.ws, 0, d.data_key, inner);
}

// c's ciphertext shortened as the compact form does it.
Claim Honest(const SealedCommit& c) {
  Claim claim{&c, 0, {}};
  size_t elided = 0;
  REQUIRE(ShortenCiphertext(c, c.padding_zeros, &claim.ciphertext, &elided));
  claim.elided = elided;
  return claim;
}

}  // namespace

TEST_CASE("a rogue member's member chunk can neither blow up a receiver nor slip in other bytes", "[member][attack]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& victim = *g.members[1];
  HandDevice rogue(*g.members[0], g.ws);
  std::vector<SealedCommit> chain;
  std::string prev(kHashBytes, '\0');
  for (uint64_t seq = 1; seq <= 20; seq++) {
    chain.push_back(rogue.Make(seq, prev, "thôn " + std::to_string(seq)));
    prev = chain.back().Hash();
    REQUIRE(chain.back().padding_zeros > 0);
  }
  const std::string before = Digest(victim, g.ws);
  ImportResult r;

  // Each commit claims 4 MiB of padding left out: a few kilobytes that
  // would make the receiver build 80 MiB. Refused whole, nothing taken.
  std::vector<Claim> bomb;
  for (const SealedCommit& c : chain) bomb.push_back(Claim{&c, format::kMaxCommitPlaintext, Honest(c).ciphertext});
  std::string bytes = RogueMemberChunk(rogue, bomb);
  CHECK(bytes.size() < 64 << 10);
  Status s = victim.Import(bytes, &r);
  CHECK(s.code() == Code::kDataLoss);
  CHECK(s.message().find("64 MiB") != std::string::npos);
  CHECK(Digest(victim, g.ws) == before);

  // Commit 3 claims 16 bytes fewer left out and sends 16 bytes of its own
  // in their place: the rebuilt bytes are not what the author signed. Set
  // aside, and since the chain breaks there, so is all that follows it;
  // commits 1 and 2 merge.
  std::vector<Claim> lie;
  for (const SealedCommit& c : chain) lie.push_back(Honest(c));
  Claim& third = lie[2];
  third.elided -= 16;
  third.ciphertext.insert(third.ciphertext.size() - kAeadTagBytes, std::string(16, 'x'));
  s = victim.Import(RogueMemberChunk(rogue, lie), &r);
  REQUIRE(s.ok());
  CHECK(r.applied == 2);
  CHECK(r.set_aside >= 1);
  CHECK(Matching(victim, "thon 2") == 1);
  CHECK(Matching(victim, "thon 3") == 0);

  // The honest chunk of the same commits goes in whole afterwards.
  std::vector<Claim> honest;
  for (const SealedCommit& c : chain) honest.push_back(Honest(c));
  REQUIRE(victim.Import(RogueMemberChunk(rogue, honest), &r).ok());
  CHECK(r.applied == 18);
  CHECK(Matching(victim, "thon 20") == 1);
}
