#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cao_data.hpp"

namespace parley::sim {

/// What CAO's writes changed: visits started (and each consumer's list of visits), messages
/// sent, and generated continuations added through /_sim/cao/visits. Thread-safe (one
/// mutex); every method may be called from any I/O thread.
class CaoState {
 public:
  /// A new visit started at `now` (unix seconds) with the publisher's first message
  /// `text`; its VisitId (10 digits, derived from the start and how many visits were
  /// started before) and that message.
  std::pair<std::string, CaoMessage> start(CaoStart start, std::string text, std::int64_t now);
  /// Appends the publisher's message to `visit` at `now`; the message as stored.
  CaoMessage send(const std::string& visit, std::string external_message_id, std::string text,
                  std::int64_t now);
  /// Appends the visit's next generated message; the message.
  CaoMessage add_generated(const std::string& visit);

  /// What writes changed in `visit` (a default state when nothing).
  CaoVisitState visit(const std::string& visit) const;
  /// The visits of `consumer_id` that writes touched (started, or sent to), in the order
  /// they were first written.
  std::vector<std::pair<std::string, CaoVisitState>> visits_of(
      const std::string& consumer_id) const;

  void reset();

 private:
  CaoVisitState& visit_locked(const std::string& visit);

  mutable std::mutex mutex_;
  std::map<std::string, CaoVisitState, std::less<>> visits_;
  std::vector<std::string> order_;  // visits in the order of their first write
  std::uint64_t started_ = 0;
};

}  // namespace parley::sim
