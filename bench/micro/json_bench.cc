// boost::json serialization of an area list, as the area routes answer:
// {"items": [territory::ToJson(area), ...]}.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "fixture.h"
#include "store/scope.h"
#include "territory/territory.h"

namespace shequ::bench {
namespace {

// Lists from the district demo: 0 = jiangsu's 14 neighborhoods (the HTTP
// benchmark's body), 1 = the district root's 10 subdistricts, 2 = all 185
// neighborhoods of the district.
const std::vector<territory::Area>& AreaList(int which) {
  static const std::vector<std::vector<territory::Area>> lists = [] {
    auto conn = DistrictDemo().Acquire();
    auto all = store::Scope::Everything();
    std::vector<std::vector<territory::Area>> out(3);
    out[0] = *territory::Children(*conn, all, "310105002");
    out[1] = *territory::Children(*conn, all, "310105");
    for (const auto& sub : out[1]) {
      std::optional<std::vector<territory::Area>> kids = territory::Children(*conn, all, sub.code);
      for (auto& n : *kids) out[2].push_back(std::move(n));
    }
    return out;
  }();
  return lists.at(which);
}

boost::json::value ToValue(const std::vector<territory::Area>& areas) {
  boost::json::array items;
  for (const auto& a : areas) items.push_back(territory::ToJson(a));
  return boost::json::object{{"items", std::move(items)}};
}

// Area structs → boost::json values → text: the route's whole JSON part.
void BM_Json_AreaList_BuildAndSerialize(benchmark::State& state) {
  const auto& areas = AreaList(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = boost::json::serialize(ToValue(areas));
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["areas"] = static_cast<double>(areas.size());
  state.counters["body_bytes"] = static_cast<double>(bytes);
}

// Only boost::json::serialize, on a value built once.
void BM_Json_AreaList_SerializeOnly(benchmark::State& state) {
  const auto& areas = AreaList(static_cast<int>(state.range(0)));
  boost::json::value value = ToValue(areas);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = boost::json::serialize(value);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["areas"] = static_cast<double>(areas.size());
  state.counters["body_bytes"] = static_cast<double>(bytes);
}

BENCHMARK(BM_Json_AreaList_BuildAndSerialize)->ArgName("list")->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(BM_Json_AreaList_SerializeOnly)->ArgName("list")->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace shequ::bench

BENCHMARK_MAIN();
