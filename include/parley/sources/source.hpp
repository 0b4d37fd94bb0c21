#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"

namespace parley::sources {

/// One platform's webhook: how it is verified, parsed and normalized, and how the
/// platform expects to be answered. Implementations are immutable after construction
/// and thread-safe: every method runs concurrently on all I/O threads.
class Source {
 public:
  virtual ~Source() = default;

  /// The `source` label of the metrics: "justanswer", "cao", "talkjs".
  virtual std::string_view name() const = 0;

  /// nullopt when the request proves it comes from the platform; else unauthorized
  /// with a message naming the header or parameter that failed.
  virtual std::optional<Error> verify(const http::Request& request) const = 0;

  /// What the head alone proves (verify() without the body): verified when the proof is
  /// in the headers or the peer (tokens, keys, allow_cidrs) and holds; unauthorized when
  /// what the headers carry is wrong and no proof over the body is possible; in_body when
  /// only the body's signature can tell. `head.body` is empty.
  virtual Result<http::HeadProof, Error> verify_head(const http::Request& head) const = 0;

  /// Parses and validates the body and builds the event; bad_request naming the field
  /// on any problem.
  virtual Result<events::CloudEvent, Error> normalize(
      const http::Request& request, std::chrono::system_clock::time_point received) const = 0;

  /// True when event ids derive from the platform's natural key, so a redelivery has
  /// the same id and duplicate suppression applies; false for minted ids (JustAnswer).
  virtual bool deterministic_ids() const = 0;

  /// The body of the 2xx answer, in the platform's convention.
  virtual std::string accepted_body() const = 0;

  /// The body of an error answer, in the platform's convention.
  virtual std::string error_body(const Error& error) const = 0;
};

}  // namespace parley::sources
