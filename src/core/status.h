#pragma once
// The one error type of the project. Rule (docs/architecture.md): a failure a
// caller can cause or expect (bad input, not found, locked account) is returned
// as a Status or Result<T>; a failure of the machine underneath (database gone,
// disk full) or a broken invariant is thrown, and the HTTP edge answers 500/503.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace shequ {

enum class Code {
  kOk,
  kBadRequest,
  kValidation,
  kUnauthenticated,
  kInvalidCredentials,
  kCsrf,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kRequestTimeout,
  kConflict,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kHeaderTooLarge,
  kAccountLocked,
  kRateLimited,
  kUnavailable,
  kInternal,
};

// A message in both languages the users read.
struct Text {
  std::string zh;
  std::string en;
};

struct FieldError {
  std::string field;
  Text message;
};

class Status {
 public:
  Status() = default;  // ok
  Status(Code code, Text message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status NotFound() { return {Code::kNotFound, {"未找到该资源", "Not found"}}; }
  static Status Forbidden() { return {Code::kForbidden, {"没有执行此操作的权限", "You do not have permission for this"}}; }
  static Status Unauthenticated() { return {Code::kUnauthenticated, {"请先登录", "Please sign in"}}; }
  static Status BadRequest(Text message) { return {Code::kBadRequest, std::move(message)}; }
  // One failure per field; add more with AddField.
  static Status Invalid(std::string field, Text message);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const Text& message() const { return message_; }
  const std::vector<FieldError>& fields() const { return fields_; }
  Status& AddField(std::string field, Text message);
  // Extra numbers a client can act on, e.g. the id of the record a duplicate
  // clashes with ("existing_id"); they appear as members of the problem body.
  const std::vector<std::pair<std::string, int64_t>>& numbers() const { return numbers_; }
  Status& AddNumber(std::string name, int64_t value) {
    numbers_.emplace_back(std::move(name), value);
    return *this;
  }
  // Seconds a client should wait before retrying (rate limits, lockouts); 0 when not set.
  int retry_after() const { return retry_after_; }
  Status& set_retry_after(int seconds) {
    retry_after_ = seconds;
    return *this;
  }

 private:
  Code code_ = Code::kOk;
  Text message_;
  std::vector<FieldError> fields_;
  std::vector<std::pair<std::string, int64_t>> numbers_;
  int retry_after_ = 0;
};

// A value or the Status saying why there is none.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  Result(Status status) : state_(std::move(status)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

// Thrown only for failures of the machinery (see the rule above).
class SystemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace shequ

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define SHEQU_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::shequ::Status shequ_status_ = (expr);  \
    if (!shequ_status_.ok()) return shequ_status_; \
  } while (0)
