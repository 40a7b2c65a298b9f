// A hub that withholds (protocol.md 13.6, 7.4): each attack is the
// attacker's own hub, a proxy in front of a real hamlet-hub that changes its
// answers, or the operator restoring an old backup; each test checks that
// devices find out and say so, and lose nothing.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "chunk.h"
#include "hamlet/hub_client.h"
#include "helpers.h"
#include "hex.h"
#include "hub_process.h"
#include "hub_sync.h"
#include "tampering_proxy.h"

using namespace hamlet;
using namespace hamlet::test;
namespace fs = std::filesystem;

namespace {

void Write(Replica& r, const WorkspaceId& ws, const std::string& prefix, int n) {
  for (int i = 0; i < n; i++) {
    WriteBatch b;
    b.Insert("concerns", {{"summary", prefix + " " + std::to_string(i)}});
    REQUIRE(r.Commit(ws, b).ok());
  }
}

// The warning of a kind this replica gives now, or "" if none.
std::string WarningOf(Replica& r, const WorkspaceId& ws, const std::string& kind) {
  std::vector<Warning> all;
  REQUIRE(r.Warnings(ws, &all).ok());
  for (const Warning& w : all) {
    if (w.kind == kind) return w.message;
  }
  return "";
}

// Rewrites the JSON body of a keys answer.
void EditKeys(httplib::Response& res, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(res.body);
  edit(j);
  res.set_content(j.dump(), "application/json");
}

}  // namespace

TEST_CASE("a hub restored from a backup makes devices pull again rather than miss commits", "[security]") {
  TempDir dir;
  const std::string data = dir.File("hub"), copy = dir.File("copy");
  HubProcess hub(data);
  Group g;
  MakeGroup(3, "", &g);  // The admin, a writer, a reader.
  Replica& admin = *g.members[0];
  Replica& writer = *g.members[1];
  Replica& reader = *g.members[2];
  Publish(hub, g);
  Write(writer, g.ws, "early", 5);
  Sync(writer, g.ws, hub.url());
  Sync(reader, g.ws, hub.url());
  bool by_hand = false;
  SECTION("a copy made with hamlet-hub backup") {
    REQUIRE(HubProcess::Run({"backup", "--data", data, "--to", copy}) == 0);
    CHECK(HubProcess::Run({"backup", "--data", data, "--to", copy}) != 0);  // Never over another copy.
  }
  SECTION("a copy of the data folder made by hand") {
    by_hand = true;
    hub.StopAndRestart([&] {
      fs::create_directories(copy);
      for (const char* f : {"/hub.db", "/hub.db-wal"}) {
        if (fs::exists(data + f)) fs::copy_file(data + f, copy + f);
      }
    });
  }
  Write(writer, g.ws, "later", 5);
  Sync(writer, g.ws, hub.url());
  Sync(reader, g.ws, hub.url());  // The reader's position is now past the end of the copy.

  // The operator restores last night's copy.
  hub.StopAndRestart([&] {
    for (const char* f : {"/hub.db", "/hub.db-wal", "/hub.db-shm"}) fs::remove(data + f);
    for (const char* f : {"/hub.db", "/hub.db-wal"}) {
      if (fs::exists(copy + f)) fs::copy_file(copy + f, data + f);
    }
  });
  // The admin syncs first: its new commits take positions the reader had
  // passed on the old instance.
  Write(admin, g.ws, "fresh", 5);
  Sync(admin, g.ws, hub.url());
  Sync(writer, g.ws, hub.url());  // Pushes again what the copy lacks.
  CHECK(WarningOf(writer, g.ws, "hub_lost_commits").find("acknowledged") != std::string::npos);
  Sync(reader, g.ws, hub.url());
  CHECK(Matching(reader, "fresh") == 5);
  if (by_hand) {
    // The same instance id: the positions line up again, and the commits
    // claimed and not served send the pull back to the start at once.
    CHECK(WarningOf(reader, g.ws, "hub_restored").empty());
  } else {
    CHECK(WarningOf(reader, g.ws, "hub_restored").find("pulled again") != std::string::npos);
  }
  Sync(admin, g.ws, hub.url());
  CHECK(Digest(reader, g.ws) == Digest(writer, g.ws));
  CHECK(Digest(reader, g.ws) == Digest(admin, g.ws));
  // The next sync finds the hub whole and says nothing more.
  Sync(reader, g.ws, hub.url());
  Sync(writer, g.ws, hub.url());
  CHECK(WarningOf(reader, g.ws, "hub_restored").empty());
  CHECK(WarningOf(writer, g.ws, "hub_lost_commits").empty());
}

