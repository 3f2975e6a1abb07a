#include "http/router.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include <boost/json.hpp>

#include "http/problem.h"
#include "store/database.h"

namespace shequ::http {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsUnsafe(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace

std::optional<int64_t> IdParam(const Request& request, const std::string& name) {
  auto it = request.params.find(name);
  if (it == request.params.end()) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), id);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || id <= 0) return std::nullopt;
  return id;
}

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return {};
}

std::string Request::Cookie(std::string_view name) const {
  std::string_view all = Header("cookie");
  while (!all.empty()) {
    size_t end = all.find(';');
    std::string_view pair = all.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (end == std::string_view::npos) break;
    all.remove_prefix(end + 1);
  }
  return {};
}

std::optional<std::string> Request::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response Response::Json(const boost::json::value& value, int status) {
  Response res;
  res.status = status;
  res.body = boost::json::serialize(value);
  return res;
}

Response Response::NoContent() {
  Response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

void Router::Add(std::string method, std::string pattern, RouteOptions options, Handler handler) {
  auto route = std::make_unique<Route>();
  route->segments = Split(pattern);
  route->method = std::move(method);
  route->pattern = std::move(pattern);
  route->options = std::move(options);
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  std::vector<std::string> segments = Split(path);
  for (const auto& route : routes_) {
    if (route->segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool same = true;
    for (size_t i = 0; i < segments.size() && same; ++i) {
      const std::string& want = route->segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        if (segments[i].empty()) same = false;
        params[want.substr(1, want.size() - 2)] = segments[i];
      } else {
        same = want == segments[i];
      }
    }
    if (!same) continue;
    bool method_ok = route->method == method || (method == "HEAD" && route->method == "GET");
    if (!method_ok) {
      match.path_known = true;
      continue;
    }
    match.route = route.get();
    match.params = std::move(params);
    return match;
  }
  return match;
}

void Router::SetFastPath(const std::string& method, const std::string& pattern, FastHandler fast) {
  for (auto& route : routes_) {
    if (route->method == method && route->pattern == pattern) route->fast = std::move(fast);
  }
}

Status Router::Authorize(const Route& route, const Request& request, Principal& caller) const {
  if (route.options.public_route) return Status::Ok();
  Result<Principal> who = authenticate_(request);
  if (!who.ok()) return who.status();
  caller = std::move(who).value();
  return CheckCaller(route, request, caller);
}

std::optional<Response> Router::TryFast(Request& request, const Match& match) const {
  if (match.route == nullptr || !match.route->fast || !authenticate_fast_ || match.route->options.public_route) {
    return std::nullopt;
  }
  try {
    std::optional<Principal> caller = authenticate_fast_(request);
    if (!caller) return std::nullopt;
    request.params = match.params;
    Status allowed = CheckCaller(*match.route, request, *caller);
    if (!allowed.ok()) return Problem(allowed, request.request_id);
    Context ctx{request, &*caller};
    std::optional<Result<Response>> result = match.route->fast(ctx);
    if (!result) return std::nullopt;
    if (!result->ok()) return Problem(result->status(), request.request_id);
    return std::move(*result).value();
  } catch (const std::exception&) {
    return std::nullopt;  // the ordinary path runs the request again and reports it
  }
}

Status Router::CheckCaller(const Route& route, const Request& request, const Principal& caller) const {
  if (caller.via_cookie && IsUnsafe(request.method)) {
    std::string_view sent = request.Header("x-csrf-token");
    if (sent.empty() || sent != caller.csrf_token) {
      return Status(Code::kCsrf, {"页面已过期或请求来源不可信，请刷新页面后重试",
                                  "Missing or wrong CSRF token: reload the page and try again"});
    }
  }
  if (!route.options.permission.empty() && !caller.Can(route.options.permission)) {
    return Status::Forbidden();
  }
  return Status::Ok();
}

Response Router::Handle(Request& request, const Match& match) const {
  try {
    if (match.route == nullptr) {
      if (match.path_known) {
        return Problem({Code::kMethodNotAllowed,
                        {"该地址不支持此请求方法", "This method is not allowed on this path"}},
                       request.request_id);
      }
      return Problem(Status::NotFound(), request.request_id);
    }
    const Route& route = *match.route;
    request.params = match.params;
    Principal caller;
    Status allowed = Authorize(route, request, caller);
    if (!allowed.ok()) return Problem(allowed, request.request_id);
    if (route.options.json_body) {
      std::string_view type = request.Header("content-type");
      if (!type.starts_with("application/json")) {
        return Problem({Code::kUnsupportedMediaType,
                        {"请求内容必须是 JSON（Content-Type: application/json）",
                         "The body must be JSON (Content-Type: application/json)"}},
                       request.request_id);
      }
    }
    Context ctx{request, route.options.public_route ? nullptr : &caller};
    Result<Response> result = route.handler(ctx);
    if (!result.ok()) return Problem(result.status(), request.request_id);
    return std::move(result).value();
  } catch (const store::UniqueViolation& e) {
    spdlog::warn("request {} conflict: {}", request.request_id, e.what());
    return Problem({Code::kConflict, {"记录已存在", "The record already exists"}}, request.request_id);
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request.request_id, e.what());
    return Problem({Code::kInternal, {"服务器内部错误，请稍后重试或联系管理员",
                                      "Internal error: try again later or contact the administrator"}},
                   request.request_id);
  }
}

}  // namespace shequ::http
