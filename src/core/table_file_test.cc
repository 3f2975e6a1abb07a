#include "core/table_file.h"

#include <gtest/gtest.h>
#include <iconv.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>

namespace shequ {
namespace {

std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2, '\0');
  char* src = const_cast<char*>(utf8.data());
  size_t left = utf8.size(), room = out.size();
  char* dst = out.data();
  iconv(cd, &src, &left, &dst, &room);
  iconv_close(cd);
  out.resize(out.size() - room);
  return out;
}

TEST(TableFileTest, Utf8CsvWithBomQuotesAndNewlines) {
  auto t = ReadTable("\xEF\xBB\xBF姓名,备注\r\n张三,\"含,逗号\"\r\n李四,\"两\n行\"\r\n");
  ASSERT_TRUE(t.ok()) << t.status().message().en;
  EXPECT_EQ(t->format, "csv-utf8");
  EXPECT_EQ(t->header, (std::vector<std::string>{"姓名", "备注"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0][1], "含,逗号");
  EXPECT_EQ(t->rows[1][1], "两\n行");
}

TEST(TableFileTest, GbkCsvAsExcelSavesIt) {
  auto t = ReadTable(ToGbk("姓名,区域代码\n王小明,31010500200101\n"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->format, "csv-gbk");
  EXPECT_EQ(t->rows.at(0).at(0), "王小明");
}

TEST(TableFileTest, RefusesWhatCannotBeRead) {
  EXPECT_EQ(ReadTable("").status().code(), Code::kBadRequest);
  EXPECT_EQ(ReadTable("\n\n").status().code(), Code::kBadRequest);
  EXPECT_EQ(ReadTable("a,b\n\"unclosed,1\n").status().code(), Code::kBadRequest);
  EXPECT_EQ(ReadTable("PK\x03\x04 not really a zip").status().code(), Code::kBadRequest);
  // Bytes that are neither UTF-8 nor GB18030.
  EXPECT_EQ(ReadTable(std::string("a,b\n\x81\x20,x\n")).status().code(), Code::kBadRequest);
}

TEST(TableFileTest, ShortRowsArePaddedToTheHeader) {
  auto t = ReadTable("a,b,c\n1\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows.at(0).size(), 3u);
}

TEST(TableFileTest, XlsxFirstSheetWithSharedAndInlineStrings) {
  std::string path = (std::filesystem::temp_directory_path() / ("t" + std::to_string(getpid()) + ".xlsx")).string();
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, "人口");
  worksheet_write_string(sheet, 0, 0, "姓名", nullptr);
  worksheet_write_string(sheet, 0, 2, "区域代码", nullptr);
  worksheet_write_string(sheet, 1, 0, "张三", nullptr);
  worksheet_write_number(sheet, 1, 2, 42, nullptr);
  ASSERT_EQ(workbook_close(book), LXW_NO_ERROR);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  auto t = ReadTable(bytes);
  ASSERT_TRUE(t.ok()) << t.status().message().en;
  EXPECT_EQ(t->format, "xlsx");
  EXPECT_EQ(t->header, (std::vector<std::string>{"姓名", "", "区域代码"}));
  EXPECT_EQ(t->rows.at(0).at(0), "张三");
  EXPECT_EQ(t->rows.at(0).at(2), "42");
}

TEST(TableFileTest, WriteCsvQuotesAndRoundTrips) {
  std::string csv = WriteCsv({"a", "b"}, {{"x,y", "say \"hi\""}});
  auto t = ReadTable(csv);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows.at(0).at(0), "x,y");
  EXPECT_EQ(t->rows.at(0).at(1), "say \"hi\"");
}

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8("长宁区 abc"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xe9\x95"));  // cut short
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));  // overlong
}

}  // namespace
}  // namespace shequ
