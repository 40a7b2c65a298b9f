// Revocation and key rotation (protocol.md, "Devices and keys").
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {
std::string ExportFrom(Replica& from, Replica& to, const WorkspaceId& ws, ChunkForm form = ChunkForm::kMember) {
  std::string cursor;
  REQUIRE(to.Cursor(ws, &cursor).ok());
  ExportResult ex;
  REQUIRE(from.Export(ws, cursor, 1 << 24, &ex, form).ok());
  return ex.chunk;
}
}  // namespace

TEST_CASE("a revoked device gets no new key and its later commits are refused", "[revoke]") {
  Group g;
  MakeGroup(3, "", &g);
  Replica& admin = *g.members[0];
  Replica& kept = *g.members[1];
  Replica& revoked = *g.members[2];
  for (auto& m : g.members) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", std::string("trước khi thu hồi")}});
    REQUIRE(m->Commit(g.ws, b).ok());
  }
  for (auto& a : g.members)
    for (auto& b : g.members)
      if (a != b) SyncOneWay(*a, *b, g.ws);

  RevokeResult r;
  CHECK(kept.Revoke(g.ws, revoked.device_id(), &r).code() == Code::kPermissionDenied);
  CHECK(admin.Revoke(g.ws, admin.device_id(), &r).code() == Code::kInvalidArgument);
  REQUIRE(admin.Revoke(g.ws, revoked.device_id(), &r).ok());
  CHECK(r.epoch == 1);
  REQUIRE(r.grants.size() == 1);  // Only the device that stays; the admin has the key.
  CHECK(revoked.AcceptKeyGrant(r.grants[0]).code() == Code::kInvalidArgument);
  REQUIRE(kept.AcceptKeyGrant(r.grants[0]).ok());
  REQUIRE(kept.AcceptKeyGrant(r.grants[0]).ok());  // Idempotent.
  REQUIRE(kept.AcceptRevocation(r.revocation).ok());
  std::string forged = r.revocation;
  forged[forged.size() - 1] ^= 1;
  CHECK(kept.AcceptRevocation(forged).code() == Code::kDataLoss);

  // Written after the rotation: readable by the device that stayed, not by
  // the revoked one, whose store is left as it was.
  WriteBatch after;
  RecordId secret = after.Insert("concerns", {{"summary", std::string("sau khi thu hồi")}});
  REQUIRE(admin.Commit(g.ws, after).ok());
  ImportResult im;
  REQUIRE(kept.Import(ExportFrom(admin, kept, g.ws), &im).ok());
  Record rec;
  REQUIRE(kept.Get(secret, &rec).ok());
  std::string before = Digest(revoked, g.ws);
  // A member chunk of it is sealed with the new key: refused whole.
  Status refused = revoked.Import(ExportFrom(admin, revoked, g.ws), &im);
  CHECK(refused.code() == Code::kPermissionDenied);
  CHECK(Digest(revoked, g.ws) == before);
  // In the blind form it cannot open the commit: set aside, waiting for a
  // key it never gets.
  REQUIRE(revoked.Import(ExportFrom(admin, revoked, g.ws, ChunkForm::kBlind), &im).ok());
  CHECK(im.set_aside == 1);
  std::vector<SetAsideCommit> aside;
  REQUIRE(revoked.SetAside(g.ws, &aside).ok());
  REQUIRE(aside.size() == 1);
  CHECK(aside[0].code == Code::kPermissionDenied);
  CHECK(aside[0].reason.find("epoch 1") != std::string::npos);
  CHECK(aside[0].may_pass_later);
  CHECK(revoked.Get(secret, &rec).code() == Code::kNotFound);
  CHECK(Digest(revoked, g.ws) == before);

  // The device that stayed writes with the new key too.
  WriteBatch k;
  k.Insert("concerns", {{"summary", std::string("kept")}});
  REQUIRE(kept.Commit(g.ws, k).ok());
  REQUIRE(admin.Import(ExportFrom(kept, admin, g.ws), &im).ok());
  CHECK(im.applied == 1);

  // What the revoked device writes now is refused by those who know.
  WriteBatch late;
  late.Insert("concerns", {{"summary", std::string("from a stolen phone")}});
  REQUIRE(revoked.Commit(g.ws, late).ok());
  for (Replica* r : {&admin, &kept}) {
    std::string digest = Digest(*r, g.ws);
    REQUIRE(r->Import(ExportFrom(revoked, *r, g.ws), &im).ok());
    CHECK(im.applied == 0);
    CHECK(im.set_aside == 1);
    REQUIRE(r->SetAside(g.ws, &aside).ok());
    REQUIRE(aside.size() == 1);
    CHECK(aside[0].reason.find("after its revocation") != std::string::npos);
    CHECK(Digest(*r, g.ws) == digest);
  }

  // A device admitted after the rotation gets every epoch's key and reads all.
  Group fresh;
  MakeGroup(1, "", &fresh);
  Replica& newcomer = *fresh.members[0];
  std::string req, env;
  REQUIRE(newcomer.JoinRequest(&req).ok());
  REQUIRE(admin.Admit(g.ws, req, Role::kOfficer, &env).ok());
  WorkspaceId joined;
  REQUIRE(newcomer.Accept(env, admin.device_id(), &joined).ok());
  REQUIRE(newcomer.AcceptRevocation(r.revocation).ok());
  REQUIRE(newcomer.Import(ExportFrom(admin, newcomer, g.ws), &im).ok());
  REQUIRE(newcomer.Get(secret, &rec).ok());
  CHECK(Digest(newcomer, g.ws) == Digest(admin, g.ws));
}
