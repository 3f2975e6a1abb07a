#pragma once
// Spreadsheet-like files users bring: CSV as Excel or WPS save it (UTF-8 with or
// without BOM, or GBK/GB18030) and XLSX (the first worksheet).
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shequ {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // cells as text, UTF-8
  std::string format;                          // "csv-utf8", "csv-gbk" or "xlsx"
};

// kBadRequest (field "file") for an empty file, bytes that are neither UTF-8
// nor GB18030, a malformed CSV, or an XLSX without a readable first sheet.
Result<Table> ReadTable(std::string_view bytes);

// RFC 4180 CSV, UTF-8 with a BOM so that Excel opens it with the right encoding.
std::string WriteCsv(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// One worksheet of a workbook written by WriteXlsx.
struct Sheet {
  std::string name;  // at most 31 characters, as Excel requires
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // cells that read as numbers are written as numbers
};

// A small XLSX workbook (the whole of it is built in memory; for long lists
// write the rows out as people/export.cc does).
std::string WriteXlsx(const std::vector<Sheet>& sheets);

bool IsValidUtf8(std::string_view s);

}  // namespace shequ
