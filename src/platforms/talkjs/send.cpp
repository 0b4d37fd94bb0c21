#include "parley/platforms/talkjs/send.hpp"

namespace parley::platforms::talkjs {
namespace {

namespace asio = boost::asio;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::ReadBack;
using Clock = std::chrono::system_clock;

class Sender final : public commands::PlatformSender {
 public:
  Sender(const asio::any_io_executor& executor, config::TalkJsSource::Api api,
         const upstream::BaseUrl& base, const enrich::ApiOptions& options)
      : api_(std::move(api)), client_(executor, client_options(base, options), options.tls) {}

  std::string_view platform() const override { return config::TalkJsSource::kPlatform; }
  bool supports(CommandType type) const override { return talkjs::supports(type); }
  std::optional<commands::FieldProblem> check(const Command& command) const override {
    return talkjs::check(command);
  }
  bool idempotent(const Command& command) const override { return talkjs::idempotent(command); }

  asio::awaitable<CallOutcome> perform(const Command& command) override {
    auto outcome = co_await calls(command);
    if (outcome.kind == CallOutcome::Kind::done) outcome.ids = ids_of(command);
    co_return outcome;
  }

  asio::awaitable<ReadBack> read_back(const Command& command, Clock::time_point since) override {
    if (talkjs::idempotent(command)) {
      co_return platforms::read_back(
          ReadBack::Kind::not_found,
          "nothing: its PUTs are upserts, sending them again is harmless");
    }
    const std::string_view what = "TalkJS GET /v1/{appId}/conversations/{id}/messages";
    const upstream::HttpRequest request = messages_request(command, api_);
    auto answer = co_await client_.send(request);
    if (auto failed = failed_read(what, answer)) co_return std::move(*failed);
    co_return match_in_messages(command, answer.value().body, since);
  }

 private:
  // A start puts its conversation first; its message follows only once that is done.
  asio::awaitable<CallOutcome> calls(const Command& command) {
    if (command.type == CommandType::user_upsert) {
      const upstream::HttpRequest put = user_request(command, api_);
      co_return co_await call("TalkJS PUT /v1/{appId}/users/{id}", put, /*upsert=*/true);
    }
    if (command.type == CommandType::conversation_start) {
      const upstream::HttpRequest put = conversation_request(command, api_);
      auto outcome =
          co_await call("TalkJS PUT /v1/{appId}/conversations/{id}", put, /*upsert=*/true);
      if (outcome.kind != CallOutcome::Kind::done || command.data.text.empty()) co_return outcome;
    }
    const upstream::HttpRequest post = message_request(command, api_);
    co_return co_await call("TalkJS POST /v1/{appId}/conversations/{id}/messages", post,
                            /*upsert=*/false);
  }

  asio::awaitable<CallOutcome> call(std::string_view what, const upstream::HttpRequest& request,
                                    bool upsert) {
    auto answer = co_await client_.send(request);
    co_return judge_answer(what, answer, upsert);
  }

  const config::TalkJsSource::Api api_;
  upstream::HttpClient client_;
};

}  // namespace

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const enrich::ApiOptions& options) {
  auto base = api_base_url(source, api.base_url);
  if (!base) return base.error();
  for (const auto& [key, value] :
       {std::pair{"app_id", &api.app_id}, std::pair{"secret_key", &api.secret_key}}) {
    if (value->empty()) return required_to_send(source, key);
  }
  return std::unique_ptr<commands::PlatformSender>(
      std::make_unique<Sender>(executor, api, base.value(), options));
}

}  // namespace parley::platforms::talkjs
