#include <catch2/catch.hpp>

#include <sched.h>

#include <atomic>
#include <thread>

#include "hand_device.h"
#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

TEST_CASE("two replicas write offline, exchange chunks and converge", "[sync]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  WriteBatch wa;
  RecordId ra = wa.Insert("concerns", {{"summary", std::string("Đường ngập nước")}, {"status", std::string("received")}});
  REQUIRE(a.Commit(g.ws, wa).ok());
  WriteBatch wb;
  RecordId rb = wb.Insert("dialogues", {{"notes", std::string("Họp dân thôn 3")}, {"attendees", int64_t{42}}});
  REQUIRE(b.Commit(g.ws, wb).ok());
  CHECK(SyncOneWay(a, b, g.ws) == 1);
  CHECK(SyncOneWay(b, a, g.ws) == 1);
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));
  Record r;
  REQUIRE(b.Get(ra, &r).ok());
  CHECK(std::get<std::string>(r.fields["summary"]) == "Đường ngập nước");
  REQUIRE(a.Get(rb, &r).ok());
  CHECK(std::get<int64_t>(r.fields["attendees"]) == 42);
  // Again: nothing new either way.
  CHECK(SyncOneWay(a, b, g.ws) == 0);
  CHECK(SyncOneWay(b, a, g.ws) == 0);
}

#include "chunk.h"
#include "commit.h"
#include "format.h"
#include "identity.h"

namespace {

// Everything a replica holds of ws that a chunk could change.
struct Snapshot {
  std::string digest, cursor;
  std::vector<ChainStatus> chains;
  bool operator==(const Snapshot& o) const {
    if (digest != o.digest || cursor != o.cursor || chains.size() != o.chains.size()) return false;
    for (size_t i = 0; i < chains.size(); i++) {
      if (chains[i].device != o.chains[i].device || chains[i].head != o.chains[i].head ||
          chains[i].contiguous != o.chains[i].contiguous) {
        return false;
      }
    }
    return true;
  }
};

// The one commit of ws that r has set aside.
SetAsideCommit OnlyAside(Replica& r, const WorkspaceId& ws) {
  std::vector<SetAsideCommit> aside;
  REQUIRE(r.SetAside(ws, &aside).ok());
  REQUIRE(aside.size() == 1);
  return aside[0];
}

Snapshot Snap(Replica& r, const WorkspaceId& ws) {
  Snapshot s;
  s.digest = Digest(r, ws);
  REQUIRE(r.Cursor(ws, &s.cursor).ok());
  REQUIRE(r.Chains(ws, &s.chains).ok());
  return s;
}

std::string ExportAll(Replica& r, const WorkspaceId& ws) {
  ExportResult ex;
  REQUIRE(r.Export(ws, "", 1 << 24, &ex, ChunkForm::kBlind).ok());
  REQUIRE_FALSE(ex.more);
  return ex.chunk;
}

}  // namespace

TEST_CASE("damaged chunks are refused and leave the store unchanged", "[sync][bad-input]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  for (int i = 0; i < 5; i++) {
    WriteBatch w;
    w.Insert("concerns", {{"summary", std::string("Kiến nghị số ") + std::to_string(i)}, {"n", int64_t{i}}});
    REQUIRE(a.Commit(g.ws, w).ok());
  }
  std::string chunk = ExportAll(a, g.ws);
  WriteBatch wb;
  wb.Insert("dialogues", {{"notes", std::string("b's own")}});
  REQUIRE(b.Commit(g.ws, wb).ok());
  Snapshot before = Snap(b, g.ws);
  ImportResult res;

  SECTION("every truncation") {
    for (size_t cut = 0; cut < chunk.size(); cut++) {
      Status s = b.Import(std::string_view(chunk).substr(0, cut), &res);
      INFO("cut at " << cut);
      REQUIRE_FALSE(s.ok());
      CHECK_FALSE(s.Retryable());
    }
    CHECK(Snap(b, g.ws) == before);
  }
  SECTION("every single-bit flip at every byte") {
    std::mt19937 rng(11);
    for (size_t i = 0; i < chunk.size(); i++) {
      std::string bad = chunk;
      bad[i] = static_cast<char>(bad[i] ^ (1 << (rng() % 8)));
      Status s = b.Import(bad, &res);
      INFO("flip at " << i);
      REQUIRE_FALSE(s.ok());
    }
    CHECK(Snap(b, g.ws) == before);
  }
  SECTION("not a chunk at all") {
    CHECK(b.Import("", &res).code() == Code::kDataLoss);
    CHECK(b.Import(std::string(200, 'x'), &res).code() == Code::kInvalidArgument);
    std::string future = chunk;
    future[4] = 9;  // A format version from the future.
    CHECK(b.Import(future, &res).code() == Code::kUnimplemented);
    CHECK(Snap(b, g.ws) == before);
  }
  SECTION("a replayed chunk is harmless") {
    REQUIRE(b.Import(chunk, &res).ok());
    CHECK(res.applied == 5);
    Snapshot after = Snap(b, g.ws);
    REQUIRE(b.Import(chunk, &res).ok());
    CHECK(res.applied == 0);
    CHECK(res.duplicates == 5);
    CHECK(Snap(b, g.ws) == after);
  }
}

