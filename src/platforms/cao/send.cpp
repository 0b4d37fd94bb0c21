#include "parley/platforms/cao/send.hpp"

namespace parley::platforms::cao {
namespace {

namespace asio = boost::asio;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::ReadBack;
using Clock = std::chrono::system_clock;

class Sender final : public commands::PlatformSender {
 public:
  Sender(const asio::any_io_executor& executor, config::CaoSource::Api api,
         const upstream::BaseUrl& base, const enrich::ApiOptions& options)
      : api_(std::move(api)), client_(executor, client_options(base, options), options.tls) {}

  std::string_view platform() const override { return config::CaoSource::kPlatform; }
  bool supports(CommandType type) const override { return cao::supports(type); }
  std::optional<commands::FieldProblem> check(const Command& command) const override {
    return cao::check(command);
  }
  // Whether CAO refuses a repeated ExternalMessageId is unconfirmed (PLATFORMS.md).
  bool idempotent(const Command& /*command*/) const override { return false; }

  asio::awaitable<CallOutcome> perform(const Command& command) override {
    const upstream::HttpRequest request = write_request(command, api_.api_key);
    auto answer = co_await client_.send(request);
    co_return judge_write(command, answer);
  }

  asio::awaitable<ReadBack> read_back(const Command& command, Clock::time_point since) override {
    const bool start = command.type == CommandType::conversation_start;
    const upstream::HttpRequest request = start ? conversations_request(command, api_.api_key)
                                                : transcript_request(command, api_.api_key);
    const std::string_view what =
        start ? "CAO GET GetConversations/{ConsumerId}" : "CAO GET GetTranscript/{VisitId}";
    auto answer = co_await client_.send(request);
    if (auto failed = failed_read(what, answer)) co_return std::move(*failed);
    const auto& body = answer.value().body;
    co_return start ? match_in_conversations(command, body)
                    : match_in_transcript(command, body, since);
  }

 private:
  const config::CaoSource::Api api_;
  upstream::HttpClient client_;
};

}  // namespace

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const enrich::ApiOptions& options) {
  auto base = api_base_url(source, api.base_url);
  if (!base) return base.error();
  if (api.api_key.empty()) return required_to_send(source, "api_key");
  return std::unique_ptr<commands::PlatformSender>(
      std::make_unique<Sender>(executor, api, base.value(), options));
}

}  // namespace parley::platforms::cao
