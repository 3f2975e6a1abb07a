#include "http/router.h"

#include <gtest/gtest.h>

namespace shequ::http {
namespace {

Result<Response> Echo(Context& ctx) {
  return Response::Json({{"code", ctx.request.params.at("code")}});
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/v1/areas/{code}", {.permission = "area.read"}, Echo);
    router_.Add("GET", "/api/v1/areas/{code}/children", {}, Echo);
    router_.Add("PUT", "/api/v1/me", {}, [](Context&) -> Result<Response> { return Response::NoContent(); });
    router_.Add("GET", "/api/v1/boom", {.public_route = true},
                [](Context&) -> Result<Response> { throw std::runtime_error("bug"); });
    router_.set_authenticator([](const Request& r) -> Result<Principal> {
      Principal p;
      p.username = "u";
      p.csrf_token = "csrf-1";
      if (r.Header("authorization") == "Bearer reader") {
        p.permissions = {"area.read"};
        return p;
      }
      if (r.Cookie("shequ_session") == "cookie") {
        p.via_cookie = true;
        return p;
      }
      return Status::Unauthenticated();
    });
  }
  Response Call(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = method;
    req.path = path;
    req.headers = std::move(headers);
    return router_.Handle(req, router_.Find(method, path));
  }
  Router router_;
};

TEST_F(RouterTest, MatchesParametersAndRejectsEmptySegments) {
  Match m = router_.Find("GET", "/api/v1/areas/310105/children");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/areas/{code}/children");
  EXPECT_EQ(m.params.at("code"), "310105");
  EXPECT_EQ(router_.Find("GET", "/api/v1/areas//children").route, nullptr);
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  EXPECT_EQ(Call("GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/areas/1").status, 405);
}

TEST_F(RouterTest, SignInAndPermissionAreChecked) {
  EXPECT_EQ(Call("GET", "/api/v1/areas/1").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/areas/1", {{"cookie", "shequ_session=cookie"}}).status, 403);
  Response ok = Call("GET", "/api/v1/areas/1", {{"authorization", "Bearer reader"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, R"({"code":"1"})");
}

TEST_F(RouterTest, CookieWritesNeedTheCsrfTokenBearerWritesDoNot) {
  EXPECT_EQ(Call("PUT", "/api/v1/me", {{"cookie", "shequ_session=cookie"}}).status, 403);
  EXPECT_EQ(Call("PUT", "/api/v1/me", {{"cookie", "shequ_session=cookie"}, {"x-csrf-token", "wrong"}}).status, 403);
  EXPECT_EQ(Call("PUT", "/api/v1/me", {{"cookie", "shequ_session=cookie"}, {"x-csrf-token", "csrf-1"}}).status, 204);
  EXPECT_EQ(Call("PUT", "/api/v1/me", {{"authorization", "Bearer reader"}}).status, 204);
}

TEST_F(RouterTest, ExceptionBecomesProblemNotCrash) {
  Response r = Call("GET", "/api/v1/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.body.find("bug"), std::string::npos);  // internals stay in the log
}

TEST_F(RouterTest, FastPathAnswersOnlyForKnownCallersAndStillChecksPermissions) {
  int fast_calls = 0;
  router_.SetFastPath("GET", "/api/v1/areas/{code}", [&](Context& ctx) -> std::optional<Result<Response>> {
    ++fast_calls;
    if (ctx.request.params.at("code") == "stale") return std::nullopt;  // declines: the pool path runs
    return Response::Json({{"fast", true}});
  });
  Request req;
  req.method = "GET";
  req.path = "/api/v1/areas/1";
  req.headers = {{"authorization", "Bearer reader"}};
  EXPECT_FALSE(router_.TryFast(req, router_.Find("GET", req.path)));  // no fast authenticator yet
  router_.set_fast_authenticator([](const Request& r) -> std::optional<Principal> {
    if (r.Header("authorization") != "Bearer reader") return std::nullopt;
    Principal p;
    p.permissions = {"area.read"};
    return p;
  });
  auto answered = router_.TryFast(req, router_.Find("GET", req.path));
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->body, R"({"fast":true})");
  req.path = "/api/v1/areas/stale";
  EXPECT_FALSE(router_.TryFast(req, router_.Find("GET", req.path)));
  req.headers = {{"authorization", "Bearer unknown"}};
  req.path = "/api/v1/areas/1";
  EXPECT_FALSE(router_.TryFast(req, router_.Find("GET", req.path)));  // not in memory: slow path
  EXPECT_EQ(fast_calls, 2);
  router_.set_fast_authenticator([](const Request&) -> std::optional<Principal> { return Principal{}; });
  auto refused = router_.TryFast(req, router_.Find("GET", req.path));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);  // known caller without area.read
}

TEST(RequestTest, CookieParsing) {
  Request r;
  r.headers = {{"cookie", "a=1; shequ_session=abc; shequ_session_x=no"}};
  EXPECT_EQ(r.Cookie("shequ_session"), "abc");
  EXPECT_EQ(r.Cookie("missing"), "");
}

}  // namespace
}  // namespace shequ::http
