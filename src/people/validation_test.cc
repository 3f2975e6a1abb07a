#include "people/validation.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace shequ::people {
namespace {

constexpr std::string_view kToday = "2024-06-01";

// The one field error of a failed check, or an empty one that fails the caller's expectations.
FieldError OnlyError(const Status& status) {
  EXPECT_EQ(status.code(), Code::kValidation);
  EXPECT_EQ(status.fields().size(), 1u);
  return status.fields().empty() ? FieldError{} : status.fields()[0];
}

// Both messages of the failure of a document check, which must name the document field.
Text DocumentFailure(DocumentType type, std::string_view number) {
  Result<DocumentFacts> r = CheckDocument(type, number, kToday);
  EXPECT_FALSE(r.ok()) << number;
  if (r.ok()) return {};
  FieldError e = OnlyError(r.status());
  EXPECT_EQ(e.field, "document_number");
  EXPECT_FALSE(e.message.zh.empty());
  return e.message;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// ---- Regions

TEST(RegionsTest, AreSortedAndUniqueSoLookupCanBisect) {
  const std::vector<Region>& regions = Regions();
  EXPECT_GT(regions.size(), 3000u);
  EXPECT_TRUE(std::ranges::adjacent_find(regions, [](const Region& a, const Region& b) {
                return a.code >= b.code;
              }) == regions.end());
}

TEST(RegionsTest, NamesCurrentHistoricalAndHmtCodes) {
  EXPECT_EQ(RegionName("110105"), "朝阳区");
  EXPECT_EQ(RegionName("310105"), "长宁区");
  EXPECT_EQ(RegionName("310000"), "上海市");
  EXPECT_EQ(RegionName("310100"), "市辖区");
  EXPECT_EQ(RegionName("310103"), "卢湾区");  // abolished 2011
  EXPECT_EQ(RegionName("310108"), "闸北区");  // abolished 2015
  EXPECT_EQ(RegionName("441900"), "东莞市");  // a city without counties
  EXPECT_EQ(RegionName("810000"), "香港特别行政区");
  EXPECT_EQ(RegionName("820000"), "澳门特别行政区");
  EXPECT_EQ(RegionName("830000"), "台湾省");
}

TEST(RegionsTest, UnknownOrMalformedCodesHaveNoName) {
  EXPECT_EQ(RegionName("999999"), std::nullopt);
  EXPECT_EQ(RegionName("310199"), std::nullopt);
  EXPECT_EQ(RegionName("31010"), std::nullopt);
  EXPECT_EQ(RegionName("3101050"), std::nullopt);
  EXPECT_EQ(RegionName("31010a"), std::nullopt);
  EXPECT_EQ(RegionName(""), std::nullopt);
}

// ---- Document types

TEST(DocumentTypeTest, CodeNamesRoundTrip) {
  for (DocumentType t : {DocumentType::kResidentId, DocumentType::kHmtResidencePermit,
                         DocumentType::kForeignPermanentResidence, DocumentType::kPassport}) {
    EXPECT_EQ(ParseDocumentType(DocumentTypeName(t)), t);
  }
  EXPECT_EQ(DocumentTypeName(DocumentType::kResidentId), "resident_id");
  EXPECT_EQ(DocumentTypeName(DocumentType::kHmtResidencePermit), "hmt_residence_permit");
  EXPECT_EQ(DocumentTypeName(DocumentType::kForeignPermanentResidence),
            "foreign_permanent_residence");
  EXPECT_EQ(DocumentTypeName(DocumentType::kPassport), "passport");
  EXPECT_EQ(ParseDocumentType("Passport"), std::nullopt);
  EXPECT_EQ(ParseDocumentType("id_card"), std::nullopt);
  EXPECT_EQ(ParseDocumentType(""), std::nullopt);
}

// ---- Resident IDs (GB 11643-1999)

TEST(ResidentIdTest, PublishedExampleIsAFemaleBornInChaoyangOn19491231) {
  Result<DocumentFacts> r = CheckDocument(DocumentType::kResidentId, "11010519491231002X", kToday);
  ASSERT_TRUE(r.ok()) << r.status().fields()[0].message.en;
  EXPECT_EQ(r->birth_date, "1949-12-31");
  EXPECT_EQ(r->sex, "female");
  EXPECT_EQ(r->region_code, "110105");
  EXPECT_EQ(MakeResidentId("110105", "19491231", 2), "11010519491231002X");
}

TEST(ResidentIdTest, AcceptsLowerCaseX) {
  Result<DocumentFacts> r = CheckDocument(DocumentType::kResidentId, "11010519491231002x", kToday);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->birth_date, "1949-12-31");
}

TEST(ResidentIdTest, OddSequenceIsMale) {
  Result<DocumentFacts> r =
      CheckDocument(DocumentType::kResidentId, MakeResidentId("310105", "19800229", 13), kToday);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sex, "male");
  EXPECT_EQ(r->birth_date, "1980-02-29");
  EXPECT_EQ(r->region_code, "310105");
}

