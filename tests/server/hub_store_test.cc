// The hub's storage rules, the same suite against both stores: SQLite in a
// data folder and PostgreSQL (a real server the tests start).
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "commit.h"
#include "crypto.h"
#include "helpers.h"
#include "hub_store.h"
#include "identity.h"
#include "pg.h"
#include "test_postgres.h"

using namespace hamlet;
using namespace hamlet::hub;
using namespace hamlet::test;

namespace {

WorkspaceId NewWorkspaceId() { return *WorkspaceId::FromBytes(RandomBytes(16)); }

// A device of the tests whose chain of commits grows on demand.
struct Author {
  SignKeyPair keys = SignKeygen();
  DeviceId id = DeviceIdFor(keys.public_key);
  std::vector<SealedCommit> chain;

  // Commit number seq (chain grows as needed), or a different commit under
  // that number when forked is set.
  const SealedCommit& At(const WorkspaceId& ws, uint64_t seq) {
    while (chain.size() < seq) chain.push_back(Make(ws, chain.size() + 1, "commit"));
    return chain[seq - 1];
  }
  SealedCommit Make(const WorkspaceId& ws, uint64_t seq, const std::string& body) {
    CommitHeader h;
    h.author = id;
    h.seq = seq;
    h.prev_hash = seq == 1 ? std::string(kHashBytes, '\0') : At(ws, seq - 1).Hash();
    SealedCommit c;
    REQUIRE(SealCommit(ws, h, body, key, keys.secret_key, &c).ok());
    return c;
  }
  std::vector<SealedCommit> Range(const WorkspaceId& ws, uint64_t from, uint64_t to) {
    std::vector<SealedCommit> out;
    for (uint64_t s = from; s <= to; s++) out.push_back(At(ws, s));
    return out;
  }
  Key32 key = Key32::Random();
};

struct Opened {
  std::string where;
  std::unique_ptr<HubStore> store;
};

std::unique_ptr<HubStore> OpenAt(const std::string& where) {
  std::unique_ptr<HubStore> store;
  Status s = IsPostgresUrl(where) ? OpenPostgresHubStore(where, &store) : OpenSqliteHubStore(where, &store);
  REQUIRE(s.ToString() == "OK");
  return store;
}

// A store with one published workspace whose admin is admin.
struct Fixture {
  explicit Fixture(const std::string& backend) : where(HubStoreFor(backend, dir.path())), store(OpenAt(where)) {
    REQUIRE(store->AddToken("token-hash", 1).ok());
    REQUIRE(store->PublishWorkspace("token-hash", ws, admin.keys.public_key, "admin-cert", admin.id, 1).ok());
  }
  void Add(const Author& a) { REQUIRE(store->PutDevice(ws, a.id, "cert of " + a.id.Hex()).ok()); }
  TempDir dir;
  std::string where;
  std::unique_ptr<HubStore> store;
  WorkspaceId ws = NewWorkspaceId();
  Author admin;
};

// Everything a reader gets pulling from position after to the end, in
// pages of about max_bytes; *next is where it ends.
std::vector<std::string> PullAll(HubStore& store, const WorkspaceId& ws, const DeviceId& reader, uint64_t after,
                                 size_t max_bytes, uint64_t* next = nullptr) {
  std::vector<std::string> all;
  bool more = true;
  while (more) {
    std::vector<std::string> page;
    uint64_t n = 0;
    REQUIRE(store.ReadAfter(ws, reader, after, 0, max_bytes, &page, &n, &more).ok());
    all.insert(all.end(), page.begin(), page.end());
    after = n;
  }
  if (next) *next = after;
  return all;
}

}  // namespace

