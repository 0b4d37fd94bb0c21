// The platforms whose answers echo what was asked for: an answer about another question or
// conversation than the one requested (an upstream, proxy or pooled connection out of step)
// fails the fetch instead of being spliced into this event or published under its key.
#include <gtest/gtest.h>

#include <boost/asio/strand.hpp>

#include "parley/platforms/justanswer/api.hpp"
#include "parley/platforms/talkjs/api.hpp"
#include "support/fake_upstream.hpp"

namespace parley::enrich {
namespace {

namespace asio = boost::asio;
using testing::FakeUpstream;
using testing::ok;

/// Runs one fetch of `api` on `io` to its end.
Result<FetchedConversation, upstream::UpstreamError> fetch_once(asio::io_context& io,
                                                                PlatformApi& api,
                                                                const EventRef& event) {
  std::optional<Result<FetchedConversation, upstream::UpstreamError>> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        result.emplace(co_await api.fetch(event));
        io.stop();  // the fake upstream would keep the loop busy
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(result.has_value()) << "the fetch never completed";
  if (!result) return upstream::UpstreamError{.message = "never completed"};
  return std::move(*result);
}

TEST(FetchEcho, AJustAnswerAnswerAboutAnotherQuestionIsRefused) {
  asio::io_context io;
  FakeUpstream upstream(io, [](const auto& request) {
    if (request.target() == "/connect/token") {
      return std::optional(ok(R"({"access_token":"t","expires_in":3600})"));
    }
    return std::optional(ok(
        R"({"status":true,"message":"","data":{"question":{"token":"q-other","text":"Help"}}})"));
  });
  const config::JustAnswerSource::Api settings{
      .base_url = "http://127.0.0.1:" + std::to_string(upstream.port()),
      .client_id = "c",
      .client_secret = "s",
      .api_key = "k"};
  auto api = make_justanswer_api(io.get_executor(), "justanswer", settings, {});
  ASSERT_TRUE(api) << api.error();
  const EventRef event{.platform = "justanswer", .conversation_id = "q1", .customer_id = "u1"};
  const auto fetched = fetch_once(io, *api.value(), event);
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().message,
            "JustAnswer GET /api/v2/questions: the answer is about question 'q-other', not the one "
            "asked for");
  EXPECT_EQ(upstream.targets.back(), "/api/v2/questions/q1");
}

TEST(FetchEcho, ATalkJsAnswerAboutAnotherConversationIsRefused) {
  asio::io_context io;
  FakeUpstream upstream(io, [](const auto& request) {
    if (request.target().ends_with("/messages?limit=100"))
      return std::optional(ok(R"({"data":[]})"));
    return std::optional(ok(R"({"id":"c-other","participants":{}})"));
  });
  const config::TalkJsSource::Api settings{
      .base_url = "http://127.0.0.1:" + std::to_string(upstream.port()),
      .app_id = "app",
      .secret_key = "sk"};
  auto api = make_talkjs_api(io.get_executor(), "talkjs", settings, {});
  ASSERT_TRUE(api) << api.error();
  const EventRef event{.platform = "talkjs", .conversation_id = "c1"};
  const auto fetched = fetch_once(io, *api.value(), event);
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().message,
            "TalkJS GET conversation: the answer is about conversation 'c-other', not the one "
            "asked for");
}

}  // namespace
}  // namespace parley::enrich
