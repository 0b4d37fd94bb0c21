#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parley/commands/command_stats.hpp"
#include "parley/commands/senders.hpp"
#include "parley/http/message.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/sources/crypto.hpp"

namespace parley::commands {

/// The path of the HTTP door.
inline constexpr std::string_view kCommandsPath = "/v1/commands";

/// `command` (whose JSON text is `json`, as received) as a record of the commands topic:
/// keyed by its partitionkey, ce_id / ce_type / ce_source headers. Pure.
kafka::Record command_record(const std::string& topic, const Command& command, std::string json);

/// How the door puts commands on Kafka.
struct IntakeOptions {
  std::vector<std::string> tokens;  ///< commands.tokens (Authorization: Bearer)
  std::string topic;                ///< kafka.topics.commands
  std::chrono::milliseconds ack_timeout{4000};
};

/// POST /v1/commands (DESIGN.md "HTTP door"): a bearer token from commands.tokens; the
/// command checked as the executor will check it (parse_command, check_sendable), so a
/// caller learns of a bad field at once (400 naming it); an Idempotency-Key header must
/// equal `id`; then the command, as received, goes on the commands topic under its
/// partitionkey and the answer is 202 {"id","status":"accepted"} once Kafka acknowledged
/// it. 401 for a missing or wrong token, 503 + Retry-After while Kafka is away.
/// Thread-safe: handle() runs on every I/O thread; the senders are only asked what they
/// support (const). The producer, stats and senders must outlive it.
class CommandIntake final : public http::Endpoint {
 public:
  CommandIntake(IntakeOptions options, kafka::Producer& producer, CommandStats& stats,
                kafka::ProduceStats& produced, std::shared_ptr<const Senders> senders);

  boost::asio::awaitable<http::Response> handle(const http::Request& request) override;
  http::Response reject(const Error& error) override;
  /// The token is in the headers: the head alone decides.
  Result<http::HeadProof, Error> check_head(const http::Request& head) override;
  bool is_ingest() const override { return true; }

 private:
  std::optional<Error> verify(const http::Request& request) const;
  /// The command, checked; an error names the field or header.
  Result<Command, Error> read(const http::Request& request) const;

  const IntakeOptions options_;
  sources::SecretSet tokens_;
  kafka::Producer& producer_;
  CommandStats& stats_;
  kafka::ProduceStats& produced_;
  std::shared_ptr<const Senders> senders_;
};

}  // namespace parley::commands
