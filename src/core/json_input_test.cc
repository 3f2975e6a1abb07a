#include "core/json_input.h"

#include <gtest/gtest.h>

namespace shequ {
namespace {

TEST(ParseObjectTest, AcceptsKnownFields) {
  auto r = ParseObject(R"({"username":"a","password":"b"})", {"username", "password"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("username").as_string(), "a");
}

TEST(ParseObjectTest, RejectsUnknownField) {
  auto r = ParseObject(R"({"username":"a","admin":true})", {"username"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  EXPECT_NE(r.status().message().en.find("admin"), std::string::npos);
}

TEST(ParseObjectTest, RejectsMalformedAndNonObjects) {
  EXPECT_FALSE(ParseObject("{\"a\":", {"a"}).ok());
  EXPECT_FALSE(ParseObject("[1,2]", {}).ok());
  EXPECT_FALSE(ParseObject("{} trailing", {}).ok());
  EXPECT_FALSE(ParseObject("", {}).ok());
}

TEST(ParseObjectTest, RejectsInvalidUtf8) {
  std::string body = "{\"username\":\"\xff\xfe\"}";
  auto r = ParseObject(body, {"username"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
}

TEST(FieldReaderTest, ReportsEveryBadFieldByName) {
  auto obj = ParseObject(R"({"username":5,"care_mode":"yes"})", {"username", "password", "care_mode"});
  ASSERT_TRUE(obj.ok());
  FieldReader f(*obj);
  EXPECT_FALSE(f.String("username", true).has_value());
  EXPECT_FALSE(f.String("password", true).has_value());
  EXPECT_FALSE(f.Bool("care_mode", false).has_value());
  ASSERT_EQ(f.status().code(), Code::kBadRequest);  // wrong types make it malformed
  ASSERT_EQ(f.status().fields().size(), 3u);
  EXPECT_EQ(f.status().fields()[0].field, "username");
  EXPECT_EQ(f.status().fields()[1].field, "password");
  EXPECT_EQ(f.status().fields()[2].field, "care_mode");
}

TEST(FieldReaderTest, MissingFieldIsAValidationFailure) {
  auto obj = ParseObject(R"({})", {"username"});
  FieldReader f(*obj);
  EXPECT_FALSE(f.String("username", true).has_value());
  EXPECT_EQ(f.status().code(), Code::kValidation);
}

TEST(FieldReaderTest, LengthCountsCharactersNotBytes) {
  auto obj = ParseObject(R"({"name":"长宁区"})", {"name"});
  FieldReader f(*obj);
  EXPECT_EQ(f.String("name", true, 3).value(), "长宁区");
  EXPECT_FALSE(f.String("name", true, 2).has_value());
}

}  // namespace
}  // namespace shequ