TEST_CASE("forged, foreign and wrong-key commits are set aside, never merged", "[sync][bad-input]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  WriteBatch w;
  w.Insert("concerns", {{"summary", std::string("Tố cáo")}});
  REQUIRE(a.Commit(g.ws, w).ok());
  std::string good = ExportAll(a, g.ws);
  Snapshot before = Snap(b, g.ws);
  ImportResult res;

  SECTION("a chunk of a workspace this replica is not in") {
    Group other;
    MakeGroup(1, "", &other);
    WriteBatch ow;
    ow.Insert("concerns", {{"summary", std::string("elsewhere")}});
    REQUIRE(other.members[0]->Commit(other.ws, ow).ok());
    Status s = b.Import(ExportAll(*other.members[0], other.ws), &res);
    CHECK(s.code() == Code::kNotFound);
    CHECK(s.message().find("not in") != std::string::npos);
  }

  // The remaining cases build chunks by hand, as an attacker would.
  Chunk parsed;
  REQUIRE(DecodeChunk(good, &parsed).ok());
  SealedCommit original = parsed.commits.at(0);
  REQUIRE(InitCrypto().ok());

  SECTION("a commit sealed with another key") {
    // A device that holds a valid certificate but not this workspace's key:
    // its commit is signed correctly, but cannot be opened.
    SignKeyPair stranger = SignKeygen();
    KxKeyPair kx = KxKeygen();
    std::string req = EncodeJoinRequest(stranger.public_key, kx.public_key, stranger.secret_key);
    std::string env;
    REQUIRE(a.Admit(g.ws, req, Role::kCadre, &env).ok());
    Envelope e;
    REQUIRE(ParseEnvelope(env, &e).ok());
    CommitHeader h;
    h.author = DeviceIdFor(stranger.public_key);
    h.seq = 1;
    h.hlc = original.header.hlc + 1;
    h.prev_hash.assign(kHashBytes, '\0');
    std::string body;
    RecordOp op;
    op.record = *RecordId::FromHex("11111111111111111111111111111111");
    op.collection = "concerns";
    op.fields.push_back(FieldWrite{"summary", Value(std::string("forged")), {}});
    REQUIRE(EncodeBody(h.author, {op}, &body).ok());
    SealedCommit forged;
    REQUIRE(SealCommit(g.ws, h, body, Key32::Random(), stranger.secret_key, &forged).ok());
    Chunk c;
    c.workspace = g.ws;
    c.certificates = {e.certificate};
    c.commits = {forged};
    // Signed by its certified author, so it keeps its place in the chain,
    // but nothing of it merges.
    REQUIRE(b.Import(EncodeChunk(c), &res).ok());
    CHECK(res.applied == 0);
    CHECK(res.set_aside == 1);
    SetAsideCommit aside = OnlyAside(b, g.ws);
    CHECK(aside.code == Code::kPermissionDenied);
    CHECK(aside.reason.find("cannot be opened") != std::string::npos);
    CHECK(aside.in_log);
    CHECK_FALSE(aside.may_pass_later);
    CHECK(Digest(b, g.ws) == before.digest);
    before = Snap(b, g.ws);
  }
  SECTION("a commit by a device the admin never certified") {
    SignKeyPair stranger = SignKeygen();
    KxKeyPair kx = KxKeygen();
    // It certifies itself; the signature is not the admin's.
    Certificate self = IssueCertificate(g.ws, stranger.public_key, kx.public_key, format::kRoleCadre, kNow,
                                        stranger.secret_key);
    Chunk c;
    c.workspace = g.ws;
    c.certificates = {self.bytes};
    c.commits = {original};
    // The false certificate is left out; the genuine commit beside it merges.
    REQUIRE(b.Import(EncodeChunk(c), &res).ok());
    CHECK(res.applied == 1);
    CHECK(res.set_aside == 0);
    std::vector<DeviceStatus> devices;
    REQUIRE(b.Devices(g.ws, &devices).ok());
    CHECK(devices.size() == 2);
    before = Snap(b, g.ws);
    // Without any certificate the author is simply unknown.
    Chunk bare;
    bare.workspace = g.ws;
    CommitHeader h = original.header;
    h.author = DeviceIdFor(stranger.public_key);
    SealedCommit orphan;
    REQUIRE(ParseCommit(CanonicalBytes(h, original.ciphertext(), original.signature()), &orphan).ok());
    bare.commits = {orphan};
    REQUIRE(b.Import(EncodeChunk(bare), &res).ok());
    CHECK(res.set_aside == 1);
    SetAsideCommit aside = OnlyAside(b, g.ws);
    CHECK(aside.code == Code::kPermissionDenied);
    CHECK(aside.reason.find("no certificate") != std::string::npos);
    CHECK(aside.may_pass_later);
  }
  SECTION("an altered commit under a valid checksum") {
    std::string ct(original.ciphertext());
    ct[ct.size() / 2] ^= 1;
    SealedCommit altered;
    REQUIRE(ParseCommit(CanonicalBytes(original.header, ct, original.signature()), &altered).ok());
    parsed.commits = {altered};
    REQUIRE(b.Import(EncodeChunk(parsed), &res).ok());
    CHECK(res.set_aside == 1);
    SetAsideCommit aside = OnlyAside(b, g.ws);
    CHECK(aside.code == Code::kDataLoss);
    CHECK(aside.reason.find("signature") != std::string::npos);
    CHECK_FALSE(aside.in_log);
    // The genuine commit still gets in afterwards.
    REQUIRE(b.Import(good, &res).ok());
    CHECK(res.applied == 1);
    before = Snap(b, g.ws);
  }
  SECTION("two different commits under one number (a forked chain)") {
    REQUIRE(b.Import(good, &res).ok());
    before = Snap(b, g.ws);
    // Same author and number, new content: only the author's key can sign
    // it, so this is the author equivocating (or its key stolen).
    WriteBatch w2;
    w2.Insert("concerns", {{"summary", std::string("second")}});
    REQUIRE(a.Commit(g.ws, w2).ok());
    std::string both = ExportAll(a, g.ws);
    Chunk c;
    REQUIRE(DecodeChunk(both, &c).ok());
    REQUIRE(c.commits.size() == 2);
    // Present commit 2's bytes as if they were a different commit 1: the
    // rebuilt header no longer matches its signature.
    SealedCommit second = c.commits[1];
    CommitHeader h = second.header;
    h.seq = 1;
    h.prev_hash.assign(kHashBytes, '\0');
    SealedCommit renumbered;
    REQUIRE(ParseCommit(CanonicalBytes(h, second.ciphertext(), second.signature()), &renumbered).ok());
    c.commits = {renumbered};
    REQUIRE(b.Import(EncodeChunk(c), &res).ok());
    CHECK(res.set_aside == 1);
    CHECK(OnlyAside(b, g.ws).code == Code::kDataLoss);
  }
  CHECK(Snap(b, g.ws) == before);
}


