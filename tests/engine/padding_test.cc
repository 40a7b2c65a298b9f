// Size buckets (protocol.md 3.1, 7.1): what a ciphertext's length tells.
#include <catch2/catch.hpp>

#include "coding.h"
#include "commit.h"
#include "crypto.h"
#include "format.h"
#include "helpers.h"
#include "hex.h"
#include "identity.h"
#include "padding.h"
#include "sealed_value.h"

using namespace hamlet;
using namespace hamlet::test;

TEST_CASE("the bucket rule", "[padding]") {
  CHECK(PaddedSize(1, 1024) == 1024);
  CHECK(PaddedSize(1024, 1024) == 1024);
  CHECK(PaddedSize(1025, 1024) == 1088);  // e = 10, s = 4: multiples of 64.
  CHECK(PaddedSize(1088, 1024) == 1088);
  CHECK(PaddedSize(1089, 1024) == 1152);
  CHECK(PaddedSize(65, 64) == 72);  // e = 6, s = 3: multiples of 8.
  CHECK(PaddedSize(100000, 1024) == 100352);
  // Never shorter, and at most 12% longer, for every length up to 1 MiB.
  for (size_t n = 1; n <= (1 << 20); n += 7) {
    size_t p = PaddedSize(n, 64);
    REQUIRE(p >= n);
    REQUIRE((p <= 64 || p - n <= n / 8));
    REQUIRE(PaddedSize(p, 64) == p);  // A bucket is its own bucket.
  }
}

TEST_CASE("padding comes off exactly as it went on, and only then", "[padding]") {
  REQUIRE(InitCrypto().ok());
  for (size_t n : {0, 1, 62, 63, 64, 1023, 1024, 5000}) {
    std::string s = RandomBytes(n);
    std::string padded = s;
    Pad(&padded, 64);
    CHECK(padded.size() == PaddedSize(n + 1, 64));
    REQUIRE(Unpad(&padded, 64).ok());
    CHECK(padded == s);
  }
  std::string no_marker(64, '\0');
  CHECK(Unpad(&no_marker, 64).code() == Code::kDataLoss);
  // Content that would pad to 64 bytes, padded to 128 instead: refused.
  std::string longer = "abc";
  longer += '\x80';
  longer.resize(128, '\0');
  CHECK(Unpad(&longer, 64).code() == Code::kDataLoss);
  std::string empty;
  CHECK(Unpad(&empty, 64).code() == Code::kDataLoss);
}

TEST_CASE("commits of one record are one size, and carry their clock sealed", "[padding]") {
  REQUIRE(InitCrypto().ok());
  SignKeyPair dev = SignKeygen();
  WorkspaceId ws = *WorkspaceId::FromHex("000102030405060708090a0b0c0d0e0f");
  Key32 key = Key32::Random();
  size_t ciphertext = 0;
  for (size_t text : {1, 100, 400, 900}) {
    RecordOp op;
    op.record = *RecordId::FromHex("101112131415161718191a1b1c1d1e1f");
    op.collection = "concerns";
    op.fields.push_back(FieldWrite{"summary", Value(HexEncode(RandomBytes(text / 2 + 1))), {}});
    std::string body;
    REQUIRE(EncodeBody(DeviceIdFor(dev.public_key), {op}, &body).ok());
    CommitHeader h;
    h.author = DeviceIdFor(dev.public_key);
    h.seq = 1;
    h.hlc = (uint64_t{kNow} << 16) + text;
    h.prev_hash = std::string(kHashBytes, '\0');
    SealedCommit c;
    REQUIRE(SealCommit(ws, h, body, key, dev.secret_key, &c).ok());
    if (ciphertext == 0) ciphertext = c.ciphertext_size;
    CHECK(c.ciphertext_size == ciphertext);
    CHECK(c.ciphertext_size == format::kCommitPadMinBytes + kAeadTagBytes);
    // The stamp is nowhere in the clear bytes, and reappears when opened.
    std::string stamp;
    Writer w(&stamp);
    w.Fixed64(h.hlc);
    CHECK(c.bytes.find(stamp) == std::string::npos);
    SealedCommit parsed;
    REQUIRE(ParseCommit(c.bytes, &parsed).ok());
    CHECK(parsed.header.hlc == 0);
    uint64_t hlc = 0;
    std::string opened;
    REQUIRE(OpenCommit(ws, parsed, key, &hlc, &opened).ok());
    CHECK(hlc == h.hlc);
    CHECK(opened == body);
  }
}

TEST_CASE("sealed texts up to 63 bytes are one size", "[padding]") {
  Group g;
  MakeGroup(1, "", &g);
  std::string short_name, long_name;
  REQUIRE(g.members[0]->SealForOfficers(g.ws, "Lê", &short_name).ok());
  REQUIRE(g.members[0]->SealForOfficers(g.ws, "Nguyễn Thị Hoàng Hương, 0912 345 678", &long_name).ok());
  CHECK(short_name.size() == long_name.size());
  std::string text;
  REQUIRE(g.members[0]->Unseal(g.ws, long_name, &text).ok());
  CHECK(text == "Nguyễn Thị Hoàng Hương, 0912 345 678");
  std::string longer;
  REQUIRE(g.members[0]->SealForOfficers(g.ws, std::string(200, 'x'), &longer).ok());
  CHECK(longer.size() > long_name.size());
}
