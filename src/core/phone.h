#pragma once
// Phone-number rules more than one module needs.
#include <algorithm>
#include <string_view>

namespace shequ {

// An 11-digit mainland mobile number: 1, then 3–9, then nine digits.
inline bool IsMainlandMobile(std::string_view s) {
  return s.size() == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace shequ
