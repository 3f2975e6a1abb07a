#include "http/problem.h"

#include <boost/json.hpp>

namespace shequ::http {
namespace {

struct CodeInfo {
  Code code;
  int status;
  const char* slug;
  const char* title;
};

constexpr CodeInfo kCodes[] = {
    {Code::kOk, 200, "ok", "OK"},
    {Code::kBadRequest, 400, "bad-request", "Bad Request"},
    {Code::kValidation, 422, "validation", "Unprocessable Content"},
    {Code::kUnauthenticated, 401, "unauthenticated", "Unauthorized"},
    {Code::kInvalidCredentials, 401, "invalid-credentials", "Unauthorized"},
    {Code::kCsrf, 403, "csrf", "Forbidden"},
    {Code::kForbidden, 403, "forbidden", "Forbidden"},
    {Code::kNotFound, 404, "not-found", "Not Found"},
    {Code::kMethodNotAllowed, 405, "method-not-allowed", "Method Not Allowed"},
    {Code::kRequestTimeout, 408, "request-timeout", "Request Timeout"},
    {Code::kConflict, 409, "conflict", "Conflict"},
    {Code::kPayloadTooLarge, 413, "payload-too-large", "Content Too Large"},
    {Code::kUnsupportedMediaType, 415, "unsupported-media-type", "Unsupported Media Type"},
    {Code::kHeaderTooLarge, 431, "header-too-large", "Request Header Fields Too Large"},
    {Code::kAccountLocked, 423, "account-locked", "Locked"},
    {Code::kRateLimited, 429, "rate-limited", "Too Many Requests"},
    {Code::kUnavailable, 503, "unavailable", "Service Unavailable"},
    {Code::kInternal, 500, "internal", "Internal Server Error"},
};

const CodeInfo& Info(Code code) {
  for (const auto& info : kCodes)
    if (info.code == code) return info;
  return kCodes[sizeof kCodes / sizeof kCodes[0] - 1];
}

}  // namespace

int HttpStatus(Code code) { return Info(code).status; }

std::string ProblemType(Code code) { return std::string("urn:shequ:problem:") + Info(code).slug; }

Response Problem(const Status& status, std::string_view request_id) {
  const CodeInfo& info = Info(status.code());
  boost::json::object body{
      {"type", ProblemType(status.code())},
      {"title", info.title},
      {"status", info.status},
      {"detail", status.message().en},
      {"message_zh", status.message().zh},
      {"message_en", status.message().en},
      {"request_id", request_id},
  };
  if (!status.fields().empty()) {
    boost::json::array errors;
    for (const auto& f : status.fields()) {
      errors.push_back({{"field", f.field}, {"message_zh", f.message.zh}, {"message_en", f.message.en}});
    }
    body["errors"] = std::move(errors);
  }
  for (const auto& [name, value] : status.numbers()) body[name] = value;
  Response res = Response::Json(body, info.status);
  res.content_type = "application/problem+json";
  if (status.retry_after() > 0) res.Header("Retry-After", std::to_string(status.retry_after()));
  return res;
}

}  // namespace shequ::http
