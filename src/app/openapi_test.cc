#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/app.h"
#include "store/testing.h"

namespace shequ {
namespace {

// Every registered route must be described in openapi.json, and nothing
// described there may be missing from the router.
TEST(OpenApiTest, DescribesExactlyTheRegisteredRoutes) {
  store::testing::TempDatabase temp(store::testing::Kind::kSqlite);
  AppConfig config;
  config.db_url = temp.url();
  App app(config);
  boost::json::value spec = boost::json::parse(Embedded("app/openapi.json"));
  const auto& paths = spec.at("paths").as_object();
  size_t described = 0;
  for (const auto& [path, item] : paths) described += item.as_object().size();
  size_t registered = 0;
  for (const auto& route : app.router().routes()) {
    ++registered;
    std::string method = route->method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    const auto* item = paths.if_contains(route->pattern);
    ASSERT_NE(item, nullptr) << route->pattern << " is not in openapi.json";
    EXPECT_NE(item->as_object().if_contains(method), nullptr)
        << route->method << " " << route->pattern << " is not in openapi.json";
  }
  EXPECT_EQ(described, registered) << "openapi.json describes routes the server does not have";
}

}  // namespace
}  // namespace shequ
