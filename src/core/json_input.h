#pragma once
// Strict reading of JSON request bodies: every bad input becomes a Status that
// names the field and the rule in both languages, so handlers never see a
// malformed value.
#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shequ {

// Parses `body` as one JSON object whose keys are all in `allowed`.
// Invalid UTF-8, trailing garbage, a non-object or an unknown key is kBadRequest.
Result<boost::json::object> ParseObject(std::string_view body, const std::vector<std::string_view>& allowed);
inline Result<boost::json::object> ParseObject(std::string_view body,
                                               std::initializer_list<std::string_view> allowed) {
  return ParseObject(body, std::vector<std::string_view>(allowed));
}

// Reads typed fields from a parsed object, collecting every failure into one
// validation Status instead of stopping at the first.
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& object) : object_(object) {}

  // Missing and required, or not a string, or longer than max_chars: recorded.
  std::optional<std::string> String(std::string_view name, bool required, size_t max_chars = 200);
  std::optional<bool> Bool(std::string_view name, bool required);
  std::optional<int64_t> Int(std::string_view name, bool required);

  // Ok when nothing failed.
  const Status& status() const { return status_; }

 private:
  // A value of the wrong JSON type is a malformed request (400); a missing or
  // out-of-range value is a validation failure (422).
  void Fail(std::string_view name, Text message, Code code = Code::kValidation);

  const boost::json::object& object_;
  Status status_;
};

// Number of Unicode code points in valid UTF-8.
size_t Utf8Length(std::string_view s);

}  // namespace shequ
