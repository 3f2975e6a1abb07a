#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shequ::http {
namespace {

namespace fs = std::filesystem;

std::string_view ContentType(const fs::path& file) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},         {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},               {".woff2", "font/woff2"},
      {".woff", "font/woff"},                 {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},  {".map", "application/json"},
  };
  std::string ext = file.extension().string();
  for (auto [e, type] : kTypes)
    if (e == ext) return type;
  return "application/octet-stream";
}

std::optional<std::string> ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool AcceptsGzip(const Request& request) {
  return request.Header("accept-encoding").find("gzip") != std::string_view::npos;
}

std::optional<Response> FileResponse(const fs::path& file, const Request& request,
                                     std::string cache_control) {
  Response res;
  res.content_type = ContentType(file);
  fs::path gz = file;
  gz += ".gz";
  std::error_code ec;
  std::optional<std::string> body;
  if (AcceptsGzip(request) && fs::is_regular_file(gz, ec)) {
    body = ReadFile(gz);
    if (body) res.Header("Content-Encoding", "gzip");
  }
  if (!body) body = ReadFile(file);
  if (!body) return std::nullopt;
  res.body = std::move(*body);
  res.Header("Cache-Control", std::move(cache_control));
  res.Header("Vary", "Accept-Encoding");
  return res;
}

}  // namespace

std::optional<Response> ServeStatic(const std::string& web_dir, const Request& request) {
  if (web_dir.empty() || request.path.starts_with("/api/")) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  std::error_code ec;
  fs::path root = fs::canonical(web_dir, ec);
  if (ec) return std::nullopt;
  fs::path relative = fs::path(request.path).relative_path();
  for (const auto& part : relative) {
    // No way out of the folder, and no hidden files.
    if (part == ".." || part.string().starts_with(".")) return std::nullopt;
  }
  fs::path file = root / relative;
  if (!relative.empty() && fs::is_regular_file(file, ec)) {
    bool hashed = request.path.starts_with("/assets/");
    return FileResponse(file, request, hashed ? "public, max-age=31536000, immutable" : "no-cache");
  }
  // A missing file is a 404; any other path is a route of the single-page app.
  if (relative.has_extension()) return std::nullopt;
  return FileResponse(root / "index.html", request, "no-cache");
}

}  // namespace shequ::http