TEST(ResidentIdTest, WrongCheckCharacterNamesTheExpectedOne) {
  Text m = DocumentFailure(DocumentType::kResidentId, "110105194912310021");
  EXPECT_TRUE(Contains(m.en, "check character")) << m.en;
  EXPECT_TRUE(Contains(m.en, "must be X")) << m.en;
  EXPECT_TRUE(Contains(m.zh, "应为 X")) << m.zh;
}

TEST(ResidentIdTest, ImpossibleBirthDate) {
  Text m = DocumentFailure(DocumentType::kResidentId, MakeResidentId("110105", "19490230", 2));
  EXPECT_TRUE(Contains(m.en, "19490230 (characters 7-14) is not a real date")) << m.en;
  DocumentFailure(DocumentType::kResidentId, MakeResidentId("110105", "19491301", 2));
  DocumentFailure(DocumentType::kResidentId, MakeResidentId("110105", "19490100", 2));
  DocumentFailure(DocumentType::kResidentId, MakeResidentId("110105", "19000229", 2));
}

TEST(ResidentIdTest, BirthDateFromTodayBackTo1880) {
  Text m = DocumentFailure(DocumentType::kResidentId, MakeResidentId("310105", "20240602", 1));
  EXPECT_TRUE(Contains(m.en, "2024-06-02 in the number is after today")) << m.en;
  EXPECT_TRUE(
      CheckDocument(DocumentType::kResidentId, MakeResidentId("310105", "20240601", 1), kToday)
          .ok());
  m = DocumentFailure(DocumentType::kResidentId, MakeResidentId("310105", "18791231", 1));
  EXPECT_TRUE(Contains(m.en, "before 1880-01-01")) << m.en;
  EXPECT_TRUE(
      CheckDocument(DocumentType::kResidentId, MakeResidentId("310105", "18800101", 1), kToday)
          .ok());
}

TEST(ResidentIdTest, UnknownRegionPrefix) {
  Text m = DocumentFailure(DocumentType::kResidentId, MakeResidentId("999999", "19800101", 1));
  EXPECT_TRUE(Contains(m.en, "999999 are not a GB/T 2260 region code")) << m.en;
  DocumentFailure(DocumentType::kResidentId, MakeResidentId("310199", "19800101", 1));
}

TEST(ResidentIdTest, AbolishedShanghaiPrefixesStayValid) {
  for (std::string_view prefix : {"310103", "310102", "310108", "310119", "310230"}) {
    Result<DocumentFacts> r =
        CheckDocument(DocumentType::kResidentId, MakeResidentId(prefix, "19650412", 24), kToday);
    ASSERT_TRUE(r.ok()) << prefix;
    EXPECT_EQ(r->region_code, prefix);
    EXPECT_EQ(r->sex, "female");
  }
}

