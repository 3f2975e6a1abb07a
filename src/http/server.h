#pragma once
// The HTTP server: Boost.Beast over Asio with C++20 coroutines, one event-loop
// thread for all sockets and a pool of threads for handlers (they block on the
// database and on Argon2).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/event_hub.h"
#include "http/metrics.h"
#include "http/router.h"

namespace shequ::http {

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  std::string web_dir;                 // the built console; empty serves none
  size_t header_limit = 8 * 1024;      // bytes of request line and headers
  std::chrono::seconds read_timeout{10};   // to receive a whole request once it has started
  std::chrono::seconds idle_timeout{60};   // keep-alive connection with no request
  std::chrono::seconds shutdown_grace{10}; // for in-flight requests after SIGTERM
  std::chrono::seconds heartbeat{15};      // server-sent events
  int max_connections = 1024;
  int threads = 4;                     // handler pool
  bool access_log = true;              // JSON lines on stdout
};

class Server {
 public:
  Server(ServerConfig config, const Router& router, EventHub& hub, Metrics& metrics);
  ~Server();
  // Serves until SIGTERM or SIGINT; calls `listening(port)` once bound.
  // Returns after in-flight requests finished (or the grace period ran out).
  void Run(const std::function<void(uint16_t)>& listening);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shequ::http
