#pragma once
// Prometheus text metrics for GET /metrics.
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "store/database.h"

namespace shequ::http {

class Metrics {
 public:
  // `route` is the route pattern (bounded label set), not the raw path.
  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      double seconds);
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> sse_subscribers{0};
  std::string Render(const store::PoolStats& pool) const;

 private:
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;  // by route
};

}  // namespace shequ::http
