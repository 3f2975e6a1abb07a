#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <random>
#include <set>

#include "core/clock.h"
#include "http/problem.h"
#include "http/static_files.h"

namespace shequ::http {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Script only from our own origin, no framing; Element Plus sets inline styles.
constexpr std::pair<std::string_view, std::string_view> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
     "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
};

// Runs blocking `f` on the handler pool and resumes on the caller's executor.
template <class F>
asio::awaitable<std::invoke_result_t<F&>> OffLoop(asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F&>;
  R result = co_await asio::co_spawn(
      pool, [f = std::move(f)]() mutable -> asio::awaitable<R> { co_return f(); },
      asio::use_awaitable);
  co_return result;
}

// Cancels the reads on `stream` once `limit` has passed, leaving the socket
// open so that a 408 can still be written. Disarm before writing.
class ReadDeadline {
 public:
  ReadDeadline(asio::io_context& ioc, beast::tcp_stream& stream, std::chrono::seconds limit)
      : timer_(ioc), state_(std::make_shared<State>()) {
    timer_.expires_after(limit);
    // The handler may already be queued when Disarm runs: it checks the shared
    // state instead of touching the stream after the request is over.
    timer_.async_wait([state = state_, &stream](beast::error_code ec) {
      if (ec || state->disarmed) return;
      state->expired = true;
      beast::error_code ignored;
      stream.socket().cancel(ignored);
    });
  }
  ~ReadDeadline() { Disarm(); }
  void Disarm() {
    state_->disarmed = true;
    timer_.cancel();
  }
  bool expired() const { return state_->expired; }

 private:
  struct State {
    bool disarmed = false;
    bool expired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

struct Connection {
  beast::tcp_stream* stream;
  bool idle = true;  // waiting for the next request: may be closed at shutdown
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerConfig config, const Router& router, EventHub& hub, Metrics& metrics)
      : config_(std::move(config)),
        router_(router),
        hub_(hub),
        metrics_(metrics),
        pool_(config_.threads),
        acceptor_(ioc_),
        signals_(ioc_, SIGINT, SIGTERM),
        grace_(ioc_),
        rng_(std::random_device{}()) {}

  void Run(const std::function<void(uint16_t)>& listening) {
    tcp::endpoint endpoint(asio::ip::make_address(config_.address), config_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    listening(acceptor_.local_endpoint().port());
    signals_.async_wait([this](beast::error_code ec, int) {
      if (!ec) BeginShutdown();
    });
    asio::co_spawn(ioc_, Accept(), asio::detached);
    ioc_.run();
    pool_.join();
  }

 private:
  void BeginShutdown() {
    spdlog::info("shutting down: no new connections, finishing requests in flight");
    stopping_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    hub_.Close();  // event streams say goodbye and end
    for (Connection* c : connections_)
      if (c->idle) c->stream->socket().cancel(ignored);
    grace_.expires_after(config_.shutdown_grace);
    grace_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      spdlog::warn("shutdown grace period over: closing {} connections", connections_.size());
      ioc_.stop();
    });
    if (connections_.empty()) grace_.cancel();
  }