TEST(ResidentIdTest, Old15DigitFormAsksForThe18CharacterNumber) {
  Text m = DocumentFailure(DocumentType::kResidentId, "110105491231002");
  EXPECT_TRUE(Contains(m.en, "old 15-digit")) << m.en;
  EXPECT_TRUE(Contains(m.zh, "18 位")) << m.zh;
}

TEST(ResidentIdTest, RejectsWrongLengthAndCharacters) {
  for (std::string_view bad :
       {"", "11010519491231002", "11010519491231002XX", "1101051949123100X2", "11010519491231002Y",
        "11010519491231002 ", "A1010519491231002X", "１1010519491231002"}) {
    Text m = DocumentFailure(DocumentType::kResidentId, bad);
    EXPECT_TRUE(Contains(m.en, "17 digits and a check character")) << bad << ": " << m.en;
  }
}

TEST(ResidentIdTest, HmtPrefixPointsToThePermitType) {
  Text m = DocumentFailure(DocumentType::kResidentId, MakeResidentId("810000", "19900101", 3));
  EXPECT_TRUE(Contains(m.en, "hmt_residence_permit")) << m.en;
}

// ---- Residence permits of Hong Kong, Macau and Taiwan residents

TEST(HmtPermitTest, AcceptsTheThreePrefixes) {
  for (std::string_view prefix : {"810000", "820000", "830000"}) {
    Result<DocumentFacts> r = CheckDocument(DocumentType::kHmtResidencePermit,
                                            MakeResidentId(prefix, "19900101", 3), kToday);
    ASSERT_TRUE(r.ok()) << prefix;
    EXPECT_EQ(r->region_code, prefix);
    EXPECT_EQ(r->birth_date, "1990-01-01");
    EXPECT_EQ(r->sex, "male");
  }
}

TEST(HmtPermitTest, RejectsOtherPrefixesAndBrokenNumbers) {
  Text m =
      DocumentFailure(DocumentType::kHmtResidencePermit, MakeResidentId("310105", "19900101", 3));
  EXPECT_TRUE(Contains(m.en, "810000")) << m.en;
  DocumentFailure(DocumentType::kHmtResidencePermit, MakeResidentId("810100", "19900101", 3));
  DocumentFailure(DocumentType::kHmtResidencePermit, MakeResidentId("710000", "19900101", 3));
  std::string wrong_check = MakeResidentId("810000", "19900101", 3);
  wrong_check.back() = wrong_check.back() == '0' ? '1' : '0';
  Text check = DocumentFailure(DocumentType::kHmtResidencePermit, wrong_check);
  EXPECT_TRUE(Contains(check.en, "check character")) << check.en;
  DocumentFailure(DocumentType::kHmtResidencePermit, MakeResidentId("820000", "19900231", 3));
  DocumentFailure(DocumentType::kHmtResidencePermit, "81000019900101003");
}

// ---- Foreign permanent residence cards

TEST(ForeignResidenceTest, Card2023GivesTheBirthDateOnly) {
  // 9, Shanghai (31), nationality 840, born 1980-01-01, sequence 001, check character.
  std::string number = MakeResidentId("931840", "19800101", 1);
  Result<DocumentFacts> r = CheckDocument(DocumentType::kForeignPermanentResidence, number, kToday);
  ASSERT_TRUE(r.ok()) << number;
  EXPECT_EQ(r->birth_date, "1980-01-01");
  EXPECT_EQ(r->sex, "");
  EXPECT_EQ(r->region_code, "");
}

