// Snapshots (protocol.md 6.5): a replica started from one holds exactly what
// a full sync gives (state, conflicts, chain positions) and keeps converging
// with the others; a snapshot nobody trusted vouches for is refused.
//
// The randomized case runs HAMLET_SCHEDULES schedules (default 30);
// HAMLET_SEED=N replays the one schedule N.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>

#include "helpers.h"
#include "identity.h"
#include "snapshot.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

std::string ChainsOf(Replica& r, const WorkspaceId& ws) {
  std::vector<ChainStatus> chains;
  REQUIRE(r.Chains(ws, &chains).ok());
  std::string out;
  for (const ChainStatus& c : chains) {
    out += c.device.Hex() + ":" + std::to_string(c.contiguous) + "/" + std::to_string(c.head) + " ";
  }
  return out;
}

std::string ConflictsOf(Replica& r, const WorkspaceId& ws) {
  std::vector<Conflict> conflicts;
  REQUIRE(r.Conflicts(ws, &conflicts).ok());
  std::vector<std::string> lines;
  for (const Conflict& c : conflicts) {
    lines.push_back(c.record.Hex() + " " + c.field + " " + std::to_string(c.others.size()));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

struct Schedule {
  std::mt19937_64 rng;
  Group g;
  std::vector<RecordId> records;

  explicit Schedule(uint64_t seed) : rng(seed) {}
  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }

  void Write(Replica& r) {
    WriteBatch batch;
    if (records.empty() || Pick(3) == 0) {
      records.push_back(batch.Insert("notes", {{"text", std::string("ghi chép ") + std::to_string(Pick(1000))}}));
    } else {
      RecordId id = records[Pick(records.size())];
      Record known;
      if (!r.Get(id, &known).ok()) return;  // Not here yet.
      if (Pick(5) == 0) {
        batch.Delete(id);
      } else {
        batch.Update(id, {{"text", std::string("sửa ") + std::to_string(Pick(1000))}, {"n", int64_t(Pick(9))}});
      }
    }
    REQUIRE(r.Commit(g.ws, batch).ok());
  }

  // Pages of what to lacks, some of them lost or out of order: the
  // receiver then holds commits beyond a gap.
  void Exchange(Replica& from, Replica& to, bool whole) {
    std::string cursor;
    REQUIRE(to.Cursor(g.ws, &cursor).ok());
    std::vector<std::string> pages;
    for (int i = 0; i < 100; i++) {
      ExportResult ex;
      REQUIRE(from.Export(g.ws, cursor, 400, &ex).ok());
      if (!ex.chunk.empty()) pages.push_back(ex.chunk);
      if (!ex.more) break;
      cursor = ex.next_cursor;
    }
    if (!whole && pages.size() > 1) {
      std::shuffle(pages.begin(), pages.end(), rng);
      pages.resize(1 + Pick(pages.size() - 1));
    }
    for (const std::string& p : pages) {
      ImportResult im;
      REQUIRE(to.Import(p, &im).ok());
    }
  }
};

uint64_t Schedules() {
  const char* n = std::getenv("HAMLET_SCHEDULES");
  return n ? std::strtoull(n, nullptr, 10) : 30;
}

}  // namespace

