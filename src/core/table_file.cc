#include "core/table_file.h"

#include "core/crypto.h"

#include <csv.h>
#include <expat.h>
#include <iconv.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

namespace shequ {
namespace {

Status Unreadable(std::string zh, std::string en) {
  Status s(Code::kBadRequest, {std::move(zh), std::move(en)});
  s.AddField("file", s.message());
  return s;
}

// ---- Encodings.
std::optional<std::string> Gb18030ToUtf8(std::string_view in) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) return std::nullopt;
  out.resize(out.size() - dst_left);
  return out;
}

// ---- CSV through libcsv.
struct CsvState {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
};

void OnField(void* data, size_t len, void* state) {
  static_cast<CsvState*>(state)->current.emplace_back(static_cast<const char*>(data), len);
}

void OnRow(int, void* state) {
  auto* s = static_cast<CsvState*>(state);
  s->rows.push_back(std::move(s->current));
  s->current.clear();
}

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text) {
  csv_parser parser;
  csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
  CsvState state;
  size_t done = csv_parse(&parser, text.data(), text.size(), OnField, OnRow, &state);
  bool ok = done == text.size() && csv_fini(&parser, OnField, OnRow, &state) == 0;
  csv_free(&parser);
  if (!ok) return Unreadable("CSV 格式有误（引号不成对？）", "Malformed CSV (unbalanced quotes?)");
  return std::move(state.rows);
}

// ---- XLSX: a zip of XML parts; cells refer to a shared-string table.
std::optional<std::string> ZipEntry(zip_t* archive, const char* name) {
  zip_stat_t st;
  if (zip_stat(archive, name, 0, &st) != 0) return std::nullopt;
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen(archive, name, 0), &zip_fclose);
  if (!file) return std::nullopt;
  std::string out(st.size, '\0');
  if (zip_fread(file.get(), out.data(), st.size) != static_cast<zip_int64_t>(st.size)) return std::nullopt;
  return out;
}

// Collects the text of every <si> (shared strings) or every <c> (cells).
struct XmlState {
  std::vector<std::string>* strings = nullptr;  // sharedStrings.xml
  const std::vector<std::string>* shared = nullptr;
  std::vector<std::vector<std::string>>* rows = nullptr;  // sheet XML
  std::string text;
  bool in_text = false;
  std::string cell_type;
  size_t column = 0;
};

size_t ColumnIndex(const char* ref) {
  size_t col = 0;
  for (; *ref >= 'A' && *ref <= 'Z'; ++ref) col = col * 26 + static_cast<size_t>(*ref - 'A' + 1);
  return col == 0 ? 0 : col - 1;
}

void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* s = static_cast<XmlState*>(data);
  std::string_view tag(name);
  if (tag == "si") s->text.clear();
  if (tag == "t" || tag == "v") s->in_text = true;
  if (tag == "row" && s->rows) s->rows->emplace_back();
  if (tag == "c") {
    s->text.clear();
    s->cell_type.clear();
    for (int i = 0; attrs[i]; i += 2) {
      if (std::string_view(attrs[i]) == "t") s->cell_type = attrs[i + 1];
      if (std::string_view(attrs[i]) == "r") s->column = ColumnIndex(attrs[i + 1]);
    }
  }
}

void XMLCALL OnEnd(void* data, const XML_Char* name) {
  auto* s = static_cast<XmlState*>(data);
  std::string_view tag(name);
  if (tag == "t" || tag == "v") s->in_text = false;
  if (tag == "si" && s->strings) s->strings->push_back(s->text);
  if (tag == "c" && s->rows && !s->rows->empty()) {
    std::string value = s->text;
    if (s->cell_type == "s") {
      size_t index = std::strtoul(value.c_str(), nullptr, 10);
      value = index < s->shared->size() ? (*s->shared)[index] : "";
    }
    auto& row = s->rows->back();
    if (row.size() <= s->column) row.resize(s->column + 1);
    row[s->column] = std::move(value);
  }
}

void XMLCALL OnText(void* data, const XML_Char* text, int len) {
  auto* s = static_cast<XmlState*>(data);
  if (s->in_text) s->text.append(text, static_cast<size_t>(len));
}

bool ParseXml(const std::string& xml, XmlState& state) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"), &XML_ParserFree);
  XML_SetUserData(parser.get(), &state);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  return XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
}

