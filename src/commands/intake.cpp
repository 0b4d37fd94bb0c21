#include "parley/commands/intake.hpp"

#include <boost/beast/core/string.hpp>

#include "parley/common/json_writer.hpp"
#include "parley/http/answers.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/log/log.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::commands {

namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kBearer = "Bearer ";

Error invalid(std::string message) {
  return Error{sources::Errc::invalid, std::move(message)};
}

std::string accepted_body(const std::string& id) {
  std::string body;
  {
    json::ObjectWriter object(body);
    object.string("id", id);
    object.string("status", "accepted");
  }
  return body;
}

}  // namespace

kafka::Record command_record(const std::string& topic, const Command& command, std::string json) {
  kafka::Record record{.topic = topic, .key = command.key, .value = std::move(json)};
  record.headers = {{"content-type", "application/cloudevents+json; charset=utf-8"},
                    {"ce_id", command.id},
                    {"ce_type", std::string(kTypePrefix) + std::string(type_name(command.type))},
                    {"ce_source", command.caller}};
  return record;
}

CommandIntake::CommandIntake(IntakeOptions options, kafka::Producer& producer, CommandStats& stats,
                             kafka::ProduceStats& produced, std::shared_ptr<const Senders> senders)
    : options_(std::move(options)),
      tokens_(options_.tokens),
      producer_(producer),
      stats_(stats),
      produced_(produced),
      senders_(std::move(senders)) {}

http::Response CommandIntake::reject(const Error& error) {
  stats_.received(http::metric_outcome(error.code));
  return http::error_response(error, http::generic_error_body(error));
}

Result<http::HeadProof, Error> CommandIntake::check_head(const http::Request& head) {
  if (auto refused = verify(head)) return *refused;
  return http::HeadProof::verified;
}

std::optional<Error> CommandIntake::verify(const http::Request& request) const {
  const std::string_view authorization = request.headers[bhttp::field::authorization];
  if (authorization.size() <= kBearer.size() ||
      !boost::beast::iequals(authorization.substr(0, kBearer.size()), kBearer)) {
    return Error{sources::Errc::unauthorized,
                 "missing credentials: send Authorization: Bearer <a commands.tokens token>"};
  }
  if (!tokens_.contains(authorization.substr(kBearer.size()))) {
    return Error{sources::Errc::unauthorized,
                 "Authorization: not an accepted commands.tokens token"};
  }
  return std::nullopt;
}

Result<Command, Error> CommandIntake::read(const http::Request& request) const {
  auto parsed = parse_command(request.body);
  if (!parsed) return invalid(parsed.error().to_string());
  Command command = std::move(parsed).value();
  const std::string_view key_header = request.headers["Idempotency-Key"];
  if (!key_header.empty() && key_header != command.id) {
    return invalid("header Idempotency-Key: must equal the command's id");
  }
  if (auto refusal = check_sendable(command, *senders_, false)) {
    return invalid(refusal->problem.to_string());
  }
  return command;
}

boost::asio::awaitable<http::Response> CommandIntake::handle(const http::Request& request) {
  if (!request.verified_at_head) {
    if (auto refused = verify(request)) co_return reject(*refused);
  }
  auto command = read(request);
  if (!command) co_return reject(command.error());
  if (!producer_.reachable()) {
    co_return reject(Error{kafka::Errc::unavailable, "Kafka is unreachable; retry later"});
  }
  const kafka::Record record = command_record(options_.topic, command.value(),
                                              std::string(sources::received_json(request.body)));
  const auto failure =
      co_await kafka::produce_acknowledged(producer_, record, options_.ack_timeout, &produced_);
  if (failure) {
    log::warn("command not acknowledged by kafka",
              {{"id", command.value().id}, {"topic", options_.topic}, {"error", failure->message}});
    co_return reject(*failure);
  }
  stats_.received("accepted");
  co_return http::Response{.status = 202, .body = accepted_body(command.value().id)};
}

}  // namespace parley::commands