TEST_CASE("the hash chain: gaps are visible, broken links and forks set aside as evidence", "[sync][bad-input]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& b = *g.members[1];
  REQUIRE(InitCrypto().ok());
  HandDevice dev(*g.members[0], g.ws);
  std::string zero(kHashBytes, '\0');
  SealedCommit c1 = dev.Make(1, zero, "one");
  SealedCommit c2 = dev.Make(2, c1.Hash(), "two");
  SealedCommit c3 = dev.Make(3, c2.Hash(), "three");
  SealedCommit c2_fork = dev.Make(2, c1.Hash(), "two, told differently");
  ImportResult res;

  // 1 and 3 arrive; 2 is missing, and the chain shows it.
  REQUIRE(b.Import(dev.ChunkOf({c1, c3}), &res).ok());
  std::vector<ChainStatus> chains;
  REQUIRE(b.Chains(g.ws, &chains).ok());
  REQUIRE(chains.size() == 1);
  CHECK(chains[0].contiguous == 1);
  CHECK(chains[0].head == 3);
  Snapshot gap = Snap(b, g.ws);

  // A "2" that 3 does not name is set aside as evidence of a fork.
  REQUIRE(b.Import(dev.ChunkOf({c2_fork}), &res).ok());
  CHECK(res.set_aside == 1);
  SetAsideCommit aside = OnlyAside(b, g.ws);
  CHECK(aside.code == Code::kDataLoss);
  CHECK(aside.reason.find("does not precede its successor") != std::string::npos);
  // A first commit that names a predecessor is set aside too.
  REQUIRE(b.Import(dev.ChunkOf({dev.Make(1, c3.Hash(), "bogus first")}), &res).ok());
  CHECK(res.set_aside == 1);
  CHECK(Snap(b, g.ws) == gap);

  // The real 2 closes the gap.
  REQUIRE(b.Import(dev.ChunkOf({c2}), &res).ok());
  CHECK(res.applied == 1);
  REQUIRE(b.Chains(g.ws, &chains).ok());
  CHECK(chains[0].contiguous == 3);
  Snapshot whole = Snap(b, g.ws);

  // Now the fork: a second, different commit numbered 2. Both are kept: one
  // in the log, the other set aside.
  REQUIRE(b.Import(dev.ChunkOf({c2_fork}), &res).ok());
  CHECK(res.set_aside == 1);
  std::vector<SetAsideCommit> all;
  REQUIRE(b.SetAside(g.ws, &all).ok());
  bool named = false;
  for (const SetAsideCommit& x : all) named |= x.reason.find("two different commits numbered 2") != std::string::npos;
  CHECK(named);
  // A commit that does not follow its stored predecessor.
  SealedCommit c4_bad = dev.Make(4, c2.Hash(), "four");
  REQUIRE(b.Import(dev.ChunkOf({c4_bad}), &res).ok());
  CHECK(res.set_aside == 1);
  REQUIRE(b.SetAside(g.ws, &all).ok());
  named = false;
  for (const SetAsideCommit& x : all) named |= x.reason.find("does not follow its predecessor") != std::string::npos;
  CHECK(named);
  CHECK(Snap(b, g.ws) == whole);
  // A chunk mixing good and bad commits: the good one merges.
  SealedCommit c4 = dev.Make(4, c3.Hash(), "four");
  REQUIRE(b.Import(dev.ChunkOf({c2_fork, c4}), &res).ok());
  CHECK(res.applied == 1);
  CHECK(res.set_aside == 1);
  REQUIRE(b.Chains(g.ws, &chains).ok());
  CHECK(chains[0].contiguous == 4);
}