TEST_CASE("hub store: publishing, tokens and devices", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  // A token publishes once; an unknown one never.
  WorkspaceId other = NewWorkspaceId();
  CHECK(s.PublishWorkspace("token-hash", other, "pk", "cert", f.admin.id, 2).code() == Code::kPermissionDenied);
  CHECK(s.PublishWorkspace("no such token", other, "pk", "cert", f.admin.id, 2).code() == Code::kPermissionDenied);
  REQUIRE(s.AddToken("second", 2).ok());
  CHECK(s.PublishWorkspace("second", f.ws, "pk", "cert", f.admin.id, 2).code() == Code::kAlreadyExists);
  // The token was not used up by the refusal.
  CHECK(s.PublishWorkspace("second", other, "pk2", "cert2", f.admin.id, 2).ok());

  std::string pk;
  REQUIRE(s.AdminKey(f.ws, &pk).ok());
  CHECK(pk == f.admin.keys.public_key);
  CHECK(s.AdminKey(NewWorkspaceId(), &pk).code() == Code::kNotFound);

  Author cadre;
  DeviceRecord rec;
  CHECK(s.GetDevice(f.ws, cadre.id, &rec).code() == Code::kNotFound);
  f.Add(cadre);
  REQUIRE(s.GetDevice(f.ws, cadre.id, &rec).ok());
  CHECK(rec.certificate == "cert of " + cadre.id.Hex());
  CHECK_FALSE(rec.revoked);
  CHECK(s.GetDevice(other, cadre.id, &rec).code() == Code::kNotFound);  // Devices are per workspace.
  std::vector<std::string> certs;
  REQUIRE(s.Certificates(f.ws, &certs).ok());
  CHECK(std::set<std::string>(certs.begin(), certs.end()) ==
        std::set<std::string>{"admin-cert", "cert of " + cadre.id.Hex()});

  bool yes = true;
  REQUIRE(s.IsOperatorToken("op", &yes).ok());
  CHECK_FALSE(yes);
  REQUIRE(s.AddOperatorToken("op", 3).ok());
  REQUIRE(s.IsOperatorToken("op", &yes).ok());
  CHECK(yes);

  std::vector<WorkspaceSummary> sums;
  REQUIRE(s.Summaries(&sums).ok());
  REQUIRE(sums.size() == 2);
  CHECK(sums[0].workspace == f.ws);
  CHECK(sums[0].devices.size() == 2);
}

TEST_CASE("hub store: chains are stored without gaps, forks or broken links", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author a;
  f.Add(a);
  AppendResult r;
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 1, 5), 10, &r).ok());
  CHECK(r.stored == 5);
  CHECK(r.duplicates == 0);
  // The same again: duplicates, nothing stored twice.
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 3, 7), 10, &r).ok());
  CHECK(r.stored == 2);
  CHECK(r.duplicates == 3);
  uint64_t contiguous = 0;
  REQUIRE(s.Contiguous(f.ws, a.id, &contiguous).ok());
  CHECK(contiguous == 7);
  // A gap is refused, and so is the whole push that holds it.
  Status gap = s.Append(f.ws, {a.At(f.ws, 8), a.At(f.ws, 10)}, 10, &r);
  CHECK(gap.code() == Code::kFailedPrecondition);
  REQUIRE(s.Contiguous(f.ws, a.id, &contiguous).ok());
  CHECK(contiguous == 7);
  // Another commit under a number held: a fork.
  CHECK(s.Append(f.ws, {a.Make(f.ws, 4, "forked")}, 10, &r).code() == Code::kDataLoss);
  // A commit whose link names another predecessor.
  Author b;
  f.Add(b);
  b.At(f.ws, 1);
  SealedCommit stray = b.Make(f.ws, 1, "other");
  b.chain[0] = stray;  // b's commit 2 links to this one, not to what the hub will hold.
  SealedCommit second = b.At(f.ws, 2);
  REQUIRE(s.Append(f.ws, {b.Make(f.ws, 1, "first")}, 10, &r).ok());
  CHECK(s.Append(f.ws, {second}, 10, &r).code() == Code::kDataLoss);

  std::string bytes;
  bool found = false;
  REQUIRE(s.GetCommit(f.ws, a.id, 6, &bytes, &found).ok());
  CHECK(found);
  CHECK(bytes == a.At(f.ws, 6).bytes);
  REQUIRE(s.GetCommit(f.ws, a.id, 8, &bytes, &found).ok());
  CHECK_FALSE(found);
  uint64_t head = 0;
  std::map<DeviceId, uint64_t> heads;
  REQUIRE(s.Heads(f.ws, &head, &heads).ok());
  CHECK(head >= 8);  // Seven of a's and b's first.
  CHECK(heads == std::map<DeviceId, uint64_t>{{a.id, 7}, {b.id, 1}});
}

