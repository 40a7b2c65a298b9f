// One signature per run of linked commits (protocol.md 3.4): the attacker's
// programs against the real engine and a real hub. A member who holds the
// workspace key forges another member's commit; a valid signature later in
// the chain must never vouch for it unless it links to exactly those bytes.
#include <catch2/catch.hpp>

#include "chunk.h"
#include "commit.h"
#include "hand_device.h"
#include "helpers.h"
#include "hub_process.h"
#include "hub_sync.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

const std::string kZero(kHashBytes, '\0');

// A commit in author's name, sealed with the workspace key forger holds
// (so it opens like a real one) and signed with forger's own key.
SealedCommit Forge(const HandDevice& forger, const HandDevice& author, uint64_t seq, const std::string& prev_hash,
                   const std::string& summary) {
  CommitHeader h;
  h.author = author.id();
  h.seq = seq;
  h.hlc = HandDevice::HlcFor(seq);
  h.prev_hash = prev_hash;
  RecordOp op;
  op.record = *RecordId::FromBytes(std::string(15, 'f') + static_cast<char>(seq));
  op.collection = "concerns";
  op.fields.push_back(FieldWrite{"summary", Value(summary), {}});
  std::string body;
  REQUIRE(EncodeBody(h.author, {op}, &body).ok());
  SealedCommit c;
  REQUIRE(SealCommit(forger.ws, h, body, forger.data_key, forger.sign.secret_key, &c).ok());
  return c;
}

// The author's own commit whose signature is over other bytes: what only
// the author can make, and then sign the next commit over.
SealedCommit BadlySigned(HandDevice& author, uint64_t seq, const std::string& prev_hash, const std::string& summary) {
  SealedCommit real = author.Make(seq, prev_hash, summary);
  SealedCommit c;
  REQUIRE(ParseCommit(CanonicalBytes(real.header, real.ciphertext(), SignDetached(author.sign.secret_key, "other")),
                      &c)
              .ok());
  return c;
}

std::string ChunkWithoutCertificates(const WorkspaceId& ws, std::vector<SealedCommit> commits) {
  Chunk c;
  c.workspace = ws;
  c.commits = std::move(commits);
  return EncodeChunk(c);
}

ImportResult Import(Replica& r, const std::string& chunk) {
  ImportResult res;
  REQUIRE(r.Import(chunk, &res).ToString() == "OK");
  return res;
}

std::vector<uint64_t> AsideSeqs(Replica& r, const WorkspaceId& ws) {
  std::vector<SetAsideCommit> aside;
  REQUIRE(r.SetAside(ws, &aside).ok());
  std::vector<uint64_t> seqs;
  for (const SetAsideCommit& c : aside) seqs.push_back(c.seq);
  return seqs;
}

}  // namespace