  asio::awaitable<void> Accept() {
    while (!stopping_) {
      auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
      if (ec) {
        if (stopping_) break;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(ioc_, Session(std::move(socket)), asio::detached);
    }
  }

  std::string NextRequestId() { return fmt::format("{:016x}", rng_()); }

  asio::awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    Connection self{&stream};
    connections_.insert(&self);
    ++metrics_.open_connections;
    std::string remote;
    beast::error_code ec;
    auto endpoint = stream.socket().remote_endpoint(ec);
    if (!ec) remote = endpoint.address().to_string();
    if (static_cast<int>(connections_.size()) > config_.max_connections) {
      co_await RefuseBusy(stream);
    } else {
      co_await Serve(stream, self, remote);
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
    connections_.erase(&self);
    --metrics_.open_connections;
    if (stopping_ && connections_.empty()) grace_.cancel();
  }

  asio::awaitable<void> RefuseBusy(beast::tcp_stream& stream) {
    Status busy(Code::kUnavailable, {"服务器繁忙，请稍后再试", "The server is busy: try again shortly"});
    busy.set_retry_after(1);
    std::string request_id = NextRequestId();
    Response res = Problem(busy, request_id);
    co_await Write(stream, res, 11, false, false, request_id);
  }

  // Reads and answers requests on one connection until it closes.
  asio::awaitable<void> Serve(beast::tcp_stream& stream, Connection& self, const std::string& remote) {
    beast::flat_buffer buffer;
    while (!stopping_) {
      self.idle = true;
      if (buffer.size() == 0) {
        // Waiting between requests: the idle timeout, closed silently.
        stream.expires_after(config_.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kAsTuple);
        if (ec) co_return;
        buffer.commit(n);
      }
      self.idle = false;
      bool keep_going = co_await OneRequest(stream, buffer, remote);
      if (!keep_going) co_return;
    }
  }

  // Answers one request whose first bytes are in `buffer`; false ends the connection.
  asio::awaitable<bool> OneRequest(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                   const std::string& remote) {
    auto started = SteadyClock::now();
    std::string request_id = NextRequestId();
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.header_limit));
    parser.body_limit(boost::none);  // the route's own limit is applied once the route is known
    // A slow sender gets read_timeout for the whole request, not per byte. A
    // timer of our own rather than the stream's expiry, which would close the
    // socket before the 408 could be sent.
    stream.expires_never();
    ReadDeadline deadline(ioc_, stream, config_.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
    if (ec) {
      deadline.Disarm();
      co_await AnswerReadError(stream, deadline.expired() ? beast::error::timeout : ec, request_id);
      co_return false;
    }
    Request req;
    req.request_id = request_id;
    req.remote_address = remote;
    auto& head = parser.get();
    req.method = std::string(head.method_string());
    for (const auto& field : head) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    auto url = boost::urls::parse_origin_form(head.target());
    if (!url) {
      deadline.Disarm();
      // Named, not a temporary inside co_await: GCC 12 destroys such temporaries
      // twice, which corrupted the heap on every malformed target.
      Response bad_target = Problem(Status::BadRequest({"请求地址格式错误", "Malformed request target"}), request_id);
      co_await Write(stream, bad_target, head.version(), false, false, request_id);
      co_return false;
    }
    req.path = url->path();
    for (auto param : url->params()) req.query[param.key] = param.value;
    Match match = router_.Find(req.method, req.path);
    size_t limit = match.route ? match.route->options.body_limit : 16 * 1024;
    if (parser.content_length().value_or(0) > limit) {
      deadline.Disarm();
      co_await AnswerReadError(stream, bhttp::error::body_limit, request_id);
      co_return false;
    }
    parser.body_limit(limit);  // chunked bodies are counted as they arrive
    if (!parser.is_done()) {
      auto [body_ec, body_n] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
      if (body_ec) {
        deadline.Disarm();
        co_await AnswerReadError(stream, deadline.expired() ? beast::error::timeout : body_ec, request_id);
        co_return false;
      }
    }
    deadline.Disarm();
    req.body = std::move(parser.get().body());
    bool keep_alive = parser.get().keep_alive() && !stopping_;
    unsigned version = head.version();
    if (match.route && match.route->options.stream) {
      co_await Stream(stream, req, *match.route, version);
      co_return false;
    }
    std::string method = req.method;
    // Memory-only answers stay on the event loop; everything else goes to the pool.
    std::optional<Response> fast = router_.TryFast(req, match);
    Response res;
    if (fast) {
      res = std::move(*fast);
    } else {
      res = co_await OffLoop(pool_, [this, &req, &match] { return Answer(req, match); });
    }
    // Bounded label set: the route pattern, never the raw path.
    std::string label = match.route ? match.route->pattern : res.status == 200 ? "static" : "unmatched";
    co_await Write(stream, res, version, keep_alive, method == "HEAD", request_id);
    double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    metrics_.ObserveRequest(method, label, res.status, seconds);
    if (config_.access_log) LogAccess(req, res, seconds);
    co_return keep_alive && !stopping_;
  }

  Response Answer(Request& req, const Match& match) {
    if (match.route == nullptr && !match.path_known) {
      if (auto file = ServeStatic(config_.web_dir, req)) return std::move(*file);
    }
    return router_.Handle(req, match);
  }