TEST_CASE("export pages by size and resumes from its cursor", "[sync]") {
  Group g;
  MakeGroup(2, "", &g);
  Replica& a = *g.members[0];
  Replica& b = *g.members[1];
  for (int i = 0; i < 40; i++) {
    WriteBatch w;
    w.Insert("concerns", {{"summary", std::string(100, 'a' + i % 26)}});
    REQUIRE(a.Commit(g.ws, w).ok());
  }
  std::string cursor;
  REQUIRE(b.Cursor(g.ws, &cursor).ok());
  int pages = 0;
  for (;;) {
    ExportResult ex;
    REQUIRE(a.Export(g.ws, cursor, 1500, &ex).ok());
    CHECK(ex.chunk.size() < 3000);
    ImportResult res;
    REQUIRE(b.Import(ex.chunk, &res).ok());
    CHECK(res.duplicates == 0);
    pages++;
    if (!ex.more) break;
    cursor = ex.next_cursor;
  }
  CHECK(pages > 3);
  CHECK(Digest(a, g.ws) == Digest(b, g.ws));
  ExportResult none;
  REQUIRE(b.Cursor(g.ws, &cursor).ok());
  REQUIRE(a.Export(g.ws, cursor, 1500, &none).ok());
  CHECK(none.chunk.empty());
  CHECK(none.commits == 0);
  CHECK(a.Export(g.ws, "zz", 1500, &none).code() == Code::kInvalidArgument);
}

