// The event stream: every event the daemon publishes (customer identified, receipt state changes,
// readers connected, lost or erroring) goes to every subscriber, in order, each with a sequence
// number and the time it was published:
//
//   {"seq": 17, "type": "receipt.committed", "at": "2026-12-06T10:00:00Z", "data": {...}}
//
// A subscriber is a WebSocket session of the POS or of the till panel. Each has a bounded queue
// (queued_max); a subscriber that falls that far behind is dropped (its socket closed with a
// "too slow" reason) rather than slowing the others or growing without bound. The last
// recent_max events are kept so a new subscriber can be sent what it missed since a seq.
//
// Ownership: the hub holds its subscribers until they are no longer alive(). Thread-safety: the
// loop's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loyalty/core/time.h"
#include "service/outcome.h"

namespace loyalty::daemon {

class EventSubscriber {
 public:
  virtual ~EventSubscriber() = default;
  // Queues one message (already JSON text); false when the subscriber's queue is full, and the
  // hub then drops it (close_slow() is called).
  virtual bool deliver(const std::shared_ptr<const std::string>& message) = 0;
  virtual void close_slow() = 0;
  // False once the subscriber's connection closed: the hub then forgets it.
  virtual bool alive() const = 0;
};

class EventHub {
 public:
  explicit EventHub(std::size_t recent_max = 256) : recent_max_(recent_max) {}

  // Publishes to every subscriber and to the local observers (the panel state); returns its seq.
  std::uint64_t publish(const StreamEvent& event, Timestamp at);
  void subscribe(const std::shared_ptr<EventSubscriber>& subscriber);
  std::size_t subscribers() const;
  // In-process observers (the till panel's state), called synchronously for each event.
  void observe(std::function<void(const StreamEvent&, std::uint64_t seq)> observer);

  // The retained messages after `seq`, oldest first.
  std::vector<std::shared_ptr<const std::string>> since(std::uint64_t seq) const;
  std::uint64_t last_seq() const { return seq_; }

 private:
  std::size_t recent_max_;
  std::uint64_t seq_ = 0;
  std::deque<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> recent_;
  std::vector<std::shared_ptr<EventSubscriber>> subscribers_;
  std::vector<std::function<void(const StreamEvent&, std::uint64_t)>> observers_;
};

}  // namespace loyalty::daemon