  asio::awaitable<void> AnswerReadError(beast::tcp_stream& stream, beast::error_code ec,
                                        const std::string& request_id) {
    Status status;
    if (ec == beast::error::timeout) {
      status = Status(Code::kRequestTimeout, {"请求发送超时", "The request took too long to arrive"});
    } else if (ec == bhttp::error::header_limit) {
      status = Status(Code::kHeaderTooLarge, {"请求头过大", "The request headers are too large"});
    } else if (ec == bhttp::error::body_limit) {
      status = Status(Code::kPayloadTooLarge, {"请求内容过大", "The request body is too large"});
    } else if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
               ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      co_return;  // the client went away
    } else {
      status = Status::BadRequest({"无法解析的 HTTP 请求", "Malformed HTTP request"});
    }
    Response res = Problem(status, request_id);  // named: see OneRequest
    co_await Write(stream, res, 11, false, false, request_id);
  }

  asio::awaitable<void> Write(beast::tcp_stream& stream, const Response& res, unsigned version,
                              bool keep_alive, bool head_only, const std::string& request_id = {}) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    out.set(bhttp::field::server, "shequ");
    if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
    for (auto [name, value] : kSecurityHeaders) out.set(name, value);
    if (!request_id.empty()) out.set("X-Request-Id", request_id);
    for (const auto& [name, value] : res.headers) out.insert(name, value);
    out.keep_alive(keep_alive);
    size_t length = res.body.size();
    if (!head_only) out.body() = res.body;
    out.content_length(length);
    stream.expires_after(config_.read_timeout);
    co_await bhttp::async_write(stream, out, kAsTuple);
  }

  // GET /api/v1/events: authenticates, then keeps the response open.
  asio::awaitable<void> Stream(beast::tcp_stream& stream, Request& req, const Route& route,
                               unsigned version) {
    Principal caller;
    Status allowed = co_await OffLoop(pool_, [&] { return router_.Authorize(route, req, caller); });
    if (!allowed.ok()) {
      Response refused = Problem(allowed, req.request_id);  // named: see OneRequest
      co_await Write(stream, refused, version, false, false, req.request_id);
      co_return;
    }
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        "Cache-Control: no-cache, no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n";
    for (auto [name, value] : kSecurityHeaders) head += fmt::format("{}: {}\r\n", name, value);
    head += fmt::format("X-Request-Id: {}\r\n\r\nretry: 3000\n\n", req.request_id);
    bool sent = co_await Send(stream, head);
    if (!sent) co_return;

    uint64_t last = hub_.last_id();
    std::string resume(req.Header("last-event-id"));
    if (!resume.empty()) {
      try {
        last = std::stoull(resume);
      } catch (...) {
      }
    }
    store::Scope scope = store::Scope::Subtree(caller.area_path);
    auto timer = std::make_shared<asio::steady_timer>(ioc_);
    auto woken = std::make_shared<std::atomic<bool>>(false);
    uint64_t subscription = hub_.Subscribe([this, timer, woken] {
      woken->store(true);
      asio::post(ioc_, [timer] { timer->cancel(); });
    });
    ++metrics_.sse_subscribers;
    std::array<char, 512> scratch;
    uint64_t sessions_ended = hub_.sessions_ended();
    bool recheck = false;
    for (bool open = true; open;) {
      woken->store(false);
      // A stream lives no longer than its session.
      if (recheck || hub_.sessions_ended() != sessions_ended) {
        sessions_ended = hub_.sessions_ended();
        recheck = false;
        Status still = co_await OffLoop(pool_, [&] { return router_.Authorize(route, req, caller); });
        if (!still.ok()) {
          sent = co_await Send(stream, "event: session_ended\ndata: {}\n\n");
          break;
        }
      }
      std::string batch;
      for (const Event& e : hub_.Since(last, scope)) {
        if (e.For(caller)) batch += fmt::format("id: {}\nevent: {}\ndata: {}\n\n", e.id, e.type, e.data);
        last = e.id;
      }
      if (hub_.closed()) {
        batch += "event: shutdown\ndata: {}\n\n";
        open = false;
      }
      if (!batch.empty()) {
        sent = co_await Send(stream, batch);
        if (!sent) break;
      }
      if (!open || woken->load()) continue;
      timer->expires_after(config_.heartbeat);
      // Also wait on the socket, so a client that leaves is noticed at once
      // rather than at the second heartbeat write.
      auto woke = co_await (timer->async_wait(kAsTuple) ||
                            stream.socket().async_read_some(asio::buffer(scratch), kAsTuple));
      if (woke.index() == 1) {
        if (std::get<0>(std::get<1>(woke))) break;  // closed or reset by the client
        continue;
      }
      if (!std::get<0>(std::get<0>(woke))) {
        sent = co_await Send(stream, ": heartbeat\n\n");
        if (!sent) break;
        recheck = true;  // catches sessions ended by another process (shequ user lock)
      }
    }
    hub_.Unsubscribe(subscription);
    --metrics_.sse_subscribers;
  }

  asio::awaitable<bool> Send(beast::tcp_stream& stream, const std::string& text) {
    stream.expires_after(config_.read_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(text), kAsTuple);
    co_return !ec;
  }

  static void LogAccess(const Request& req, const Response& res, double seconds) {
    boost::json::object line{{"time", FormatUtc(std::chrono::system_clock::now())},
                             {"request_id", req.request_id},
                             {"remote", req.remote_address},
                             {"method", req.method},
                             {"path", req.path},
                             {"status", res.status},
                             {"bytes", res.body.size()},
                             {"ms", seconds * 1000}};
    fmt::print("{}\n", boost::json::serialize(line));
  }

  ServerConfig config_;
  const Router& router_;
  EventHub& hub_;
  Metrics& metrics_;
  asio::io_context ioc_{1};
  asio::thread_pool pool_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer grace_;
  std::mt19937_64 rng_;
  std::set<Connection*> connections_;
  bool stopping_ = false;
};

Server::Server(ServerConfig config, const Router& router, EventHub& hub, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(config), router, hub, metrics)) {}
Server::~Server() = default;

void Server::Run(const std::function<void(uint16_t)>& listening) { impl_->Run(listening); }

}  // namespace shequ::http
