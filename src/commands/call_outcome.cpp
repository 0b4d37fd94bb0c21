#include <string>

#include "parley/commands/platform_sender.hpp"
#include "parley/upstream/retry.hpp"

namespace parley::commands {

namespace {

CallOutcome outcome(CallOutcome::Kind kind, unsigned status, std::string message) {
  CallOutcome result;
  result.kind = kind;
  result.status = status;
  result.message = std::move(message);
  return result;
}

}  // namespace

CallOutcome judge_call(std::string_view what,
                       const Result<upstream::HttpResponse, upstream::SendError>& answer,
                       bool idempotent) {
  using Kind = CallOutcome::Kind;
  const std::string name(what);
  if (!answer) {
    const auto& error = answer.error();
    switch (error.kind) {
      case upstream::SendError::Kind::refused:
        return outcome(Kind::invalid, 0, name + ": " + error.message);
      case upstream::SendError::Kind::unreached:
        return outcome(Kind::retry_later, 0, name + ": " + error.message);
      case upstream::SendError::Kind::unanswered:
        return outcome(idempotent ? Kind::retry_later : Kind::doubt, 0,
                       name + ": " + error.message + " (the request may have reached it)");
    }
  }
  const auto& response = answer.value();
  const unsigned status = response.status;
  if (status >= 200 && status < 300) return outcome(Kind::done, status, {});
  std::string message = name + " answered " + std::to_string(status);
  if (status == 401 || status == 403) return outcome(Kind::unauthorized, status, message);
  if (status == 408 || status == 429 || status == 503) {
    auto result = outcome(Kind::retry_later, status, message);
    if (auto delay =
            upstream::parse_retry_after(response.retry_after, std::chrono::system_clock::now())) {
      result.retry_after = *delay;
    }
    return result;
  }
  if (status >= 500) {
    return outcome(idempotent ? Kind::retry_later : Kind::doubt, status,
                   message + (idempotent ? "" : " (it may have been performed)"));
  }
  return outcome(Kind::rejected, status, message);
}

}  // namespace parley::commands