TEST_CASE("hub store: pages in order of storing, a reader's own passed over, a named page kept", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author a, b;
  f.Add(a);
  f.Add(b);
  AppendResult r;
  for (uint64_t i = 1; i <= 30; i++) {
    REQUIRE(s.Append(f.ws, {a.At(f.ws, i)}, 1, &r).ok());
    REQUIRE(s.Append(f.ws, {b.At(f.ws, i)}, 1, &r).ok());
  }
  // A stranger to both gets everything in the order stored, in pages.
  Author c;
  std::vector<std::string> all = PullAll(s, f.ws, c.id, 0, 3000);
  REQUIRE(all.size() == 60);
  for (uint64_t i = 0; i < 30; i++) {
    CHECK(all[2 * i] == a.At(f.ws, i + 1).bytes);
    CHECK(all[2 * i + 1] == b.At(f.ws, i + 1).bytes);
  }
  // a gets only b's, yet its position reaches the end.
  uint64_t end_a = 0, end_c = 0;
  std::vector<std::string> for_a = PullAll(s, f.ws, a.id, 0, 3000, &end_a);
  PullAll(s, f.ws, c.id, 0, 1 << 20, &end_c);
  CHECK(for_a.size() == 30);
  CHECK(end_a == end_c);
  // What a device pushed for others (a relay) is left out of its pulls
  // too, and only of its own.
  Author relay;
  f.Add(relay);
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 31, 33), 1, &r, &relay.id).ok());
  CHECK(r.stored == 3);
  uint64_t end_relay = 0, end_all = 0;
  CHECK(PullAll(s, f.ws, relay.id, 0, 3000, &end_relay).size() == 60);
  CHECK(PullAll(s, f.ws, c.id, 0, 3000, &end_all).size() == 63);
  CHECK(end_relay == end_all);
  CHECK(PullAll(s, f.ws, b.id, 0, 3000).size() == 33);
  // A page named by after, upto and max_bytes is the same page later,
  // whatever was stored since.
  std::vector<std::string> page1, page2;
  uint64_t next1 = 0, next2 = 0;
  bool more1 = false, more2 = false;
  REQUIRE(s.ReadAfter(f.ws, c.id, 0, 0, 5000, &page1, &next1, &more1).ok());
  CHECK(more1);
  for (uint64_t i = 34; i <= 40; i++) REQUIRE(s.Append(f.ws, {a.At(f.ws, i)}, 1, &r).ok());
  REQUIRE(s.ReadAfter(f.ws, c.id, 0, next1, 5000, &page2, &next2, &more2).ok());
  CHECK(page2 == page1);
  CHECK(next2 == next1);
  CHECK(more2);
  // At the end: nothing, no more, the position kept.
  uint64_t end = 0;
  PullAll(s, f.ws, c.id, 0, 1 << 20, &end);
  std::vector<std::string> none;
  uint64_t next = 0;
  bool more = true;
  REQUIRE(s.ReadAfter(f.ws, c.id, end, 0, 1 << 20, &none, &next, &more).ok());
  CHECK(none.empty());
  CHECK_FALSE(more);
  CHECK(next == end);
  // Another workspace's commits never show.
  REQUIRE(s.AddToken("t2", 1).ok());
  WorkspaceId other = NewWorkspaceId();
  Author d;
  REQUIRE(s.PublishWorkspace("t2", other, d.keys.public_key, "cert", d.id, 1).ok());
  REQUIRE(s.Append(other, {d.At(other, 1)}, 1, &r).ok());
  REQUIRE(s.ReadAfter(f.ws, c.id, end, 0, 1 << 20, &none, &next, &more).ok());
  CHECK(none.empty());
}

