// Sealed values (protocol.md, "Sealed values"): text only the workspace's
// officers can read, carried like any other value.
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

TEST_CASE("a sealed value is readable by officers only, wherever it travels", "[sealed]") {
  Group g;
  MakeGroup(2, "", &g);  // 0: admin, 1: cadre.
  Replica& admin = *g.members[0];
  Replica& cadre = *g.members[1];
  std::unique_ptr<Replica> officer = AdmitNew(g, 7, Role::kOfficer);
  std::unique_ptr<Replica> other_cadre = AdmitNew(g, 8, Role::kCadre);

  // The cadre learns the officer's certificate as the hub would hand it on.
  std::string officer_cert;
  REQUIRE(admin.DeviceCertificate(g.ws, officer->device_id(), &officer_cert).ok());
  REQUIRE(cadre.AcceptCertificate(officer_cert).ok());
  REQUIRE(cadre.AcceptCertificate(officer_cert).ok());  // Idempotent.
  std::string forged = officer_cert;
  forged[20] ^= 1;
  CHECK(cadre.AcceptCertificate(forged).code() == Code::kDataLoss);

  const std::string name = "Nguyễn Thị Hoà, 0912 345 678";
  std::string sealed;
  REQUIRE(cadre.SealForOfficers(g.ws, name, &sealed).ok());
  CHECK(Replica::IsSealed(sealed));
  CHECK(sealed.find(name) == std::string::npos);
  std::vector<DeviceId> readers;
  REQUIRE(Replica::SealedReaders(sealed, &readers).ok());
  CHECK(readers.size() == 2);  // The admin and the officer, not the cadres.

  WriteBatch b;
  RecordId id = b.Insert("concerns", {{"kind", std::string("denunciation")}, {"reporter_name", sealed}});
  REQUIRE(cadre.Commit(g.ws, b).ok());
  SyncOneWay(cadre, admin, g.ws);
  SyncOneWay(cadre, *officer, g.ws);
  SyncOneWay(cadre, *other_cadre, g.ws);

  std::string text;
  CHECK(cadre.Unseal(g.ws, sealed, &text).code() == Code::kPermissionDenied);
  for (Replica* r : {&admin, officer.get(), other_cadre.get()}) {
    Record rec;
    REQUIRE(r->Get(id, &rec).ok());
    CHECK(std::get<std::string>(rec.fields.at("kind")) == "denunciation");
    const std::string& stored = std::get<std::string>(rec.fields.at("reporter_name"));
    Status s = r->Unseal(g.ws, stored, &text);
    if (r == other_cadre.get()) {
      CHECK(s.code() == Code::kPermissionDenied);
    } else {
      REQUIRE(s.ok());
      CHECK(text == name);  // Byte for byte.
    }
  }

  SECTION("altered or misplaced values are refused, not misread") {
    std::string bad = sealed;
    bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
    CHECK(officer->Unseal(g.ws, bad, &text).code() == Code::kDataLoss);
    CHECK(officer->Unseal(g.ws, "sealed2:", &text).code() == Code::kDataLoss);
    CHECK(officer->Unseal(g.ws, "sealed2:!!", &text).code() == Code::kDataLoss);
    CHECK(officer->Unseal(g.ws, "plain text", &text).code() == Code::kDataLoss);
    CHECK(officer->Unseal(WorkspaceId{}, sealed, &text).code() == Code::kDataLoss);
    CHECK(!Replica::IsSealed("plain text"));
  }

  SECTION("a revoked officer is no longer a reader") {
    RevokeResult rr;
    REQUIRE(admin.Revoke(g.ws, officer->device_id(), &rr).ok());
    REQUIRE(cadre.AcceptRevocation(rr.revocation).ok());
    std::string later;
    REQUIRE(cadre.SealForOfficers(g.ws, name, &later).ok());
    REQUIRE(Replica::SealedReaders(later, &readers).ok());
    REQUIRE(readers.size() == 1);
    CHECK(readers[0] == admin.device_id());
    CHECK(officer->Unseal(g.ws, later, &text).code() == Code::kPermissionDenied);
  }
}

TEST_CASE("sealing needs a known officer and a workspace", "[sealed]") {
  Group g;
  MakeGroup(1, "", &g);
  std::string sealed;
  CHECK(g.members[0]->SealForOfficers(WorkspaceId{}, "x", &sealed).code() == Code::kNotFound);
  REQUIRE(g.members[0]->SealForOfficers(g.ws, "", &sealed).ok());  // The admin seals to itself.
  std::string text = "x";
  REQUIRE(g.members[0]->Unseal(g.ws, sealed, &text).ok());
  CHECK(text.empty());
  CHECK(g.members[0]->SealForOfficers(g.ws, std::string(70000, 'a'), &sealed).code() == Code::kInvalidArgument);
}
