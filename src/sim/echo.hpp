#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "options.hpp"

namespace parley::sim {

/// A webhook a committed write makes the platform send back: its kind (which parley
/// endpoint, which credentials) and its JSON body.
struct Echo {
  WebhookKind kind;
  std::string body;
};

/// Sends echo webhooks to the configured parley (--echo-to, POST /_sim/echo), each on its
/// own connection after the target's delay, and remembers how each was answered.
/// Thread-safe (one mutex); must outlive the io_context the echoes run on.
class Echoes {
 public:
  explicit Echoes(EchoTarget target) : target_(std::move(target)) {}

  /// Replaces the target; a disabled one stops echoes (those already under way go on).
  void set_target(EchoTarget target);
  EchoTarget target() const;

  /// Posts `echo` to the target, if enabled, after its delay, on `executor`; returns at once.
  void send(const boost::asio::any_io_executor& executor, Echo echo);

  /// The body of GET /_sim/echo: {"target":{"to":"http://...","delay_ms":n}|null,
  /// "sent":[{"path":"/v1/webhooks/...","body":"...","status":200,"error":""}...]} in the
  /// order the echoes were answered (status 0 with `error` when not delivered).
  std::string json() const;

  /// Forgets the echoes sent; the target stays.
  void reset();

 private:
  struct Sent {
    std::string path;
    std::string body;
    unsigned status;
    std::string error;
  };

  boost::asio::awaitable<void> deliver(EchoTarget target, Echo echo);

  mutable std::mutex mutex_;
  EchoTarget target_;
  std::vector<Sent> sent_;
};

}  // namespace parley::sim