TEST_CASE("hub store: where the commits stored since a day begin (recent first)", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author a, b;
  f.Add(a);
  f.Add(b);
  constexpr int64_t kDay = 86400000;
  const int64_t day100 = 100 * kDay;
  uint64_t after = 99;
  REQUIRE(s.RecentAfter(f.ws, day100, &after).ok());
  CHECK(after == 0);  // Nothing stored at all.
  AppendResult r;
  // Days 100 and 101: three pushes; day 130: two more, the first of them
  // late in the day.
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 1, 3), day100 + 5, &r).ok());
  REQUIRE(s.Append(f.ws, b.Range(f.ws, 1, 2), day100 + kDay - 1, &r).ok());
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 4, 4), day100 + kDay, &r).ok());
  // Another workspace stores in between: its positions are not ws's.
  REQUIRE(s.AddToken("t2", 1).ok());
  WorkspaceId other = NewWorkspaceId();
  Author d;
  REQUIRE(s.PublishWorkspace("t2", other, d.keys.public_key, "cert", d.id, 1).ok());
  REQUIRE(s.Append(other, d.Range(other, 1, 2), 130 * kDay, &r).ok());
  REQUIRE(s.Append(f.ws, b.Range(f.ws, 3, 4), 130 * kDay + kDay - 10, &r).ok());
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 5, 6), 130 * kDay + kDay - 5, &r).ok());
  // The positions of ws in order, from a stranger's pull.
  Author c;
  std::vector<uint64_t> positions;
  for (uint64_t from = 0;;) {
    std::vector<std::string> one;
    uint64_t next = 0;
    bool more = false;
    REQUIRE(s.ReadAfter(f.ws, c.id, from, 0, 1, &one, &next, &more).ok());
    if (one.empty()) break;
    positions.push_back(next);
    from = next;
  }
  REQUIRE(positions.size() == 10);
  // Since day 100 (any time in it): everything.
  REQUIRE(s.RecentAfter(f.ws, day100 + kDay / 2, &after).ok());
  CHECK(after == 0);
  // Since day 101: a's fourth on; the five of day 100 are older.
  REQUIRE(s.RecentAfter(f.ws, day100 + kDay + 7, &after).ok());
  CHECK(after == positions[4]);
  // Since any day from 102 to 130: the last four.
  REQUIRE(s.RecentAfter(f.ws, 102 * kDay, &after).ok());
  CHECK(after == positions[5]);
  REQUIRE(s.RecentAfter(f.ws, 130 * kDay + kDay - 1, &after).ok());
  CHECK(after == positions[5]);
  // Since day 131: nothing is recent, the older part is all of it.
  REQUIRE(s.RecentAfter(f.ws, 131 * kDay, &after).ok());
  CHECK(after == positions[9]);
  // A push of duplicates only stores nothing and notes no day.
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 5, 6), 140 * kDay, &r).ok());
  CHECK(r.stored == 0);
  REQUIRE(s.RecentAfter(f.ws, 135 * kDay, &after).ok());
  CHECK(after == positions[9]);
}

TEST_CASE("hub store: sessions take each counter once, a device holds at most 8", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author a;
  f.Add(a);
  REQUIRE(s.AddChallenge(f.ws, a.id, "challenge-1", 1000, 5000).ok());
  DeviceRecord rec;
  REQUIRE(s.GetDevice(f.ws, a.id, &rec).ok());
  CHECK(rec.last_seen == 0);  // Opening a session is not being seen.
  CHECK(s.UseChallenge(f.ws, a.id, "challenge-1", 1, 1100).ok());
  REQUIRE(s.GetDevice(f.ws, a.id, &rec).ok());
  CHECK(rec.last_seen == 1100);
  CHECK(s.UseChallenge(f.ws, a.id, "challenge-1", 1, 1200).code() == Code::kUnauthenticated);  // Replayed.
  CHECK(s.UseChallenge(f.ws, a.id, "challenge-1", 5, 1200).ok());
  CHECK(s.UseChallenge(f.ws, a.id, "challenge-1", 3, 1200).code() == Code::kUnauthenticated);  // Not growing.
  Author b;
  f.Add(b);
  CHECK(s.UseChallenge(f.ws, b.id, "challenge-1", 9, 1200).code() == Code::kUnauthenticated);  // Not b's.
  CHECK(s.UseChallenge(f.ws, a.id, "challenge-1", 9, 5001).code() == Code::kUnauthenticated);  // Expired.
  CHECK(s.UseChallenge(f.ws, a.id, "no such", 1, 1200).code() == Code::kUnauthenticated);
  // Opening a ninth ends the oldest.
  for (int i = 0; i < 9; i++) {
    REQUIRE(s.AddChallenge(f.ws, a.id, "c" + std::to_string(i), 2000 + i, 10000 + i).ok());
  }
  CHECK(s.UseChallenge(f.ws, a.id, "c0", 1, 2100).code() == Code::kUnauthenticated);
  for (int i = 1; i < 9; i++) CHECK(s.UseChallenge(f.ws, a.id, "c" + std::to_string(i), 1, 2100).ok());
}