TEST_CASE("a replica started from a snapshot equals one that pulled everything, and keeps converging") {
  const char* replay = std::getenv("HAMLET_SEED");
  uint64_t first = replay ? std::strtoull(replay, nullptr, 10) : 1;
  uint64_t count = replay ? 1 : Schedules();
  for (uint64_t seed = first; seed < first + count; seed++) {
    INFO("seed " << seed << " (HAMLET_SEED=" << seed << " replays it)");
    Schedule s(seed);
    size_t n = 3 + s.Pick(2);
    MakeGroup(static_cast<int>(n), "", &s.g);
    Group& g = s.g;
    Replica& admin = *g.members[0];
    // Members write and meet at random; what reaches the admin, the
    // snapshot's maker, arrives in part and out of order.
    for (int step = 0; step < 60; step++) {
      size_t r = s.Pick(n);
      if (s.Pick(2) == 0) {
        s.Write(*g.members[r]);
      } else {
        size_t to = (r + 1 + s.Pick(n - 1)) % n;
        s.Exchange(*g.members[r], *g.members[to], s.Pick(2) == 0);
      }
    }
    std::string snapshot;
    SnapshotInfo made;
    REQUIRE(admin.MakeSnapshot(g.ws, "", &snapshot, &made).ok());
    CHECK(made.maker == admin.device_id());

    auto started = AdmitNew(g, 100, Role::kCadre);
    auto full = AdmitNew(g, 101, Role::kCadre);
    s.Write(*started);  // Written before its first sync: merged again on top of the snapshot.
    SnapshotInfo taken;
    Status st = started->StartFromSnapshot(g.ws, snapshot, "", &taken);
    REQUIRE(st.ToString() == "OK");
    CHECK(taken.maker == admin.device_id());
    CHECK(taken.records == made.records);
    CHECK(!taken.position_used);
    // A second snapshot finds other members' commits here already.
    CHECK(started->StartFromSnapshot(g.ws, snapshot, "", &taken).code() == Code::kFailedPrecondition);

    // Then both take what everybody holds; the one started from the
    // snapshot is also sent everything from the start, which it holds.
    for (size_t m = 0; m < n; m++) {
      SyncOneWay(*g.members[m], *full, g.ws);
      SyncOneWay(*g.members[m], *started, g.ws);
    }
    ExportResult everything;
    REQUIRE(g.members[1]->Export(g.ws, "", 64 << 20, &everything).ok());
    if (!everything.chunk.empty()) {
      ImportResult im;
      REQUIRE(started->Import(everything.chunk, &im).ok());
      CHECK(im.applied == 0);
    }
    SyncOneWay(*started, *full, g.ws);
    SyncOneWay(*full, *started, g.ws);
    REQUIRE(Digest(*started, g.ws) == Digest(*full, g.ws));
    CHECK(ChainsOf(*started, g.ws) == ChainsOf(*full, g.ws));
    CHECK(ConflictsOf(*started, g.ws) == ConflictsOf(*full, g.ws));

    // Everybody goes on writing; the replica from the snapshot sends to the
    // admin (who holds what it does not) and receives from anyone.
    std::vector<Replica*> all;
    for (auto& m : g.members) all.push_back(m.get());
    all.push_back(started.get());
    all.push_back(full.get());
    for (int step = 0; step < 40; step++) {
      size_t r = s.Pick(all.size());
      if (s.Pick(2) == 0) {
        s.Write(*all[r]);
      } else if (all[r] == started.get()) {
        s.Exchange(*started, admin, s.Pick(2) == 0);
      } else {
        size_t to = (r + 1 + s.Pick(all.size() - 1)) % all.size();
        s.Exchange(*all[r], *all[to], s.Pick(2) == 0);
      }
    }
    for (Replica* m : all) {
      if (m != &admin) SyncOneWay(*m, admin, g.ws);
    }
    for (Replica* m : all) SyncOneWay(admin, *m, g.ws);
    std::string expected = Digest(admin, g.ws);
    for (Replica* m : all) CHECK(Digest(*m, g.ws) == expected);
    CHECK(ChainsOf(*started, g.ws) == ChainsOf(*full, g.ws));
    CHECK(ConflictsOf(*started, g.ws) == ConflictsOf(*full, g.ws));
  }
}