TEST_CASE("a signature vouches only for the commits it links to", "[security]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  HandDevice author(admin, g.ws);
  HandDevice mallory(admin, g.ws);
  SealedCommit c1 = author.Make(1, kZero, "one");
  SealedCommit c2 = author.Make(2, c1.Hash(), "two");
  SealedCommit c3 = author.Make(3, c2.Hash(), "three");
  SealedCommit c4 = author.Make(4, c3.Hash(), "four");
  SealedCommit forged = Forge(mallory, author, 3, c2.Hash(), "forged");

  SECTION("a forged last commit of a run fails, and what precedes it counts") {
    Replica& r = *g.members[1];
    ImportResult res = Import(r, author.ChunkOf({c1, c2, forged}));
    CHECK(res.applied == 2);
    CHECK(res.set_aside == 1);
    CHECK(AsideSeqs(r, g.ws) == std::vector<uint64_t>{3});
    // The author's next commit is valid but names the real commit 3: it
    // vouches for nothing here, however often the forgery is tried again.
    std::vector<SetAsideCommit> aside;
    REQUIRE(r.SetAside(g.ws, &aside).ok());
    REQUIRE(aside.size() == 1);
    CHECK(aside[0].may_pass_later);  // The author's commit 4 may yet vouch for it.
    res = Import(r, author.ChunkOf({c4}));
    CHECK(res.applied == 1);
    REQUIRE(r.SetAside(g.ws, &aside).ok());
    REQUIRE(aside.size() == 1);
    CHECK(aside[0].seq == 3);
    CHECK_FALSE(aside[0].may_pass_later);  // Commit 4 links to other bytes: nothing can now.
    CHECK(Matching(r, "forged") == 0);
    // The real commit 3 takes its place.
    res = Import(r, author.ChunkOf({c3}));
    CHECK(res.applied == 1);
    CHECK(Matching(r, "three") == 1);
    CHECK(Matching(r, "forged") == 0);
  }

  SECTION("a valid signature after a forgery in one batch does not carry it") {
    // Before the author's certificate arrives everything waits; then the
    // forgery and the author's next commit are tried as one batch.
    Replica& r = *g.members[2];
    Import(r, ChunkWithoutCertificates(g.ws, {c1, c2, forged}));
    Import(r, ChunkWithoutCertificates(g.ws, {c4}));
    CHECK(AsideSeqs(r, g.ws) == std::vector<uint64_t>{1, 2, 3, 4});
    Chunk certificate_only;
    certificate_only.workspace = g.ws;
    certificate_only.certificates = {author.cert};
    Import(r, EncodeChunk(certificate_only));
    CHECK(AsideSeqs(r, g.ws) == std::vector<uint64_t>{3});
    CHECK(Matching(r, "one") == 1);
    CHECK(Matching(r, "four") == 1);
    CHECK(Matching(r, "forged") == 0);
  }
}

TEST_CASE("an author's commit whose own signature fails counts once its next commit vouches for it, everywhere alike",
          "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Publish(hub, g);
  HandDevice author(admin, g.ws);
  Register(hub, admin, author);
  SealedCommit c1 = author.Make(1, kZero, "one");
  SealedCommit bad2 = BadlySigned(author, 2, c1.Hash(), "two");
  SealedCommit c3 = author.Make(3, bad2.Hash(), "three");

  // Commit 2 alone: set aside, as one that may pass later.
  Replica& x = *g.members[1];
  CHECK(Import(x, author.ChunkOf({c1, bad2})).applied == 1);
  std::vector<SetAsideCommit> aside;
  REQUIRE(x.SetAside(g.ws, &aside).ok());
  REQUIRE(aside.size() == 1);
  CHECK(aside[0].seq == 2);
  CHECK(aside[0].code == Code::kDataLoss);
  CHECK(aside[0].may_pass_later);
  CHECK(Matching(x, "two") == 0);
  // Commit 3, signed over commit 2's bytes, arrives later and vouches for it.
  CHECK(Import(x, author.ChunkOf({c3})).applied == 1);
  CHECK(AsideSeqs(x, g.ws).empty());
  CHECK(Matching(x, "two") == 1);

  // Another replica that gets all three at once ends in the same state.
  Replica& y = *g.members[2];
  CHECK(Import(y, author.ChunkOf({c1, bad2, c3})).applied == 3);
  CHECK(Digest(x, g.ws) == Digest(y, g.ws));

  // A hub takes commit 2 only with the commit that vouches for it.
  auto r = HandPush(hub.url(), author, author.ChunkOf({c1}));
  REQUIRE(r);
  CHECK(r->status == 200);
  r = HandPush(hub.url(), author, author.ChunkOf({bad2}));
  REQUIRE(r);
  CHECK(r->status == 422);
  r = HandPush(hub.url(), author, author.ChunkOf({bad2, c3}));
  REQUIRE(r);
  CHECK(r->status == 200);
  // And a member pulling them from the hub ends alike.
  Sync(admin, g.ws, hub.url());
  CHECK(AsideSeqs(admin, g.ws).empty());
  CHECK(Digest(admin, g.ws) == Digest(x, g.ws));
}
