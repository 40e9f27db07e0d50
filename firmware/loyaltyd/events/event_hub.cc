#include "events/event_hub.h"

#include <algorithm>

#include "loyalty/core/json.h"

namespace loyalty::daemon {

std::uint64_t EventHub::publish(const StreamEvent& event, Timestamp at) {
  const std::uint64_t seq = ++seq_;
  auto message = std::make_shared<const std::string>(
      "{\"seq\":" + std::to_string(seq) + ",\"type\":" + json::quote(event.type) +
      ",\"at\":" + json::quote(format_timestamp(at)) + ",\"data\":" +
      (event.data_json.empty() ? std::string("{}") : event.data_json) + "}");
  recent_.emplace_back(seq, message);
  while (recent_.size() > recent_max_) recent_.pop_front();
  for (const auto& observer : observers_) observer(event, seq);
  // Deliver, dropping closed sessions and the ones too slow to keep up.
  std::vector<std::shared_ptr<EventSubscriber>> slow;
  std::erase_if(subscribers_, [&](const std::shared_ptr<EventSubscriber>& subscriber) {
    if (!subscriber->alive()) return true;
    if (subscriber->deliver(message)) return false;
    slow.push_back(subscriber);
    return true;
  });
  for (const auto& subscriber : slow) subscriber->close_slow();
  return seq;
}

void EventHub::subscribe(const std::shared_ptr<EventSubscriber>& subscriber) {
  subscribers_.push_back(subscriber);
}

std::size_t EventHub::subscribers() const {
  return static_cast<std::size_t>(
      std::count_if(subscribers_.begin(), subscribers_.end(),
                    [](const std::shared_ptr<EventSubscriber>& s) { return s->alive(); }));
}

void EventHub::observe(std::function<void(const StreamEvent&, std::uint64_t)> observer) {
  observers_.push_back(std::move(observer));
}

std::vector<std::shared_ptr<const std::string>> EventHub::since(std::uint64_t seq) const {
  std::vector<std::shared_ptr<const std::string>> messages;
  for (const auto& [number, message] : recent_) {
    if (number > seq) messages.push_back(message);
  }
  return messages;
}

}  // namespace loyalty::daemon
