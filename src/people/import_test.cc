#include "people/import.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "people/validation.h"
#include "store/testing.h"
#include "territory/territory.h"

namespace shequ::people {
namespace {

class ImportTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    territory::CreateDemo(db(), trail_, territory::DemoScale::kSmall, 1);
    registry_ = std::make_unique<Registry>(db(), *vault_, trail_, Clock::System());
    system_.username = "system";
    system_.area_path = "/";
  }
  int64_t Persons() { return db().Acquire()->Query("SELECT COUNT(*) FROM persons")[0].Int(0); }
  ImportOutcome Run(const std::string& csv, bool all_or_nothing) {
    auto table = ReadTable(csv);
    EXPECT_TRUE(table.ok()) << table.status().message().en;
    return ImportPersons(*registry_, Caller{system_, "test"}, *table, all_or_nothing, {});
  }
  static std::string Row(int i, const std::string& name = "") {
    std::string id = MakeResidentId("310105", fmt::format("19{:02d}0{}1{}", 30 + i % 60, 1 + i % 9, i % 10), i % 1000);
    return fmt::format("{},resident_id,{},registered,31010500200101\n", name.empty() ? fmt::format("居民{}", i) : name, id);
  }
  static constexpr const char* kHeader = "name,document_type,document_number,hukou,area_code\n";

  audit::Trail trail_{Clock::System(), nullptr};
  std::unique_ptr<Vault> vault_ = Vault::ForTesting();
  std::unique_ptr<Registry> registry_;
  Principal system_;
};

TEST_P(ImportTest, WrongHeaderWritesNothing) {
  auto out = Run("姓名,电话\n张三,138\n", false);
  EXPECT_FALSE(out.failure.ok());
  EXPECT_NE(out.failure.fields().at(0).message.en.find("document_number"), std::string::npos);
  EXPECT_EQ(Persons(), 0);
}

TEST_P(ImportTest, AllOrNothingRejectsTheWholeBatchValidOnlyKeepsGoodRows) {
  std::string csv = std::string(kHeader) + Row(1) + "坏人,resident_id,310105199001010000,registered,31010500200101\n" + Row(2);
  auto strict = Run(csv, true);
  EXPECT_FALSE(strict.failure.ok());
  EXPECT_EQ(strict.counts.rejected, 1);
  EXPECT_EQ(Persons(), 0);

  auto lenient = Run(csv, false);
  ASSERT_TRUE(lenient.failure.ok());
  EXPECT_EQ(lenient.counts.inserted, 2);
  EXPECT_EQ(Persons(), 2);
  auto report = ReadTable(lenient.error_report);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->header.back(), "error");
  ASSERT_EQ(report->rows.size(), 1u);
  EXPECT_EQ(report->rows[0][0], "坏人");
  EXPECT_NE(report->rows[0].back().find("document_number"), std::string::npos);
}

TEST_P(ImportTest, ReimportChangesNothingAndAChangedRowUpdates) {
  std::string csv = std::string(kHeader) + Row(1) + Row(2);
  EXPECT_EQ(Run(csv, true).counts.inserted, 2);
  auto again = Run(csv, true);
  EXPECT_EQ(again.counts.inserted, 0);
  EXPECT_EQ(again.counts.unchanged, 2);
  auto renamed = Run(std::string(kHeader) + Row(1, "改名") + Row(2), true);
  EXPECT_EQ(renamed.counts.updated, 1);
  EXPECT_EQ(renamed.counts.unchanged, 1);
  EXPECT_EQ(Persons(), 2);
}

TEST_P(ImportTest, DuplicateRowsAndOutOfScopeAreasAreRejected) {
  std::string csv = std::string(kHeader) + Row(1) + Row(1);
  auto out = Run(csv, false);
  EXPECT_EQ(out.counts.inserted, 1);
  EXPECT_EQ(out.counts.rejected, 1);
  Principal jiangsu_grid;
  jiangsu_grid.username = "g";
  jiangsu_grid.area_path = "/310105/310105002/310105002001/31010500200102/";
  auto table = ReadTable(std::string(kHeader) + Row(5));
  auto scoped = ImportPersons(*registry_, Caller{jiangsu_grid, "t"}, *table, false, {});
  EXPECT_EQ(scoped.counts.rejected, 1);  // 31010500200101 is another grid
}

// A broken cell (a NUL, a control character) rejects its row, never the whole
// file: PostgreSQL's COPY would refuse a NUL and break the import off.
TEST_P(ImportTest, ControlCharactersRejectOnlyTheirRow) {
  std::string nul_name = std::string("张") + '\0' + "三";
  std::string csv = std::string(kHeader) + Row(1) + Row(2, nul_name) + Row(3, "李\x01四") + Row(4);
  auto out = Run(csv, false);
  ASSERT_TRUE(out.failure.ok()) << out.failure.message().en;
  EXPECT_EQ(out.counts.inserted, 2);
  EXPECT_EQ(out.counts.rejected, 2);
  auto report = ReadTable(out.error_report);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->rows.size(), 2u);
  EXPECT_NE(report->rows[0].back().find("name contains control characters"), std::string::npos);
  EXPECT_EQ(Persons(), 2);
}

// Rows are checked a chunk ahead of the writes: rejections keep the file's order across chunks.
TEST_P(ImportTest, RejectedRowsKeepTheirOrderAcrossChunks) {
  std::string csv = kHeader;
  for (int i = 0; i < 9000; ++i) csv += (i == 10 || i == 5000 || i == 8999) ? Row(i, std::string(60, 'x')) : Row(i);
  auto out = Run(csv, false);
  ASSERT_TRUE(out.failure.ok());
  EXPECT_EQ(out.counts.inserted, 8997);
  auto report = ReadTable(out.error_report);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->rows.size(), 3u);
  auto table = ReadTable(csv);
  EXPECT_EQ(report->rows[0][2], table->rows[10][2]);
  EXPECT_EQ(report->rows[1][2], table->rows[5000][2]);
  EXPECT_EQ(report->rows[2][2], table->rows[8999][2]);
}

TEST_P(ImportTest, HundredThousandRows) {
  int n = GetParam() == store::testing::Kind::kSqlite ? 100000 : 20000;
  std::string csv = kHeader;
  for (int i = 0; i < n; ++i) {
    csv += fmt::format("居民{},resident_id,{},registered,31010500200101\n", i,
                       MakeResidentId("310105", fmt::format("{}{:02d}{:02d}", 1930 + i % 90, 1 + i % 12, 1 + (i / 12) % 28),
                                      (i / (12 * 28)) % 1000));
  }
  int64_t progress_calls = 0;
  auto table = ReadTable(csv);
  auto out = ImportPersons(*registry_, Caller{system_, "t"}, *table, true,
                           [&](const ImportCounts&) { ++progress_calls; });
  ASSERT_TRUE(out.failure.ok()) << out.failure.message().en << " " << out.error_report.substr(0, 300);
  EXPECT_EQ(out.counts.inserted, n);
  EXPECT_EQ(Persons(), n);
  EXPECT_GE(progress_calls, n / 4096);  // at least once per chunk of rows
}

SHEQU_BOTH_STORES(ImportTest);

}  // namespace
}  // namespace shequ::people
