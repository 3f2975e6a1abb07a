#pragma once
// The single mapping from the project's error codes to HTTP.
#include <string_view>

#include "core/status.h"
#include "http/http.h"

namespace shequ::http {

int HttpStatus(Code code);
// Stable problem type, e.g. "urn:shequ:problem:not-found".
std::string ProblemType(Code code);
// application/problem+json for `status`.
Response Problem(const Status& status, std::string_view request_id);

}  // namespace shequ::http
