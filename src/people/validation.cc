#include "people/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

#include "core/phone.h"

namespace shequ::people {
namespace {

// Nobody alive was born earlier; an older date is a typo in the century.
constexpr std::string_view kEarliestBirth = "1880-01-01";
// GB 32100-2015 writes national-level registrations (central bodies, state-owned groups) with
// 100000 where the region code goes; it is not a GB/T 2260 code.
constexpr std::string_view kNationalRegion = "100000";
// GB 32100-2015 characters in order of value: digits and upper-case letters without I, O, Z, S
// and V, which are too easily taken for 1, 0, 2, 5 and U.
constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
bool IsLetter(char c) { return Upper(c) >= 'A' && Upper(c) <= 'Z'; }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// REQUIRES: `digits` holds only digits and fits in an int.
int ToInt(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

// REQUIRES: all three hold only digits.
bool IsRealDate(std::string_view year, std::string_view month, std::string_view day) {
  namespace chrono = std::chrono;
  return chrono::year_month_day(chrono::year(ToInt(year)),
                                chrono::month(static_cast<unsigned>(ToInt(month))),
                                chrono::day(static_cast<unsigned>(ToInt(day))))
      .ok();
}

// A character of user input as a message may quote it; a byte of a multi-byte character
// would make the message invalid UTF-8.
char Printable(char c) { return c > ' ' && c < 0x7f ? c : '?'; }

// ---- Identity documents

Status DocumentError(std::string zh, std::string en) {
  return Status::Invalid("document_number", {std::move(zh), std::move(en)});
}

// The ISO 7064 MOD 11-2 check character of GB 11643-1999. REQUIRES: 17 digits.
char Gb11643CheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr std::string_view kCheckChars = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

// 17 digits and a check character 0-9 or X, the form GB 11643 gives every number built on it.
bool HasGb11643Shape(std::string_view number) {
  return number.size() == 18 && AllDigits(number.substr(0, 17)) &&
         (IsDigit(number[17]) || Upper(number[17]) == 'X');
}

Status Gb11643ShapeError(std::string_view what_zh, std::string_view what_en) {
  return DocumentError(
      fmt::format("{}号码应为 18 位：17 位数字加 1 位校验码（0-9 或 X）", what_zh),
      fmt::format("A {} number has 18 characters: 17 digits and a check character (0-9 or X)",
                  what_en));
}

bool IsHmtPrefix(std::string_view prefix) {
  return prefix == "810000" || prefix == "820000" || prefix == "830000";
}

// The birth date written YYYYMMDD at positions 7-14 of a GB 11643-shaped number, as YYYY-MM-DD.
Result<std::string> BirthDate(std::string_view number, std::string_view today) {
  std::string_view digits = number.substr(6, 8);
  if (!IsRealDate(digits.substr(0, 4), digits.substr(4, 2), digits.substr(6, 2))) {
    return DocumentError(
        fmt::format("号码第 7-14 位的出生日期 {} 不存在", digits),
        fmt::format("The birth date {} (characters 7-14) is not a real date", digits));
  }
  std::string date =
      fmt::format("{}-{}-{}", digits.substr(0, 4), digits.substr(4, 2), digits.substr(6, 2));
  if (date > today) {
    return DocumentError(fmt::format("号码中的出生日期 {} 晚于今天", date),
                         fmt::format("The birth date {} in the number is after today", date));
  }
  if (date < kEarliestBirth) {
    return DocumentError(
        fmt::format("号码中的出生日期 {} 早于 {}", date, kEarliestBirth),
        fmt::format("The birth date {} in the number is before {}", date, kEarliestBirth));
  }
  return date;
}

// The birth date of a GB 11643-shaped number once its check character is right too.
Result<std::string> CheckedBirthDate(std::string_view number, std::string_view today) {
  Result<std::string> birth = BirthDate(number, today);
  if (!birth.ok()) return birth;
  char expected = Gb11643CheckChar(number.substr(0, 17));
  if (Upper(number[17]) != expected) {
    return DocumentError(
        fmt::format("校验码不对：按前 17 位数字，第 18 位应为 {}", expected),
        fmt::format("The check character is wrong: for these 17 digits the 18th must be {}",
                    expected));
  }
  return birth;
}

// Facts of a resident ID or HMT permit whose shape and prefix have been checked.
Result<DocumentFacts> CitizenStyleFacts(std::string_view number, std::string_view today) {
  Result<std::string> birth = CheckedBirthDate(number, today);
  if (!birth.ok()) return birth.status();
  // GB 11643: the sequence number (positions 15-17) is odd for men, even for women.
  bool odd = (number[16] - '0') % 2 == 1;
  return DocumentFacts{*birth, odd ? "male" : "female", std::string(number.substr(0, 6))};
}

Result<DocumentFacts> CheckResidentId(std::string_view number, std::string_view today) {
  if (number.size() == 15 && AllDigits(number)) {
    return DocumentError(
        "这是 15 位的旧身份证号码，请填写现行的 18 位公民身份号码",
        "This is an old 15-digit ID number: enter the 18-character citizen identity number");
  }
  if (!HasGb11643Shape(number)) return Gb11643ShapeError("居民身份证", "resident ID");
  std::string_view prefix = number.substr(0, 6);
  if (IsHmtPrefix(prefix)) {
    return DocumentError(
        fmt::format("以 {} 开头的是港澳台居民居住证号码，请选择证件类型 hmt_residence_permit",
                    prefix),
        fmt::format("A number starting {} is a residence permit of a Hong Kong, Macau or Taiwan "
                    "resident: choose document type hmt_residence_permit",
                    prefix));
  }
  if (!RegionName(prefix)) {
    return DocumentError(
        fmt::format("前 6 位 {} 不是 GB/T 2260 中的行政区划代码", prefix),
        fmt::format("The first 6 digits {} are not a GB/T 2260 region code", prefix));
  }
  return CitizenStyleFacts(number, today);
}

Result<DocumentFacts> CheckHmtPermit(std::string_view number, std::string_view today) {
  if (!HasGb11643Shape(number)) return Gb11643ShapeError("港澳台居民居住证", "residence permit");
  if (!IsHmtPrefix(number.substr(0, 6))) {
    return DocumentError(
        "港澳台居民居住证号码以 810000（香港）、820000（澳门）或 830000（台湾）开头",
        "A residence permit number of a Hong Kong, Macau or Taiwan resident starts with 810000 "
        "(Hong Kong), 820000 (Macau) or 830000 (Taiwan)");
  }
  return CitizenStyleFacts(number, today);
}

// The card issued since 2023-12-01: '9', the 2-digit code of the issuing province, a 3-digit
// nationality code, the birth date, a sequence number and the GB 11643 check character.
Result<DocumentFacts> CheckForeignCard2023(std::string_view number, std::string_view today) {
  if (!HasGb11643Shape(number) || number[0] != '9') {
    return DocumentError(
        "新版外国人永久居留身份证号码为 9 开头的 17 位数字加 1 位校验码（0-9 或 X）",
        "A foreign permanent residence card number since 2023 is 17 digits starting with 9 and "
        "a check character (0-9 or X)");
  }
  // Only mainland provinces issue the card; Hong Kong, Macau and Taiwan (81-83) do not.
  std::string_view province = number.substr(1, 2);
  if (province >= "71" || !RegionName(fmt::format("{}0000", province))) {
    return DocumentError(
        fmt::format("第 2-3 位 {} 不是内地省级行政区划代码", province),
        fmt::format("Characters 2-3 ({}) are not the code of a mainland province", province));
  }
  Result<std::string> birth = CheckedBirthDate(number, today);
  if (!birth.ok()) return birth.status();
  return DocumentFacts{*birth, "", ""};
}

// The card issued before 2023: 3 letters (the ISO 3166-1 alpha-3 nationality) and 12 digits.
// Its inner structure is not published in a form we can rely on, so it yields no facts.
bool IsForeignCardBefore2023(std::string_view number) {
  return number.size() == 15 && std::all_of(number.begin(), number.begin() + 3, IsLetter) &&
         AllDigits(number.substr(3));
}

Result<DocumentFacts> CheckForeignResidence(std::string_view number, std::string_view today) {
  if (IsForeignCardBefore2023(number)) return DocumentFacts{};
  if (number.size() == 18) return CheckForeignCard2023(number, today);
  return DocumentError(
      "外国人永久居留身份证号码应为 18 位（2023 年起的新证）或 3 个字母加 12 位数字（旧证）",
      "A foreign permanent residence card number has 18 characters (cards since 2023) or 3 "
      "letters and 12 digits (earlier cards)");
}

Result<DocumentFacts> CheckPassport(std::string_view number, std::string_view /*today*/) {
  bool valid =
      number.size() >= 5 && number.size() <= 20 &&
      std::all_of(number.begin(), number.end(), [](char c) { return IsDigit(c) || IsLetter(c); });
  if (!valid) {
    return DocumentError("护照号码应为 5 到 20 位字母或数字",
                         "A passport number has 5 to 20 letters and digits");
  }
  return DocumentFacts{};
}

struct DocumentKind {
  DocumentType type;
  std::string_view name;
  Result<DocumentFacts> (*check)(std::string_view number, std::string_view today);
};

constexpr DocumentKind kDocumentKinds[] = {
    {DocumentType::kResidentId, "resident_id", CheckResidentId},
    {DocumentType::kHmtResidencePermit, "hmt_residence_permit", CheckHmtPermit},
    {DocumentType::kForeignPermanentResidence, "foreign_permanent_residence",
     CheckForeignResidence},
    {DocumentType::kPassport, "passport", CheckPassport},
};

const DocumentKind& KindOf(DocumentType type) {
  return *std::ranges::find(kDocumentKinds, type, &DocumentKind::type);
}

// ---- Credit codes

Status CreditError(std::string zh, std::string en) {
  return Status::Invalid("credit_code", {std::move(zh), std::move(en)});
}

// GB 32100-2015: character i (from 0) weighs 3^i mod 31, and the check character makes the
// weighted sum of all 18 values a multiple of 31. REQUIRES: 17 characters of kCreditAlphabet.
char CreditCheckChar(std::string_view first17) {
  size_t sum = 0;
  size_t weight = 1;
  for (char c : first17) {
    sum += kCreditAlphabet.find(c) * weight;
    weight = weight * 3 % 31;
  }
  return kCreditAlphabet[(31 - sum % 31) % 31];
}

// ---- Phones

bool IsLandline(std::string_view s) {
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    // 3- or 4-digit area code and 7- or 8-digit number run together.
    return s.size() >= 10 && s.size() <= 12 && s[0] == '0' && AllDigits(s);
  }
  std::string_view area = s.substr(0, dash);
  std::string_view local = s.substr(dash + 1);
  return (area.size() == 3 || area.size() == 4) && area[0] == '0' && AllDigits(area) &&
         (local.size() == 7 || local.size() == 8) && AllDigits(local);
}

// Every character '*' but the first `front` and last `back`; all '*' when that hides nothing.
std::string Masked(std::string_view value, size_t front, size_t back) {
  std::string out(value.size(), '*');
  if (value.size() > front + back) {
    out.replace(0, front, value.substr(0, front));
    out.replace(out.size() - back, back, value.substr(value.size() - back));
  }
  return out;
}

}  // namespace

std::optional<std::string_view> RegionName(std::string_view six_digits) {
  if (six_digits.size() != 6 || !AllDigits(six_digits)) return std::nullopt;
  const std::vector<Region>& regions = Regions();
  int code = ToInt(six_digits);
  auto it = std::ranges::lower_bound(regions, code, {}, &Region::code);
  if (it == regions.end() || it->code != code) return std::nullopt;
  return it->name;
}

std::optional<DocumentType> ParseDocumentType(std::string_view code_name) {
  auto it = std::ranges::find(kDocumentKinds, code_name, &DocumentKind::name);
  if (it == std::ranges::end(kDocumentKinds)) return std::nullopt;
  return it->type;
}

std::string_view DocumentTypeName(DocumentType type) { return KindOf(type).name; }

Result<DocumentFacts> CheckDocument(DocumentType type, std::string_view number,
                                    std::string_view today) {
  return KindOf(type).check(number, today);
}

Status CheckCreditCode(std::string_view code) {
  if (code.size() != 18) {
    return CreditError("统一社会信用代码应为 18 位",
                       "A unified social credit code has 18 characters");
  }
  auto bad = std::ranges::find_if(
      code, [](char c) { return kCreditAlphabet.find(c) == std::string_view::npos; });
  if (bad != code.end()) {
    size_t position = bad - code.begin() + 1;
    return CreditError(
        fmt::format("第 {} 位的 {} 不能出现在统一社会信用代码中：只用数字和除 I、O、Z、S、V "
                    "以外的大写字母",
                    position, Printable(*bad)),
        fmt::format("Character {} ({}) cannot appear in a credit code: it uses digits and the "
                    "upper-case letters other than I, O, Z, S and V",
                    position, Printable(*bad)));
  }
  std::string_view region = code.substr(2, 6);
  if (region != kNationalRegion && !RegionName(region)) {
    return CreditError(fmt::format("第 3-8 位 {} 不是 GB/T 2260 中的行政区划代码", region),
                       fmt::format("Characters 3-8 ({}) are not a GB/T 2260 region code", region));
  }
  char expected = CreditCheckChar(code.substr(0, 17));
  if (code[17] != expected) {
    return CreditError(
        fmt::format("校验码不对：按前 17 位，第 18 位应为 {}", expected),
        fmt::format("The check character is wrong: for these 17 characters the 18th must be {}",
                    expected));
  }
  return Status::Ok();
}

Status CheckPhone(std::string_view phone) {
  bool valid =
      phone.starts_with("+86") ? IsMainlandMobile(phone.substr(3)) : IsMainlandMobile(phone) || IsLandline(phone);
  if (valid) return Status::Ok();
  return Status::Invalid(
      "phone", {"请填写 11 位手机号码（可加 +86），或带区号的固定电话，例如 021-62345678",
                "Enter an 11-digit mobile number (optionally after +86) or a landline with its "
                "area code, e.g. 021-62345678"});
}

Status CheckDate(std::string_view field, std::string_view date, std::string_view today) {
  bool shaped = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
                AllDigits(date.substr(0, 4)) && AllDigits(date.substr(5, 2)) &&
                AllDigits(date.substr(8, 2));
  if (!shaped) {
    return Status::Invalid(std::string(field),
                           {fmt::format("{}应写成 YYYY-MM-DD，例如 2024-06-01", field),
                            fmt::format("{} must be written YYYY-MM-DD, e.g. 2024-06-01", field)});
  }
  if (!IsRealDate(date.substr(0, 4), date.substr(5, 2), date.substr(8, 2))) {
    return Status::Invalid(std::string(field),
                           {fmt::format("{}的日期 {} 不存在", field, date),
                            fmt::format("{} ({}) is not a real date", field, date)});
  }
  if (date > today) {
    return Status::Invalid(std::string(field), {fmt::format("{}不能晚于今天", field),
                                                fmt::format("{} cannot be after today", field)});
  }
  return Status::Ok();
}

std::string MakeResidentId(std::string_view region6, std::string_view birth_yyyymmdd,
                           int sequence3) {
  std::string id = fmt::format("{}{}{:03d}", region6, birth_yyyymmdd, sequence3);
  id += Gb11643CheckChar(id);
  return id;
}

std::string MakeCreditCode(std::string_view first_two, std::string_view region6,
                           std::string_view org9_without_check) {
  std::string code = fmt::format("{}{}{}", first_two, region6, org9_without_check);
  code += CreditCheckChar(code);
  return code;
}

std::string MaskDocumentNumber(std::string_view number) {
  return number.size() >= 15 ? Masked(number, 6, 4) : Masked(number, 0, 4);
}

std::string MaskPhone(std::string_view phone) { return Masked(phone, 3, 4); }

}  // namespace shequ::people