TEST_CASE("a replica started from a snapshot cannot hand out the commits it never held") {
  Group g;
  MakeGroup(2, "", &g);
  WriteBatch b;
  b.Insert("notes", {{"text", std::string("một")}});
  REQUIRE(g.members[1]->Commit(g.ws, b).ok());
  SyncOneWay(*g.members[1], *g.members[0], g.ws);
  std::string snapshot;
  SnapshotInfo info;
  REQUIRE(g.members[0]->MakeSnapshot(g.ws, "", &snapshot, &info).ok());
  auto started = AdmitNew(g, 100, Role::kCadre);
  REQUIRE(started->StartFromSnapshot(g.ws, snapshot, "", &info).ok());
  std::string bundle;
  size_t commits = 0;
  Status s = started->ExportBundle(g.ws, "", &bundle, &commits);
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.message().find("snapshot") != std::string::npos);
  // What came after the snapshot it hands out as any replica does.
  std::string cursor;
  REQUIRE(g.members[0]->Cursor(g.ws, &cursor).ok());
  WriteBatch more;
  more.Insert("notes", {{"text", std::string("hai")}});
  REQUIRE(started->Commit(g.ws, more).ok());
  CHECK(SyncOneWay(*started, *g.members[0], g.ws) == 1);
}

TEST_CASE("a revocation that voids part of a snapshot makes the replica pull from the beginning") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Replica& cadre = *g.members[1];
  // The cadre's commits reach the officer, not yet the admin.
  auto officer = AdmitNew(g, 50, Role::kOfficer);
  for (int i = 0; i < 3; i++) {
    WriteBatch b;
    b.Insert("notes", {{"text", std::string("ghi chép ") + std::to_string(i)}});
    REQUIRE(cadre.Commit(g.ws, b).ok());
    if (i == 0) SyncOneWay(cadre, admin, g.ws);
  }
  SyncOneWay(cadre, *officer, g.ws);
  SyncOneWay(admin, *officer, g.ws);
  std::string snapshot;
  SnapshotInfo info;
  REQUIRE(officer->MakeSnapshot(g.ws, "hub", &snapshot, &info).ok());
  auto started = AdmitNew(g, 100, Role::kCadre);
  WriteBatch own;
  own.Insert("notes", {{"text", std::string("của máy mới")}});
  REQUIRE(started->Commit(g.ws, own).ok());
  REQUIRE(started->StartFromSnapshot(g.ws, snapshot, "hub", &info).ok());
  REQUIRE(started->SetPullPosition(g.ws, "hub", 42).ok());
  // The admin revokes the cadre knowing its first commit only: the
  // snapshot merged two that no longer count.
  RevokeResult rev;
  REQUIRE(admin.Revoke(g.ws, cadre.device_id(), &rev).ok());
  REQUIRE(started->AcceptRevocation(rev.revocation).ok());
  uint64_t position = 1;
  REQUIRE(started->PullPosition(g.ws, "hub", &position).ok());
  CHECK(position == 0);  // The next pull starts from the beginning.
  std::vector<ChainStatus> chains;
  REQUIRE(started->Chains(g.ws, &chains).ok());
  REQUIRE(chains.size() == 1);  // Only its own commit is left.
  CHECK(chains[0].device == started->device_id());
  // Pulled again, it holds what the admin holds, plus its own note.
  SyncOneWay(admin, *started, g.ws);
  SyncOneWay(*started, admin, g.ws);
  CHECK(Digest(*started, g.ws) == Digest(admin, g.ws));
  QueryResult found;
  Query q;
  q.collection = "notes";
  REQUIRE(started->Find(q, &found).ok());
  CHECK(found.total == 2);  // The cadre's first note and the new device's own.
}

