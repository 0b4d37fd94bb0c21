#include "parley/platforms/directly/send.hpp"

#include "parley/platforms/directly/api.hpp"

namespace parley::directly {
namespace {

namespace asio = boost::asio;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::ReadBack;
using Clock = std::chrono::system_clock;

class Sender final : public commands::PlatformSender {
 public:
  Sender(const asio::any_io_executor& executor, config::DirectlySource::Api api,
         const upstream::BaseUrl& base, const enrich::ApiOptions& options)
      : api_(std::move(api)),
        client_(executor, platforms::client_options(base, options), options.tls),
        tokens_(executor, [this] { return fetch_token(); }) {}

  std::string_view platform() const override { return config::DirectlySource::kPlatform; }
  bool supports(CommandType type) const override { return directly::supports(type); }
  std::optional<commands::FieldProblem> check(const Command& command) const override {
    return directly::check(command);
  }
  // Directly promises nothing about a repeated write (PLATFORMS.md, "Sending").
  bool idempotent(const Command& /*command*/) const override { return false; }

  asio::awaitable<CallOutcome> perform(const Command& command) override {
    const platforms::RequestWithToken build = [&command](const std::string& token) {
      return write_request(command, token);
    };
    auto answer = co_await platforms::send_with_token(client_, tokens_, build);
    if (!answer) co_return platforms::token_outcome(call_name(command.type), answer.error());
    co_return judge_write(command, answer.value());
  }

  asio::awaitable<ReadBack> read_back(const Command& command,
                                      Clock::time_point /*since*/) override {
    if (command.type == CommandType::conversation_start) {
      co_return platforms::read_back(ReadBack::Kind::undecided,
                                     "Directly has no endpoint listing questions");
    }
    if (!can_read_back(command)) {
      co_return platforms::read_back(
          ReadBack::Kind::undecided,
          "Directly reads a response only through its question, and the command names none "
          "(subject)");
    }
    const std::string_view what = "Directly GET /questions/{uuid}";
    const platforms::RequestWithToken build = [&command](const std::string& token) {
      return question_request(command, token);
    };
    auto answer = co_await platforms::send_with_token(client_, tokens_, build);
    if (!answer) co_return platforms::token_read_back(what, answer.error());
    if (auto failed = platforms::failed_read(what, answer.value())) co_return std::move(*failed);
    co_return match_accepted(command, answer.value().value().body);
  }

 private:
  asio::awaitable<Result<upstream::AccessToken, upstream::UpstreamError>> fetch_token() {
    const upstream::HttpRequest request = token_request(api_);
    const std::string what = "Directly POST " + request.target;
    co_return co_await platforms::fetch_token(client_, request, what);
  }

  const config::DirectlySource::Api api_;
  upstream::HttpClient client_;
  upstream::TokenCache tokens_;
};

}  // namespace

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const asio::any_io_executor& executor, std::string_view source,
    const config::DirectlySource::Api& api, const enrich::ApiOptions& options) {
  auto base = platforms::api_base_url(source, api.base_url);
  if (!base) return base.error();
  for (const auto& [key, value] :
       {std::pair{"client_id", &api.client_id}, std::pair{"client_secret", &api.client_secret}}) {
    if (value->empty()) return platforms::required_to_send(source, key);
  }
  return std::unique_ptr<commands::PlatformSender>(
      std::make_unique<Sender>(executor, api, base.value(), options));
}

}  // namespace parley::directly
