#pragma once
// Plain request and response types. Handlers and modules see only these;
// Beast stays inside http/server.cc.
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shequ::http {

struct Request {
  std::string method;
  std::string path;  // percent-decoded, without the query
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_address;
  std::string request_id;
  std::map<std::string, std::string> params;  // from {name} segments of the route

  std::string_view Header(std::string_view lower_name) const;
  std::string Cookie(std::string_view name) const;
  std::optional<std::string> Query(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(const boost::json::value& value, int status = 200);
  static Response NoContent();
  Response& Header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

}  // namespace shequ::http
