#pragma once
// Importing persons (and where they live) from CSV or XLSX: every row is
// checked like an API entry; the file is applied in one transaction, so a
// failure half-way leaves nothing behind; re-importing the same file changes
// nothing (upsert by document number, residency by address).
#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <thread>

#include "core/table_file.h"
#include "http/event_hub.h"
#include "people/people.h"

namespace shequ::people {

struct ImportCounts {
  int64_t total = 0, processed = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
};

struct ImportOutcome {
  ImportCounts counts;
  Status failure;           // not ok: nothing was written (wrong header, all_or_nothing with bad rows, a crash)
  std::string error_report; // CSV: the original rows that were rejected, plus an error column
};

// Runs an import of persons synchronously as `caller` (Scope::Everything for
// the command line). `progress` is called after every chunk of at most 4,096 rows.
ImportOutcome ImportPersons(Registry& registry, const Caller& caller, const Table& table, bool all_or_nothing,
                            const std::function<void(const ImportCounts&)>& progress);

// Background imports started over HTTP, with live progress on the event hub.
class ImportJobs {
 public:
  ImportJobs(Registry& registry, http::EventHub& hub) : registry_(registry), hub_(hub) {}
  ~ImportJobs();  // waits for running imports

  // Records the import and starts it; returns its JSON (status "running").
  Result<boost::json::object> Start(const Caller& caller, std::string_view kind, std::string_view mode,
                                    std::string file_name, std::string body);
  Result<boost::json::object> Get(const Caller& caller, int64_t id);
  Result<std::string> ErrorReport(const Caller& caller, int64_t id);

 private:
  void Run(Principal who, std::string request_id, int64_t id, bool all_or_nothing, Table table);

  Registry& registry_;
  http::EventHub& hub_;
  std::mutex mutex_;
  std::map<int64_t, ImportCounts> running_;
  std::list<std::thread> threads_;
};

void AddImportRoutes(http::Router& router, ImportJobs& jobs);

}  // namespace shequ::people