TEST_CASE("a hub that serves less than it claims to hold is found out", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(3, "", &g);
  Replica& writer = *g.members[1];
  Replica& reader = *g.members[2];
  Publish(hub, g);
  Write(writer, g.ws, "note", 6);
  Sync(writer, g.ws, hub.url());

  // The attacker's hub skips the writer's third commit in whatever page
  // holds it.
  TamperingProxy evil(hub.url());
  const DeviceId victim = writer.device_id();
  evil.SetTamper([&](const httplib::Request& req, httplib::Response& res) {
    if (req.path.find("/pull") == std::string::npos || res.status != 200) return;
    Chunk chunk;
    if (!DecodeChunk(res.body, &chunk).ok()) return;
    std::erase_if(chunk.commits,
                  [&](const SealedCommit& c) { return c.header.author == victim && c.header.seq == 3; });
    res.set_content(EncodeChunk(chunk), "application/octet-stream");
  });
  Sync(reader, g.ws, evil.url());
  CHECK(Matching(reader, "note") == 5);  // A replica takes a chain with a gap (a bundle may bring one).
  std::string said = WarningOf(reader, g.ws, "hub_withholds_commits");
  CHECK(said.find(evil.url()) != std::string::npos);
  CHECK(said.find(victim.Hex().substr(0, 8) + " up to 6, sent up to 2") != std::string::npos);

  // Once it serves honestly, the next sync pulls from the start and the
  // warning goes.
  evil.SetTamper(nullptr);
  Sync(reader, g.ws, evil.url());
  CHECK(Matching(reader, "note") == 6);
  CHECK(WarningOf(reader, g.ws, "hub_withholds_commits").empty());
  CHECK(Digest(reader, g.ws) == Digest(writer, g.ws));
}

TEST_CASE("a revocation or key a hub keeps back is found out", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(3, "", &g);  // The admin, a member, a member about to be revoked.
  Replica& admin = *g.members[0];
  Replica& member = *g.members[1];
  Publish(hub, g);
  for (auto& m : g.members) Sync(*m, g.ws, hub.url());
  CHECK(WarningOf(member, g.ws, "key_withheld").empty());

  HubClient ac(&admin, Options(hub.url()));
  RevokeResult revoked;
  REQUIRE(ac.Revoke(g.ws, g.members[2]->device_id(), &revoked).ToString() == "OK");

  // The attacker's hub hands the member neither the revocation nor its new
  // key, but cannot forge or alter the admin's statement that names both.
  TamperingProxy evil(hub.url());
  evil.SetTamper([](const httplib::Request& req, httplib::Response& res) {
    if (req.path.find("/keys") == std::string::npos || res.status != 200) return;
    EditKeys(res, [](nlohmann::json& j) {
      j["revocations"] = nlohmann::json::array();
      j["grants"] = nlohmann::json::array();
    });
  });
  Sync(member, g.ws, evil.url());
  CHECK(WarningOf(member, g.ws, "key_withheld").find("key 1") != std::string::npos);
  CHECK(WarningOf(member, g.ws, "revocation_withheld").find(g.members[2]->device_id().Hex().substr(0, 8)) !=
        std::string::npos);

  // The revocation comes another way (the admin's bundle, on an SD card);
  // the hub still leaves it out, and that is said too.
  std::string bundle;
  size_t carried = 0;
  REQUIRE(admin.ExportBundle(g.ws, "", &bundle, &carried).ok());
  BundleImportResult imported;
  REQUIRE(member.ImportBundle(bundle, &imported).ok());
  Sync(member, g.ws, evil.url());
  CHECK(WarningOf(member, g.ws, "revocation_withheld").empty());
  CHECK(WarningOf(member, g.ws, "hub_withholds_revocation").find(evil.url()) != std::string::npos);

  // A forged statement is refused; an honest hub clears every warning.
  evil.SetTamper([](const httplib::Request& req, httplib::Response& res) {
    if (req.path.find("/keys") == std::string::npos || res.status != 200) return;
    EditKeys(res, [](nlohmann::json& j) {
      std::string st = j["statement"].get<std::string>();
      st[st.size() - 3] = st[st.size() - 3] == '0' ? '1' : '0';
      j["statement"] = st;
    });
  });
  HubClient mc(&member, Options(evil.url()));
  SyncReport rep;
  CHECK(mc.Sync(g.ws, &rep).code() == Code::kDataLoss);
  evil.SetTamper(nullptr);
  Sync(member, g.ws, evil.url());
  std::vector<Warning> left;
  REQUIRE(member.Warnings(g.ws, &left).ok());
  CHECK(left.empty());
}

