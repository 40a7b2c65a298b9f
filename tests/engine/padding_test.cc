// Size buckets (protocol.md 3.1, 7.1): what a ciphertext's length tells.
#include <catch2/catch.hpp>
#include <sqlite3.h>

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

namespace {

// A first commit by dev of one record whose summary is about text bytes of
// hex, sealed under key as of epoch; *body receives its body.
SealedCommit SealSummary(const WorkspaceId& ws, const SignKeyPair& dev, const Key32& key, size_t text,
                         uint32_t epoch, uint64_t hlc, std::string* body) {
  RecordOp op;
  op.record = *RecordId::FromHex("101112131415161718191a1b1c1d1e1f");
  op.collection = "concerns";
  op.fields.push_back(FieldWrite{"summary", Value(HexEncode(RandomBytes(text / 2 + 1))), {}});
  REQUIRE(EncodeBody(DeviceIdFor(dev.public_key), {op}, body).ok());
  CommitHeader h;
  h.author = DeviceIdFor(dev.public_key);
  h.seq = 1;
  h.epoch = epoch;
  h.hlc = hlc;
  h.prev_hash = std::string(kHashBytes, '\0');
  SealedCommit c;
  REQUIRE(SealCommit(ws, h, *body, key, dev.secret_key, &c).ok());
  return c;
}

}  // namespace

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
    std::string body;
    const uint64_t hlc = (uint64_t{kNow} << 16) + text;
    SealedCommit c = SealSummary(ws, dev, key, text, 0, hlc, &body);
    if (ciphertext == 0) ciphertext = c.ciphertext_size;
    CHECK(c.ciphertext_size == ciphertext);
    CHECK(c.ciphertext_size == format::kCommitPadMinBytes + kAeadTagBytes);
    // The stamp is nowhere in the clear bytes, and reappears when opened.
    std::string stamp;
    Writer w(&stamp);
    w.Fixed64(hlc);
    CHECK(c.bytes.find(stamp) == std::string::npos);
    SealedCommit parsed;
    REQUIRE(ParseCommit(c.bytes, &parsed).ok());
    CHECK(parsed.header.hlc == 0);
    uint64_t opened_hlc = 0;
    std::string opened;
    REQUIRE(OpenCommit(ws, parsed, key, &opened_hlc, &opened).ok());
    CHECK(opened_hlc == hlc);
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

TEST_CASE("the log keeps a commit without its padding and gives back the same bytes", "[padding]") {
  REQUIRE(InitCrypto().ok());
  SignKeyPair dev = SignKeygen();
  WorkspaceId ws = *WorkspaceId::FromHex("000102030405060708090a0b0c0d0e0f");
  Key32 key = Key32::Random();
  auto key_for = [&](uint32_t epoch, const Key32** out) {
    if (epoch != 3) return Status::NotFound("no key of epoch " + std::to_string(epoch));
    *out = &key;
    return Status::OK();
  };
  // Small bodies (a whole bucket of padding), bodies that end at every
  // offset within a cipher block, and ones past the smallest bucket.
  for (size_t text : {1, 100, 400, 900, 901, 902, 903, 950, 1000, 1500, 3000, 20000}) {
    INFO("text of " << text);
    std::string body;
    SealedCommit c = SealSummary(ws, dev, key, text, 3, uint64_t{kNow} << 16, &body);
    REQUIRE(c.padding_zeros > 0);
    // Opening finds where the zeros begin just as sealing knew it.
    SealedCommit parsed;
    REQUIRE(ParseCommit(c.bytes, &parsed).ok());
    CHECK(parsed.padding_zeros == 0);
    uint64_t hlc = 0;
    std::string opened;
    size_t zeros = 0;
    REQUIRE(OpenCommit(ws, parsed, key, &hlc, &opened, &zeros).ok());
    CHECK(zeros == c.padding_zeros);
    std::string compact;
    size_t padding = c.ciphertext_size - kAeadTagBytes - c.padding_zeros;
    if (padding < format::kCompactMinElided) {
      CHECK_FALSE(CompactCommit(c, c.padding_zeros, &compact));
      continue;
    }
    REQUIRE(CompactCommit(c, c.padding_zeros, &compact));
    CHECK(IsCompactCommit(compact));
    CHECK_FALSE(IsCompactCommit(c.bytes));
    CHECK(compact.size() < c.bytes.size() - padding + 8);
    std::string expanded;
    REQUIRE(ExpandCommit(ws, compact, key_for, &expanded).ok());
    CHECK(expanded == c.bytes);
    // Another workspace's nonce, or another key, gives other bytes, which
    // the signature then refuses: nothing else is trusted.
    WorkspaceId other = *WorkspaceId::FromHex("ff0102030405060708090a0b0c0d0e0f");
    REQUIRE(ExpandCommit(other, compact, key_for, &expanded).ok());
    CHECK(expanded != c.bytes);
    // Malformed compact bytes are DataLoss; a missing key says so.
    CHECK(ExpandCommit(ws, compact.substr(0, compact.size() - 1), key_for, &expanded).code() == Code::kDataLoss);
    std::string bad_count = compact;
    bad_count[1] = static_cast<char>(bad_count[1] ^ 1);
    CHECK(ExpandCommit(ws, bad_count, key_for, &expanded).code() == Code::kDataLoss);
    auto no_key = [](uint32_t, const Key32**) { return Status::NotFound("no key"); };
    CHECK(ExpandCommit(ws, compact, no_key, &expanded).code() == Code::kNotFound);
  }
}

TEST_CASE("a replica's log holds commits compact, and peers still check them", "[padding]") {
  TempDir dir;
  Group g;
  MakeGroup(2, dir.path(), &g);
  for (int i = 0; i < 5; i++) {
    WriteBatch w;
    w.Insert("notes", {{"text", std::string("đất đai ") + std::to_string(i)}});
    REQUIRE(g.members[0]->Commit(g.ws, w).ok());
  }
  REQUIRE(SyncOneWay(*g.members[0], *g.members[1], g.ws) > 0);
  CHECK(Digest(*g.members[0], g.ws) == Digest(*g.members[1], g.ws));
  g.members[0].reset();
  g.members[1].reset();
  // Both logs, the author's and the importer's, keep them compact.
  for (const char* file : {"member0.db", "member1.db"}) {
    INFO(file);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(dir.File(file).c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT bytes FROM commits", -1, &st, nullptr) == SQLITE_OK);
    int compact = 0, rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      rows++;
      const auto* b = static_cast<const unsigned char*>(sqlite3_column_blob(st, 0));
      if (sqlite3_column_bytes(st, 0) > 0 && b[0] == format::kCompactCommitMarker) {
        compact++;
        CHECK(sqlite3_column_bytes(st, 0) < 512);
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK(compact >= 5);
    CHECK(rows >= compact);
  }
}
