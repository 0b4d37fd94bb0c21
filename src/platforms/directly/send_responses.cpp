#include <boost/beast/http/verb.hpp>
#include <string>
#include <utility>

#include "parley/common/json_writer.hpp"
#include "parley/platforms/directly/question.hpp"
#include "parley/platforms/directly/send.hpp"
#include "parley/sources/json.hpp"

namespace parley::directly {
namespace {

namespace bhttp = boost::beast::http;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::FieldProblem;
using commands::ReadBack;
using sources::FieldReader;
using sources::kMaxTextBytes;

std::vector<std::pair<std::string, std::string>> headers(std::string_view access_token) {
  return {{"Authorization", "Bearer " + std::string(access_token)}, {"Accept", "application/json"}};
}

std::string customer_name(const Command& command) {
  const auto& customer = command.data.customer;
  if (customer.first_name.empty() || customer.last_name.empty()) {
    return customer.first_name + customer.last_name;
  }
  return customer.first_name + " " + customer.last_name;
}

std::string question_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    w.string("text", command.data.text);
    if (const auto name = customer_name(command); !name.empty()) {
      json::ObjectWriter author(w.key("author"));
      author.string("name", name);
    }
  }
  return body;
}

// Directly's envelope names a failure in error.message.
std::string error_message(const std::string& body) {
  auto object = sources::parse_object(body);
  if (!object) return {};
  auto error = FieldReader(object.value()).optional_object("error");
  if (!error || !error.value()) return {};
  auto message = sources::string_or_empty(*error.value(), "message", kMaxTextBytes);
  return message ? std::move(message).value() : std::string();
}

// data.uuid of a start's 201.
std::optional<std::string> question_uuid(const std::string& body) {
  auto object = sources::parse_object(body);
  if (!object) return std::nullopt;
  auto data = FieldReader(object.value()).optional_object("data");
  if (!data || !data.value()) return std::nullopt;
  auto uuid = data.value()->optional_id("uuid");
  if (!uuid) return std::nullopt;
  return std::move(uuid).value();
}

}  // namespace

bool supports(CommandType type) {
  return type == CommandType::conversation_start || type == CommandType::answer_accept;
}

std::optional<FieldProblem> check(const Command& command) {
  if (!command.data.attachments.empty()) {
    return FieldProblem{.field = "data.attachments",
                        .message = "Directly's questions carry no attachments"};
  }
  if (command.type == CommandType::conversation_start && command.data.text.empty()) {
    return FieldProblem{.field = "data.text", .message = "is required: it is the question"};
  }
  if (command.type == CommandType::answer_accept && command.data.message_id.empty()) {
    return FieldProblem{.field = "data.messageId",
                        .message = "is required: the uuid of the response to accept"};
  }
  return std::nullopt;
}

std::string_view call_name(CommandType type) {
  if (type == CommandType::conversation_start) return "Directly POST /questions";
  if (type == CommandType::answer_accept) return "Directly POST /responses/{uuid}/accept";
  return "Directly (no such call)";
}

upstream::HttpRequest write_request(const Command& command, std::string_view access_token) {
  upstream::HttpRequest request{
      .method = bhttp::verb::post, .headers = headers(access_token), .replay_safe = false};
  if (command.type == CommandType::conversation_start) {
    request.target = "/questions";
    request.body = question_body(command);
    request.headers.emplace_back("Content-Type", "application/json");
  } else if (command.type == CommandType::answer_accept) {
    request.target =
        "/responses/" + upstream::encode_path_segment(command.data.message_id) + "/accept";
  }
  // Any other type is not Directly's (supports()): the empty target is refused before sending.
  return request;
}

CallOutcome judge_write(const Command& command, const platforms::SendAnswer& answer) {
  auto outcome = commands::judge_call(call_name(command.type), answer, /*idempotent=*/false);
  if (!answer) return outcome;
  const auto& body = answer.value().body;
  if (outcome.kind != CallOutcome::Kind::done) {
    if (auto message = error_message(body); !message.empty()) {
      outcome.message += ": Directly says: " + message;
    }
    return outcome;
  }
  if (command.type == CommandType::answer_accept) {
    outcome.ids = {{"messageId", command.data.message_id}};
  } else if (auto uuid = question_uuid(body)) {
    outcome.ids = {{"conversationId", std::move(*uuid)}};
  } else {
    outcome.message = "performed, but the answer carries no usable data.uuid";
  }
  return outcome;
}

bool can_read_back(const Command& command) {
  return command.type == CommandType::answer_accept && !command.subject.empty();
}

upstream::HttpRequest question_request(const Command& command, std::string_view access_token) {
  return upstream::HttpRequest{
      .target = "/questions/" + upstream::encode_path_segment(command.subject),
      .headers = headers(access_token),
      .replay_safe = true};
}

ReadBack match_accepted(const Command& command, const std::string& body) {
  const std::string what = "Directly GET /questions/{uuid}";
  auto question = parse_question(body);
  if (!question) {
    return platforms::read_back(ReadBack::Kind::undecided,
                                what + " unreadable: " + question.error());
  }
  const auto& accepted = question.value().state.accepted_response;
  if (accepted == command.data.message_id) {
    return platforms::read_back(ReadBack::Kind::found, what + ": the response is the accepted one",
                                {{"messageId", command.data.message_id}});
  }
  return platforms::read_back(
      ReadBack::Kind::not_found,
      what + (accepted.empty() ? ": no response is accepted" : ": another response is accepted"));
}

}  // namespace parley::directly