TEST_CASE("hub store: a revocation drops what came after it and ends the device's sessions", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author a, b;
  f.Add(a);
  f.Add(b);
  AppendResult r;
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 1, 6), 1, &r).ok());
  REQUIRE(s.Append(f.ws, b.Range(f.ws, 1, 2), 1, &r).ok());
  REQUIRE(s.AddChallenge(f.ws, a.id, "sess", 1, 100000).ok());
  REQUIRE(s.Revoke(f.ws, a.id, 4, "revocation of a").ok());
  CHECK(s.UseChallenge(f.ws, a.id, "sess", 1, 2).code() == Code::kUnauthenticated);
  DeviceRecord rec;
  REQUIRE(s.GetDevice(f.ws, a.id, &rec).ok());
  CHECK(rec.revoked);
  uint64_t contiguous = 0;
  REQUIRE(s.Contiguous(f.ws, a.id, &contiguous).ok());
  CHECK(contiguous == 4);
  std::vector<std::string> all = PullAll(s, f.ws, b.id, 0, 1 << 20);
  CHECK(all.size() == 4);
  // Up to the revocation it may still arrive (as duplicates); beyond, never.
  REQUIRE(s.Append(f.ws, a.Range(f.ws, 3, 4), 1, &r).ok());
  CHECK(r.duplicates == 2);
  CHECK(s.Append(f.ws, {a.At(f.ws, 5)}, 1, &r).code() == Code::kPermissionDenied);
  std::vector<std::string> grants, revocations;
  REQUIRE(s.KeysFor(f.ws, b.id, &grants, &revocations).ok());
  CHECK(revocations == std::vector<std::string>{"revocation of a"});
  std::vector<std::string> certs;
  REQUIRE(s.Certificates(f.ws, &certs).ok());
  CHECK(certs.size() == 2);  // The admin's and b's.
}

TEST_CASE("hub store: grants, statements, joins and admissions", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author a;
  f.Add(a);
  REQUIRE(s.AddGrant(f.ws, a.id, 2, "grant 2").ok());
  REQUIRE(s.AddGrant(f.ws, a.id, 1, "grant 1").ok());
  REQUIRE(s.AddGrant(f.ws, a.id, 1, "grant 1 again").ok());
  std::vector<std::string> grants, revocations;
  REQUIRE(s.KeysFor(f.ws, a.id, &grants, &revocations).ok());
  CHECK(grants == std::vector<std::string>{"grant 1 again", "grant 2"});
  CHECK(revocations.empty());

  std::string st;
  REQUIRE(s.GetStatement(f.ws, &st).ok());
  CHECK(st.empty());
  REQUIRE(s.PutStatement(f.ws, 200, "statement 200").ok());
  REQUIRE(s.PutStatement(f.ws, 100, "statement 100").ok());  // Older: changes nothing.
  REQUIRE(s.GetStatement(f.ws, &st).ok());
  CHECK(st == "statement 200");

  REQUIRE(s.AddJoin(f.ws, "inv1", "request one", 1000, 0).ok());
  REQUIRE(s.AddJoin(f.ws, "inv1", "request one", 1000, 0).ok());  // A repeat is harmless.
  REQUIRE(s.AddJoin(f.ws, "inv2", "request two", 5000, 0).ok());
  std::vector<std::string> pending;
  REQUIRE(s.PendingJoins(f.ws, 0, &pending).ok());
  CHECK(std::set<std::string>(pending.begin(), pending.end()) == std::set<std::string>{"request one", "request two"});
  std::string envelope;
  CHECK(s.GetAdmission(f.ws, "inv1", &envelope).code() == Code::kNotFound);
  REQUIRE(s.PutAdmission(f.ws, "inv1", "envelope one").ok());
  REQUIRE(s.GetAdmission(f.ws, "inv1", &envelope).ok());
  CHECK(envelope == "envelope one");
  // Unanswered requests older than the bound are forgotten.
  REQUIRE(s.AddJoin(f.ws, "inv3", "request three", 9000, 4000).ok());
  REQUIRE(s.PendingJoins(f.ws, 4000, &pending).ok());
  CHECK(std::set<std::string>(pending.begin(), pending.end()) ==
        std::set<std::string>{"request two", "request three"});
  // At most 8 requests per invite.
  for (int i = 0; i < 7; i++) REQUIRE(s.AddJoin(f.ws, "inv4", "r" + std::to_string(i), 9000, 0).ok());
  REQUIRE(s.AddJoin(f.ws, "inv4", "r7", 9000, 0).ok());
  CHECK(s.AddJoin(f.ws, "inv4", "r8", 9000, 0).code() == Code::kFailedPrecondition);
}

