#pragma once
// Routes with {param} segments, and the one place where a request is
// authenticated, authorised, checked for CSRF, run, and its failure turned into
// problem+json.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/principal.h"
#include "core/status.h"
#include "http/http.h"
#include "store/scope.h"

namespace shequ::http {

// What a handler gets: the request and, on authenticated routes, the caller.
struct Context {
  Request& request;
  const Principal* caller;  // null only on public routes

  // The caller's territory: pass it to every store query of scoped records.
  store::Scope scope() const { return store::Scope::Subtree(caller->area_path); }
};

using Handler = std::function<Result<Response>(Context&)>;
// A handler that can answer without blocking (memory only), or declines with
// nullopt; it then runs the route's ordinary handler on the handler pool.
using FastHandler = std::function<std::optional<Result<Response>>(Context&)>;
// The caller from memory only (no database); nullopt when that is not known.
using FastAuthenticator = std::function<std::optional<Principal>(const Request&)>;
// Resolves the session of a request (Bearer token or cookie).
using Authenticator = std::function<Result<Principal>(const Request&)>;

// The {name} path segment as a positive id; nullopt (answer 404) otherwise.
std::optional<int64_t> IdParam(const Request& request, const std::string& name = "id");

struct RouteOptions {
  bool public_route = false;   // no sign-in needed
  std::string permission;      // required permission, empty for any signed-in caller
  size_t body_limit = 16 * 1024;
  bool stream = false;         // server-sent events: the server keeps the response open
  bool json_body = false;      // the body must be application/json
};

struct Route {
  std::string method;
  std::string pattern;  // e.g. "/api/v1/areas/{code}": also the metrics label
  RouteOptions options;
  Handler handler;
  FastHandler fast;  // optional
  std::vector<std::string> segments;
};

struct Match {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;  // some route has this path, with another method
};

class Router {
 public:
  void Add(std::string method, std::string pattern, RouteOptions options, Handler handler);
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

  // Gives the route `method pattern` a fast path (see FastHandler).
  void SetFastPath(const std::string& method, const std::string& pattern, FastHandler fast);

  void set_authenticator(Authenticator a) { authenticate_ = std::move(a); }
  void set_fast_authenticator(FastAuthenticator a) { authenticate_fast_ = std::move(a); }
  // Checks who may call `route` (sign-in, permission, CSRF). Fills `caller`.
  Status Authorize(const Route& route, const Request& request, Principal& caller) const;
  // Runs the matched route (or answers 404/405) and never throws: an exception
  // is logged and answered 500 (503 when the database is unreachable).
  Response Handle(Request& request, const Match& match) const;
  // For the event loop: answers when the route has a fast path, the caller is
  // known from memory and the fast handler does not decline; never blocks.
  std::optional<Response> TryFast(Request& request, const Match& match) const;

 private:
  Status CheckCaller(const Route& route, const Request& request, const Principal& caller) const;

  std::vector<std::unique_ptr<Route>> routes_;
  Authenticator authenticate_;
  FastAuthenticator authenticate_fast_;
};

}  // namespace shequ::http
