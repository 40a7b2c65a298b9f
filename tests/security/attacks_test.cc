// Attacks on the trust model (protocol.md section 16), each written as the
// attacker's own program: a fake hub, a rogue member holding its own keys,
// a revoked device with a bundle. They run against the real engine and a
// real hamlet-hub process.
#include <httplib.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "bundle.h"
#include "coding.h"
#include "chunk.h"
#include "hamlet/hub_client.h"
#include "hand_device.h"
#include "helpers.h"
#include "hex.h"
#include "hub_process.h"
#include "hub_sync.h"
#include "raw_connection.h"
#include "identity.h"
#include "request_auth.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

// The admin's signing key of ws, as a member holds it.
std::string AdminPublicKey(Replica& admin, const WorkspaceId& ws) {
  std::string cert;
  REQUIRE(admin.DeviceCertificate(ws, admin.device_id(), &cert).ok());
  Certificate c;
  REQUIRE(ParseCertificate(cert, &c).ok());
  return c.sign_public_key;
}

std::string Field(Replica& r, const RecordId& id, const std::string& name) {
  Record rec;
  REQUIRE(r.Get(id, &rec).ok());
  auto it = rec.fields.find(name);
  REQUIRE(it != rec.fields.end());
  return std::get<std::string>(it->second);
}

// This process's peak resident memory so far, in KiB (0 if unknown).
long PeakRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// writer records text in a new concern; once its commits reach reader,
// reader reads it: the writer still writes with a key the workspace holds.
void CheckWritesReach(Replica& writer, Replica& reader, const WorkspaceId& ws, const std::string& text) {
  WriteBatch w;
  RecordId id = w.Insert("concerns", {{"summary", text}});
  REQUIRE(writer.Commit(ws, w).ok());
  SyncOneWay(writer, reader, ws);
  CHECK(Field(reader, id, "summary") == text);
}

