#pragma once
// ?page=&page_size= for every list route, and the JSON envelope around a page.
#include <boost/json.hpp>
#include <map>
#include <string>

#include "core/status.h"

namespace shequ {

struct Paging {
  int64_t page = 1;
  int64_t page_size = 50;
  int64_t offset() const { return (page - 1) * page_size; }
};

inline constexpr int64_t kMaxPageSize = 200;

Result<Paging> ReadPaging(const std::map<std::string, std::string>& query);
// {"items": items, "total", "page", "page_size"}
boost::json::object PageJson(boost::json::array items, int64_t total, const Paging& paging);

}  // namespace shequ