Result<std::vector<std::vector<std::string>>> ParseXlsx(std::string_view bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t* archive = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
  if (!archive) {
    if (source) zip_source_free(source);
    return Unreadable("不是有效的 XLSX 文件", "Not a valid XLSX file");
  }
  std::unique_ptr<zip_t, decltype(&zip_discard)> guard(archive, &zip_discard);
  std::vector<std::string> shared;
  if (auto xml = ZipEntry(archive, "xl/sharedStrings.xml")) {
    XmlState s;
    s.strings = &shared;
    if (!ParseXml(*xml, s)) return Unreadable("XLSX 文件的文字表损坏", "The XLSX shared strings are damaged");
  }
  auto sheet = ZipEntry(archive, "xl/worksheets/sheet1.xml");
  if (!sheet) return Unreadable("XLSX 文件中没有工作表", "The XLSX file has no worksheet");
  std::vector<std::vector<std::string>> rows;
  XmlState s;
  s.shared = &shared;
  s.rows = &rows;
  if (!ParseXml(*sheet, s)) return Unreadable("XLSX 工作表损坏", "The XLSX worksheet is damaged");
  return rows;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 4;
    if (extra == 4 || i + extra >= s.size() + (extra == 0)) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

Result<Table> ReadTable(std::string_view bytes) {
  if (bytes.empty()) return Unreadable("文件是空的", "The file is empty");
  Table table;
  Result<std::vector<std::vector<std::string>>> rows = std::vector<std::vector<std::string>>{};
  if (bytes.starts_with("PK\x03\x04")) {
    table.format = "xlsx";
    rows = ParseXlsx(bytes);
  } else {
    std::string text;
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (IsValidUtf8(bytes)) {
      table.format = "csv-utf8";
      text = std::string(bytes);
    } else if (auto converted = Gb18030ToUtf8(bytes)) {
      table.format = "csv-gbk";
      text = std::move(*converted);
    } else {
      return Unreadable("文件编码无法识别（应为 UTF-8 或 GBK）", "Unknown encoding: save the file as UTF-8 or GBK");
    }
    rows = ParseCsv(text);
  }
  if (!rows.ok()) return rows.status();
  auto& all = rows.value();
  std::erase_if(all, [](const std::vector<std::string>& r) {
    return std::all_of(r.begin(), r.end(), [](const std::string& c) { return c.empty(); });
  });
  if (all.empty()) return Unreadable("文件中没有表头", "The file has no header row");
  table.header = std::move(all.front());
  for (auto& h : table.header) {
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.pop_back();
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.erase(h.begin());
  }
  table.rows.assign(std::make_move_iterator(all.begin() + 1), std::make_move_iterator(all.end()));
  for (auto& r : table.rows) r.resize(table.header.size());
  return table;
}

std::string WriteXlsx(const std::vector<Sheet>& sheets) {
  // libxlsxwriter writes files only: a private temp file, read back and removed.
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("shequ-" + RandomToken(12) + ".xlsx");
  lxw_workbook* book = workbook_new(path.c_str());
  if (book == nullptr) throw SystemError("cannot create " + path.string());
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  for (const Sheet& s : sheets) {
    lxw_worksheet* sheet = workbook_add_worksheet(book, s.name.c_str());
    for (size_t c = 0; c < s.header.size(); ++c) {
      worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), s.header[c].c_str(), bold);
      worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), 16, nullptr);
    }
    for (size_t r = 0; r < s.rows.size(); ++r) {
      for (size_t c = 0; c < s.rows[r].size(); ++c) {
        const std::string& cell = s.rows[r][c];
        double number = 0;
        auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), number);
        auto row = static_cast<lxw_row_t>(r + 1);
        auto col = static_cast<lxw_col_t>(c);
        if (!cell.empty() && error == std::errc() && end == cell.data() + cell.size()) {
          worksheet_write_number(sheet, row, col, number, nullptr);
        } else {
          worksheet_write_string(sheet, row, col, cell.c_str(), nullptr);
        }
      }
    }
  }
  lxw_error closed = workbook_close(book);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  if (closed != LXW_NO_ERROR) throw SystemError(std::string("xlsx: ") + lxw_strerror(closed));
  return bytes;
}

std::string WriteCsv(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&out](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      const std::string& c = cells[i];
      if (c.find_first_of(",\"\r\n") == std::string::npos) {
        out += c;
      } else {
        out += '"';
        for (char ch : c) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        out += '"';
      }
    }
    out += "\r\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace shequ