TEST(ForeignResidenceTest, Card2023Rules) {
  Text m = DocumentFailure(DocumentType::kForeignPermanentResidence,
                           MakeResidentId("131840", "19800101", 1));
  EXPECT_TRUE(Contains(m.en, "starting with 9")) << m.en;
  m = DocumentFailure(DocumentType::kForeignPermanentResidence,
                      MakeResidentId("999840", "19800101", 1));
  EXPECT_TRUE(Contains(m.en, "(99) are not the code of a mainland province")) << m.en;
  DocumentFailure(DocumentType::kForeignPermanentResidence,
                  MakeResidentId("981840", "19800101", 1));  // Hong Kong issues no such card
  m = DocumentFailure(DocumentType::kForeignPermanentResidence,
                      MakeResidentId("931840", "19800230", 1));
  EXPECT_TRUE(Contains(m.en, "not a real date")) << m.en;
  DocumentFailure(DocumentType::kForeignPermanentResidence,
                  MakeResidentId("931840", "20250101", 1));
  std::string wrong_check = MakeResidentId("931840", "19800101", 1);
  wrong_check.back() = wrong_check.back() == '0' ? '1' : '0';
  m = DocumentFailure(DocumentType::kForeignPermanentResidence, wrong_check);
  EXPECT_TRUE(Contains(m.en, "check character")) << m.en;
}

TEST(ForeignResidenceTest, EarlierCardIsThreeLettersAndTwelveDigits) {
  for (std::string_view good : {"USA310080010101", "usa310080010101"}) {
    Result<DocumentFacts> r = CheckDocument(DocumentType::kForeignPermanentResidence, good, kToday);
    ASSERT_TRUE(r.ok()) << good;
    EXPECT_EQ(r->birth_date, "");
    EXPECT_EQ(r->sex, "");
    EXPECT_EQ(r->region_code, "");
  }
  for (std::string_view bad : {"US3100800101012", "USA31008001010", "USA3100800101012",
                               "USA31008001010X", "1USA31008001010"}) {
    DocumentFailure(DocumentType::kForeignPermanentResidence, bad);
  }
}

// ---- Passports

TEST(PassportTest, FiveToTwentyLettersAndDigitsInEitherCase) {
  for (std::string_view good : {"E12345678", "e12345678", "G1234", "AB1234567890CDEFGHIJ"}) {
    Result<DocumentFacts> r = CheckDocument(DocumentType::kPassport, good, kToday);
    ASSERT_TRUE(r.ok()) << good;
    EXPECT_EQ(r->birth_date, "");
    EXPECT_EQ(r->sex, "");
    EXPECT_EQ(r->region_code, "");
  }
  for (std::string_view bad :
       {"", "E123", "AB1234567890CDEFGHIJK", "E1234-5678", "E 12345678", "护照12345"}) {
    Text m = DocumentFailure(DocumentType::kPassport, bad);
    EXPECT_TRUE(Contains(m.en, "5 to 20")) << bad;
  }
}

// ---- Credit codes (GB 32100-2015)

TEST(CreditCodeTest, PublishedCodesAreValid) {
  EXPECT_TRUE(CheckCreditCode("91350100M000100Y43").ok());  // the standard's example
  // Industrial and Commercial Bank of China: a national registration, region 100000.
  EXPECT_TRUE(CheckCreditCode("91100000100003962T").ok());
  EXPECT_EQ(MakeCreditCode("91", "350100", "M000100Y4"), "91350100M000100Y43");
}

TEST(CreditCodeTest, MadeCodesAreValid) {
  for (std::string_view org : {"MA1FL0000", "12345678X", "YYYYYYYYY", "000000000"}) {
    std::string code = MakeCreditCode("91", "310105", org);
    EXPECT_EQ(code.size(), 18u);
    EXPECT_TRUE(CheckCreditCode(code).ok()) << code;
  }
  EXPECT_TRUE(CheckCreditCode(MakeCreditCode("52", "310103", "MJ0000000")).ok());  // historical
}

TEST(CreditCodeTest, LettersOutsideTheAlphabetAreNamedByPosition) {
  for (char c : {'I', 'O', 'Z', 'S', 'V', 'a', '-'}) {
    std::string code = "91350100M000100Y43";
    code[9] = c;
    Status s = CheckCreditCode(code);
    FieldError e = OnlyError(s);
    EXPECT_EQ(e.field, "credit_code");
    EXPECT_TRUE(Contains(e.message.en, std::string("Character 10 (") + c + ")")) << e.message.en;
  }
}

