#include "store/scope.h"

#include <fmt/format.h>

namespace shequ::store {

namespace {
template <class T>
std::string Marks(const std::vector<T>& values, Params& params) {
  std::string marks;
  for (const T& value : values) {
    marks += marks.empty() ? "?" : ",?";
    params.emplace_back(value);
  }
  return marks;
}
}  // namespace

std::string InList(const std::vector<int64_t>& ids, Params& params) { return Marks(ids, params); }
std::string InList(const std::vector<std::string>& keys, Params& params) { return Marks(keys, params); }

std::string Scope::Filter(std::string_view path_column, Params& params) const {
  params.emplace_back(root_);
  params.emplace_back(root_ + "~");  // '~' sorts after '/' and every digit
  return fmt::format("({0} >= ? AND {0} < ?)", path_column);
}

std::string LikeContains(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace shequ::store
