// Every decoder meets random bytes and mutated valid encodings, and must
// answer with a status, never a crash, an overread or a hang. Run under
// AddressSanitizer and UBSan in CI. HAMLET_SEED replays one seed.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>

#include "attachment.h"
#include "chunk.h"
#include "commit.h"
#include "helpers.h"
#include "identity.h"
#include "merge.h"

using namespace hamlet;
using namespace hamlet::test;

namespace {

std::string Mutate(std::string s, std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0:  // Flip bits.
      for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n && !s.empty(); i++) {
        s[rng() % s.size()] ^= static_cast<char>(1 << (rng() % 8));
      }
      break;
    case 1:  // Truncate.
      s.resize(s.empty() ? 0 : rng() % s.size());
      break;
    case 2:  // Insert random bytes.
      s.insert(s.empty() ? 0 : rng() % s.size(), std::string(1 + rng() % 8, static_cast<char>(rng())));
      break;
    case 3:  // Overwrite a byte with an extreme value (lengths, counts).
      if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng() % 2 ? 0xff : 0x80);
      break;
    default:  // Random garbage of a similar size.
      for (char& c : s) c = static_cast<char>(rng());
      break;
  }
  return s;
}

// Mutates a chunk and, every other time, repairs its checksum so that the
// damage reaches the decoder and the import checks behind it.
std::string MutateChunk(const std::string& chunk, std::mt19937_64& rng) {
  std::string body = Mutate(chunk.substr(0, chunk.size() - 32), rng);
  if (rng() % 2) return body + Hash(body, 32);
  return Mutate(chunk, rng);
}

}  // namespace

TEST_CASE("decoders refuse damaged input without crashing", "[decoder]") {
  uint64_t seed = SeedFromEnv(1122);
  INFO("seed " << seed << " (replay with HAMLET_SEED)");
  std::mt19937_64 rng(seed);
  REQUIRE(InitCrypto().ok());

  // Valid samples of every format, from a real exchange.
  Group g;
  MakeGroup(2, "", &g);
  WriteBatch b;
  RecordId id = b.Insert("concerns", {{"summary", std::string("Khiếu nại về đất đai")}, {"n", int64_t{-7}},
                                      {"ok", true}, {"due", Timestamp{kNow}}, {"none", Value()}});
  REQUIRE(g.members[0]->Commit(g.ws, b).ok());
  WriteBatch u;
  u.Update(id, {{"n", int64_t{8}}});
  SyncOneWay(*g.members[0], *g.members[1], g.ws);
  REQUIRE(g.members[1]->Commit(g.ws, u).ok());
  ExportResult ex;
  REQUIRE(g.members[1]->Export(g.ws, "", 1 << 20, &ex, ChunkForm::kBlind).ok());
  std::string chunk = ex.chunk;
  Chunk parsed;
  REQUIRE(DecodeChunk(chunk, &parsed).ok());
  REQUIRE(parsed.commits.size() == 2);
  std::string commit = parsed.commits[1].bytes;
  std::string cert = parsed.certificates.at(0);
  std::vector<RecordOp> ops;
  ops.push_back(RecordOp{id, "concerns", true, {WriteRef{DeviceId{}, 3}}, {FieldWrite{"n", Value(int64_t{1}), {}}}});
  std::string body;
  REQUIRE(EncodeBody(g.members[1]->device_id(), ops, &body).ok());
  RecordState st;
  auto none = [](const WriteRef&) { return false; };
  ApplyOp(&st, ops[0], g.members[1]->device_id(), 4, 99, none);
  std::string state;
  EncodeState(st, &state);
  std::string join;
  REQUIRE(g.members[1]->JoinRequest(&join).ok());
  std::string envelope;
  REQUIRE(g.members[0]->Admit(g.ws, join, Role::kCadre, &envelope).ok());

  int refused = 0;
  for (int i = 0; i < 3000; i++) {
    Chunk c;
    SealedCommit sc;
    std::vector<RecordOp> o;
    RecordState rs;
    Certificate ce;
    JoinRequest jr;
    Envelope en;
    refused += !DecodeChunk(MutateChunk(chunk, rng), &c).ok();
    refused += !ParseCommit(Mutate(commit, rng), &sc).ok();
    refused += !DecodeBody(DeviceId{}, Mutate(body, rng), &o).ok();
    refused += !DecodeState(Mutate(state, rng), &rs).ok();
    refused += !ParseCertificate(Mutate(cert, rng), &ce).ok();
    refused += !ParseJoinRequest(Mutate(join, rng), &jr).ok();
    refused += !ParseEnvelope(Mutate(envelope, rng), &en).ok();
    // A whole replica sees a mutated chunk: refused, or (if the mutation
    // missed everything that matters) harmless.
    ImportResult res;
    Status s = g.members[0]->Import(MutateChunk(chunk, rng), &res);
    if (s.ok()) CHECK(res.applied <= 1);
  }
  // Most mutations must be caught; the rest decode to other valid values.
  CHECK(refused > 3000 * 7 * 3 / 4);
  // Whatever mutated chunks were accepted brought nothing but genuine
  // commits: with the real chunk on top, member 0 holds exactly what
  // member 1 holds.
  ImportResult res;
  REQUIRE(g.members[0]->Import(chunk, &res).ok());
  CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
}

TEST_CASE("an attachment manifest has one encoding, so a file has one id", "[decoder]") {
  REQUIRE(InitCrypto().ok());
  AttachmentManifest m;
  std::vector<std::string> chunks;
  SealAttachment(std::string(100, 'x'), Key32::FromView(std::string(32, '\x05')), &m, &chunks);
  const std::string canonical = m.Encode();
  AttachmentManifest back;
  REQUIRE(AttachmentManifest::Decode(canonical, &back).ok());
  CHECK(back.Encode() == canonical);
  // The size (100, one byte) written in two bytes, 0xe4 0x00: the same
  // number, another byte string, so another id.
  REQUIRE(static_cast<uint8_t>(canonical[1]) == 100);
  std::string longer = canonical.substr(0, 1) + std::string("\xe4\x00", 2) + canonical.substr(2);
  CHECK(AttachmentManifest::IdOf(longer) != AttachmentManifest::IdOf(canonical));
  Status s = AttachmentManifest::Decode(longer, &back);
  CHECK(s.code() == Code::kInvalidArgument);
}
