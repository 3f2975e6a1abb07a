#pragma once
// Small pieces every module's routes share: a JSON answer from a Result, and
// a handler that only runs once the body parsed as an object of known keys.
#include <boost/json.hpp>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "core/json_input.h"
#include "http/router.h"

namespace shequ::http {

inline Result<Response> Reply(Result<boost::json::object> result, int status = 200) {
  if (!result.ok()) return result.status();
  return Response::Json(*result, status);
}

// A JSON body with exactly these keys allowed, handed to `fn` when it parses.
template <class Fn>
Handler WithBody(std::initializer_list<std::string_view> allowed, Fn fn) {
  return [keys = std::vector<std::string_view>(allowed), fn](Context& ctx) -> Result<Response> {
    Result<boost::json::object> body = ParseObject(ctx.request.body, keys);
    if (!body.ok()) return body.status();
    return fn(ctx, *body);
  };
}

}  // namespace shequ::http
