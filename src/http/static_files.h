#pragma once
// The built web console: files under one folder, hashed assets cached
// forever, precompressed .gz when the client accepts it, index.html for every
// client-side route.
#include <optional>
#include <string>

#include "http/http.h"

namespace shequ::http {

// nullopt when the request is not for the console (the caller answers 404).
std::optional<Response> ServeStatic(const std::string& web_dir, const Request& request);

}  // namespace shequ::http
