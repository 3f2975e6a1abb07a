#include "http/metrics.h"

#include <fmt/format.h>

namespace shequ::http {

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                             double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const store::PoolStats& pool) const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP shequ_http_requests_total HTTP requests by method, route and status.\n"
         "# TYPE shequ_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("shequ_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                       method, route, status, n);
  }
  out += "# HELP shequ_http_request_duration_seconds Time from request read to response written.\n"
         "# TYPE shequ_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("shequ_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         route, kBuckets[i], h.counts[i]);
    }
    out += fmt::format("shequ_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       route, h.count);
    out += fmt::format("shequ_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route, h.sum);
    out += fmt::format("shequ_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, h.count);
  }
  out += fmt::format(
      "# HELP shequ_http_open_connections Open client connections.\n"
      "# TYPE shequ_http_open_connections gauge\nshequ_http_open_connections {}\n"
      "# HELP shequ_sse_subscribers Open server-sent event streams.\n"
      "# TYPE shequ_sse_subscribers gauge\nshequ_sse_subscribers {}\n"
      "# HELP shequ_db_pool_size Database connections the pool may open.\n"
      "# TYPE shequ_db_pool_size gauge\nshequ_db_pool_size {}\n"
      "# HELP shequ_db_pool_in_use Database connections in use.\n"
      "# TYPE shequ_db_pool_in_use gauge\nshequ_db_pool_in_use {}\n"
      "# HELP shequ_db_pool_waits_total Acquisitions that waited for a free connection.\n"
      "# TYPE shequ_db_pool_waits_total counter\nshequ_db_pool_waits_total {}\n",
      open_connections.load(), sse_subscribers.load(), pool.size, pool.in_use, pool.waits);
  return out;
}

}  // namespace shequ::http
