// The test vectors of protocol.md, section 15: the code must agree with
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
    "0200c5e21ab1c9f6022d81c3b25e3436cb7f010000000000000000000000000000000000000000000000000000000000"
    "00000000a7bb4a1a389200369008271683c580a24b273c85ff768b7f64e5f915f1091365037b8f5b95c51f79a6878a5a"
    "624c98c231c335e6b29773f22175c196934949321bca652430dcfa3d10adddc10e1b464ede6104c107880f26373cb1d2"
    "bcd4f0e49962f67f97d3e7d78c6ee0def8197e6d2819bcc38a60a2bf6e10917a4b7c2996554feb0e39a2f90168767460"
    "04a34a71d8bedc1bc40b4fdfb8fe29045710aaf660fcd57aba4d4474f4125671fcdd954d6fc2d4309bc6679a4d4290a1"
    "b651bc37e61aac845b43f3514c60e7bf904677c9df2453a3cdb10913085d895cdd6f0e5b79f21ba75bc893b5b97adcc5"
    "61f231af83f7ced1984fb349b40ac6793c5b8d89d5f301d4610ff433e2df42ad852e385e9d9f5da2a92746e3ac61c7ce"
    "3c0bb4c31995341207077d7cf17da77e0e7634d4ef9599a4b581532b913d00d56ee4f6f43cbaf1766b3f22ca04f39d17"
    "5a78603916589f91bdcc171b8bbdf97efdbc069d45eb7b4552fa231c518033f438777abc775ee7d0a7e9bd2a7e2278ae"
    "0c799a8b63006468ed9627bc6c67f7b09bf6e491c7b582c4ab7d20114f1b1d7864372b67afc3fd76e57abbc6e5233dce"
    "326ea91eb0cbb21660bcc051c49defe5cfaadcd0a46b38d2122dfa1ab2646a66dbcedeb4d913f55f83c6bd175102acaf"
    "0a152ec5be8c98de24ca2a5128c87944e5a5cfa48bc4e39e664ea1a7657dd3c50d16c52b3324c44f2050f7e73ce675c9"
    "8e6b2b55c5d003a3a6a079ebad04818526964994adae219eb1d02df34e8f86785beb36f5ff252d930ac77dc2622ca006"
    "8f40bbd17db46c59c852c6b468d9ba3f70da0b05d1b36412fee24af583c2ea27e3da2d4a1ee5bf3aba93665638c822ec"
    "fea8754ef350577f1c329fc49b2f8ebfad2816637cfe2badf95e6c3cc37422f1ca19c0d1840f28825aab860c4b4e3b25"
    "df17bd0050377ea998e01ac32d39de064c5282118114656f9d1f49eee9b04c54d3588389f394baf185a2fdd080207e02"
    "f5856089854b5998bf54f67f40137cd7a3760518ed582b2ce72df16cc87958908a8aa49fad5579e6a74cebeee09e85fb"
    "0e9641c5b0a80192a422b34b8ee3df4b6274a4ee7cdef83deeddec95a44fb448660ef3a06c80e0ba8c23ab6afbdd64bd"
    "c017d40f1c59cc80e14566f62580eaf2194df687769de3ff618e4a74801f0f08777a59958643b83df87ef366d4c6137e"
    "908d1ccb83d8708765842c03948b6722b3c828ac2fe58125d5df95b03cf8be69e52c75fa413d5682179d08bcc1a14366"
    "49eff14dc5a022917860e6d9d37c3d221079e13d3aab03b3eee999ccbb663477bd156eeb3ce77b2a5c724d2335b707ae"
    "c55c8f3b4753b9f0e566be0fcfc54b28f763982086f59a705c73a9ed3681f21eaff6b8c55d673e1ec8157680b9005511"
    "8494b09b9de0e79da645b124db03e0d35facca810290810fa0318f567e60514e1183ce36a2ef9dc94fb6d2e7102caf89"
    "3cc89993855c3c2dd65eeabed1bfa676428cd0d0874353bc912bf36998ac6c12fa9e0063c813bf0ff7cc0d868335b214"
    "32c38ef990d6ea33b970a626ec03";
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
    CHECK(c.header.epoch == 0);
    CHECK(c.header.flags == 0);
    CHECK(CanonicalBytes(c.header, c.ciphertext(), c.signature()) == Unhex(kCommit));
    REQUIRE(VerifyCommit(ws, c, dev.public_key).ok());
    std::string opened;
    uint64_t hlc = 0;
    REQUIRE(OpenCommit(ws, c, key, &hlc, &opened).ok());
    CHECK(hlc == (uint64_t{1795000000000} << 16));
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
