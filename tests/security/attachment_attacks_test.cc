// Attacks on attachments (protocol.md 14), as the attacker's own programs:
// a member that sends a hub bytes other than the chunks a manifest names,
// and a hub that serves a device altered chunks or an altered manifest.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "attachment.h"
#include "crypto.h"
#include "hamlet/hub_client.h"
#include "hand_device.h"
#include "helpers.h"
#include "hex.h"
#include "hub_process.h"
#include "hub_sync.h"
#include "request_auth.h"
#include "tampering_proxy.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

std::string Bytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// The attacker's client: a session of its own device, and requests it
// signs itself (a PUT's signature covers no body, protocol.md 14.5).
class RogueClient {
 public:
  RogueClient(const std::string& url, const HandDevice& dev) : http_(url), dev_(dev) {
    auto s = http_.Post("/v1/workspaces/" + dev.ws.Hex() + "/session", "{\"device\":\"" + dev.id().Hex() + "\"}",
                        "application/json");
    REQUIRE(s);
    REQUIRE(s->status == 200);
    REQUIRE(HexDecode(nlohmann::json::parse(s->body)["challenge"].get<std::string>(), &challenge_));
  }
  httplib::Result Send(const std::string& method, const std::string& target, const std::string& body, bool sign_body) {
    std::string auth =
        SignRequest(dev_.id(), dev_.sign.secret_key, method, target, challenge_, ++counter_, sign_body ? body : "");
    httplib::Headers h{{"Authorization", auth}};
    if (method == "GET") return http_.Get(target, h);
    if (method == "PUT") return http_.Put(target, h, body, "application/octet-stream");
    return http_.Post(target, h, body, "application/octet-stream");
  }

 private:
  httplib::Client http_;
  const HandDevice& dev_;
  std::string challenge_;
  uint64_t counter_ = 0;
};

std::string Target(const WorkspaceId& ws, const std::string& id) {
  return "/v1/workspaces/" + ws.Hex() + "/attachments/" + HexEncode(id);
}

uint64_t Held(const httplib::Result& r) { return nlohmann::json::parse(r->body)["held"].get<uint64_t>(); }

}  // namespace

TEST_CASE("a hub stores no chunk that does not match the attachment's manifest", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  HandDevice rogue(*g.members[0], g.ws);
  Register(hub, *g.members[0], rogue);
  RogueClient client(hub.url(), rogue);

  // A file of three chunks, sealed as the format says.
  AttachmentManifest m;
  std::vector<std::string> chunks;
  SealAttachment(Bytes(150000, 1), Key32::Random(), &m, &chunks);
  REQUIRE(chunks.size() == 3);
  const std::string manifest = m.Encode();
  const std::string id = AttachmentManifest::IdOf(manifest);
  const std::string target = Target(g.ws, id);

  // A manifest posted under another file's id is refused.
  auto r = client.Send("POST", Target(g.ws, std::string(32, '\x07')), manifest, true);
  REQUIRE(r);
  CHECK(r->status == 400);
  r = client.Send("POST", target, manifest, true);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(Held(r) == 0);

  // The first chunk, then the second with one byte changed: the first is
  // stored, the second refused as data loss, nothing of it kept.
  std::string bad = chunks[1];
  bad[bad.size() / 2] ^= 1;
  r = client.Send("PUT", target + "/data?from=0", chunks[0] + bad, false);
  REQUIRE(r);
  CHECK(r->status == 422);
  CHECK(r->body.find("data_loss") != std::string::npos);
  r = client.Send("GET", target + "/held", "", false);
  REQUIRE(r);
  CHECK(Held(r) == chunks[0].size());
  // Chunks out of their place: the third where the second goes. Being
  // shorter, it is kept as the start of the second, which cannot be
  // checked before it is whole; but only for the device that sent it.
  const std::string c0 = std::to_string(chunks[0].size());
  r = client.Send("PUT", target + "/data?from=" + c0, chunks[2], false);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(Held(r) == chunks[0].size() + chunks[2].size());
  HandDevice honest(*g.members[0], g.ws);
  Register(hub, *g.members[0], honest);
  RogueClient other(hub.url(), honest);
  r = other.Send("GET", target + "/held", "", false);
  REQUIRE(r);
  CHECK(Held(r) == chunks[0].size());
  // The rogue completes its planted chunk: refused, and the planted bytes
  // are gone.
  r = client.Send("PUT", target + "/data?from=" + std::to_string(chunks[0].size() + chunks[2].size()),
                  std::string(chunks[1].size() - chunks[2].size(), 'x'), false);
  REQUIRE(r);
  CHECK(r->status == 422);
  r = client.Send("GET", target + "/held", "", false);
  REQUIRE(r);
  CHECK(Held(r) == chunks[0].size());
  // Nothing of a file held in part is served.
  r = client.Send("GET", target + "/data?from=0", "", false);
  REQUIRE(r);
  CHECK(r->status == 409);

  // Another member sends the honest rest: taken. A chunk cannot then be
  // written over.
  r = other.Send("PUT", target + "/data?from=" + c0, chunks[1] + chunks[2], false);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(Held(r) == m.SealedSize());
  r = client.Send("PUT", target + "/data?from=0", bad, false);
  REQUIRE(r);
  CHECK(r->status == 409);
  r = client.Send("GET", target + "/data?from=0", "", false);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->body == chunks[0] + chunks[1] + chunks[2]);
}