TEST_CASE("hub store: attachments grow a chunk at a time, keep a cut chunk's start, and stay within the quota",
          "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  const std::string id(32, 'a'), other(32, 'b');
  AttachmentRow row;
  bool found = true;
  REQUIRE(s.GetAttachment(f.ws, id, &row, &found).ok());
  CHECK_FALSE(found);
  REQUIRE(s.AddAttachment(f.ws, id, "manifest", 300, 3, 1000, 1).ok());
  // Registering again changes nothing, whatever the second call says.
  REQUIRE(s.AddAttachment(f.ws, id, "other manifest", 900, 9, 1000, 2).ok());
  REQUIRE(s.GetAttachment(f.ws, id, &row, &found).ok());
  REQUIRE(found);
  CHECK(row.manifest == "manifest");
  CHECK(row.sealed_size == 300);
  CHECK(row.chunks == 3);
  CHECK(row.held_chunks == 0);
  // Attachments are per workspace.
  WorkspaceId elsewhere = NewWorkspaceId();
  REQUIRE(s.GetAttachment(elsewhere, id, &row, &found).ok());
  CHECK_FALSE(found);

  // Chunks go in order only; the start of a cut-off chunk is kept until
  // the chunk is whole.
  CHECK(s.PutAttachmentChunk(f.ws, id, 1, "second").code() == Code::kFailedPrecondition);
  REQUIRE(s.PutAttachmentChunk(f.ws, id, 0, "first").ok());
  REQUIRE(s.SetAttachmentPartial(f.ws, id, 1, "sec").ok());
  REQUIRE(s.GetAttachment(f.ws, id, &row, &found).ok());
  CHECK(row.held_chunks == 1);
  CHECK(row.partial == "sec");
  REQUIRE(s.PutAttachmentChunk(f.ws, id, 1, "second").ok());
  REQUIRE(s.GetAttachment(f.ws, id, &row, &found).ok());
  CHECK(row.held_chunks == 2);
  CHECK(row.partial.empty());
  CHECK(s.PutAttachmentChunk(f.ws, id, 1, "second").code() == Code::kFailedPrecondition);
  std::string data;
  bool held = false;
  REQUIRE(s.GetAttachmentChunk(f.ws, id, 1, &data, &held).ok());
  CHECK(held);
  CHECK(data == "second");
  REQUIRE(s.GetAttachmentChunk(f.ws, id, 2, &data, &held).ok());
  CHECK_FALSE(held);

  // The quota counts every attachment of the workspace by its sealed size.
  Status over = s.AddAttachment(f.ws, other, "m2", 701, 8, 1000, 3);
  CHECK(over.code() == Code::kOutOfRange);
  REQUIRE(s.GetAttachment(f.ws, other, &row, &found).ok());
  CHECK_FALSE(found);
  CHECK(s.AddAttachment(f.ws, other, "m2", 700, 7, 1000, 3).ok());
}

