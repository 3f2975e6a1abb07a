#include "http/event_hub.h"

#include <chrono>

namespace shequ::http {

EventHub::EventHub(size_t backlog)
    : backlog_(backlog),
      next_id_(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() *
               1000) {}

void EventHub::Publish(std::string type, std::string data, std::string area_path, std::vector<std::string> permissions,
                       std::vector<int64_t> residents) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    events_.push_back({next_id_++, std::move(type), std::move(data), std::move(area_path), std::move(residents),
                       std::move(permissions)});
    if (events_.size() > backlog_) events_.pop_front();
    for (auto& [id, w] : wakers_) wake.push_back(w);
  }
  for (auto& w : wake) w();
}

std::vector<Event> EventHub::Since(uint64_t after, const store::Scope& scope) const {
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  for (const Event& e : events_)
    if (e.id > after && scope.Contains(e.area_path)) out.push_back(e);
  return out;
}

uint64_t EventHub::last_id() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

uint64_t EventHub::Subscribe(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wakers_[next_subscription_] = std::move(wake);
  return next_subscription_++;
}

void EventHub::Unsubscribe(uint64_t subscription) {
  std::lock_guard lock(mutex_);
  wakers_.erase(subscription);
}

size_t EventHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return wakers_.size();
}

void EventHub::NoteSessionEnded() {
  std::lock_guard lock(mutex_);
  ++sessions_ended_;
}

uint64_t EventHub::sessions_ended() const {
  std::lock_guard lock(mutex_);
  return sessions_ended_;
}

void EventHub::Close() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [id, w] : wakers_) wake.push_back(w);
  }
  for (auto& w : wake) w();
}

bool EventHub::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace shequ::http
