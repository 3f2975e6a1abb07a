#include "store/scope.h"

#include <fmt/format.h>

namespace shequ::store {

std::string InList(const std::vector<int64_t>& ids, Params& params) {
  std::string marks;
  for (int64_t id : ids) {
    marks += marks.empty() ? "?" : ",?";
    params.emplace_back(id);
  }
  return marks;
}

std::string Scope::Filter(std::string_view path_column, Params& params) const {
  params.emplace_back(root_);
  params.emplace_back(root_ + "~");  // '~' sorts after '/' and every digit
  return fmt::format("({0} >= ? AND {0} < ?)", path_column);
}

}  // namespace shequ::store
