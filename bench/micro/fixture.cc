#include "fixture.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "store/migrations.h"
#include "territory/territory.h"

namespace shequ::bench {
namespace {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("SHEQU_BENCH_DIR");
    std::filesystem::path parent = base != nullptr ? std::filesystem::path(base)
                                                   : std::filesystem::temp_directory_path();
    std::filesystem::create_directories(parent);
    InitCrypto();
    std::string suffix = RandomToken(6);
    for (char& c : suffix) c = std::isalnum(static_cast<unsigned char>(c)) ? c : 'x';
    path_ = parent / ("shequ-micro-" + suffix);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TempDir& Dir() {
  static TempDir dir;
  return dir;
}

std::unique_ptr<store::Database> Open(const std::string& file) {
  std::filesystem::path p = Dir().path() / file;
  std::filesystem::remove(p);
  auto db = store::Database::Open("sqlite:" + p.string(), 4);
  store::Migrate(*db);
  return db;
}

}  // namespace

store::Database& DistrictDemo() {
  static std::unique_ptr<store::Database> db = [] {
    auto db = Open("district.db");
    audit::Trail trail(Clock::System(), nullptr);
    territory::DemoSummary s =
        territory::CreateDemo(*db, trail, territory::DemoScale::kDistrict, 1);
    if (!s.created || s.areas < 1000) throw std::runtime_error("district demo was not created");
    return db;
  }();
  return *db;
}

std::unique_ptr<store::Database> EmptyDatabase(const std::string& name) {
  return Open(name + ".db");
}

}  // namespace shequ::bench