// Runs a command line, returns its exit status.
int Run(const std::string& command) {
  int rc = std::system((command + " > /dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST_CASE("a hub that answers a join with its own admin is refused", "[security]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& admin = *g.members[0];
  std::string code;
  REQUIRE(admin.CreateInvite(g.ws, Role::kCadre, &code).ok());

  // The attacker's hub: it keeps the join request it is given and answers
  // with an envelope of its own making, for the same workspace, signed by a
  // key it holds, with a data key it knows.
  REQUIRE(InitCrypto().ok());
  SignKeyPair fake_admin = SignKeygen();
  Key32 known_key = Key32::Random();
  std::string posted;
  httplib::Server fake;
  fake.Post(R"(/v1/workspaces/([0-9a-f]{32})/joins)", [&](const httplib::Request& req, httplib::Response& res) {
    posted = req.body;
    res.status = 202;
    res.set_header("Hamlet-Protocol", "2");
    res.set_content("{}", "application/json");
  });
  fake.Get(R"(/v1/workspaces/([0-9a-f]{32})/admissions/([0-9a-f]{16}))",
           [&](const httplib::Request&, httplib::Response& res) {
             JoinRequest jr;
             REQUIRE(ParseJoinRequest(posted.substr(8, posted.size() - 8 - 32), &jr).ok());
             Envelope e;
             e.workspace = g.ws;
             e.admin_public_key = fake_admin.public_key;
             e.certificate = IssueCertificate(g.ws, jr.sign_public_key, jr.kx_public_key, 2, kNow,
                                              fake_admin.secret_key)
                                 .bytes;
             KxKeyPair unused = KxKeygen();
             e.admin_certificate = IssueCertificate(g.ws, fake_admin.public_key, unused.public_key, 0, kNow,
                                                    fake_admin.secret_key)
                                       .bytes;
             e.keys.push_back(WrappedKey{0, SealTo(jr.kx_public_key, known_key.View())});
             res.set_header("Hamlet-Protocol", "2");
             res.set_content(EncodeEnvelope(e, fake_admin.secret_key), "application/octet-stream");
           });
  int port = fake.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { fake.listen_after_bind(); });  // Bound and listening already: connects queue.

  Group fresh;
  MakeGroup(1, "", &fresh);
  Replica& victim = *fresh.members[0];
  HubClient vc(&victim, Options("http://127.0.0.1:" + std::to_string(port)));
  WorkspaceId ws;
  std::string invite;
  REQUIRE(vc.RequestJoin(code, &ws, &invite).ToString() == "OK");
  Status s = vc.CompleteJoin(ws, invite);
  fake.stop();
  serving.join();
  CHECK(s.code() == Code::kPermissionDenied);
  CHECK(s.message().find("not by the workspace admin") != std::string::npos);
  std::vector<WorkspaceId> spaces;
  REQUIRE(victim.Workspaces(&spaces).ok());
  // Nothing joined: the victim writes nothing the attacker could read.
  CHECK(std::find(spaces.begin(), spaces.end(), g.ws) == spaces.end());

  // The real admin's answer to the same request is taken.
  std::string envelope, cert, invite_id;
  REQUIRE(admin.AdmitInvited(g.ws, posted, &envelope, &cert, &invite_id).ok());
  WorkspaceId joined;
  REQUIRE(victim.Accept(envelope, &joined).ToString() == "OK");
  CHECK(joined == g.ws);

  // A second envelope for a workspace held is refused, genuine or not: it
  // cannot swap the admin or the keys.
  std::string join;
  REQUIRE(victim.JoinRequest(&join).ok());
  std::string again;
  REQUIRE(admin.Admit(g.ws, join, Role::kOfficer, &again).ok());
  CHECK(victim.Accept(again, admin.device_id(), &joined).code() == Code::kAlreadyExists);
  // Still writing with the genuine key: the admin reads it.
  CheckWritesReach(victim, admin, g.ws, "after the attack");
}

TEST_CASE("a key grant is taken only for the next epoch", "[security]") {
  Group g;
  MakeGroup(4, "", &g);
  Replica& admin = *g.members[0];
  RevokeResult first, second;
  REQUIRE(admin.Revoke(g.ws, g.members[2]->device_id(), &first).ok());
  REQUIRE(admin.Revoke(g.ws, g.members[3]->device_id(), &second).ok());
  Replica& kept = *g.members[1];
  std::string admin_pk = AdminPublicKey(admin, g.ws);
  auto grant_for = [&](const RevokeResult& r) {
    for (const std::string& bytes : r.grants) {
      KeyGrant gr;
      REQUIRE(ParseKeyGrant(bytes, admin_pk, &gr).ok());
      if (gr.device == kept.device_id()) return bytes;
    }
    FAIL("no grant for the kept device");
    return std::string();
  };
  // Epoch 2 before epoch 1: refused, nothing taken.
  CHECK(kept.AcceptKeyGrant(grant_for(second)).code() == Code::kFailedPrecondition);
  REQUIRE(kept.AcceptKeyGrant(grant_for(first)).ok());
  REQUIRE(kept.AcceptKeyGrant(grant_for(second)).ok());
  CheckWritesReach(kept, admin, g.ws, "epoch 2");
}

TEST_CASE("a member cannot plant a commit beyond its chain on a hub", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  HandDevice rogue(*g.members[0], g.ws);
  Register(hub, *g.members[0], rogue);
  std::string zero(kHashBytes, '\0');
  SealedCommit c1 = rogue.Make(1, zero, "one");
  auto r = HandPush(hub.url(), rogue, rogue.ChunkOf({c1}));
  REQUIRE(r);
  CHECK(r->status == 200);
  // An orphan numbered a billion: refused, so no revocation can ever be
  // made to reach that far.
  r = HandPush(hub.url(), rogue, rogue.ChunkOf({rogue.Make(1000000000, c1.Hash(), "orphan")}));
  REQUIRE(r);
  CHECK(r->status == 409);
  CHECK(r->body.find("without gaps") != std::string::npos);
  // A gap of one is refused too; the chain's continuation is taken.
  SealedCommit c2 = rogue.Make(2, c1.Hash(), "two");
  r = HandPush(hub.url(), rogue, rogue.ChunkOf({rogue.Make(3, c2.Hash(), "three")}));
  REQUIRE(r);
  CHECK(r->status == 409);
  r = HandPush(hub.url(), rogue, rogue.ChunkOf({c2}));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.find("\"contiguous\":2") != std::string::npos);

  // The admin revokes: the revocation names commit 2 by number and hash.
  HubClient ac(g.members[0].get(), Options(hub.url()));
  SyncReport rep;
  REQUIRE(ac.Sync(g.ws, &rep).ToString() == "OK");
  RevokeResult rv;
  REQUIRE(ac.Revoke(g.ws, rogue.id(), &rv).ToString() == "OK");
  Revocation parsed;
  REQUIRE(ParseRevocation(rv.revocation, AdminPublicKey(*g.members[0], g.ws), &parsed).ok());
  CHECK(parsed.last_seq == 2);
  CHECK(parsed.last_hash == c2.Hash());
}

TEST_CASE("a relay hub's key writes nothing, even with a member's data key in hand", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  // The operator of a commune hub holds its relay key, and has got hold of
  // a cadre's data key too (a lost phone). It writes under the relay's
  // identity, where the cadre's revocation would not reach.
  HandDevice cadre(*g.members[0], g.ws);
  HandDevice relay = HandDevice::Relay(*g.members[0], g.ws, cadre.data_key);
  Register(hub, *g.members[0], relay);
  std::string zero(kHashBytes, '\0');
  SealedCommit forged = relay.Make(1, zero, "Kết luận giả");
  auto r = HandPush(hub.url(), relay, relay.ChunkOf({forged}));
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(r->body.find("relay") != std::string::npos);
  // A replica handed the same chunk (an SD card, another hub) sets it aside.
  ImportResult im;
  REQUIRE(g.members[1]->Import(relay.ChunkOf({forged}), &im).ok());
  CHECK(im.applied == 0);
  CHECK(im.set_aside == 1);
  CHECK(Matching(*g.members[1], "Kết luận giả") == 0);
}