TEST_CASE("hub store: a snapshot upload grows a piece at a time, every byte kept; the newest snapshot is kept",
          "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  auto& s = *f.store;
  Author officer;
  f.Add(officer);
  // Sealed bytes hold zeros anywhere: none may end a piece early.
  const std::string first("HMLT\0\x01\0zero", 12), second(std::string("\0\0after\0", 9));
  uint64_t held = 99;
  REQUIRE(s.SnapshotUploadHeld(f.ws, officer.id, &held).ok());
  CHECK(held == 0);
  REQUIRE(s.AppendSnapshotUpload(f.ws, officer.id, 0, first, &held).ok());
  CHECK(held == first.size());
  // Not from where the upload ends: refused, nothing changes.
  CHECK(s.AppendSnapshotUpload(f.ws, officer.id, 3, second, &held).code() == Code::kFailedPrecondition);
  REQUIRE(s.AppendSnapshotUpload(f.ws, officer.id, first.size(), second, &held).ok());
  CHECK(held == first.size() + second.size());
  REQUIRE(s.SnapshotUploadHeld(f.ws, officer.id, &held).ok());
  CHECK(held == first.size() + second.size());
  // Another device's upload is its own.
  REQUIRE(s.SnapshotUploadHeld(f.ws, f.admin.id, &held).ok());
  CHECK(held == 0);
  std::string whole;
  REQUIRE(s.TakeSnapshotUpload(f.ws, officer.id, &whole).ok());
  CHECK(whole == first + second);
  REQUIRE(s.SnapshotUploadHeld(f.ws, officer.id, &held).ok());
  CHECK(held == 0);

  uint64_t position = 0;
  bool found = true, kept = false;
  REQUIRE(s.GetSnapshot(f.ws, &position, nullptr, &found).ok());
  CHECK_FALSE(found);
  REQUIRE(s.PutSnapshot(f.ws, 10, whole, &kept).ok());
  CHECK(kept);
  // One that reaches less far, or as far, does not replace it.
  REQUIRE(s.PutSnapshot(f.ws, 10, "older", &kept).ok());
  CHECK_FALSE(kept);
  REQUIRE(s.PutSnapshot(f.ws, 12, std::string("newer\0", 6), &kept).ok());
  CHECK(kept);
  std::string bytes;
  REQUIRE(s.GetSnapshot(f.ws, &position, &bytes, &found).ok());
  CHECK(found);
  CHECK(position == 12);
  CHECK(bytes == std::string("newer\0", 6));
}

TEST_CASE("hub store: the instance id lasts, renewed only on purpose", "[hub-store]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  std::string where;
  TempDir dir;
  where = HubStoreFor(backend, dir.path());
  std::string id1, id2, id3;
  {
    auto s = OpenAt(where);
    REQUIRE(s->Instance(&id1).ok());
  }
  CHECK(id1.size() == 16);
  auto s = OpenAt(where);  // Opened again: the same store, the same id.
  REQUIRE(s->Instance(&id2).ok());
  CHECK(id2 == id1);
  REQUIRE(s->RenewInstance().ok());
  REQUIRE(s->Instance(&id3).ok());
  CHECK(id3.size() == 16);
  CHECK(id3 != id1);
}

