#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "helpers.h"

using namespace hamlet;
using namespace hamlet::test;

TEST_CASE("bundle files are written atomically and read back whole", "[env]") {
  TempDir dir;
  Env* env = Env::Default();
  std::string path = dir.File("sd-card.bundle");
  std::string first(100000, 'a');
  REQUIRE(env->WriteFileAtomic(path, first).ok());
  std::string back;
  REQUIRE(env->ReadFile(path, &back).ok());
  CHECK(back == first);
  REQUIRE(env->WriteFileAtomic(path, "second").ok());
  REQUIRE(env->ReadFile(path, &back).ok());
  CHECK(back == "second");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

  // A missing card folder: a clear, non-retryable error.
  Status s = env->WriteFileAtomic(dir.File("no-such-folder/x.bundle"), "data");
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.message().find("no-such-folder") != std::string::npos);
  CHECK(env->ReadFile(dir.File("missing.bundle"), &back).code() == Code::kNotFound);

  // A write that cannot complete leaves the earlier bundle as it was.
  std::string blocked = dir.File("blocked.bundle");
  REQUIRE(env->WriteFileAtomic(blocked, "old bundle").ok());
  std::filesystem::create_directory(blocked + ".tmp");  // The temporary name is taken.
  CHECK_FALSE(env->WriteFileAtomic(blocked, "new bundle").ok());
  REQUIRE(env->ReadFile(blocked, &back).ok());
  CHECK(back == "old bundle");
}
