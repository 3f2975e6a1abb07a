// audit::Trail::Append: one audited change, each in its own write
// transaction (BEGIN IMMEDIATE ... COMMIT on SQLite, WAL, synchronous=NORMAL),
// as every audited request does.
#include <benchmark/benchmark.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "fixture.h"
#include "http/event_hub.h"

namespace shequ::bench {
namespace {

audit::Entry SampleEntry(int64_t i) {
  return audit::Entry{"jiangsu",
                      "subdistrict_admin",
                      "account.create",
                      "account:bench-" + std::to_string(i),
                      "310105002",
                      "/310105/310105002/",
                      "bench-request",
                      {{"username", "bench-" + std::to_string(i)}, {"role", "grid_worker"}}};
}

void RunAppend(benchmark::State& state, http::EventHub* hub) {
  // A fresh chain for each run, so every repetition starts from the same size.
  auto db = EmptyDatabase(hub != nullptr ? "audit-hub" : "audit");
  audit::Trail trail(Clock::System(), hub);
  int64_t i = 0, seq = 0;
  for (auto _ : state) {
    audit::Entry entry = SampleEntry(++i);
    Status st = store::WithWrite(*db, [&](store::Connection& conn) -> Status {
      seq = trail.Append(conn, entry);
      return Status::Ok();
    });
    if (!st.ok()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());  // items/s = rows/s
  state.counters["chain_rows"] = static_cast<double>(seq);
}

// As the command line appends: no live events.
void BM_AuditAppend_WriteTx(benchmark::State& state) { RunAppend(state, nullptr); }

// As the server appends: the event goes to the hub after the commit.
void BM_AuditAppend_WriteTx_EventHub(benchmark::State& state) {
  http::EventHub hub;
  RunAppend(state, &hub);
}

BENCHMARK(BM_AuditAppend_WriteTx)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_AuditAppend_WriteTx_EventHub)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace shequ::bench
