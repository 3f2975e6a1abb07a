#pragma once
// The live channel behind GET /api/v1/events. Modules publish events tagged
// with the territory path they concern; each subscriber sees only events in
// its scope. A bounded backlog serves Last-Event-ID resumes.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/principal.h"
#include "store/scope.h"

namespace shequ::http {

struct Event {
  uint64_t id;
  std::string type;
  std::string data;  // JSON
  std::string area_path;
  // Residents are not staff: of the events in their territory they receive
  // only those addressed to their own account (their case, their application).
  std::vector<int64_t> residents;
  // Staff receive the event only with one of these permissions, those that
  // open the list it concerns (audit rows: audit.read; cases: case.read).
  // Within the area, that list may be narrower (a department sees its own
  // cases only): such staff still hear of every case of their area.
  std::vector<std::string> permissions;

  bool For(const Principal& who) const {
    if (who.role == "resident") return std::find(residents.begin(), residents.end(), who.account_id) != residents.end();
    return std::any_of(permissions.begin(), permissions.end(), [&](const std::string& p) { return who.Can(p); });
  }
};

class EventHub {
 public:
  // Ids start from the wall clock so they keep growing across restarts and a
  // client's Last-Event-ID from before a restart is not mistaken for a new one.
  explicit EventHub(size_t backlog = 1000);

  // REQUIRES: `permissions` is not empty (an event every role may hear is a leak waiting to happen).
  void Publish(std::string type, std::string data, std::string area_path, std::vector<std::string> permissions,
               std::vector<int64_t> residents = {});
  // Events with id > after, inside `scope`, oldest first.
  std::vector<Event> Since(uint64_t after, const store::Scope& scope) const;
  uint64_t last_id() const;

  // `wake` is called (from the publishing thread) after each Publish and on
  // Close; it must only schedule work, never block.
  uint64_t Subscribe(std::function<void()> wake);
  void Unsubscribe(uint64_t subscription);
  size_t subscribers() const;

  // A session ended in this process (logout): streams re-check their session
  // before sending more. Sessions ended elsewhere are caught at the next heartbeat.
  void NoteSessionEnded();
  uint64_t sessions_ended() const;

  // Shutdown: wakes every subscriber so it can say goodbye.
  void Close();
  bool closed() const;

 private:
  mutable std::mutex mutex_;
  size_t backlog_;
  std::deque<Event> events_;
  uint64_t next_id_;
  std::map<uint64_t, std::function<void()>> wakers_;
  uint64_t next_subscription_ = 1;
  bool closed_ = false;
  uint64_t sessions_ended_ = 0;
};

}  // namespace shequ::http
