#pragma once
// Files compiled into the binary (migrations, openapi.json) by cmake/embed.cmake.
#include <string_view>
#include <vector>

namespace shequ {

struct EmbeddedFile {
  std::string_view path;  // relative to src/, e.g. "store/migrations/sqlite/0001_core.sql"
  std::string_view content;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace shequ
