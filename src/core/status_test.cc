#include "core/status.h"

#include <gtest/gtest.h>

#include "http/problem.h"

namespace shequ {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
}

TEST(StatusTest, InvalidCollectsFieldsInBothLanguages) {
  Status s = Status::Invalid("username", {"请填写用户名", "username is required"});
  s.AddField("password", {"太短", "too short"});
  EXPECT_EQ(s.code(), Code::kValidation);
  ASSERT_EQ(s.fields().size(), 2u);
  EXPECT_EQ(s.fields()[1].field, "password");
  EXPECT_EQ(s.fields()[1].message.zh, "太短");
}

TEST(StatusTest, ResultHoldsValueOrStatus) {
  Result<int> good = 7;
  Result<int> bad = Status::NotFound();
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kNotFound);
}

TEST(ProblemTest, TypesAndStatusesAreStable) {
  // Clients match on these strings: changing one breaks them.
  EXPECT_EQ(http::ProblemType(Code::kNotFound), "urn:shequ:problem:not-found");
  EXPECT_EQ(http::ProblemType(Code::kInvalidCredentials), "urn:shequ:problem:invalid-credentials");
  EXPECT_EQ(http::HttpStatus(Code::kValidation), 422);
  EXPECT_EQ(http::HttpStatus(Code::kHeaderTooLarge), 431);
  EXPECT_EQ(http::HttpStatus(Code::kAccountLocked), 423);
  EXPECT_EQ(http::HttpStatus(Code::kRateLimited), 429);
}

TEST(ProblemTest, BodyCarriesBothLanguagesAndRetryAfter) {
  Status s(Code::kRateLimited, {"太频繁", "too many"});
  s.set_retry_after(30);
  http::Response r = http::Problem(s, "req-1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_NE(r.body.find("\"message_zh\":\"太频繁\""), std::string::npos);
  EXPECT_NE(r.body.find("\"message_en\":\"too many\""), std::string::npos);
  EXPECT_NE(r.body.find("\"request_id\":\"req-1\""), std::string::npos);
  bool has_retry = false;
  for (auto& [k, v] : r.headers) has_retry |= (k == "Retry-After" && v == "30");
  EXPECT_TRUE(has_retry);
}

}  // namespace
}  // namespace shequ
