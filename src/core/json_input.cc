#include "core/json_input.h"

#include <fmt/format.h>

#include <algorithm>

namespace shequ {

Result<boost::json::object> ParseObject(std::string_view body, const std::vector<std::string_view>& allowed) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) {
    return Status::BadRequest({fmt::format("请求内容不是有效的 JSON（{}）", ec.message()),
                               fmt::format("The body is not valid JSON ({})", ec.message())});
  }
  if (!value.is_object()) {
    return Status::BadRequest({"请求内容必须是 JSON 对象", "The body must be a JSON object"});
  }
  for (const auto& entry : value.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), entry.key()) == allowed.end()) {
      return Status::BadRequest({fmt::format("不认识的字段“{}”", std::string_view(entry.key())),
                                 fmt::format("Unknown field \"{}\"", std::string_view(entry.key()))});
    }
  }
  return std::move(value.as_object());
}

void FieldReader::Fail(std::string_view name, Text message, Code code) {
  if (status_.ok() || (code == Code::kBadRequest && status_.code() != Code::kBadRequest)) {
    Status replaced = code == Code::kBadRequest
                          ? Status::BadRequest({"请求内容的字段类型不对", "A field has the wrong type"})
                          : Status(Code::kValidation, {"输入的内容有误", "The input is not valid"});
    for (const auto& f : status_.fields()) replaced.AddField(f.field, f.message);
    status_ = std::move(replaced);
  }
  status_.AddField(std::string(name), std::move(message));
}

std::optional<std::string> FieldReader::String(std::string_view name, bool required,
                                               size_t max_chars) {
  const boost::json::value* v = object_.if_contains(name);
  if (v == nullptr) {
    if (required) Fail(name, {fmt::format("请填写{}", name), fmt::format("{} is required", name)});
    return std::nullopt;
  }
  if (!v->is_string()) {
    Fail(name, {fmt::format("{}必须是文本", name), fmt::format("{} must be a string", name)},
         Code::kBadRequest);
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (required && s.empty()) {
    Fail(name, {fmt::format("请填写{}", name), fmt::format("{} is required", name)});
    return std::nullopt;
  }
  if (Utf8Length(s) > max_chars) {
    Fail(name, {fmt::format("{}不能超过 {} 个字", name, max_chars),
                fmt::format("{} must be at most {} characters", name, max_chars)});
    return std::nullopt;
  }
  return s;
}

std::optional<bool> FieldReader::Bool(std::string_view name, bool required) {
  const boost::json::value* v = object_.if_contains(name);
  if (v == nullptr) {
    if (required) Fail(name, {fmt::format("请填写{}", name), fmt::format("{} is required", name)});
    return std::nullopt;
  }
  if (!v->is_bool()) {
    Fail(name, {fmt::format("{}必须是 true 或 false", name),
                fmt::format("{} must be true or false", name)},
         Code::kBadRequest);
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int64_t> FieldReader::Int(std::string_view name, bool required) {
  const boost::json::value* v = object_.if_contains(name);
  if (v == nullptr) {
    if (required) Fail(name, {fmt::format("请填写{}", name), fmt::format("{} is required", name)});
    return std::nullopt;
  }
  if (!v->is_int64() && !v->is_uint64()) {
    Fail(name, {fmt::format("{}必须是整数", name), fmt::format("{} must be a whole number", name)},
         Code::kBadRequest);
    return std::nullopt;
  }
  return v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->as_uint64());
}

size_t Utf8Length(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

}  // namespace shequ
