#include "app/app.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <condition_variable>

#include "core/embedded.h"
#include "store/migrations.h"
#include "territory/territory.h"

namespace shequ {

std::string_view Embedded(std::string_view path) {
  for (const auto& f : EmbeddedFiles())
    if (f.path == path) return f.content;
  throw SystemError("not embedded: " + std::string(path));
}

std::string DefaultKeyFile(const std::string& db_url) {
  if (db_url.starts_with("sqlite:")) return db_url.substr(7) + ".key";
  return "var/shequ.key";
}

App::App(const AppConfig& config)
    : db_(store::Database::Open(config.db_url, config.db_pool)),
      vault_(Vault::OpenOrCreate(config.key_file.empty() ? DefaultKeyFile(config.db_url) : config.key_file)),
      trail_(Clock::System(), &hub_),
      auth_(*db_, trail_, Clock::System(), config.auth, &hub_),
      tree_(*db_, Clock::System()),
      registry_(*db_, *vault_, trail_, Clock::System()),
      exports_(registry_),
      cases_(*db_, *vault_, trail_, hub_, Clock::System()),
      catalog_(*db_, trail_, Clock::System()),
      applications_(*db_, trail_, hub_, Clock::System(), catalog_, cases_, registry_),
      messages_([&config] {
        auto sender = auth::MakeMessageSender(config.message_driver);
        if (!sender) throw SystemError("no message driver named " + config.message_driver);
        return sender;
      }()),
      registration_(*db_, trail_, Clock::System(), *vault_, *messages_,
                    [this](const std::string& phone) -> std::optional<auth::LinkedPerson> {
                      std::optional<people::PersonRef> p = registry_.FindByPhone(phone);
                      if (!p) return std::nullopt;
                      return auth::LinkedPerson{p->id, p->birth_date, p->area_code};
                    }),
      imports_(registry_, hub_) {
  applied_migrations_ = store::Migrate(*db_);
  cases_.Reload();
  if (config.load_catalog) catalog_.Load();
  router_.set_authenticator([this](const http::Request& r) { return auth_.Authenticate(r); });
  router_.set_fast_authenticator([this](const http::Request& r) { return auth_.AuthenticateFromMemory(r); });
  AddCoreRoutes();
  auth::AddRoutes(router_, *db_, auth_, trail_);
  audit::AddRoutes(router_, *db_);
  territory::AddRoutes(router_, tree_);
  people::AddRoutes(router_, registry_);
  people::AddImportRoutes(router_, imports_);
  people::AddExportRoutes(router_, exports_);
  cases::AddRoutes(router_, cases_);
  cases::AddOpen311Routes(router_, cases_);
  services::AddRoutes(router_, catalog_, cases_);
  services::AddApplicationRoutes(router_, applications_);
  auth::AddRegistrationRoutes(router_, registration_);
  // Routes that kept the default take the configured limit; upload routes set their own.
  for (const auto& route : router_.routes()) {
    if (route->options.body_limit == http::RouteOptions{}.body_limit) {
      route->options.body_limit = config.body_limit;
    }
  }
}


void App::StartBackgroundWork() {
  deadline_watch_ = std::jthread([this](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      try {
        cases_.SweepDeadlines();
        applications_.SweepDeadlines();
      } catch (const std::exception& e) {
        spdlog::warn("deadline sweep failed: {}", e.what());
      }
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, std::chrono::seconds(30), [] { return false; });
    }
  });
}

void App::AddCoreRoutes() {
  http::RouteOptions open{.public_route = true};
  router_.Add("GET", "/api/v1/health", open, [this](http::Context&) -> Result<http::Response> {
    auto conn = db_->Acquire();
    conn->Query("SELECT 1");
    http::Response res = http::Response::Json(
        {{"status", "ok"}, {"db", db_->name()}, {"version", SHEQU_VERSION}});
    res.Header("Cache-Control", "no-store");
    return res;
  });
  router_.Add("GET", "/metrics", open, [this](http::Context&) -> Result<http::Response> {
    http::Response res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = metrics_.Render(db_->stats());
    return res;
  });
  router_.Add("GET", "/api/v1/openapi.json", open, [](http::Context&) -> Result<http::Response> {
    http::Response res;
    res.body = std::string(Embedded("app/openapi.json"));
    return res;
  });
  router_.Add("GET", "/api/v1/events", {.stream = true}, [](http::Context&) -> Result<http::Response> {
    return Status(Code::kInternal, {"事件流由服务器直接处理", "Event streams are served by the server"});
  });
}

}  // namespace shequ