TEST_CASE("a push's export holds only this device's commits while a pull imports beside it", "[sync]") {
  // hamlet sync pushes and pulls at once: the pusher's replica exports its
  // own chain while another thread imports other devices' commits into it.
  // Both threads run on one processor, where the importer, woken when the
  // exporter lets the replica go, tends to run before the exporter goes on:
  // that is when an export could see chains grow under it.
  cpu_set_t all, one;
  REQUIRE(sched_getaffinity(0, sizeof all, &all) == 0);
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &all)) {
      CPU_SET(cpu, &one);
      break;
    }
  }
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  struct Restore {
    cpu_set_t* all;
    ~Restore() { sched_setaffinity(0, sizeof *all, all); }
  } restore{&all};
  for (int round = 0; round < 6; round++) {
    INFO("round " << round);
    Group g;
    MakeGroup(3, "", &g);
    Replica& pusher = *g.members[1];
    Replica& other = *g.members[2];
    for (int i = 0; i < 5; i++) {
      WriteBatch w;
      w.Insert("concerns", {{"summary", std::string("Kiến nghị của thôn ") + std::to_string(i)}});
      REQUIRE(pusher.Commit(g.ws, w).ok());
    }
    for (int i = 0; i < 150; i++) {
      WriteBatch w;
      w.Insert("concerns", {{"summary", std::string("Phản ánh ") + std::to_string(i)}});
      REQUIRE(other.Commit(g.ws, w).ok());
    }
    std::vector<std::string> pages;
    std::string cursor;
    REQUIRE(pusher.Cursor(g.ws, &cursor).ok());
    for (;;) {  // One commit a page: the pusher's copy of the other chain grows 150 times.
      ExportResult ex;
      REQUIRE(other.Export(g.ws, cursor, 1, &ex).ok());
      if (ex.chunk.empty()) break;
      pages.push_back(ex.chunk);
      cursor = ex.next_cursor;
    }
    REQUIRE(pages.size() == 150);

    std::atomic<bool> done{false};
    Status import_status;
    std::thread puller([&] {
      for (const std::string& page : pages) {
        ImportResult r;
        import_status = pusher.Import(page, &r);
        if (!import_status.ok()) break;
      }
      done = true;
    });
    size_t exports = 0, foreign = 0, wrong_count = 0;
    while (!done) {
      ExportResult ex;
      Status s = pusher.ExportAuthored(g.ws, 0, 1 << 20, &ex);
      Chunk chunk;
      if (s.ok()) s = DecodeChunk(ex.chunk, &chunk);
      if (!s.ok()) {
        done.wait(false);
        puller.join();
        FAIL(s.ToString());
      }
      if (ex.commits != 5) wrong_count++;
      for (const SealedCommit& c : chunk.commits) {
        if (c.header.author != pusher.device_id()) foreign++;
      }
      exports++;
    }
    puller.join();
    REQUIRE(import_status.ok());
    CHECK(exports > 0);
    CHECK(foreign == 0);
    CHECK(wrong_count == 0);
  }
}

TEST_CASE("an import on the calling thread alone merges what one on every core does", "[sync]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& writer = *g.members[0];
  for (int i = 0; i < 200; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", "việc " + std::to_string(i)}});
    REQUIRE(writer.Commit(g.ws, b).ok());
  }
  auto alone = AdmitNew(g, 60, Role::kOfficer, 1);
  auto all_cores = AdmitNew(g, 61, Role::kOfficer);
  CHECK(SyncOneWay(writer, *alone, g.ws) > 0);
  CHECK(SyncOneWay(writer, *all_cores, g.ws) > 0);
  CHECK(Digest(*alone, g.ws) == Digest(writer, g.ws));
  CHECK(Digest(*all_cores, g.ws) == Digest(writer, g.ws));
}
