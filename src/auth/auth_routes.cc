#include <boost/json.hpp>

#include "auth/auth.h"
#include "core/json_input.h"

namespace shequ::auth {
namespace {

boost::json::object UserJson(store::Database& db, const Principal& p) {
  auto conn = db.Acquire();
  store::Rows rows = conn->Query(
      "SELECT r.name, r.level, a.care_mode, a.language FROM accounts a"
      " JOIN areas r ON r.code = a.area_code WHERE a.id = ?",
      {p.account_id});
  boost::json::array permissions;
  for (const auto& perm : p.permissions) permissions.emplace_back(perm);
  const store::Row& r = rows.at(0);
  return {{"username", p.username},
          {"display_name", p.display_name},
          {"role", p.role},
          {"area", {{"code", p.area_code}, {"name", r.Text(0)}, {"level", r.Text(1)}}},
          {"permissions", std::move(permissions)},
          {"preferences", {{"care_mode", r.Int(2) != 0}, {"language", r.Text(3)}}}};
}

// Secure only when the client reached us over TLS (a proxy in front says so).
std::string CookieAttributes(const http::Request& req) {
  std::string attrs = "; Path=/; SameSite=Strict";
  if (req.Header("x-forwarded-proto") == "https") attrs += "; Secure";
  return attrs;
}

Result<http::Response> Login(http::Context& ctx, store::Database& db, AuthService& auth) {
  http::Request& req = ctx.request;
  Result<boost::json::object> body = ParseObject(req.body, {"username", "password"});
  if (!body.ok()) return body.status();
  FieldReader fields(*body);
  auto username = fields.String("username", true, 64);
  auto password = fields.String("password", true, 256);
  if (!fields.status().ok()) return fields.status();
  Result<LoginResult> login = auth.Login(*username, *password, req.remote_address, req.request_id);
  if (!login.ok()) return login.status();
  http::Response res = http::Response::Json({{"token", login->token},
                                             {"csrf_token", login->csrf_token},
                                             {"user", UserJson(db, login->principal)}});
  std::string attrs = CookieAttributes(req);
  res.Header("Set-Cookie", std::string(kSessionCookie) + "=" + login->token + attrs + "; HttpOnly");
  res.Header("Set-Cookie", std::string(kCsrfCookie) + "=" + login->csrf_token + attrs);
  res.Header("Cache-Control", "no-store");
  return res;
}

Result<http::Response> Logout(http::Context& ctx, AuthService& auth) {
  auth.Logout(*ctx.caller, ctx.request.request_id);
  http::Response res = http::Response::NoContent();
  std::string attrs = CookieAttributes(ctx.request) + "; Max-Age=0";
  res.Header("Set-Cookie", std::string(kSessionCookie) + "=" + attrs + "; HttpOnly");
  res.Header("Set-Cookie", std::string(kCsrfCookie) + "=" + attrs);
  return res;
}

Result<http::Response> UpdatePreferences(http::Context& ctx, store::Database& db,
                                         const audit::Trail& trail) {
  Result<boost::json::object> body = ParseObject(ctx.request.body, {"care_mode", "language"});
  if (!body.ok()) return body.status();
  FieldReader fields(*body);
  auto care_mode = fields.Bool("care_mode", false);
  auto language = fields.String("language", false, 8);
  if (!fields.status().ok()) return fields.status();
  if (language && *language != "zh-CN" && *language != "en") {
    return Status::Invalid("language", {"语言只能是 zh-CN 或 en", "language must be zh-CN or en"});
  }
  store::WithWrite(db, [&](store::Connection& conn) -> Status {
    if (care_mode) {
      conn.Execute("UPDATE accounts SET care_mode = ? WHERE id = ?",
                   {static_cast<int64_t>(*care_mode), ctx.caller->account_id});
    }
    if (language) {
      conn.Execute("UPDATE accounts SET language = ? WHERE id = ?", {*language, ctx.caller->account_id});
    }
    audit::Entry entry = audit::By(*ctx.caller, ctx.request.request_id, "account.preferences",
                                   "account:" + ctx.caller->username);
    entry.details = *body;
    trail.Append(conn, entry);
    return Status::Ok();
  });
  return http::Response::Json(UserJson(db, *ctx.caller));
}

}  // namespace

void AddRoutes(http::Router& router, store::Database& db, AuthService& auth,
               const audit::Trail& trail) {
  router.Add("POST", "/api/v1/auth/login", {.public_route = true, .json_body = true},
             [&](http::Context& ctx) { return Login(ctx, db, auth); });
  router.Add("POST", "/api/v1/auth/logout", {},
             [&](http::Context& ctx) { return Logout(ctx, auth); });
  router.Add("GET", "/api/v1/me", {}, [&](http::Context& ctx) -> Result<http::Response> {
    return http::Response::Json(UserJson(db, *ctx.caller));
  });
  router.Add("PUT", "/api/v1/me/preferences", {.json_body = true},
             [&](http::Context& ctx) { return UpdatePreferences(ctx, db, trail); });
}

}  // namespace shequ::auth
