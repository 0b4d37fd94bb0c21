#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "parley/config/config.hpp"
#include "parley/sources/crypto.hpp"
#include "parley/sources/source.hpp"

namespace parley::sources {

/// Parses a CAO date into a UTC time point. CAO sends two shapes, both without a zone:
/// US `M/D/YYYY h:mm AM/PM` (optionally `h:mm:ss`; 1-2 digit month, day and hour) and
/// ISO-like `YYYY-MM-DDThh:mm:ss` (optional `.fraction`, optional `Z` or `+hh:mm`/`-hh:mm`,
/// which is applied). Leading and trailing blanks are ignored (CAO's own sample has one).
/// Dates without a zone are taken as UTC. Years are limited to 1900..2199 so every date
/// fits system_clock.
/// Errors (bad_request, naming `field`): "field <field>: unrecognized date '<text>';
/// expected M/D/YYYY h:mm AM/PM or YYYY-MM-DDThh:mm:ss" when neither shape matches, and
/// "field <field>: invalid date '<text>': <which part is out of range>" when one matches
/// but a part is out of range (month, day of that month incl. leap years, hour, minute,
/// second, offset, year). Pure function; thread-safe.
Result<std::chrono::system_clock::time_point, Error> parse_cao_date(
    std::string_view text, std::string_view field = "DateTime");

/// The verification both CAO endpoints share: `Authorization: Basic <credential>` where
/// the credential is an API key as is (what CAO's samples show) or standard Basic, base64
/// of "<key>:" (empty password) or of "<key>". Keys are a list, for rotation; comparisons
/// are constant-time (SecretSet). Copies the keys; immutable after construction and
/// thread-safe.
class CaoAuthorization {
 public:
  explicit CaoAuthorization(const config::CaoSource::Webhook& webhook);

  /// nullopt when a configured key is presented, or when no key is configured and
  /// allow_unauthenticated is set. Otherwise unauthorized naming the Authorization
  /// header: missing, not the Basic scheme, empty credential, key not accepted (or no
  /// key configured at all, which fails closed).
  std::optional<Error> verify(const http::Request& request) const;

 private:
  SecretSet api_keys_;
  bool allow_unauthenticated_;
};

/// What both CAO endpoints share: the metrics name "cao", Basic API-key verification,
/// deterministic ids, and CAO's answers `{"Status":0,"FailureDescription":""}` /
/// `{"Status":1,"FailureDescription":"<message>"}`. Immutable; thread-safe.
class CaoEndpoint : public Source {
 public:
  std::string_view name() const override { return name_; }
  std::optional<Error> verify(const http::Request& request) const override;
  /// The API key is in the Authorization header: the head alone decides.
  Result<http::HeadProof, Error> verify_head(const http::Request& head) const override;
  bool deterministic_ids() const override { return true; }
  std::string accepted_body() const override;
  std::string error_body(const Error& error) const override;

 protected:
  CaoEndpoint(const config::CaoSource::Webhook& webhook, bool include_raw, std::string name)
      : authorization_(webhook),
        include_raw_(include_raw),
        name_(std::move(name)),
        event_source_("/parley/" + name_) {}
  bool include_raw() const { return include_raw_; }
  /// "/parley/<name>", the `source` of this endpoint's events.
  const std::string& event_source() const { return event_source_; }

 private:
  CaoAuthorization authorization_;
  bool include_raw_;
  std::string name_;
  std::string event_source_;
};

/// CAO's ReceiveMessage (an agent's message to the consumer) at
/// POST /v1/webhooks/cao/messages.
///
/// Event: `parley.message.created`, id `cao:message:<MessageId>` (a redelivery keeps
/// it), key `cao:<VisitId>`, time = the message's `DateTime`. Required: VisitId,
/// MessageId (ids as string or integer), DateTime, Message (may be empty only with a
/// MediaURL). Optional: SessionId, ConsumerId, MediaURL (an attachment), AgentName,
/// AgentImageUrl / AgentImageURL (CAO documents both spellings; both present with
/// different values is refused).
///
/// Immutable after construction; thread-safe. normalize() fails with bad_request naming
/// the field (invalid JSON, missing, wrong type, empty, too long, duplicated, bad date).
class CaoMessages final : public CaoEndpoint {
 public:
  /// `name`: the source's name (sources.<name>), which names its events' source, ids,
  /// keys and metrics.
  CaoMessages(const config::CaoSource::Webhook& webhook, bool include_raw,
              std::string name = std::string(config::CaoSource::kPlatform))
      : CaoEndpoint(webhook, include_raw, std::move(name)) {}
  Result<events::CloudEvent, Error> normalize(
      const http::Request& request, std::chrono::system_clock::time_point received) const override;
};

/// CAO's read/delivery receipt (`MessageStatus` 0 unknown, 1 delivered, 2 read) at
/// POST /v1/webhooks/cao/receipts.
///
/// Event: `parley.message.delivered` (1), `parley.message.read` (2), else
/// `parley.message.receipt` with status unknown; the platform's value is kept verbatim in
/// data.receipt.platformStatus. Id `cao:receipt:<MessageId>:<MessageStatus>`, key
/// `cao:<VisitId>`, time = the receive time (receipts carry none). Required: VisitId,
/// MessageId, MessageStatus (string or integer); optional: ExternalMessageId, SessionId,
/// ConsumerId.
///
/// Immutable after construction; thread-safe. normalize() fails with bad_request naming
/// the field.
class CaoReceipts final : public CaoEndpoint {
 public:
  CaoReceipts(const config::CaoSource::Webhook& webhook, bool include_raw,
              std::string name = std::string(config::CaoSource::kPlatform))
      : CaoEndpoint(webhook, include_raw, std::move(name)) {}
  Result<events::CloudEvent, Error> normalize(
      const http::Request& request, std::chrono::system_clock::time_point received) const override;
};

}  // namespace parley::sources
