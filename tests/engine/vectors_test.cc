// The test vectors of protocol.md, section 14: the code must agree with
// the document byte for byte.
#include <catch2/catch.hpp>

#include "commit.h"
#include "crypto.h"
#include "hex.h"
#include "identity.h"
#include "request_auth.h"

using namespace hamlet;

namespace {
std::string Unhex(const std::string& h) {
  std::string out;
  REQUIRE(HexDecode(h, &out));
  return out;
}
const std::string kSignPk = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
const std::string kDevice = "c5e21ab1c9f6022d81c3b25e3436cb7f";
const std::string kBody = "000308636f6e6365726e73067374617475730773756d6d61727901101112131415161718191a1b1c1d1e1f00010002010108726563656976656400020118c490c6b0e1bb9d6e67206e67e1baad70206ec6b0e1bb9b6300";
const std::string kCommit =
    "0100c5e21ab1c9f6022d81c3b25e3436cb7f010000005e56eea101000000000000000000000000000000000000000000000000000000000000000000d0cf83f5c605369a67fabce2a02ecd8936762cf285c222f9504133cb6f32cb3f5dd6beb3df07502e97ac12839989c35ec64cf7294b8b0e289d1ebfb6ff0f5eb647cb7965754dd0adedeb58f51eabe16d31fe0fb5d338e26abc5b217131315bb88057ea437ba52bd94d67b55ee47d001b8a5ce15566adee7306e1a5ea870490e7c0599e936390f8def1af6af00f9b52952150b4101e9d7dba33d5f158b578eb1c469a239345ec35fdc975c077df98fe0e";
const std::string kAuth =
    "Hamlet device=c5e21ab1c9f6022d81c3b25e3436cb7f,challenge=03030303030303030303030303030303,counter=1,signature=aa4a831f3fc65be2291f5ffd785a1d2b295b2921f2a1c4f9bf7a84de304aeddb97256aba82bae73b6a73e159dd25089900872bd6a94a43b8fe77603db3377f06";
const std::string kKxPk = "edd03cade80d29de6ea313a74ab369f4732ecb36649066b78b5b2dd664cb0417";
const std::string kSealed =
    "4cf0c68b3baafb9af646f9dfa9248784ed484e69cc2ea6c0d68e6c8a31a97a52b6d6a0e0b778e2f8f953c9c7c9ef64199f694b9be27f47c6ccfdfdae66a16990659b5e039a47d7b3dd9561449acc1993";
}  // namespace

TEST_CASE("protocol.md test vectors", "[vectors]") {
  REQUIRE(InitCrypto().ok());
  SignKeyPair dev = SignKeygenFromSeed(std::string(32, '\x01'));
  CHECK(HexEncode(dev.public_key) == kSignPk);
  CHECK(DeviceIdFor(dev.public_key).Hex() == kDevice);
  WorkspaceId ws = *WorkspaceId::FromHex("000102030405060708090a0b0c0d0e0f");
  Key32 key = Key32::FromView(std::string(32, '\x02'));

  SECTION("a commit") {
    RecordOp op;
    op.record = *RecordId::FromHex("101112131415161718191a1b1c1d1e1f");
    op.collection = "concerns";
    op.fields.push_back(FieldWrite{"status", Value(std::string("received")), {}});
    op.fields.push_back(FieldWrite{"summary", Value(std::string("Đường ngập nước")), {}});
    std::string body;
    REQUIRE(EncodeBody(*DeviceId::FromHex(kDevice), {op}, &body).ok());
    CHECK(HexEncode(body) == kBody);

    SealedCommit c;
    REQUIRE(ParseCommit(Unhex(kCommit), &c).ok());
    CHECK(c.header.author.Hex() == kDevice);
    CHECK(c.header.seq == 1);
    CHECK(c.header.hlc == (uint64_t{1795000000000} << 16));
    CHECK(c.header.epoch == 0);
    CHECK(c.header.flags == 0);
    CHECK(CanonicalBytes(c.header, c.ciphertext(), c.signature()) == Unhex(kCommit));
    REQUIRE(VerifyCommit(ws, c, dev.public_key).ok());
    std::string opened;
    REQUIRE(OpenCommit(ws, c, key, &opened).ok());
    CHECK(HexEncode(opened) == kBody);
    std::vector<RecordOp> ops;
    REQUIRE(DecodeBody(c.header.author, opened, &ops).ok());
    REQUIRE(ops.size() == 1);
    CHECK(std::get<std::string>(ops[0].fields[1].value) == "Đường ngập nước");
    // Another workspace, or one flipped byte, and it no longer verifies.
    CHECK_FALSE(VerifyCommit(*WorkspaceId::FromHex("ff0102030405060708090a0b0c0d0e0f"), c, dev.public_key).ok());
  }
  SECTION("a signed request") {
    CHECK(SignRequest(DeviceIdFor(dev.public_key), dev.secret_key, "POST",
                      "/v1/workspaces/000102030405060708090a0b0c0d0e0f/push", std::string(16, '\x03'), 1,
                      "hello") == kAuth);
  }
  SECTION("a key envelope entry") {
    KxKeyPair kx = KxKeygenFromSeed(std::string(32, '\x04'));
    CHECK(HexEncode(kx.public_key) == kKxPk);
    std::string opened;
    REQUIRE(OpenSealed(kx.public_key, kx.secret_key, Unhex(kSealed), &opened));
    CHECK(opened == std::string(32, '\x02'));
  }
}
