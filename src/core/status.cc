#include "core/status.h"

namespace shequ {

Status Status::Invalid(std::string field, Text message) {
  Status status(Code::kValidation, {"输入的内容有误", "The input is not valid"});
  status.AddField(std::move(field), std::move(message));
  return status;
}

Status& Status::AddField(std::string field, Text message) {
  fields_.push_back({std::move(field), std::move(message)});
  return *this;
}

}  // namespace shequ
