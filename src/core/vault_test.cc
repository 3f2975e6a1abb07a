#include "core/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/status.h"

namespace shequ {
namespace {

TEST(VaultTest, SealOpensOnlyWithTheSameKey) {
  auto dir = std::filesystem::temp_directory_path() / ("vault-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto a = Vault::OpenOrCreate((dir / "a.key").string());
  auto again = Vault::OpenOrCreate((dir / "a.key").string());  // the file is reused, not replaced
  auto b = Vault::OpenOrCreate((dir / "b.key").string());
  std::string sealed = a->Seal("11010519491231002X");
  EXPECT_EQ(sealed.find("11010519491231002X"), std::string::npos);
  EXPECT_NE(sealed, a->Seal("11010519491231002X"));  // random nonce each time
  EXPECT_EQ(again->Open(sealed), "11010519491231002X");
  EXPECT_THROW(b->Open(sealed), SystemError);
  std::string altered = sealed;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THROW(a->Open(altered), SystemError);
  struct stat st;
  ASSERT_EQ(stat((dir / "a.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::filesystem::remove_all(dir);
}

TEST(VaultTest, LookupHashIsStableAndKeyed) {
  auto a = Vault::ForTesting();
  EXPECT_EQ(a->LookupHash("13812345678"), a->LookupHash("13812345678"));
  EXPECT_NE(a->LookupHash("13812345678"), a->LookupHash("13812345679"));
  EXPECT_EQ(a->LookupHash("x").size(), 64u);
}

}  // namespace
}  // namespace shequ
