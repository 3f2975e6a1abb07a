// territory::Children on the district demo (SQLite): the query behind
// GET /api/v1/areas/{code}/children, with and without the caller's scope.
#include <benchmark/benchmark.h>

#include "fixture.h"
#include "store/scope.h"
#include "territory/territory.h"

namespace shequ::bench {
namespace {

// Children(scope, code) on one pooled connection, no explicit transaction.
void RunChildren(benchmark::State& state, const store::Scope& scope, const char* code,
                 bool expect_visible) {
  store::Database& db = DistrictDemo();
  auto conn = db.Acquire();
  size_t rows = 0;
  for (auto _ : state) {
    auto children = territory::Children(*conn, scope, code);
    if (children.has_value() != expect_visible) {
      state.SkipWithError("unexpected visibility");
      break;
    }
    rows = children ? children->size() : 0;
    benchmark::DoNotOptimize(children);
  }
  state.SetItemsProcessed(state.iterations());  // items/s = queries/s
  state.counters["rows"] = static_cast<double>(rows);
}

// What jiangsu's request runs: its own subdistrict's 14 neighborhoods.
void BM_Children_Subtree_310105002(benchmark::State& state) {
  RunChildren(state, store::Scope::Subtree("/310105/310105002/"), "310105002", true);
}
// The same 14 rows with no scope limit: the cost of the scope filter itself.
void BM_Children_Everything_310105002(benchmark::State& state) {
  RunChildren(state, store::Scope::Everything(), "310105002", true);
}
// The district root with the whole deployment in scope: 10 subdistricts,
// each counted over its ~130 descendants (the district admin's view).
void BM_Children_Everything_310105(benchmark::State& state) {
  RunChildren(state, store::Scope::Everything(), "310105", true);
}
// The district root asked by jiangsu: not visible, answered after the first
// (visibility) query, as a 404.
void BM_Children_Subtree_310105_Hidden(benchmark::State& state) {
  RunChildren(state, store::Scope::Subtree("/310105/310105002/"), "310105", false);
}

// The route's whole database part: pooled connection + read transaction + query.
void BM_Children_Subtree_310105002_WithRead(benchmark::State& state) {
  store::Database& db = DistrictDemo();
  auto scope = store::Scope::Subtree("/310105/310105002/");
  for (auto _ : state) {
    auto children = store::WithRead(db, [&](store::Connection& conn) {
      return territory::Children(conn, scope, "310105002");
    });
    benchmark::DoNotOptimize(children);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Children_Subtree_310105002);
BENCHMARK(BM_Children_Everything_310105002);
BENCHMARK(BM_Children_Everything_310105);
BENCHMARK(BM_Children_Subtree_310105_Hidden);
BENCHMARK(BM_Children_Subtree_310105002_WithRead);

}  // namespace
}  // namespace shequ::bench