// The attacker's programs: each makes a snapshot the way the engine does
// (snapshot.h) with what it has, and offers it to a new device.
TEST_CASE("a snapshot not vouched for by a trusted device is refused, and changes nothing") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Replica& cadre = *g.members[1];
  WriteBatch b;
  b.Insert("notes", {{"text", std::string("thật")}});
  REQUIRE(cadre.Commit(g.ws, b).ok());
  SyncOneWay(cadre, admin, g.ws);
  auto officer = AdmitNew(g, 50, Role::kOfficer);
  SyncOneWay(admin, *officer, g.ws);
  std::string genuine;
  SnapshotInfo info;
  REQUIRE(officer->MakeSnapshot(g.ws, "", &genuine, &info).ok());

  auto fresh = [&](int key) { return AdmitNew(g, key, Role::kCadre); };
  auto refused = [&](Replica& r, std::string_view bytes, Code code) {
    std::string before = Digest(r, g.ws);
    SnapshotInfo unused;
    Status s = r.StartFromSnapshot(g.ws, bytes, "", &unused);
    INFO(s.ToString());
    CHECK(s.code() == code);
    CHECK(Digest(r, g.ws) == before);
    std::vector<ChainStatus> chains;
    REQUIRE(r.Chains(g.ws, &chains).ok());
    CHECK(chains.empty());
  };

  SECTION("a cadre's device makes none, and one a cadre signs is refused") {
    std::string bytes;
    CHECK(cadre.MakeSnapshot(g.ws, "", &bytes, &info).code() == Code::kPermissionDenied);
    // The cadre reads its own state and signs it with its own key.
    SnapshotHeader h;
    REQUIRE(ReadSnapshotHeader(genuine, &h).ok());
    std::string cert;
    REQUIRE(cadre.DeviceCertificate(g.ws, cadre.device_id(), &cert).ok());
    h.maker_certificate = cert;
    SnapshotBody body;
    body.records.emplace_back(*RecordId::FromBytes(std::string(16, 'x')), std::string());
    std::string encoded;
    EncodeSnapshotBody(body, &encoded);
    // Without the signing key of the cadre the engine keeps, the attacker
    // signs with a key of its own: refused either way.
    SignKeyPair k = SignKeygen();
    Key32 wrong = Key32::Random();
    auto r = fresh(100);
    refused(*r, SealSnapshot(h, wrong, k.secret_key, encoded), Code::kPermissionDenied);
  }

  SECTION("a device no certificate of the admin names") {
    // Another workspace's admin certifies itself as officer of this one.
    SignKeyPair rogue = SignKeygen();
    KxKeyPair kx = KxKeygen();
    Certificate c = IssueCertificate(g.ws, rogue.public_key, kx.public_key, 1, kNow, rogue.secret_key);
    SnapshotHeader h;
    REQUIRE(ReadSnapshotHeader(genuine, &h).ok());
    h.maker_certificate = c.bytes;
    SnapshotBody body;
    std::string encoded;
    EncodeSnapshotBody(body, &encoded);
    auto r = fresh(100);
    refused(*r, SealSnapshot(h, Key32::Random(), rogue.secret_key, encoded), Code::kPermissionDenied);
  }

  SECTION("a revoked officer's") {
    RevokeResult rev;
    REQUIRE(admin.Revoke(g.ws, officer->device_id(), &rev).ok());
    auto r = fresh(100);
    REQUIRE(r->AcceptRevocation(rev.revocation).ok());
    refused(*r, genuine, Code::kPermissionDenied);
  }

  SECTION("changed on the way: records, header or signature") {
    auto r = fresh(100);
    for (size_t at : {genuine.size() / 2, genuine.size() - 100, genuine.size() - 1, size_t{30}}) {
      std::string altered = genuine;
      altered[at] ^= 0x01;
      std::string before = Digest(*r, g.ws);
      SnapshotInfo unused;
      Status s = r->StartFromSnapshot(g.ws, altered, "", &unused);
      INFO("byte " << at << ": " << s.ToString());
      CHECK(!s.ok());
      CHECK(Digest(*r, g.ws) == before);
    }
    refused(*r, genuine.substr(0, genuine.size() - 10), Code::kDataLoss);
    CHECK(r->StartFromSnapshot(g.ws, genuine, "", &info).ok());  // The genuine one still goes in.
  }

  SECTION("replayed from another workspace") {
    Group other;
    MakeGroup(1, "", &other);
    std::string theirs;
    REQUIRE(other.members[0]->MakeSnapshot(other.ws, "", &theirs, &info).ok());
    auto r = fresh(100);
    refused(*r, theirs, Code::kInvalidArgument);
    // Relabelled as this workspace's: the signature no longer holds.
    std::string relabelled = theirs;
    relabelled.replace(5, 16, std::string(g.ws.View()));
    SnapshotInfo unused;
    Status s = r->StartFromSnapshot(g.ws, relabelled, "", &unused);
    CHECK(s.code() == Code::kPermissionDenied);
  }
}