TEST_CASE("a device warns before writing when the admin has not been heard from for long", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Replica& admin = *g.members[0];
  Replica& member = *g.members[1];
  Publish(hub, g);
  Sync(admin, g.ws, hub.url());
  Sync(member, g.ws, hub.url());
  std::string held;
  REQUIRE(member.EpochStatementOf(g.ws, &held).ok());
  CHECK_FALSE(held.empty());

  // A hub that keeps serving the statement of that day, and never a newer.
  TamperingProxy evil(hub.url());
  evil.SetTamper([&](const httplib::Request& req, httplib::Response& res) {
    if (req.path.find("/keys") == std::string::npos || res.status != 200) return;
    EditKeys(res, [&](nlohmann::json& j) { j["statement"] = HexEncode(held); });
  });
  const int64_t kDay = 24 * 3600 * 1000LL;
  for (auto& clock : g.clocks) clock->Advance(20 * kDay);
  Sync(admin, g.ws, hub.url());  // The admin speaks again, a day-old statement being due.
  Sync(member, g.ws, evil.url());
  CHECK(WarningOf(member, g.ws, "no_recent_statement").empty());  // 20 days: within the period.
  for (auto& clock : g.clocks) clock->Advance(11 * kDay);
  Sync(admin, g.ws, hub.url());
  Sync(member, g.ws, evil.url());
  CHECK(WarningOf(member, g.ws, "no_recent_statement").find("31 days") != std::string::npos);
  // The period is the device's to set.
  member.SetStatementMaxAge(60 * kDay);
  CHECK(WarningOf(member, g.ws, "no_recent_statement").empty());
  member.SetStatementMaxAge(7 * kDay);
  // The honest hub brings the admin's newer word, and the warning goes.
  Sync(member, g.ws, hub.url());
  CHECK(WarningOf(member, g.ws, "no_recent_statement").empty());
  // The admin itself never warns of its own silence.
  std::vector<Warning> mine;
  REQUIRE(admin.Warnings(g.ws, &mine).ok());
  CHECK(mine.empty());
}

TEST_CASE("a revocation carried on an SD card reaches a hub and devices no hub told", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(3, "", &g);  // The admin, a member, a member to revoke.
  Replica& admin = *g.members[0];
  Replica& member = *g.members[1];
  Replica& gone = *g.members[2];
  Publish(hub, g);
  for (auto& m : g.members) Sync(*m, g.ws, hub.url());

  // The admin, with no link, revokes and carries a bundle to the district
  // office; the revoked device meanwhile keeps writing to the hub.
  RevokeResult revoked;
  REQUIRE(admin.Revoke(g.ws, gone.device_id(), &revoked).ok());
  std::string bundle;
  size_t carried = 0;
  REQUIRE(admin.ExportBundle(g.ws, "", &bundle, &carried).ok());
  std::string file = dir.File("admin.hamlet");
  REQUIRE(Env::Default()->WriteFileAtomic(file, bundle).ok());
  REQUIRE(HubProcess::Run({"import", file, "--data", dir.File("hub")}) == 0);

  Write(gone, g.ws, "after", 1);
  HubClient gc(&gone, Options(hub.url()));
  SyncReport rep;
  CHECK(gc.Sync(g.ws, &rep).code() == Code::kPermissionDenied);  // The hub took the revocation.
  // A member that syncs there learns of the revocation, and that a key it
  // lacks exists (the admin's grants travel when it next reaches a hub).
  Sync(member, g.ws, hub.url());
  CHECK(WarningOf(member, g.ws, "revocation_withheld").empty());
  CHECK(WarningOf(member, g.ws, "hub_withholds_revocation").empty());
  CHECK_FALSE(WarningOf(member, g.ws, "key_withheld").empty());
}
