#include "audit/audit.h"

#include <boost/json.hpp>

#include "core/crypto.h"

namespace shequ::audit {
namespace {

constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct StoredRow {
  int64_t seq;
  std::string time, account, role, action, object, area_code, area_path, request_id, details,
      prev_hash;
};

// The exact bytes the hash covers: a JSON array of the row's fields in a
// fixed order, so the form cannot be confused by separators inside values.
std::string Canonical(const StoredRow& r) {
  boost::json::array a{r.seq,       r.time,      r.account,    r.role,    r.action, r.object,
                       r.area_code, r.area_path, r.request_id, r.details, r.prev_hash};
  return boost::json::serialize(a);
}

}  // namespace

Entry By(const Principal& caller, std::string_view request_id, std::string action,
         std::string object) {
  return Entry{caller.username, caller.role,      std::move(action),        std::move(object),
               caller.area_code, caller.area_path, std::string(request_id), {}};
}

int64_t Trail::Append(store::Connection& conn, const Entry& entry) const {
  conn.SerializeOn("audit_log");
  store::Rows last = conn.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  StoredRow row{last.empty() ? 1 : last[0].Int(0) + 1,
                FormatUtc(clock_.Now()),
                entry.account,
                entry.role,
                entry.action,
                entry.object,
                entry.area_code,
                entry.area_path,
                entry.request_id,
                boost::json::serialize(entry.details),
                last.empty() ? std::string(kGenesis) : last[0].Text(1)};
  std::string hash = Sha256Hex(Canonical(row));
  conn.Execute(
      "INSERT INTO audit_log (seq, time, account, role, action, object, area_code, area_path,"
      " request_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {row.seq, row.time, row.account, row.role, row.action, row.object, row.area_code,
       row.area_path, row.request_id, row.details, row.prev_hash, hash});
  if (hub_ != nullptr) {
    boost::json::object event{{"seq", row.seq},       {"time", row.time},
                              {"account", row.account}, {"role", row.role},
                              {"action", row.action},   {"object", row.object},
                              {"area_code", row.area_code}, {"request_id", row.request_id}};
    conn.AfterCommit([hub = hub_, data = boost::json::serialize(event), path = row.area_path] {
      hub->Publish("audit", data, path, {"audit.read"});
    });
  }
  return row.seq;
}

VerifyReport Verify(store::Database& db) {
  VerifyReport report;
  auto conn = db.Acquire();
  store::Transaction tx(*conn, store::Transaction::kRead);
  std::string prev(kGenesis);
  int64_t expected = 1;
  constexpr int64_t kBatch = 5000;
  for (;;) {
    store::Rows rows = conn->Query(
        "SELECT seq, time, account, role, action, object, area_code, area_path, request_id,"
        " details, prev_hash, hash FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?",
        {expected, kBatch});
    for (const store::Row& r : rows) {
      StoredRow row{r.Int(0),  r.Text(1), r.Text(2), r.Text(3), r.Text(4),  r.Text(5),
                    r.Text(6), r.Text(7), r.Text(8), r.Text(9), r.Text(10)};
      auto broken = [&](std::string reason) {
        report.first_broken_seq = row.seq;
        report.reason = std::move(reason);
      };
      if (row.seq != expected) {
        report.first_broken_seq = expected;
        report.reason = "row missing: the sequence jumps to " + std::to_string(row.seq);
      } else if (row.prev_hash != prev) {
        broken("previous-hash does not match the row before (row inserted or removed)");
      } else if (Sha256Hex(Canonical(row)) != r.Text(11)) {
        broken("hash does not match the row's contents (row changed)");
      }
      if (!report.ok()) return report;
      prev = r.Text(11);
      ++expected;
      ++report.rows;
    }
    if (static_cast<int64_t>(rows.size()) < kBatch) break;
  }
  // Rows before seq 1 (inserted with a lower number) are outside the walk above.
  if (!conn->Query("SELECT seq FROM audit_log WHERE seq < 1 LIMIT 1").empty()) {
    report.first_broken_seq = -1;
    report.reason = "row with a sequence number below 1 (row inserted)";
  }
  return report;
}

}  // namespace shequ::audit
