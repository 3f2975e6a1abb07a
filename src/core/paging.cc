#include "core/paging.h"

#include <charconv>

namespace shequ {
namespace {

bool ParsePositive(const std::string& text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 1;
}

}  // namespace

Result<Paging> ReadPaging(const std::map<std::string, std::string>& query) {
  Paging paging;
  if (auto it = query.find("page"); it != query.end() && !ParsePositive(it->second, paging.page)) {
    return Status::Invalid("page", {"页码必须是正整数", "page must be a positive whole number"});
  }
  if (auto it = query.find("page_size"); it != query.end()) {
    if (!ParsePositive(it->second, paging.page_size) || paging.page_size > kMaxPageSize) {
      return Status::Invalid("page_size", {"每页条数应在 1 到 200 之间",
                                           "page_size must be between 1 and 200"});
    }
  }
  return paging;
}

boost::json::object PageJson(boost::json::array items, int64_t total, const Paging& paging) {
  return {{"items", std::move(items)},
          {"total", total},
          {"page", paging.page},
          {"page_size", paging.page_size}};
}

}  // namespace shequ