TEST_CASE("a revoked device's back-dated commits count nowhere", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Replica& admin = *g.members[0];
  Replica& member = *g.members[1];
  Publish(hub, g);
  HandDevice rogue(admin, g.ws);
  Register(hub, admin, rogue);

  // The admin's record, which the rogue will try to overwrite.
  WriteBatch w;
  RecordId target = w.Insert("concerns", {{"summary", std::string("the admin's words")}});
  REQUIRE(admin.Commit(g.ws, w).ok());
  std::string zero(kHashBytes, '\0');
  SealedCommit c1 = rogue.Make(1, zero, "one");
  SealedCommit c2 = rogue.Make(2, c1.Hash(), "two");
  REQUIRE(HandPush(hub.url(), rogue, rogue.ChunkOf({c1, c2}))->status == 200);
  // Before it is revoked, the rogue slips an orphan numbered far ahead to
  // the admin by bundle: the admin still names only what it holds with all
  // its predecessors.
  ImportResult im;
  REQUIRE(admin.Import(rogue.ChunkOf({rogue.Make(1000000000, c2.Hash(), "orphan")}), &im).ok());
  for (Replica* r : {&admin, &member}) {
    HubClient c(r, Options(hub.url()));
    SyncReport rep;
    REQUIRE(c.Sync(g.ws, &rep).ToString() == "OK");
  }
  HubClient ac(&admin, Options(hub.url()));
  RevokeResult rv;
  REQUIRE(ac.Revoke(g.ws, rogue.id(), &rv).ToString() == "OK");
  REQUIRE(member.AcceptRevocation(rv.revocation).ok());

  // After its revocation the rogue writes under its old key: a commit
  // "back-dated" inside the old limit (a fork of 2), one after it, and one
  // far below the orphan, each overwriting the admin's record with a clock
  // that would win.
  uint64_t far_future = (static_cast<uint64_t>(kNow + 86400000LL * 365) << 16);
  SealedCommit fork2 = rogue.Make(2, c1.Hash(), "forged", &target, nullptr, 0, far_future);
  SealedCommit next3 = rogue.Make(3, c2.Hash(), "forged", &target, nullptr, 0, far_future);
  SealedCommit back500 = rogue.Make(500, c2.Hash(), "forged", &target, nullptr, 0, far_future);

  // 1. Push: the hub refuses the revoked device outright.
  auto r = HandPush(hub.url(), rogue, rogue.ChunkOf({next3}));
  REQUIRE(r);
  CHECK(r->status == 403);

  // 2. A bundle into a replica that knows of the revocation.
  Bundle b;
  b.workspace = g.ws;
  b.chunks = {rogue.ChunkOf({c1, fork2}), rogue.ChunkOf({next3, back500})};
  std::string file = EncodeBundle(b);
  BundleImportResult bi;
  REQUIRE(member.ImportBundle(file, &bi).ToString() == "OK");
  CHECK(bi.applied == 0);
  CHECK(Field(member, target, "summary") == "the admin's words");
  std::vector<SetAsideCommit> aside;
  REQUIRE(member.SetAside(g.ws, &aside).ok());
  CHECK(aside.size() == 3);
  for (const SetAsideCommit& a : aside) CHECK_FALSE(a.may_pass_later);

  // 3. The same bundle imported by the hub (hamlet-hub import): refused,
  // and a puller never sees the forged commits.
  std::string path = dir.File("rogue.hamletbundle");
  {
    std::ofstream out(path, std::ios::binary);
    out << file;
  }
  CHECK(Run(std::string(HAMLET_HUB_BINARY) + " import " + path + " --data " + dir.File("hub")) != 0);
  Bundle tail;
  tail.workspace = g.ws;
  tail.chunks = {rogue.ChunkOf({next3})};
  std::string tail_path = dir.File("tail.hamletbundle");
  {
    std::ofstream out(tail_path, std::ios::binary);
    out << EncodeBundle(tail);
  }
  CHECK(Run(std::string(HAMLET_HUB_BINARY) + " import " + tail_path + " --data " + dir.File("hub")) != 0);
  HubClient mc(&member, Options(hub.url()));
  SyncReport rep;
  REQUIRE(mc.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(Field(member, target, "summary") == "the admin's words");
  CHECK(Field(admin, target, "summary") == "the admin's words");
}

TEST_CASE("one bad commit in the middle of a page never stops sync", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Replica& writer = *g.members[1];
  Replica& reader = *g.members[2];
  Publish(hub, g);
  HandDevice rogue(admin, g.ws);
  Register(hub, admin, rogue);

  // An honest member writes before and after; the rogue, in between, pushes
  // a signed commit of garbage, one sealed with a key epoch nobody has, and
  // good ones around them.
  auto write = [&](const std::string& text) {
    WriteBatch w;
    w.Insert("concerns", {{"summary", text}});
    REQUIRE(writer.Commit(g.ws, w).ok());
  };
  for (int i = 0; i < 5; i++) write("before " + std::to_string(i));
  HubClient wc(&writer, Options(hub.url()));
  SyncReport rep;
  REQUIRE(wc.Sync(g.ws, &rep).ToString() == "OK");
  std::string zero(kHashBytes, '\0');
  SealedCommit c1 = rogue.Make(1, zero, "good one");
  SealedCommit c2 = rogue.Garbage(2, c1.Hash());
  SealedCommit c3 = rogue.Make(3, c2.Hash(), "good three");
  Key32 nobody = Key32::Random();
  SealedCommit c4 = rogue.Make(4, c3.Hash(), "epoch seven", nullptr, &nobody, 7);
  SealedCommit c5 = rogue.Make(5, c4.Hash(), "good five");
  auto r = HandPush(hub.url(), rogue, rogue.ChunkOf({c1, c2, c3, c4, c5}));
  REQUIRE(r);
  REQUIRE(r->status == 200);  // The hub is blind: it cannot tell.
  for (int i = 0; i < 5; i++) write("after " + std::to_string(i));
  REQUIRE(wc.Sync(g.ws, &rep).ToString() == "OK");

  // Everyone else's commits arrive, in one page with the bad ones.
  SyncOptions one_page = Options(hub.url());
  one_page.chunk_bytes = 1 << 20;
  for (Replica* x : {&reader, &admin}) {
    HubClient c(x, one_page);
    REQUIRE(c.Sync(g.ws, &rep).ToString() == "OK");
    CHECK(rep.pulled >= 13);
    std::vector<SetAsideCommit> aside;
    REQUIRE(x->SetAside(g.ws, &aside).ok());
    REQUIRE(aside.size() == 2);
    CHECK(aside[0].seq == 2);
    CHECK(aside[0].in_log);  // Signed by its author: keeps its place, merges nothing.
    CHECK(aside[1].seq == 4);
    CHECK(aside[1].may_pass_later);
    // A second sync moves on: nothing is asked for again.
    REQUIRE(c.Sync(g.ws, &rep).ToString() == "OK");
    CHECK(rep.pulled == 0);
  }
  CHECK(Digest(reader, g.ws) == Digest(writer, g.ws) );
  CHECK(Digest(reader, g.ws) == Digest(admin, g.ws));
  Query q;
  q.collection = "concerns";
  q.text = "after";
  QueryResult found;
  REQUIRE(reader.Find(q, &found).ok());
  CHECK(found.total == 5);
}

TEST_CASE("a cadre's commit that breaks a role's rights is set aside on every replica", "[security]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  // A concern the admin recorded; the other two members are cadres.
  WriteBatch w;
  RecordId concern = w.Insert("concerns", {{"summary", std::string("Đơn tố cáo")}, {"kind", std::string("complaint")}});
  REQUIRE(admin.Commit(g.ws, w).ok());
  HandDevice cadre(admin, g.ws);
  REQUIRE(admin.AcceptCertificate(cadre.cert).ok());
  std::string sealed;
  REQUIRE(admin.SealForOfficers(g.ws, "Nguyễn Văn A", &sealed).ok());

  auto op = [&](const std::string& collection, bool alive, std::vector<FieldWrite> fields) {
    RecordOp o;
    o.record = collection == "concerns" ? concern : *RecordId::FromBytes(RandomBytes(16));
    o.collection = collection;
    o.alive = alive;
    o.fields = std::move(fields);
    return std::vector<RecordOp>{o};
  };
  auto text = [](const std::string& name, const std::string& v) { return FieldWrite{name, Value(v), {}}; };
  struct Case {
    const char* what;
    std::vector<RecordOp> ops;
    bool allowed;
  };
  std::vector<Case> cases = {
      {"a category", op("categories", true, {text("name", "đất đai")}), false},
      {"the workspace's name", op("workspace", true, {text("name", "Xã giả")}), false},
      {"a concern deleted", op("concerns", false, {}), false},
      {"a reporter in clear, alone", op("concerns", true, {text("reporter_name", "ai đó")}), false},
      {"a reporter in clear on a denunciation",
       op("concerns", true, {text("kind", "denunciation"), text("reporter_name", "ai đó")}), false},
      {"a forged sealed reporter", op("concerns", true, {text("reporter_name", "sealed2:AAAA")}), false},
      {"a reporter in clear on a complaint", op("concerns", true, {text("kind", "complaint"), text("reporter_name", "bà B")}),
       true},
      {"a sealed reporter", op("concerns", true, {text("reporter_name", sealed)}), true},
  };
  std::string prev(kHashBytes, '\0');
  std::vector<SealedCommit> commits;
  for (size_t i = 0; i < cases.size(); i++) {
    commits.push_back(cadre.MakeOps(i + 1, prev, cases[i].ops));
    prev = commits.back().Hash();
  }
  std::string chunk = cadre.ChunkOf(commits);
  for (auto& m : g.members) {
    // Straight from the cadre, before anything else of the workspace.
    ImportResult im;
    REQUIRE(m->Import(chunk, &im).ok());
    CHECK(im.applied == 2);
    CHECK(im.set_aside == 6);
    if (m.get() != &admin) SyncOneWay(admin, *m, g.ws);
    std::vector<SetAsideCommit> aside;
    REQUIRE(m->SetAside(g.ws, &aside).ok());
    REQUIRE(aside.size() == 6);
    size_t k = 0;
    for (size_t i = 0; i < cases.size(); i++) {
      if (cases[i].allowed) continue;
      INFO(cases[i].what);
      CHECK(aside[k].seq == i + 1);
      CHECK(aside[k].code == Code::kPermissionDenied);
      CHECK(aside[k].in_log);
      k++;
    }
    CHECK(Field(*m, concern, "reporter_name") == sealed);
    Record rec;
    REQUIRE(m->Get(concern, &rec).ok());
    CHECK_FALSE(rec.deleted);
  }
  CHECK(Digest(admin, g.ws) == Digest(*g.members[1], g.ws));
  CHECK(Digest(admin, g.ws) == Digest(*g.members[2], g.ws));
}

TEST_CASE("a small commit that decodes to over a million field writes is set aside cheaply", "[security]") {
  Group g;
  MakeGroup(2, "", &g);
  HandDevice rogue(*g.members[0], g.ws);
  // A body by hand: one op writing the field "f" as null 1,390,000 times,
  // about 4 MB of plaintext that zstd packs into a few hundred bytes.
  std::string body;
  Writer w(&body);
  w.Varint(0);  // No other devices.
  w.Varint(2);
  w.Bytes("c");
  w.Bytes("f");
  w.Varint(1);  // One op.
  w.Raw(std::string(16, 'x'));
  w.Varint(0);  // Collection "c".
  w.U8(1);
  w.Varint(0);  // No alive base.
  const size_t n = 1390000;
  w.Varint(n);
  for (size_t i = 0; i < n; i++) {
    w.Varint(1);
    w.U8(0);
    w.Varint(0);
  }
  std::string zero(kHashBytes, '\0');
  SealedCommit bomb = rogue.MakeBody(1, zero, body);
  SealedCommit good = rogue.Make(2, bomb.Hash(), "after the bomb");
  INFO("commit of " << bomb.bytes.size() << " bytes");
  CHECK(bomb.bytes.size() < 2048);
  long before = PeakRssKb();
  for (auto& m : g.members) {
    ImportResult im;
    REQUIRE(m->Import(rogue.ChunkOf({bomb, good}), &im).ok());
    CHECK(im.applied == 1);
    CHECK(im.set_aside == 1);
    std::vector<SetAsideCommit> aside;
    REQUIRE(m->SetAside(g.ws, &aside).ok());
    REQUIRE(aside.size() == 1);
    CHECK(aside[0].code == Code::kDataLoss);
    CHECK(aside[0].reason.find("field writes") != std::string::npos);
  }
  long grew = PeakRssKb() - before;
  INFO("peak memory grew by " << grew << " KiB");
  CHECK(grew < 48 * 1024);  // Decoded in full it would take over 128 MiB.
}

TEST_CASE("someone who can reach a hub learns nothing from its pages and cannot mark a device seen",
          "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  httplib::Client http(hub.url());
  for (const char* page : {"/", "/v1/status", "/metrics"}) {
    INFO(page);
    auto r = http.Get(page);
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->body.find(g.ws.Hex()) == std::string::npos);
    CHECK(r->body.find(g.members[1]->device_id().Hex()) == std::string::npos);
    CHECK(r->body.find("officer") == std::string::npos);
  }
  // Naming a device in a session request (its id is no secret) opens a
  // session, but the device is not "seen" until it signs a request.
  for (int i = 0; i < 20; i++) {
    auto r = http.Post("/v1/workspaces/" + g.ws.Hex() + "/session",
                       "{\"device\":\"" + g.members[1]->device_id().Hex() + "\"}", "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  httplib::Headers op{{"Authorization", "Bearer " + hub.CreateToken(true)}};
  auto seen = [&](const DeviceId& d) {
    auto st = http.Get("/v1/status", op);
    REQUIRE(st);
    REQUIRE(st->status == 200);
    size_t at = st->body.find("\"device\":\"" + d.Hex() + "\"");
    REQUIRE(at != std::string::npos);
    size_t end = st->body.find('}', at);
    return st->body.substr(at, end - at).find("\"last_seen\":0") == std::string::npos;
  };
  CHECK_FALSE(seen(g.members[1]->device_id()));
  HubClient c(g.members[1].get(), Options(hub.url()));
  SyncReport rep;
  REQUIRE(c.Sync(g.ws, &rep).ToString() == "OK");
  CHECK(seen(g.members[1]->device_id()));
}

TEST_CASE("one client address cannot hold the hub's threads or flood it with unsigned requests", "[security]") {
  TempDir dir;
  Group g;
  MakeGroup(2, "", &g);
  const char* kAttacker = "127.0.0.2";  // Any loopback address: another client to the hub.

  SECTION("stalled connections from one address take at most its share of threads") {
    HubProcess hub(dir.File("hub"), {"--threads", "8", "--max-connections-per-address", "4", "--head-timeout", "600",
                                     "--io-timeout", "600"});
    std::vector<std::unique_ptr<RawConnection>> stalled;
    for (int i = 0; i < 8; i++) {
      stalled.push_back(std::make_unique<RawConnection>(hub.port(), kAttacker));
      REQUIRE(stalled.back()->connected());
      REQUIRE(stalled.back()->Send("GET /v1/sta"));
    }
    // Without a limit the eight would hold all eight threads for the ten
    // minutes a head may take; a request from another address is answered.
    RawConnection other(hub.port());
    REQUIRE(other.Send("GET /v1/status HTTP/1.1\r\nHost: hub\r\n\r\n"));
    CHECK(other.ReadAnswer(60000).rfind("HTTP/1.1 401", 0) == 0);
    int refused = 0;
    for (auto& c : stalled) {
      std::string answer = c->ReadAnswer(2000);
      if (answer.rfind("HTTP/1.1 503", 0) != 0) continue;
      refused++;
      CHECK(answer.find("Retry-After: ") != std::string::npos);
      CHECK(answer.find("\"retryable\":true") != std::string::npos);
      CHECK(answer.find("too many connections from this address") != std::string::npos);
    }
    CHECK(refused == 4);
  }

  SECTION("unsigned requests from one address are rate-limited; other addresses still sync") {
    HubProcess hub(dir.File("hub"), {"--unsigned-requests-per-minute", "10"});
    Publish(hub, g);
    const std::string body = "{\"device\":\"" + g.members[1]->device_id().Hex() + "\"}";
    const std::string session = "POST /v1/workspaces/" + g.ws.Hex() +
                                "/session HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    int opened = 0, limited = 0;
    std::string last;
    for (int i = 0; i < 30; i++) {
      RawConnection c(hub.port(), kAttacker);
      REQUIRE(c.Send(session));
      std::string answer = c.ReadAnswer(60000);
      if (answer.rfind("HTTP/1.1 200", 0) == 0) opened++;
      if (answer.rfind("HTTP/1.1 429", 0) == 0) {
        limited++;
        last = answer;
      }
    }
    // Ten at once, then one every six seconds.
    CHECK(opened >= 10);
    CHECK(opened <= 12);
    CHECK(limited == 30 - opened);
    CHECK(last.find("Retry-After: ") != std::string::npos);
    CHECK(last.find("\"retryable\":true") != std::string::npos);
    HubClient member(g.members[1].get(), Options(hub.url()));
    SyncReport rep;
    CHECK(member.Sync(g.ws, &rep).ToString() == "OK");
  }

  SECTION("an unsigned body must arrive faster than a device's") {
    HubProcess hub(dir.File("hub"), {"--io-timeout", "600"});
    Publish(hub, g);
    RawConnection c(hub.port(), kAttacker);
    REQUIRE(c.Send("POST /v1/workspaces/" + g.ws.Hex() + "/joins HTTP/1.1\r\nHost: hub\r\n"
                   "Content-Length: 100000\r\n\r\n"));
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
      for (int i = 0; i < 1200 && !stop && c.Send(std::string(10, 'j')); i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    std::string answer = c.ReadAnswer(120000);
    stop = true;
    trickle.join();
    CHECK(answer.rfind("HTTP/1.1 408", 0) == 0);
    CHECK(answer.find("too slowly") != std::string::npos);
  }
}

TEST_CASE("a hub operator reads neither a commit's clock nor a denunciation from its size", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);  // The admin, and a cadre.
  Replica& cadre = *g.members[1];
  std::unique_ptr<Replica> officer = AdmitNew(g, 7, Role::kOfficer);
  std::string officer_cert;
  REQUIRE(g.members[0]->DeviceCertificate(g.ws, officer->device_id(), &officer_cert).ok());
  REQUIRE(cadre.AcceptCertificate(officer_cert).ok());
  Publish(hub, g);

  // A request, a complaint and a denunciation whose reporter is sealed to
  // the officers, as the cadre records them in a day.
  std::string name, contact;
  REQUIRE(cadre.SealForOfficers(g.ws, "Nguyễn Thị Hoàng Hương", &name).ok());
  REQUIRE(cadre.SealForOfficers(g.ws, "0912 345 678, thôn Đông", &contact).ok());
  std::vector<std::map<std::string, Value>> concerns = {
      {{"kind", std::string("request")}, {"summary", std::string("Xin sửa cầu")}},
      {{"kind", std::string("complaint")},
       {"summary", std::string("Đường liên thôn ngập nước sau mưa, xe máy không qua được, học sinh phải nghỉ học")},
       {"category", std::string("ha-tang")}},
      {{"kind", std::string("denunciation")},
       {"summary", std::string("Cán bộ thu tiền không có biên lai")},
       {"reporter_name", name},
       {"reporter_contact", contact}},
  };
  std::vector<CommitInfo> made;
  for (const auto& fields : concerns) {
    WriteBatch b;
    b.Insert("concerns", fields);
    made.emplace_back();
    REQUIRE(cadre.Commit(g.ws, b, &made.back()).ok());
  }
  HubClient cc(&cadre, Options(hub.url()));
  SyncReport rep;
  REQUIRE(cc.Sync(g.ws, &rep).ToString() == "OK");

  // The operator's own program: what the hub's database holds.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(dir.File("hub/hub.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT seq, bytes FROM commits WHERE author = ? ORDER BY seq", -1, &q, nullptr) ==
          SQLITE_OK);
  sqlite3_bind_blob(q, 1, cadre.device_id().View().data(), static_cast<int>(cadre.device_id().View().size()),
                    SQLITE_TRANSIENT);
  std::vector<std::string> held;
  while (sqlite3_step(q) == SQLITE_ROW) {
    held.emplace_back(static_cast<const char*>(sqlite3_column_blob(q, 1)), static_cast<size_t>(sqlite3_column_bytes(q, 1)));
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  REQUIRE(held.size() == made.size());
  for (size_t i = 0; i < held.size(); i++) {
    INFO("commit " << i + 1);
    CHECK(held[i].size() == held[0].size());  // The denunciation looks like the request.
    // Neither the whole stamp nor its milliseconds, in either byte order.
    uint64_t stamp = made[i].hlc, ms = made[i].hlc >> 16;
    for (uint64_t v : {stamp, ms}) {
      std::string le, be;
      for (int b = 0; b < 8; b++) le += static_cast<char>((v >> (8 * b)) & 0xff);
      for (int b = 7; b >= 0; b--) be += static_cast<char>((v >> (8 * b)) & 0xff);
      size_t width = v == ms ? 6 : 8;
      CHECK(held[i].find(le.substr(0, width)) == std::string::npos);
      CHECK(held[i].find(be.substr(8 - width)) == std::string::npos);
    }
  }
  CHECK(name.size() == contact.size());  // Sealed texts of different lengths.
}

TEST_CASE("an invite code admits no one after it expires", "[security]") {
  Group g;
  MakeGroup(1, "", &g);
  Replica& admin = *g.members[0];
  std::string week, day;
  REQUIRE(admin.CreateInvite(g.ws, Role::kCadre, &week).ok());
  REQUIRE(admin.CreateInvite(g.ws, Role::kCadre, &day, 86400000LL).ok());
  CHECK(admin.CreateInvite(g.ws, Role::kCadre, &day, 0).code() == Code::kInvalidArgument);
  Group fresh;
  MakeGroup(2, "", &fresh);
  WorkspaceId ws;
  std::string id1, id2, req1, req2;
  REQUIRE(fresh.members[0]->RequestJoin(week, &ws, &id1, &req1).ok());
  REQUIRE(fresh.members[1]->RequestJoin(day, &ws, &id2, &req2).ok());
  // Two days on, the one-day code found on an old phone admits no one.
  g.clocks[0]->Advance(2 * 86400000LL);
  std::string envelope, cert, invite;
  Status late = admin.AdmitInvited(g.ws, req2, &envelope, &cert, &invite);
  CHECK(late.code() == Code::kPermissionDenied);
  CHECK(late.message().find("expired") != std::string::npos);
  REQUIRE(admin.AdmitInvited(g.ws, req1, &envelope, &cert, &invite).ok());
  // A week and a day after it was made, the default code has expired too.
  std::string other;
  REQUIRE(admin.CreateInvite(g.ws, Role::kOfficer, &other).ok());
  std::string id3, req3;
  Group third;
  MakeGroup(1, "", &third);
  REQUIRE(third.members[0]->RequestJoin(other, &ws, &id3, &req3).ok());
  g.clocks[0]->Advance(8 * 86400000LL);
  CHECK(admin.AdmitInvited(g.ws, req3, &envelope, &cert, &invite).code() == Code::kPermissionDenied);
}

TEST_CASE("join requests a stranger posts are bounded per workspace", "[security]") {
  TempDir dir;
  // The bound per workspace, not the one per address, is what is tried here.
  HubProcess hub(dir.File("hub"), {"--unsigned-requests-per-minute", "1000"});
  Group g;
  MakeGroup(1, "", &g);
  Publish(hub, g);
  httplib::Client http(hub.url());
  REQUIRE(InitCrypto().ok());
  int accepted = 0, refused = 0;
  for (int i = 0; i < 80; i++) {
    SignKeyPair s = SignKeygen();
    KxKeyPair k = KxKeygen();
    std::string body = RandomBytes(8) + EncodeJoinRequest(s.public_key, k.public_key, s.secret_key) + RandomBytes(32);
    auto r = http.Post("/v1/workspaces/" + g.ws.Hex() + "/joins", body, "application/octet-stream");
    REQUIRE(r);
    if (r->status == 202) accepted++;
    if (r->status == 503) refused++;
  }
  CHECK(accepted == 64);
  CHECK(refused == 16);
  // The admin's next sync is handed at most that many, and refuses them all.
  HubClient ac(&*g.members[0], Options(hub.url()));
  size_t admitted = 0, skipped = 0;
  REQUIRE(ac.AdmitPending(g.ws, &admitted, &skipped).ToString() == "OK");
  CHECK(admitted == 0);
  CHECK(skipped == 64);
}

TEST_CASE("a replica that merged a revoked device's later commits undoes them when the revocation arrives",
          "[security]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Replica& early = *g.members[1];  // Learns of the revocation first.
  Replica& late = *g.members[2];   // Learns of the rogue's commits first.
  HandDevice rogue(admin, g.ws);
  REQUIRE(admin.AcceptCertificate(rogue.cert).ok());
  WriteBatch w;
  RecordId target = w.Insert("concerns", {{"summary", std::string("the admin's words")}});
  REQUIRE(admin.Commit(g.ws, w).ok());
  std::string zero(kHashBytes, '\0');
  SealedCommit c1 = rogue.Make(1, zero, "one");
  SealedCommit c2 = rogue.Make(2, c1.Hash(), "two");
  ImportResult im;
  REQUIRE(admin.Import(rogue.ChunkOf({c1, c2}), &im).ok());
  SyncOneWay(admin, early, g.ws);
  SyncOneWay(admin, late, g.ws);
  RevokeResult rv;
  REQUIRE(admin.Revoke(g.ws, rogue.id(), &rv).ok());
  REQUIRE(early.AcceptRevocation(rv.revocation).ok());

  uint64_t far_future = (static_cast<uint64_t>(kNow + 86400000LL * 365) << 16);
  SealedCommit next3 = rogue.Make(3, c2.Hash(), "forged", &target, nullptr, 0, far_future);
  SealedCommit back500 = rogue.Make(500, c2.Hash(), "forged too", nullptr, nullptr, 0, far_future);
  std::string bundle = rogue.ChunkOf({next3, back500});
  REQUIRE(late.Import(bundle, &im).ok());
  REQUIRE(im.applied == 2);  // Nothing told it yet that the device is out.
  CHECK(Field(late, target, "summary") == "forged");
  REQUIRE(early.Import(bundle, &im).ok());
  CHECK(im.set_aside == 2);

  REQUIRE(late.AcceptRevocation(rv.revocation).ok());
  CHECK(Field(late, target, "summary") == "the admin's words");
  std::vector<SetAsideCommit> aside;
  REQUIRE(late.SetAside(g.ws, &aside).ok());
  CHECK(aside.size() == 2);
  std::vector<ChainStatus> chains;
  REQUIRE(late.Chains(g.ws, &chains).ok());
  for (const ChainStatus& c : chains) {
    if (c.device == rogue.id()) CHECK(c.head == 2);
  }
  CHECK(Digest(late, g.ws) == Digest(early, g.ws));
  CHECK(Digest(late, g.ws) == Digest(admin, g.ws));
  // Search finds what counts, and nothing of what does not.
  Query q;
  q.collection = "concerns";
  q.text = "forged";
  QueryResult found;
  REQUIRE(late.Find(q, &found).ok());
  CHECK(found.total == 0);
  q.text = "admin";
  REQUIRE(late.Find(q, &found).ok());
  CHECK(found.total == 1);
}

TEST_CASE("a receipt is tied to its author and to what was received", "[security]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& cadre = *g.members[1];
  Replica& other = *g.members[2];  // Another member, trying to make or shadow a receipt.
  Replica& officer = *g.members[0];
  RecordId id = *RecordId::FromHex("0123456789abcdef0123456789abcdef");
  std::map<std::string, Value> received{{"summary", std::string("Đường ngập")}, {"kind", std::string("complaint")}};
  std::string digest = Replica::ReceiptDigest(received), proof, code;
  REQUIRE(cadre.SignReceipt(g.ws, "ABCDEF-1", id, digest, &proof, &code).ok());
  CHECK(code.size() == 9);
  CHECK(officer.VerifyReceipt(g.ws, cadre.device_id(), "ABCDEF-1", id, digest, proof, code).ok());
  // Another member signs the same ticket, record and content: its proof
  // and code are its own, and do not pass as the cadre's.
  std::string proof2, code2;
  REQUIRE(other.SignReceipt(g.ws, "ABCDEF-1", id, digest, &proof2, &code2).ok());
  CHECK(officer.VerifyReceipt(g.ws, cadre.device_id(), "ABCDEF-1", id, digest, proof2, code2).code() ==
        Code::kDataLoss);
  CHECK(officer.VerifyReceipt(g.ws, cadre.device_id(), "ABCDEF-1", id, digest, proof, code2).code() == Code::kDataLoss);
  // The code stands for that ticket, that record and that content only.
  received["summary"] = std::string("Đường không ngập");
  CHECK(officer.VerifyReceipt(g.ws, cadre.device_id(), "ABCDEF-1", id, Replica::ReceiptDigest(received), proof, code)
            .code() == Code::kDataLoss);
  CHECK(officer.VerifyReceipt(g.ws, cadre.device_id(), "ABCDEF-2", id, digest, proof, code).code() == Code::kDataLoss);
  // A device that is not a member proves nothing.
  CHECK(officer.VerifyReceipt(g.ws, *DeviceId::FromHex("00000000000000000000000000000001"), "ABCDEF-1", id, digest,
                              proof, code)
            .code() == Code::kPermissionDenied);
}

TEST_CASE("keys are kept in guarded memory, not on the ordinary heap", "[security]") {
  // libsodium's guarded heap puts a secret at the end of pages of its own,
  // right before an inaccessible guard page, and wipes it when freed.
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  Key32 k = Key32::Random();
  Key32 copy = k;
  CHECK(copy.View() == k.View());
  CHECK(copy.data() != k.data());
  for (const Key32* key : {&k, &copy}) {
    CHECK((reinterpret_cast<uintptr_t>(key->data()) + 32) % page == 0);
  }
  SecretBytes sk(std::string(64, 's'));
  CHECK((reinterpret_cast<uintptr_t>(sk.data()) + 64) % page == 0);
  CHECK(sk.View() == std::string(64, 's'));
}