TEST_CASE("hub store: concurrent pushes through several stores, and no reader skips a position",
          "[hub-store][positions]") {
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Fixture f(backend);
  // PostgreSQL: three stores on one database, as three hub processes;
  // SQLite serves from one.
  std::vector<HubStore*> stores{f.store.get()};
  std::vector<std::unique_ptr<HubStore>> more_stores;
  if (backend == "postgresql") {
    for (int i = 0; i < 2; i++) {
      more_stores.push_back(OpenAt(f.where));
      stores.push_back(more_stores.back().get());
    }
  }
  constexpr int kAuthors = 12, kCommits = 40;
  std::vector<Author> authors(kAuthors);
  for (auto& a : authors) {
    f.Add(a);
    a.At(f.ws, kCommits);  // Sealed before the race.
  }
  Author reader;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  // Readers pull throughout, each from its own store, and keep what came.
  std::vector<std::vector<std::string>> got(stores.size());
  std::vector<uint64_t> positions(stores.size(), 0);
  std::vector<std::thread> readers;
  for (size_t i = 0; i < stores.size(); i++) {
    readers.emplace_back([&, i] {
      for (;;) {
        bool last = !writing.load();
        std::vector<std::string> page;
        uint64_t next = 0;
        bool more = false;
        if (!stores[i]->ReadAfter(f.ws, reader.id, positions[i], 0, 8000, &page, &next, &more).ok()) {
          failures++;
          return;
        }
        got[i].insert(got[i].end(), page.begin(), page.end());
        positions[i] = next;
        if (last && !more) return;
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kAuthors; w++) {
    writers.emplace_back([&, w] {
      Author& a = authors[w];
      for (uint64_t seq = 1; seq <= kCommits; seq += 2) {
        AppendResult r;
        HubStore* s = stores[(w + seq) % stores.size()];
        if (!s->Append(f.ws, a.Range(f.ws, seq, seq + 1), 1, &r).ok() || r.stored != 2) failures++;
      }
    });
  }
  for (auto& t : writers) t.join();
  writing = false;
  for (auto& t : readers) t.join();
  REQUIRE(failures == 0);
  std::set<std::string> expected;
  for (auto& a : authors) {
    for (auto& c : a.chain) expected.insert(c.bytes);
  }
  for (size_t i = 0; i < stores.size(); i++) {
    INFO("reader " << i);
    std::set<std::string> distinct(got[i].begin(), got[i].end());
    size_t missed = 0;
    for (const std::string& c : expected) missed += distinct.count(c) == 0;
    CHECK(got[i].size() == distinct.size());  // None twice...
    CHECK(missed == 0);                       // ...none skipped...
    CHECK(distinct.size() == expected.size());  // ...and nothing else.
  }
}

TEST_CASE("hub store: the request buckets of PostgreSQL are shared by every store on the database",
          "[hub-store][postgresql]") {
  std::string url = TestPostgres::Get().NewDatabase();
  auto one = OpenAt(url), two = OpenAt(url);
  bool taken = false;
  int64_t retry = 0;
  // 60 a minute, refilled one a second: 60 taken, through either store...
  for (int i = 0; i < 60; i++) {
    REQUIRE((i % 2 ? one : two)->TakeUnsigned("203.0.113.7", 10000, 60, &taken, &retry).ok());
    CHECK(taken);
  }
  // ...then the bucket is empty for both, for about a second.
  REQUIRE(one->TakeUnsigned("203.0.113.7", 10000, 60, &taken, &retry).ok());
  CHECK_FALSE(taken);
  CHECK(retry > 0);
  CHECK(retry <= 1001);
  REQUIRE(two->TakeUnsigned("203.0.113.7", 10500, 60, &taken, &retry).ok());
  CHECK_FALSE(taken);
  REQUIRE(two->TakeUnsigned("203.0.113.7", 11001, 60, &taken, &retry).ok());
  CHECK(taken);
  // The one refilled is spent; another address has its own bucket.
  REQUIRE(one->TakeUnsigned("203.0.113.7", 11001, 60, &taken, &retry).ok());
  CHECK_FALSE(taken);
  REQUIRE(one->TakeUnsigned("198.51.100.20", 11001, 60, &taken, &retry).ok());
  CHECK(taken);
}

TEST_CASE("hub store: PostgreSQL schema is versioned and a newer one is refused", "[hub-store][postgresql]") {
  std::string url = TestPostgres::Get().NewDatabase();
  OpenAt(url);
  OpenAt(url);  // Opening again migrates nothing.
  std::unique_ptr<PgConnection> c;
  REQUIRE(PgConnection::Connect(url, &c).ok());
  PgResult r;
  REQUIRE(c->Query("SELECT count(*), max(version)::bigint FROM schema_migrations", {}, &r).ok());
  CHECK(r.Int(0, 0) == 6);
  CHECK(r.Int(0, 1) == 6);
  // A store of version 1 (before the shared request buckets and before
  // commits said who pushed them) is brought to the latest when a hub
  // opens it.
  REQUIRE(c->Exec("DROP TABLE request_buckets; ALTER TABLE commits DROP COLUMN via; "
                  "DROP TABLE attachment_chunks; DROP TABLE attachments; "
                  "DROP TABLE snapshot_uploads; DROP TABLE snapshots; DROP TABLE arrival_days; "
                  "DELETE FROM schema_migrations WHERE version>=2")
              .ok());
  {
    auto store = OpenAt(url);
    bool taken = false;
    int64_t retry = 0;
    REQUIRE(store->TakeUnsigned("addr", 1000, 2, &taken, &retry).ok());
    CHECK(taken);
  }
  REQUIRE(c->Query("SELECT max(version)::bigint FROM schema_migrations", {}, &r).ok());
  CHECK(r.Int(0, 0) == 6);
  REQUIRE(c->Query("SELECT count(*) FROM information_schema.columns WHERE table_name='commits' AND column_name='via'",
                   {}, &r)
              .ok());
  CHECK(r.Int(0, 0) == 1);
  REQUIRE(c->Exec("INSERT INTO schema_migrations(version) VALUES(99)").ok());
  std::unique_ptr<HubStore> store;
  Status s = OpenPostgresHubStore(url, &store);
  CHECK(s.code() == Code::kUnimplemented);
  CHECK(s.message().find("newer") != std::string::npos);
  // A database that cannot be reached is retryable, and says so.
  s = OpenPostgresHubStore("postgresql://hamlet@/nothing?host=" + TestPostgres::Get().folder() + "&port=1", &store);
  CHECK(s.code() == Code::kUnavailable);
}