TEST_CASE("a device refuses an attachment's chunk or manifest a hub altered, and keeps none of it", "[security]") {
  TempDir dir;
  HubProcess hub(dir.File("hub"));
  Group g;
  MakeGroup(2, "", &g);
  Publish(hub, g);
  Replica& officer = *g.members[0];
  Replica& cadre = *g.members[1];
  WriteBatch b;
  RecordId concern = b.Insert("concerns", {{"summary", std::string("Tố cáo")}});
  REQUIRE(cadre.Commit(g.ws, b).ok());
  const std::string photo = Bytes(200000, 2);
  Attachment a;
  REQUIRE(cadre.Attach(g.ws, concern, photo, "anh.jpg", "image/jpeg", &a).ok());
  Sync(cadre, g.ws, hub.url());
  Sync(officer, g.ws, hub.url());

  TamperingProxy liar(hub.url());
  auto fetch = [&] {
    HubClient c(&officer, Options(liar.url()));
    return c.FetchAttachment(g.ws, a.reference);
  };
  // A byte of the third chunk changed.
  liar.SetTamper([](const httplib::Request& req, httplib::Response& res) {
    if (req.path.find("/data") != std::string::npos && res.body.size() > 140000) res.body[140000] ^= 0x20;
  });
  Status s = fetch();
  CHECK(s.code() == Code::kDataLoss);
  CHECK_FALSE(s.Retryable());
  std::string back;
  CHECK(officer.ReadAttachment(a.reference, &back).code() == Code::kFailedPrecondition);

  // Another file's manifest (the hub's own choice) in place of this one's.
  liar.SetTamper([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" && req.path.find("/attachments/") != std::string::npos &&
        req.path.find("/data") == std::string::npos) {
      AttachmentManifest m;
      std::vector<std::string> chunks;
      SealAttachment(Bytes(200000, 3), Key32::Random(), &m, &chunks);
      res.body = m.Encode();
    }
  });
  Attachment other;
  RecordId second_concern;
  {
    WriteBatch w;
    second_concern = w.Insert("concerns", {{"summary", std::string("Kiến nghị")}});
    REQUIRE(cadre.Commit(g.ws, w).ok());
  }
  REQUIRE(cadre.Attach(g.ws, second_concern, Bytes(5000, 4), "to-trinh.pdf", "application/pdf", &other).ok());
  Sync(cadre, g.ws, hub.url());
  Sync(officer, g.ws, hub.url());
  {
    HubClient c(&officer, Options(liar.url()));
    s = c.FetchAttachment(g.ws, other.reference);
  }
  CHECK(s.code() == Code::kDataLoss);
  CHECK(officer.ReadAttachment(other.reference, &back).code() == Code::kFailedPrecondition);

  // An honest hub again: both arrive whole, the first from the chunks it
  // already checked.
  liar.SetTamper(nullptr);
  REQUIRE(fetch().ToString() == "OK");
  REQUIRE(officer.ReadAttachment(a.reference, &back).ok());
  CHECK(back == photo);
  {
    HubClient c(&officer, Options(liar.url()));
    REQUIRE(c.FetchAttachment(g.ws, other.reference).ToString() == "OK");
  }
  REQUIRE(officer.ReadAttachment(other.reference, &back).ok());
  CHECK(back == Bytes(5000, 4));
}