TEST(CreditCodeTest, WrongCheckCharacterNamesTheExpectedOne) {
  FieldError e = OnlyError(CheckCreditCode("91350100M000100Y44"));
  EXPECT_EQ(e.field, "credit_code");
  EXPECT_TRUE(Contains(e.message.en, "the 18th must be 3")) << e.message.en;
  e = OnlyError(CheckCreditCode("91100000100003962U"));
  EXPECT_TRUE(Contains(e.message.en, "the 18th must be T")) << e.message.en;
}

TEST(CreditCodeTest, RegionMustExist) {
  FieldError e = OnlyError(CheckCreditCode(MakeCreditCode("91", "999999", "MA1FL0000")));
  EXPECT_TRUE(Contains(e.message.en, "(999999) are not a GB/T 2260 region code")) << e.message.en;
  OnlyError(CheckCreditCode(MakeCreditCode("91", "3101AB", "MA1FL0000")));
}

TEST(CreditCodeTest, LengthIs18) {
  OnlyError(CheckCreditCode(""));
  OnlyError(CheckCreditCode("91350100M000100Y4"));
  OnlyError(CheckCreditCode("91350100M000100Y433"));
}

// ---- Phones

TEST(PhoneTest, AcceptsMobilesAndLandlines) {
  for (std::string_view good :
       {"13812345678", "19912345678", "+8613812345678", "021-62345678", "02162345678",
        "010-6234567", "0571-87654321", "0571-8765432", "057187654321"}) {
    EXPECT_TRUE(CheckPhone(good).ok()) << good;
  }
}

TEST(PhoneTest, RejectsEverythingElse) {
  for (std::string_view bad :
       {"", "12812345678", "1381234567", "138123456789", "138-1234-5678", "+8612812345678",
        "+86021-62345678", "8613812345678", "21-62345678", "021-623456", "021-623456789",
        "02-62345678", "05710-8765432", "021623456", "0571876543210", "abcdefghijk", "13812345678 ",
        "+86 13812345678"}) {
    EXPECT_EQ(OnlyError(CheckPhone(bad)).field, "phone") << bad;
  }
}

// ---- Dates

TEST(DateTest, RealDatesUpToToday) {
  EXPECT_TRUE(CheckDate("start_date", "2024-02-29", kToday).ok());
  EXPECT_TRUE(CheckDate("start_date", "2024-06-01", kToday).ok());
  EXPECT_TRUE(CheckDate("start_date", "2000-02-29", kToday).ok());
}

TEST(DateTest, NamesTheCallersFieldAndTheRule) {
  FieldError e = OnlyError(CheckDate("end_date", "2023-02-29", kToday));
  EXPECT_EQ(e.field, "end_date");
  EXPECT_TRUE(Contains(e.message.en, "not a real date")) << e.message.en;
  e = OnlyError(CheckDate("end_date", "2024-06-02", kToday));
  EXPECT_TRUE(Contains(e.message.en, "after today")) << e.message.en;
  for (std::string_view bad :
       {"", "2024-6-1", "2024/06/01", "20240601", "2024-06-01T00:00", "2024-13-01", "1900-02-29",
        "2024-04-31", "2024-00-10", "abcd-ef-gh"}) {
    EXPECT_EQ(OnlyError(CheckDate("end_date", bad, kToday)).field, "end_date") << bad;
  }
}

// ---- Masking

TEST(MaskTest, DocumentNumbers) {
  EXPECT_EQ(MaskDocumentNumber("11010519491231002X"), "110105********002X");
  EXPECT_EQ(MaskDocumentNumber("USA310080010101"), "USA310*****0101");
  EXPECT_EQ(MaskDocumentNumber("E12345678"), "*****5678");
  EXPECT_EQ(MaskDocumentNumber("1234"), "****");
  EXPECT_EQ(MaskDocumentNumber(""), "");
}

TEST(MaskTest, Phones) {
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("021-62345678"), "021*****5678");
  EXPECT_EQ(MaskPhone("1234567"), "*******");
}

}  // namespace
}  // namespace shequ::people
