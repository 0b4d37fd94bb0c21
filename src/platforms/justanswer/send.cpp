#include "parley/platforms/justanswer/send.hpp"

#include "parley/common/time.hpp"
#include "parley/platforms/justanswer/api.hpp"

namespace parley::platforms::justanswer {
namespace {

namespace asio = boost::asio;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::ReadBack;
using Clock = std::chrono::system_clock;

// A customer with more questions than this many pages hold cannot be read back whole.
constexpr unsigned kMaxQuestionPages = 10;

class Sender final : public commands::PlatformSender {
 public:
  Sender(const asio::any_io_executor& executor, config::JustAnswerSource::Api api,
         const upstream::BaseUrl& base, const enrich::ApiOptions& options)
      : api_(std::move(api)),
        client_(executor, client_options(base, options), options.tls),
        tokens_(executor, [this] { return fetch_token(); }) {}

  std::string_view platform() const override { return config::JustAnswerSource::kPlatform; }
  bool supports(CommandType type) const override { return justanswer::supports(type); }
  std::optional<commands::FieldProblem> check(const Command& command) const override {
    return justanswer::check(command);
  }
  // JustAnswer promises nothing about a repeated write (PLATFORMS.md, "Sending").
  bool idempotent(const Command& /*command*/) const override { return false; }

  asio::awaitable<CallOutcome> perform(const Command& command) override {
    const RequestWithToken build = [this, &command](const std::string& token) {
      return write_request(command, credentials(token));
    };
    auto answer = co_await send_with_token(client_, tokens_, build);
    if (!answer) co_return token_outcome(call_name(command.type), answer.error());
    co_return judge_write(command, answer.value());
  }

  asio::awaitable<ReadBack> read_back(const Command& command, Clock::time_point since) override {
    if (command.type == CommandType::conversation_start) {
      co_return co_await read_back_start(command, since);
    }
    const std::string what = "JustAnswer GET /api/v2/questions/{q}";
    const RequestWithToken build = [this, &command](const std::string& token) {
      return question_request(command, credentials(token));
    };
    auto answer = co_await send_with_token(client_, tokens_, build);
    if (!answer) co_return token_read_back(what, answer.error());
    if (auto failed = failed_read(what, answer.value())) co_return std::move(*failed);
    co_return match_in_question(command, answer.value().value().body, since);
  }

 private:
  Credentials credentials(const std::string& token) const {
    return Credentials{.access_token = token, .api_key = api_.api_key};
  }

  // The customer's questions, page by page: the first, then from the last backwards (or
  // onwards while pages are full, when JustAnswer does not say how many there are), as
  // JustAnswer does not say in which order it lists them.
  asio::awaitable<ReadBack> read_back_start(const Command& command, Clock::time_point since) {
    const std::string window = " posted since " + format_rfc3339(since - kClockSkew);
    const std::string same_text = ": a question with the same text" + window;
    unsigned total_pages = 0;
    unsigned page = 1;
    for (unsigned reads = 0; reads < kMaxQuestionPages; ++reads) {
      const std::string what = "JustAnswer GET /api/v2/questions?page=" + std::to_string(page);
      const RequestWithToken build = [this, &command, page](const std::string& token) {
        return questions_request(command, page, credentials(token));
      };
      auto answer = co_await send_with_token(client_, tokens_, build);
      if (!answer) co_return token_read_back(what, answer.error());
      if (auto failed = failed_read(what, answer.value())) co_return std::move(*failed);
      auto read = read_questions_page(command, answer.value().value().body, since);
      if (!read) {
        co_return platforms::read_back(ReadBack::Kind::undecided,
                                       what + " unreadable: " + read.error());
      }
      if (const auto& token = read.value().match) {
        co_return platforms::read_back(ReadBack::Kind::found, what + same_text,
                                       {{"conversationId", *token}, {"questionToken", *token}});
      }
      if (page == 1) total_pages = read.value().total_pages;
      page = next_page(page, total_pages, read.value());
      if (page <= 1) {
        co_return platforms::read_back(
            ReadBack::Kind::not_found,
            "JustAnswer GET /api/v2/questions: no question of the customer with the same text" +
                window);
      }
    }
    co_return platforms::read_back(ReadBack::Kind::undecided,
                                   "JustAnswer GET /api/v2/questions: the customer has more than " +
                                       std::to_string(kMaxQuestionPages) + " pages of questions");
  }

  // The page to read after `page`; 1 or less when every page was read.
  static unsigned next_page(unsigned page, unsigned total_pages, const QuestionsPage& read) {
    if (total_pages > 0) return page == 1 ? total_pages : page - 1;
    return read.questions >= kQuestionsPageSize ? page + 1 : 0;
  }

  asio::awaitable<Result<upstream::AccessToken, upstream::UpstreamError>> fetch_token() {
    const upstream::HttpRequest request = enrich::justanswer_token_request(api_);
    co_return co_await platforms::fetch_token(client_, request, "JustAnswer POST /connect/token");
  }

  const config::JustAnswerSource::Api api_;
  upstream::HttpClient client_;
  upstream::TokenCache tokens_;
};

}  // namespace

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const asio::any_io_executor& executor, std::string_view source,
    const config::JustAnswerSource::Api& api, const enrich::ApiOptions& options) {
  auto base = api_base_url(source, api.base_url);
  if (!base) return base.error();
  for (const auto& [key, value] :
       {std::pair{"client_id", &api.client_id}, std::pair{"client_secret", &api.client_secret},
        std::pair{"api_key", &api.api_key}}) {
    if (value->empty()) return required_to_send(source, key);
  }
  return std::unique_ptr<commands::PlatformSender>(
      std::make_unique<Sender>(executor, api, base.value(), options));
}

}  // namespace parley::platforms::justanswer
