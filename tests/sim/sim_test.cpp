// parley-sim, the real binary: the simulated JustAnswer, CAO, TalkJS and Directly APIs,
// their faults and control routes, and the `send` subcommand against a recording server.
#include <gtest/gtest.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "parley/sources/crypto.hpp"
#include "support/http_client.hpp"
#include "support/sim_process.hpp"

namespace parley::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

constexpr std::string_view kQuestion = "e5e06b61d720437a8cd09c67b574e5e8";  // send's default
constexpr std::string_view kVisit = "12617187";                             // send's default
constexpr std::string_view kConversation = "order_391_fc";                  // send's default
const std::string kQuestionPath = "/api/v2/questions/";
const std::string kTranscriptPath = "/api/v1.0/AsyncConversation/GetTranscript/";
const std::string kTalkJsPath = "/v1/devapp/conversations/";

// --- requests ---

HttpAnswer get(const SimProcess& sim, const std::string& target, const Headers& headers) {
  HttpClient client(sim.port());
  return client.request(bhttp::verb::get, target, {}, headers);
}

HttpAnswer post(const SimProcess& sim, const std::string& target, const std::string& body) {
  HttpClient client(sim.port());
  return client.post(target, body);
}

HttpAnswer request_token(const SimProcess& sim, const std::string& form) {
  HttpClient client(sim.port());
  return client.request(bhttp::verb::post, "/connect/token", form,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::string issue_token(const SimProcess& sim) {
  const auto answer = request_token(sim, "client_id=dev-ja-client&client_secret=dev-ja-secret");
  if (answer.status != 200) throw std::runtime_error("token refused: " + answer.body);
  simdjson::dom::parser parser;
  return std::string(std::string_view(parser.parse(answer.body)["access_token"]));
}

Headers ja_headers(const std::string& token) {
  return {{"Authorization", "Bearer " + token},
          {"X-Api-Key", "dev-ja-api-key"},
          {"UserIdToken", "abcde12345"}};
}

const Headers kCaoHeaders = {{"Authorization", "Basic dev-cao-key"}, {"Accept", "version=2;"}};
const Headers kTalkJsHeaders = {{"Authorization", "Bearer dev-talkjs-secret"}};

HttpAnswer get_question(const SimProcess& sim, const std::string& token,
                        std::string_view question = kQuestion) {
  return get(sim, kQuestionPath + std::string(question), ja_headers(token));
}

HttpAnswer get_transcript(const SimProcess& sim, std::string_view visit = kVisit) {
  return get(sim, kTranscriptPath + std::string(visit), kCaoHeaders);
}

HttpAnswer get_talkjs(const SimProcess& sim, const std::string& suffix = {},
                      std::string_view conversation = kConversation) {
  return get(sim, kTalkJsPath + std::string(conversation) + suffix, kTalkJsHeaders);
}

std::string set_fault(const SimProcess& sim, const std::string& body) {
  const auto answer = post(sim, "/_sim/faults", body);
  EXPECT_EQ(answer.status, 200u) << answer.body;
  return answer.body;
}

// --- JSON ---

std::string_view text(simdjson::dom::element element) {
  return std::string_view(element);
}

std::int64_t integer(simdjson::dom::element element) {
  return std::int64_t(element);
}

bool is_digits(std::string_view value) {
  return !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
}

// "2024-02-02 12:12:25"
bool is_justanswer_date(std::string_view value) {
  if (value.size() != 19) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char expected = i == 4 || i == 7 ? '-' : i == 10 ? ' ' : i == 13 || i == 16 ? ':' : '0';
    if (expected == '0' ? (value[i] < '0' || value[i] > '9') : value[i] != expected) return false;
  }
  return true;
}

std::uint64_t stat(const std::string& stats, std::string_view group, std::string_view key) {
  simdjson::dom::parser parser;
  std::uint64_t count = 0;
  if (parser.parse(stats)[group][key].get(count) != simdjson::SUCCESS) return 0;
  return count;
}

// --- JustAnswer ---

TEST(SimJustAnswer, TokenFlowIssuesBearerTokensOnlyToTheKnownClient) {
  SimProcess sim;
  const auto issued = request_token(sim, "client_id=dev-ja-client&client_secret=dev-ja-secret");
  ASSERT_EQ(issued.status, 200u) << issued.body;
  EXPECT_EQ(issued.headers[bhttp::field::content_type], "application/json");
  simdjson::dom::parser parser;
  const auto token = parser.parse(issued.body);
  EXPECT_TRUE(text(token["access_token"]).starts_with("sim-ja-"));
  EXPECT_EQ(integer(token["expires_in"]), 86400);
  EXPECT_EQ(text(token["token_type"]), "Bearer");
  EXPECT_EQ(text(token["scope"]), "externalApi.client");
  EXPECT_NE(issue_token(sim), issue_token(sim));

  const auto wrong = request_token(sim, "client_id=dev-ja-client&client_secret=nope");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_NE(wrong.body.find("client_secret"), std::string::npos) << wrong.body;
  const auto missing = request_token(sim, "client_id=dev-ja-client");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_NE(missing.body.find("client_secret: missing"), std::string::npos) << missing.body;
  HttpClient json_client(sim.port());
  const auto json_form = json_client.post("/connect/token", R"({"client_id":"dev-ja-client"})");
  EXPECT_EQ(json_form.status, 400u);
  EXPECT_NE(json_form.body.find("Content-Type"), std::string::npos) << json_form.body;
}

TEST(SimJustAnswer, QuestionNeedsValidBearerApiKeyAndUserIdToken) {
  SimProcess sim;
  const auto token = issue_token(sim);
  const auto path = kQuestionPath + std::string(kQuestion);

  const auto no_bearer = get(sim, path, {{"X-Api-Key", "dev-ja-api-key"}, {"UserIdToken", "u"}});
  EXPECT_EQ(no_bearer.status, 401u);
  EXPECT_NE(no_bearer.body.find("Authorization"), std::string::npos) << no_bearer.body;
  EXPECT_EQ(get_question(sim, "sim-ja-999").status, 401u);

  auto headers = ja_headers(token);
  headers[1].second = "wrong-key";
  const auto bad_key = get(sim, path, headers);
  EXPECT_EQ(bad_key.status, 401u);
  EXPECT_NE(bad_key.body.find("X-Api-Key"), std::string::npos) << bad_key.body;

  headers = ja_headers(token);
  headers.pop_back();
  const auto no_user = get(sim, path, headers);
  EXPECT_EQ(no_user.status, 400u);
  EXPECT_NE(no_user.body.find("UserIdToken"), std::string::npos) << no_user.body;

  EXPECT_EQ(get_question(sim, token).status, 200u);
}

TEST(SimJustAnswer, ExpiredTokensAreRefusedUntilANewOneIsFetched) {
  SimProcess sim;
  const auto token = issue_token(sim);
  ASSERT_EQ(get_question(sim, token).status, 200u);
  ASSERT_EQ(post(sim, "/_sim/justanswer/expire-tokens", "").status, 200u);
  const auto expired = get_question(sim, token);
  EXPECT_EQ(expired.status, 401u);
  EXPECT_NE(expired.headers["WWW-Authenticate"].find("invalid_token"), std::string::npos);
  const auto fresh = issue_token(sim);
  EXPECT_NE(fresh, token);
  EXPECT_EQ(get_question(sim, fresh).status, 200u);
}

TEST(SimJustAnswer, TokenTtlBoundsTheTokenLifetime) {
  SimProcess sim({"--token-ttl-s", "0"});
  const auto issued = request_token(sim, "client_id=dev-ja-client&client_secret=dev-ja-secret");
  simdjson::dom::parser parser;
  const auto token = parser.parse(issued.body);
  EXPECT_EQ(integer(token["expires_in"]), 0);
  EXPECT_EQ(get_question(sim, std::string(text(token["access_token"]))).status, 401u);
}

TEST(SimJustAnswer, QuestionHasTheSeedShape) {
  SimProcess sim;
  const auto answer = get_question(sim, issue_token(sim));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  simdjson::dom::parser parser;
  const auto body = parser.parse(answer.body);
  EXPECT_TRUE(bool(body["status"]));
  EXPECT_EQ(text(body["message"]), "");
  const auto question = body["data"]["question"];
  EXPECT_EQ(text(question["token"]), kQuestion);
  EXPECT_TRUE(question["isClosed"].is_bool());
  EXPECT_FALSE(text(question["text"]).empty());
  EXPECT_TRUE(question["attachments"].is_array());
  EXPECT_TRUE(is_justanswer_date(text(question["postedDate"])));

  const simdjson::dom::array messages = body["data"]["messages"];
  ASSERT_GE(messages.size(), 2u);
  ASSERT_LE(messages.size(), 4u);
  std::size_t number = 0;
  std::string_view expert_token;
  for (const auto message : messages) {
    ++number;
    const bool expert = number % 2 == 1;  // the expert answers first, then they alternate
    EXPECT_EQ(text(message["token"]),
              "!" + std::string(kQuestion) + "_" + std::to_string(number) + "!");
    EXPECT_EQ(text(message["questionToken"]), kQuestion);
    EXPECT_TRUE(is_justanswer_date(text(message["posted"])));
    EXPECT_FALSE(text(message["text"]).empty());
    EXPECT_EQ(bool(message["isExpertMessage"]), expert);
    EXPECT_EQ(bool(message["isMessageCustomerResponse"]), !expert);
    EXPECT_EQ(text(message["type"]), expert ? "ExpertResponse" : "CustomerResponse");
    EXPECT_TRUE(message["isMessageExpertAcceptedAnswer"].is_bool());
    EXPECT_TRUE(message["isMessageExpertProposedAnswer"].is_bool());
    EXPECT_TRUE(message["hasFeedback"].is_bool());
    EXPECT_TRUE(message["attachments"].is_array());
    if (expert) {
      expert_token = text(message["expert"]["token"]);
      EXPECT_EQ(expert_token.size(), 32u);
      EXPECT_FALSE(text(message["expert"]["name"]).empty());
      EXPECT_FALSE(text(message["expert"]["getSmallestPhotoUri"]).empty());
    } else {
      EXPECT_TRUE(message["expert"].is_null());
    }
  }
  EXPECT_EQ(text(question["lastMessage"]["token"]),
            text(messages.at(messages.size() - 1)["token"]));
  const auto expert = body["data"]["experts"].at(0);
  EXPECT_EQ(text(expert["token"]), expert_token);
  for (const auto* field : {"name", "jobDescription", "avatarUrlBig", "avatarUrlSmall"})
    EXPECT_FALSE(text(expert[field]).empty()) << field;
  EXPECT_GE(integer(expert["rating"]), 1);
  EXPECT_GE(integer(expert["totalNumberOfRatings"]), 1);
}

TEST(SimJustAnswer, AddedMessageEvolvesTheQuestion) {
  SimProcess sim;
  const auto token = issue_token(sim);
  simdjson::dom::parser before_parser;
  const auto before = before_parser.parse(get_question(sim, token).body);
  const auto count = simdjson::dom::array(before["data"]["messages"]).size();
  const auto other_before = get_question(sim, token, "another-question").body;

  const auto added = post(sim, "/_sim/justanswer/questions/" + std::string(kQuestion) + "/messages",
                          R"({"text":"Any update on this?","expert":false})");
  ASSERT_EQ(added.status, 200u) << added.body;
  const auto expected_token = "!" + std::string(kQuestion) + "_" + std::to_string(count + 1) + "!";
  EXPECT_NE(added.body.find(expected_token), std::string::npos) << added.body;

  simdjson::dom::parser after_parser;
  const auto after = after_parser.parse(get_question(sim, token).body);
  const simdjson::dom::array messages = after["data"]["messages"];
  ASSERT_EQ(messages.size(), count + 1);
  const auto last = messages.at(count);
  EXPECT_EQ(text(last["token"]), expected_token);
  EXPECT_EQ(text(last["text"]), "Any update on this?");
  EXPECT_FALSE(bool(last["isExpertMessage"]));
  EXPECT_EQ(text(after["data"]["question"]["lastMessage"]["token"]), expected_token);
  EXPECT_EQ(get_question(sim, token, "another-question").body, other_before);

  const auto no_text = post(sim, "/_sim/justanswer/questions/q1/messages", R"({"expert":true})");
  EXPECT_EQ(no_text.status, 400u);
  EXPECT_NE(no_text.body.find("text"), std::string::npos) << no_text.body;
}

TEST(SimUpstream, MessagesAddedToATalkJsConversationOrCaoVisitContinueItsSequence) {
  SimProcess sim;
  simdjson::dom::parser talkjs_before_parser;
  const simdjson::dom::array talkjs_before =
      talkjs_before_parser.parse(get_talkjs(sim, "/messages?limit=100").body)["data"];
  const auto added =
      post(sim, "/_sim/talkjs/conversations/" + std::string(kConversation) + "/messages", "{}");
  ASSERT_EQ(added.status, 200u) << added.body;
  simdjson::dom::parser added_parser;
  const auto added_id = text(added_parser.parse(added.body)["id"]);
  simdjson::dom::parser talkjs_after_parser;
  const simdjson::dom::array talkjs_after =
      talkjs_after_parser.parse(get_talkjs(sim, "/messages?limit=100").body)["data"];
  ASSERT_EQ(talkjs_after.size(), talkjs_before.size() + 1);
  EXPECT_EQ(text(talkjs_after.at(0)["id"]), added_id);  // newest first
  simdjson::dom::parser conversation_parser;
  EXPECT_EQ(text(conversation_parser.parse(get_talkjs(sim).body)["lastMessage"]["id"]), added_id);

  simdjson::dom::parser cao_before_parser;
  const simdjson::dom::array cao_before =
      cao_before_parser.parse(get_transcript(sim).body)["Messages"];
  const auto cao_added = post(sim, "/_sim/cao/visits/" + std::string(kVisit) + "/messages", "{}");
  ASSERT_EQ(cao_added.status, 200u) << cao_added.body;
  simdjson::dom::parser cao_added_parser;
  const auto message_id = text(cao_added_parser.parse(cao_added.body)["MessageId"]);
  simdjson::dom::parser cao_after_parser;
  const simdjson::dom::array cao_after =
      cao_after_parser.parse(get_transcript(sim).body)["Messages"];
  ASSERT_EQ(cao_after.size(), cao_before.size() + 1);
  EXPECT_EQ(text(cao_after.at(cao_before.size())["MessageId"]), message_id);

  EXPECT_EQ(post(sim, "/_sim/cao/visits/1/2/messages", "{}").status, 404u);
  ASSERT_EQ(post(sim, "/_sim/reset", "{}").status, 200u);
  simdjson::dom::parser reset_parser;
  EXPECT_EQ(simdjson::dom::array(reset_parser.parse(get_transcript(sim).body)["Messages"]).size(),
            cao_before.size());
}

// --- CAO ---

TEST(SimCao, TranscriptNeedsTheApiKeyVersionTwoAndANumericVisitId) {
  SimProcess sim;
  const auto path = kTranscriptPath + std::string(kVisit);
  const auto no_key = get(sim, path, {{"Accept", "version=2;"}});
  EXPECT_EQ(no_key.status, 401u);
  EXPECT_NE(no_key.body.find("Authorization"), std::string::npos) << no_key.body;
  EXPECT_EQ(get(sim, path, {{"Authorization", "Basic other"}, {"Accept", "version=2"}}).status,
            401u);

  const auto no_version = get(sim, path, {{"Authorization", "Basic dev-cao-key"}});
  EXPECT_EQ(no_version.status, 406u);
  EXPECT_NE(no_version.body.find("Accept"), std::string::npos) << no_version.body;

  // base64("dev-cao-key:"): real Basic credentials with an empty password.
  EXPECT_EQ(
      get(sim, path, {{"Authorization", "Basic ZGV2LWNhby1rZXk6"}, {"Accept", "version=2"}}).status,
      200u);

  const auto not_a_number = get_transcript(sim, "12ab");
  EXPECT_EQ(not_a_number.status, 400u);
  EXPECT_NE(not_a_number.body.find("VisitId"), std::string::npos) << not_a_number.body;
}

TEST(SimCao, TranscriptHasTheSeedShapeWithMessageIds) {
  SimProcess sim;
  const auto answer = get_transcript(sim);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.headers[bhttp::field::content_type], "application/json");
  simdjson::dom::parser parser;
  const auto body = parser.parse(answer.body);
  const simdjson::dom::array messages = body["Messages"];
  ASSERT_GE(messages.size(), 3u);
  ASSERT_LE(messages.size(), 6u);
  EXPECT_EQ(integer(body["NumMessages"]), static_cast<std::int64_t>(messages.size()));
  EXPECT_GE(integer(body["TotalUnreadConsumerMessages"]), 0);
  EXPECT_EQ(integer(body["VisitId"]), 12617187);
  EXPECT_TRUE(is_digits(text(body["ConsumerId"])));
  EXPECT_FALSE(text(body["SessionId"]).empty());
  EXPECT_EQ(integer(body["Status"]), 0);
  EXPECT_TRUE(body["FailureDescription"].is_null());
  std::size_t index = 0;
  for (const auto message : messages) {
    const bool consumer = index++ % 2 == 0;
    EXPECT_EQ(text(message["SpeakerRole"]), consumer ? "Customer" : "Agent");
    EXPECT_FALSE(text(message["SpeakerName"]).empty());
    EXPECT_FALSE(text(message["Message"]).empty());
    EXPECT_TRUE(message["MediaURL"].is_string());
    EXPECT_TRUE(is_digits(text(message["MessageId"])));
    EXPECT_EQ(is_digits(text(message["ExternalMessageId"])), consumer);
    const auto stamp = text(message["TimeStamp"]);  // "6/15/2024 4:13 PM"
    EXPECT_TRUE(stamp.ends_with(" AM") || stamp.ends_with(" PM")) << stamp;
    EXPECT_NE(stamp.find('/'), std::string_view::npos) << stamp;
    EXPECT_TRUE(integer(message["Status"]) == 1 || integer(message["Status"]) == 2);
  }
}

// --- TalkJS ---

TEST(SimTalkJs, NeedsTheSecretKeyAndTheConfiguredApp) {
  SimProcess sim;
  const auto path = kTalkJsPath + std::string(kConversation);
  EXPECT_EQ(get(sim, path, {}).status, 401u);
  const auto wrong = get(sim, path, {{"Authorization", "Bearer other"}});
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_NE(wrong.body.find("Authorization"), std::string::npos) << wrong.body;
  const auto other_app = get(sim, "/v1/otherapp/conversations/c1", kTalkJsHeaders);
  EXPECT_EQ(other_app.status, 404u);
  EXPECT_NE(other_app.body.find("otherapp"), std::string::npos) << other_app.body;
  EXPECT_EQ(get(sim, "/v1/devapp/users/u1", kTalkJsHeaders).status, 404u);
  const auto bad_limit = get_talkjs(sim, "/messages?limit=0");
  EXPECT_EQ(bad_limit.status, 400u);
  EXPECT_NE(bad_limit.body.find("limit"), std::string::npos) << bad_limit.body;
}

TEST(SimTalkJs, ConversationAndMessagesHaveTheRestShapeNewestFirst) {
  SimProcess sim;
  const auto conversation_answer = get_talkjs(sim);
  ASSERT_EQ(conversation_answer.status, 200u) << conversation_answer.body;
  simdjson::dom::parser conversation_parser;
  const auto conversation = conversation_parser.parse(conversation_answer.body);
  EXPECT_EQ(text(conversation["id"]), kConversation);
  EXPECT_FALSE(text(conversation["subject"]).empty());
  EXPECT_TRUE(conversation["topicId"].is_null());
  EXPECT_TRUE(conversation["photoUrl"].is_string());
  EXPECT_TRUE(conversation["custom"].is_object());
  EXPECT_GT(integer(conversation["createdAt"]), 1'700'000'000'000);
  const simdjson::dom::object participants = conversation["participants"];
  EXPECT_EQ(participants.size(), 2u);
  for (const auto [user, access] : participants) {
    EXPECT_EQ(text(access["access"]), "ReadWrite") << user;
    EXPECT_TRUE(bool(access["notify"]));
  }

  const auto messages_answer = get_talkjs(sim, "/messages");
  ASSERT_EQ(messages_answer.status, 200u) << messages_answer.body;
  simdjson::dom::parser messages_parser;
  const simdjson::dom::array messages = messages_parser.parse(messages_answer.body)["data"];
  ASSERT_GE(messages.size(), 3u);
  ASSERT_LE(messages.size(), 6u);
  std::int64_t newer = std::numeric_limits<std::int64_t>::max();
  for (const auto message : messages) {
    EXPECT_TRUE(text(message["id"]).starts_with("msg_"));
    EXPECT_EQ(text(message["conversationId"]), kConversation);
    EXPECT_TRUE(participants[text(message["senderId"])].is_object());
    EXPECT_FALSE(text(message["text"]).empty());
    EXPECT_EQ(text(message["type"]), "UserMessage");
    EXPECT_EQ(text(message["origin"]), "rest");
    EXPECT_TRUE(message["readBy"].is_array());
    EXPECT_LT(integer(message["createdAt"]), newer);
    newer = integer(message["createdAt"]);
    for (const auto* null_field : {"editedAt", "attachment", "location", "referencedMessageId"})
      EXPECT_TRUE(message[null_field].is_null()) << null_field;
    EXPECT_TRUE(message["custom"].is_object());
  }
  EXPECT_EQ(text(conversation["lastMessage"]["id"]), text(messages.at(0)["id"]));

  simdjson::dom::parser limited_parser;
  const simdjson::dom::array limited =
      limited_parser.parse(get_talkjs(sim, "/messages?limit=1").body)["data"];
  ASSERT_EQ(limited.size(), 1u);
  EXPECT_EQ(text(limited.at(0)["id"]), text(messages.at(0)["id"]));
}

// --- Directly ---

constexpr std::string_view kDirectlyQuestion = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
constexpr std::string_view kOtherDirectlyQuestion = "00000000-0000-4000-8000-000000000042";
const std::string kDirectlyQuestionPath = "/questions/";
const std::string kDirectlyControlPath = "/_sim/directly/questions/";
const std::string kDirectlyForm =
    "grant_type=client_credentials&client_id=dev-directly-client&client_secret=dev-directly-secret";

HttpAnswer request_directly_token(const SimProcess& sim, const std::string& form) {
  HttpClient client(sim.port());
  return client.request(bhttp::verb::post, "/oauth/token", form,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::string issue_directly_token(const SimProcess& sim) {
  const auto answer = request_directly_token(sim, kDirectlyForm);
  if (answer.status != 200) throw std::runtime_error("token refused: " + answer.body);
  simdjson::dom::parser parser;
  return std::string(std::string_view(parser.parse(answer.body)["access_token"]));
}

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

HttpAnswer poll_question(const SimProcess& sim, const std::string& token,
                         std::string_view question = kDirectlyQuestion,
                         const std::string& query = {}) {
  return get(sim, kDirectlyQuestionPath + std::string(question) + query, bearer(token));
}

HttpAnswer logout(const SimProcess& sim, const std::string& token) {
  HttpClient client(sim.port());
  return client.request(bhttp::verb::post, "/oauth/logout", {}, bearer(token));
}

HttpAnswer change_question(const SimProcess& sim, std::string_view action,
                           const std::string& body = {},
                           std::string_view question = kDirectlyQuestion) {
  return post(sim, kDirectlyControlPath + std::string(question) + "/" + std::string(action), body);
}

// GET /_sim/directly/questions/{uuid}: the question JSON; fails the test unless 200.
std::string control_question(const SimProcess& sim, std::string_view question = kDirectlyQuestion) {
  const auto answer = get(sim, kDirectlyControlPath + std::string(question), {});
  EXPECT_EQ(answer.status, 200u) << answer.body;
  return answer.body;
}

// "2026-11-21T10:00:00.123Z"
bool is_directly_time(std::string_view value) {
  constexpr std::string_view kShape = "0000-00-00T00:00:00.000Z";
  if (value.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (kShape[i] == '0' ? (value[i] < '0' || value[i] > '9') : value[i] != kShape[i]) return false;
  }
  return true;
}

// 8-4-4-4-12 lowercase hex.
bool is_uuid(std::string_view value) {
  if (value.size() != 36) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const bool hex = (value[i] >= '0' && value[i] <= '9') || (value[i] >= 'a' && value[i] <= 'f');
    if (dash ? value[i] != '-' : !hex) return false;
  }
  return true;
}

// A Directly error: the envelope with data null and a message containing `mention`.
void expect_directly_error(const HttpAnswer& answer, unsigned status, std::string_view mention) {
  EXPECT_EQ(answer.status, status) << answer.body;
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  ASSERT_EQ(parser.parse(answer.body).get(body), simdjson::SUCCESS) << answer.body;
  EXPECT_EQ(text(body["meta"]["version"]), "v1") << answer.body;
  EXPECT_TRUE(body["data"].is_null()) << answer.body;
  EXPECT_NE(text(body["error"]["message"]).find(mention), std::string_view::npos) << answer.body;
}

// An OAuth error: {"error":"<code>","error_description":"... <mention> ..."}.
void expect_oauth_error(const HttpAnswer& answer, unsigned status, std::string_view code,
                        std::string_view mention) {
  EXPECT_EQ(answer.status, status) << answer.body;
  simdjson::dom::parser parser;
  const auto body = parser.parse(answer.body);
  EXPECT_EQ(text(body["error"]), code) << answer.body;
  EXPECT_NE(text(body["error_description"]).find(mention), std::string_view::npos) << answer.body;
}

// The system message types of a question (a parsed element or result), in order.
template <class Json>
std::vector<std::string> system_types(const Json& question) {
  std::vector<std::string> types;
  for (const auto message : simdjson::dom::array(question["conversation"]["messages"]))
    types.emplace_back(text(message["type"]));
  return types;
}

TEST(SimDirectly, TokenFlowIssuesDistinctTokensOnlyForClientCredentialsOfTheKnownClient) {
  SimProcess sim;
  const auto issued = request_directly_token(sim, kDirectlyForm);
  ASSERT_EQ(issued.status, 200u) << issued.body;
  EXPECT_EQ(issued.headers[bhttp::field::content_type], "application/json");
  simdjson::dom::parser parser;
  const auto token = parser.parse(issued.body);
  EXPECT_TRUE(text(token["access_token"]).starts_with("sim-directly-"));
  EXPECT_EQ(text(token["token_type"]), "bearer");
  EXPECT_EQ(integer(token["expires_in"]), 86400);
  EXPECT_EQ(simdjson::dom::object(token).size(), 3u);
  EXPECT_NE(issue_directly_token(sim), issue_directly_token(sim));

  // JustAnswer's tokens are not Directly's, and the other way round.
  const auto ja_token = issue_token(sim);
  EXPECT_EQ(poll_question(sim, ja_token).status, 401u);
  EXPECT_EQ(get_question(sim, issue_directly_token(sim)).status, 401u);

  expect_oauth_error(request_directly_token(sim,
                                            "grant_type=client_credentials&client_id=dev-directly-"
                                            "client&client_secret=nope"),
                     401, "invalid_client", "client_secret");
  expect_oauth_error(request_directly_token(sim,
                                            "grant_type=client_credentials&client_id=dev-ja-"
                                            "client&client_secret=dev-ja-secret"),
                     401, "invalid_client", "client_id");
  expect_oauth_error(request_directly_token(sim,
                                            "grant_type=password&client_id=dev-directly-client&"
                                            "client_secret=dev-directly-secret"),
                     400, "unsupported_grant_type", "grant_type");
  expect_oauth_error(request_directly_token(
                         sim, "client_id=dev-directly-client&client_secret=dev-directly-secret"),
                     400, "invalid_request", "grant_type");
  expect_oauth_error(
      request_directly_token(sim, "grant_type=client_credentials&client_id=dev-directly-client"),
      400, "invalid_request", "client_secret");
  expect_oauth_error(request_directly_token(sim, "grant_type=client_credentials&client_secret=x"),
                     400, "invalid_request", "client_id");
  HttpClient json_client(sim.port());
  expect_oauth_error(json_client.post("/oauth/token", R"({"grant_type":"client_credentials"})"),
                     400, "invalid_request", "Content-Type");
}

TEST(SimDirectly, CredentialFlagsAndTokenTtlApply) {
  SimProcess sim(
      {"--directly-client-id", "c1", "--directly-client-secret", "s1", "--token-ttl-s", "0"});
  EXPECT_EQ(request_directly_token(sim, kDirectlyForm).status, 401u);
  const auto issued =
      request_directly_token(sim, "grant_type=client_credentials&client_id=c1&client_secret=s1");
  ASSERT_EQ(issued.status, 200u) << issued.body;
  simdjson::dom::parser parser;
  const auto token = parser.parse(issued.body);
  EXPECT_EQ(integer(token["expires_in"]), 0);
  expect_directly_error(poll_question(sim, std::string(text(token["access_token"]))), 401,
                        "Authorization");
}

TEST(SimDirectly, PollsNeedAValidBearerTokenAndLogoutRevokesIt) {
  SimProcess sim;
  const auto path = kDirectlyQuestionPath + std::string(kDirectlyQuestion);
  expect_directly_error(get(sim, path, {}), 401, "Authorization");
  expect_directly_error(get(sim, path, {{"Authorization", "Basic abc"}}), 401, "Authorization");
  expect_directly_error(poll_question(sim, "sim-directly-999"), 401, "Authorization");

  const auto token = issue_directly_token(sim);
  const auto other = issue_directly_token(sim);
  ASSERT_EQ(poll_question(sim, token).status, 200u);
  const auto out = logout(sim, token);
  EXPECT_EQ(out.status, 200u);
  EXPECT_EQ(out.body, R"({"meta":{"version":"v1"},"data":{"loggedOut":true}})");
  expect_directly_error(poll_question(sim, token), 401, "Authorization");
  expect_directly_error(logout(sim, token), 401, "Authorization");
  HttpClient client(sim.port());
  expect_directly_error(client.request(bhttp::verb::post, "/oauth/logout", {}, {}), 401,
                        "Authorization");
  EXPECT_EQ(poll_question(sim, other).status, 200u);  // only the logged-out token is revoked

  const auto stats = sim.stats();
  EXPECT_EQ(stat(stats, "calls", "directly.logout"), 3u) << stats;
  simdjson::dom::parser parser;
  EXPECT_EQ(integer(parser.parse(stats)["directly"]["logouts"]), 1) << stats;
}

TEST(SimDirectly, NewQuestionHasTheContractShapeDerivedFromItsUuid) {
  SimProcess sim;
  const auto token = issue_directly_token(sim);
  const auto answer = poll_question(sim, token);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.headers[bhttp::field::content_type], "application/json");
  simdjson::dom::parser parser;
  const auto body = parser.parse(answer.body);
  EXPECT_EQ(simdjson::dom::object(body).size(), 2u);
  EXPECT_EQ(text(body["meta"]["version"]), "v1");
  const auto question = body["data"];
  EXPECT_EQ(text(question["uuid"]), kDirectlyQuestion);
  EXPECT_TRUE(is_directly_time(text(question["createdAt"]))) << text(question["createdAt"]);
  EXPECT_EQ(text(question["updatedAt"]), text(question["createdAt"]));
  EXPECT_EQ(text(question["language"]), "en");
  const auto conversation = question["conversation"];
  EXPECT_FALSE(text(conversation["text"]).empty());
  EXPECT_TRUE(is_uuid(text(conversation["author"]["uuid"])));
  EXPECT_FALSE(text(conversation["author"]["name"]).empty());
  const simdjson::dom::array messages = conversation["messages"];
  ASSERT_EQ(messages.size(), 1u);
  const auto notifying = messages.at(0);
  EXPECT_TRUE(is_uuid(text(notifying["uuid"])));
  EXPECT_EQ(text(notifying["type"]), "NOTIFYING_EXPERTS_SYSTEM_MESSAGE");
  EXPECT_EQ(simdjson::dom::object(notifying["author"]).size(), 1u);
  EXPECT_EQ(text(notifying["author"]["name"]), "System");
  EXPECT_FALSE(text(notifying["body"]).empty());
  EXPECT_EQ(text(notifying["bodyHtml"]), "<p>" + std::string(text(notifying["body"])) + "</p>");
  EXPECT_EQ(text(notifying["createdAt"]), text(question["createdAt"]));
  EXPECT_EQ(simdjson::dom::array(conversation["responses"]).size(), 0u);
  EXPECT_EQ(integer(conversation["unreadMessageCount"]), 0);
  const auto state = question["state"];
  EXPECT_EQ(text(state["status"]), "UNRESOLVED");
  EXPECT_FALSE(bool(state["isAnswered"]));
  EXPECT_FALSE(bool(state["isClosed"]));
  EXPECT_FALSE(bool(state["rerouteStatus"]["isRerouted"]));
  EXPECT_EQ(control_question(sim), simdjson::minify(question));

  // The same uuid (in either case) is the same question; the same uuid in another
  // simulator has the same content and ids; another uuid has other ids.
  EXPECT_EQ(poll_question(sim, token, "3F2504E0-4F89-41D3-9A0C-0305E82C3301").body, answer.body);
  SimProcess second;
  simdjson::dom::parser second_parser;
  const auto again = second_parser.parse(poll_question(second, issue_directly_token(second)).body);
  const auto same = again["data"]["conversation"];
  EXPECT_EQ(text(same["text"]), text(conversation["text"]));
  EXPECT_EQ(text(same["author"]["uuid"]), text(conversation["author"]["uuid"]));
  EXPECT_EQ(text(same["author"]["name"]), text(conversation["author"]["name"]));
  EXPECT_EQ(text(same["messages"].at(0)["uuid"]), text(notifying["uuid"]));
  simdjson::dom::parser other_parser;
  const auto other = other_parser.parse(poll_question(sim, token, kOtherDirectlyQuestion).body);
  EXPECT_NE(text(other["data"]["conversation"]["author"]["uuid"]),
            text(conversation["author"]["uuid"]));
}

TEST(SimDirectly, LastCheckedAnswers304UntilTheQuestionChanges) {
  SimProcess sim;
  const auto token = issue_directly_token(sim);
  simdjson::dom::parser first_parser;
  const auto first = first_parser.parse(poll_question(sim, token).body)["data"];
  const std::string updated(text(first["updatedAt"]));

  const auto unchanged = poll_question(sim, token, kDirectlyQuestion, "?lastChecked=" + updated);
  EXPECT_EQ(unchanged.status, 304u);
  EXPECT_TRUE(unchanged.body.empty()) << unchanged.body;
  EXPECT_EQ(
      poll_question(sim, token, kDirectlyQuestion, "?lastChecked=2099-01-01T00%3A00%3A00Z").status,
      304u);
  EXPECT_EQ(
      poll_question(sim, token, kDirectlyQuestion, "?lastChecked=2020-01-01T00:00:00.999Z").status,
      200u);
  // Whole seconds: before updatedAt unless it fell on a whole second.
  const auto whole_second = updated.substr(0, 19) + "Z";
  EXPECT_EQ(poll_question(sim, token, kDirectlyQuestion, "?lastChecked=" + whole_second).status,
            updated.substr(19, 4) == ".000" ? 304u : 200u);

  const auto responded =
      change_question(sim, "respond", R"({"expert":"Ada Byron","body":"Try X."})");
  ASSERT_EQ(responded.status, 200u) << responded.body;
  simdjson::dom::parser responded_parser;
  const auto ids = responded_parser.parse(responded.body);
  EXPECT_TRUE(bool(ids["ok"]));
  EXPECT_TRUE(is_uuid(text(ids["response"])));
  EXPECT_TRUE(is_uuid(text(ids["message"])));

  const auto changed = poll_question(sim, token, kDirectlyQuestion, "?lastChecked=" + updated);
  ASSERT_EQ(changed.status, 200u) << changed.body;
  simdjson::dom::parser parser;
  const auto question = parser.parse(changed.body)["data"];
  EXPECT_GT(text(question["updatedAt"]), updated);
  EXPECT_EQ(text(question["createdAt"]), text(first["createdAt"]));
  EXPECT_TRUE(system_types(question).empty());  // NOTIFYING_EXPERTS_SYSTEM_MESSAGE removed
  EXPECT_TRUE(bool(question["state"]["isAnswered"]));
  EXPECT_EQ(text(question["state"]["status"]), "UNRESOLVED");
  const simdjson::dom::array responses = question["conversation"]["responses"];
  ASSERT_EQ(responses.size(), 1u);
  const auto response = responses.at(0);
  EXPECT_EQ(text(response["uuid"]), text(ids["response"]));
  EXPECT_EQ(text(response["author"]["name"]), "Ada Byron");
  EXPECT_TRUE(is_uuid(text(response["author"]["uuid"])));
  EXPECT_FALSE(bool(response["isAccepted"]));
  EXPECT_EQ(text(response["createdAt"]), text(question["updatedAt"]));
  const simdjson::dom::array messages = response["messages"];
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(text(messages.at(0)["uuid"]), text(ids["message"]));
  EXPECT_EQ(text(messages.at(0)["author"]["uuid"]), text(response["author"]["uuid"]));
  EXPECT_EQ(text(messages.at(0)["author"]["name"]), "Ada Byron");
  EXPECT_EQ(text(messages.at(0)["body"]), "Try X.");
  EXPECT_EQ(text(messages.at(0)["bodyHtml"]), "<p>Try X.</p>");
  EXPECT_TRUE(messages.at(0)["type"].error() == simdjson::NO_SUCH_FIELD);

  const std::string now_updated(text(question["updatedAt"]));
  EXPECT_EQ(poll_question(sim, token, kDirectlyQuestion, "?lastChecked=" + now_updated).status,
            304u);
}

TEST(SimDirectly, BadUuidOrLastCheckedIs400NamingTheParameter) {
  SimProcess sim;
  const auto token = issue_directly_token(sim);
  for (const std::string uuid :
       {"not-a-uuid", "3f2504e0-4f89-41d3-9a0c-0305e82c330",
        "3f2504e0-4f89-41d3-9a0c-0305e82c33011", "3f2504e04f8941d39a0c0305e82c3301xxxx",
        "3f2504e0-4f89-41d3-9a0c-0305e82c330g", "12345"}) {
    expect_directly_error(poll_question(sim, token, uuid), 400, "uuid");
  }
  // Authentication comes first.
  expect_directly_error(get(sim, kDirectlyQuestionPath + "12345", {}), 401, "Authorization");
  for (const std::string last_checked :
       {"", "yesterday", "2026-11-21", "2026-11-21%2010:00:00Z", "2026-11-21T10:00:00",
        "2026-11-21T10:00:00%2B01:00", "2026-02-30T10:00:00Z", "2026-11-21T24:00:00Z",
        "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00.1234567890Z", "1732183200"}) {
    expect_directly_error(
        poll_question(sim, token, kDirectlyQuestion, "?lastChecked=" + last_checked), 400,
        "lastChecked");
  }
  for (const std::string last_checked :
       {"2026-11-21T10:00:00Z", "2026-11-21T10:00:00.123Z", "2026-11-21T10:00:00.1Z",
        "2026-11-21T10:00:00.123456789Z"}) {
    const auto status =
        poll_question(sim, token, kDirectlyQuestion, "?lastChecked=" + last_checked).status;
    EXPECT_TRUE(status == 200u || status == 304u) << last_checked << " -> " << status;
  }
}

TEST(SimDirectly, ControlChangesHaveTheirShapesAndConflicts) {
  SimProcess sim;
  // Without a response there is nothing to add a message to or to accept.
  EXPECT_EQ(change_question(sim, "message", R"({"from":"user","body":"hi"})").status, 409u);
  const auto accept_early = change_question(sim, "accept");
  EXPECT_EQ(accept_early.status, 409u);
  EXPECT_NE(accept_early.body.find("response"), std::string::npos) << accept_early.body;

  ASSERT_EQ(change_question(sim, "respond").status, 200u);
  const auto user = change_question(sim, "message", R"({"from":"user","body":"Thanks!"})");
  ASSERT_EQ(user.status, 200u) << user.body;
  const auto expert = change_question(sim, "message", R"({"from":"expert"})");
  ASSERT_EQ(expert.status, 200u) << expert.body;
  simdjson::dom::parser ids_parser;
  EXPECT_EQ(simdjson::dom::object(ids_parser.parse(expert.body)).size(), 2u);  // ok, message
  for (const auto& [body, field] :
       std::vector<std::pair<std::string, std::string>>{{R"({"from":"bot","body":"x"})", "from"},
                                                        {R"({"body":"x"})", "from"},
                                                        {R"({"from":"user","body":7})", "body"},
                                                        {R"({"from":"user","body":""})", "body"},
                                                        {"not json", "JSON"}}) {
    const auto refused = change_question(sim, "message", body);
    EXPECT_EQ(refused.status, 400u) << body;
    EXPECT_NE(refused.body.find(field), std::string::npos) << body << " -> " << refused.body;
  }
  const auto bad_expert = change_question(sim, "respond", R"({"expert":5})");
  EXPECT_EQ(bad_expert.status, 400u);
  EXPECT_NE(bad_expert.body.find("expert"), std::string::npos) << bad_expert.body;

  simdjson::dom::parser answered_parser;
  const auto answered = answered_parser.parse(control_question(sim));
  const auto author = answered["conversation"]["author"];
  const auto response = answered["conversation"]["responses"].at(0);
  const simdjson::dom::array messages = response["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(text(messages.at(1)["author"]["uuid"]), text(author["uuid"]));
  EXPECT_EQ(text(messages.at(1)["author"]["name"]), text(author["name"]));
  EXPECT_EQ(text(messages.at(1)["body"]), "Thanks!");
  EXPECT_EQ(text(messages.at(1)["uuid"]), text(ids_parser.parse(user.body)["message"]));
  EXPECT_EQ(text(messages.at(2)["author"]["uuid"]), text(response["author"]["uuid"]));
  EXPECT_FALSE(text(messages.at(2)["body"]).empty());
  std::string_view previous;
  for (const auto message : messages) {  // every change moves time forward
    EXPECT_GT(text(message["createdAt"]), previous);
    previous = text(message["createdAt"]);
  }

  ASSERT_EQ(change_question(sim, "reroute").status, 200u);
  simdjson::dom::parser rerouted_parser;
  const auto rerouted = rerouted_parser.parse(control_question(sim));
  EXPECT_TRUE(bool(rerouted["state"]["rerouteStatus"]["isRerouted"]));
  EXPECT_EQ(text(rerouted["state"]["status"]), "UNRESOLVED");
  EXPECT_EQ(system_types(rerouted), std::vector<std::string>{"QUESTION_REROUTED_SYSTEM_MESSAGE"});
  EXPECT_EQ(change_question(sim, "reroute").status, 409u);

  const auto accepted_answer = change_question(sim, "accept");
  ASSERT_EQ(accepted_answer.status, 200u);
  EXPECT_EQ(accepted_answer.body, R"({"ok":true})");
  simdjson::dom::parser accepted_parser;
  const auto accepted = accepted_parser.parse(control_question(sim));
  EXPECT_TRUE(bool(accepted["conversation"]["responses"].at(0)["isAccepted"]));
  EXPECT_EQ(text(accepted["state"]["status"]), "RESOLVED");
  EXPECT_FALSE(bool(accepted["state"]["isClosed"]));
  EXPECT_EQ(system_types(accepted), (std::vector<std::string>{"QUESTION_REROUTED_SYSTEM_MESSAGE",
                                                              "ACCEPTED_RESPONSE_SYSTEM_MESSAGE"}));
  EXPECT_EQ(change_question(sim, "accept").status, 409u);
  const auto expire_answered = change_question(sim, "expire");
  EXPECT_EQ(expire_answered.status, 409u);
  EXPECT_NE(expire_answered.body.find("responses"), std::string::npos) << expire_answered.body;

  ASSERT_EQ(change_question(sim, "close").status, 200u);
  simdjson::dom::parser closed_parser;
  const auto closed = closed_parser.parse(control_question(sim));
  EXPECT_EQ(text(closed["state"]["status"]), "CLOSED");
  EXPECT_TRUE(bool(closed["state"]["isClosed"]));
  EXPECT_EQ(system_types(closed).back(), "QUESTION_CLOSED_SYSTEM_MESSAGE");
  for (const auto* action : {"respond", "message", "accept", "close", "expire", "reroute"}) {
    const auto refused = change_question(sim, action, R"({"from":"user"})");
    EXPECT_EQ(refused.status, 409u) << action;
    EXPECT_NE(refused.body.find("closed"), std::string::npos) << action << " -> " << refused.body;
  }

  // Only an unanswered question expires.
  ASSERT_EQ(change_question(sim, "expire", {}, kOtherDirectlyQuestion).status, 200u);
  simdjson::dom::parser expired_parser;
  const auto expired = expired_parser.parse(control_question(sim, kOtherDirectlyQuestion));
  EXPECT_EQ(text(expired["state"]["status"]), "EXPIRED");
  EXPECT_TRUE(bool(expired["state"]["isClosed"]));
  EXPECT_FALSE(bool(expired["state"]["isAnswered"]));
  EXPECT_EQ(system_types(expired), (std::vector<std::string>{"NOTIFYING_EXPERTS_SYSTEM_MESSAGE",
                                                             "QUESTION_EXPIRED_SYSTEM_MESSAGE"}));
  EXPECT_EQ(change_question(sim, "respond", {}, kOtherDirectlyQuestion).status, 409u);

  EXPECT_EQ(get(sim, kDirectlyControlPath + "00000000-0000-4000-8000-00000000dead", {}).status,
            404u);
  const auto bad_uuid = change_question(sim, "respond", {}, "nope");
  EXPECT_EQ(bad_uuid.status, 400u);
  EXPECT_NE(bad_uuid.body.find("uuid"), std::string::npos) << bad_uuid.body;
  EXPECT_EQ(change_question(sim, "dance").status, 404u);
}

TEST(SimDirectly, SameChangesGiveTheSameIds) {
  auto ids_after_changes = [] {
    SimProcess sim;
    std::string ids;
    for (const auto* action : {"respond", "message", "accept", "close"})
      ids += change_question(sim, action, R"({"from":"expert"})").body;
    simdjson::dom::parser parser;
    const auto question = parser.parse(control_question(sim));
    for (const auto message : simdjson::dom::array(question["conversation"]["messages"]))
      ids += text(message["uuid"]);
    ids += text(question["conversation"]["responses"].at(0)["author"]["uuid"]);
    return ids;
  };
  EXPECT_EQ(ids_after_changes(), ids_after_changes());
}

TEST(SimDirectly, PlayEvolvesTheQuestionOnATimerUntilClosed) {
  SimProcess sim;
  const auto started = change_question(sim, "play", R"({"step_ms":20})");
  ASSERT_EQ(started.status, 200u) << started.body;
  EXPECT_EQ(started.body, R"({"ok":true,"steps":5})");

  std::string final_state;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    final_state = control_question(sim);
    if (final_state.find(R"("status":"CLOSED")") != std::string::npos) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << final_state;
    std::this_thread::sleep_for(10ms);
  }
  simdjson::dom::parser parser;
  const auto question = parser.parse(final_state);
  EXPECT_TRUE(bool(question["state"]["isClosed"]));
  EXPECT_TRUE(bool(question["state"]["isAnswered"]));
  EXPECT_EQ(system_types(question), (std::vector<std::string>{"ACCEPTED_RESPONSE_SYSTEM_MESSAGE",
                                                              "QUESTION_CLOSED_SYSTEM_MESSAGE"}));
  const simdjson::dom::array responses = question["conversation"]["responses"];
  ASSERT_EQ(responses.size(), 1u);
  const auto response = responses.at(0);
  EXPECT_TRUE(bool(response["isAccepted"]));
  const simdjson::dom::array messages = response["messages"];
  ASSERT_EQ(messages.size(), 3u);  // the expert's answer, the user's reply, the expert's
  const auto expert = text(response["author"]["uuid"]);
  const auto user = text(question["conversation"]["author"]["uuid"]);
  EXPECT_EQ(text(messages.at(0)["author"]["uuid"]), expert);
  EXPECT_EQ(text(messages.at(1)["author"]["uuid"]), user);
  EXPECT_EQ(text(messages.at(2)["author"]["uuid"]), expert);

  EXPECT_EQ(change_question(sim, "play").status, 409u);  // closed
  for (const auto* body : {R"({"step_ms":5})", R"({"step_ms":60001})", R"({"step_ms":"1"})"}) {
    const auto refused = change_question(sim, "play", body, kOtherDirectlyQuestion);
    EXPECT_EQ(refused.status, 400u) << body;
    EXPECT_NE(refused.body.find("step_ms"), std::string::npos) << refused.body;
  }
}

TEST(SimDirectly, ResetStopsARunningPlay) {
  SimProcess sim;
  ASSERT_EQ(change_question(sim, "play", R"({"step_ms":200})").status, 200u);
  ASSERT_EQ(post(sim, "/_sim/reset", "").status, 200u);
  std::this_thread::sleep_for(600ms);  // three steps' time: none may apply after the reset
  EXPECT_EQ(get(sim, kDirectlyControlPath + std::string(kDirectlyQuestion), {}).status, 404u);
}

TEST(SimDirectly, StatsCountPollsPerStatusAndPollersPerQuestion) {
  SimProcess sim;
  const auto first = issue_directly_token(sim);
  const auto second = issue_directly_token(sim);
  ASSERT_EQ(poll_question(sim, second).status, 200u);
  ASSERT_EQ(poll_question(sim, first).status, 200u);
  ASSERT_EQ(
      poll_question(sim, first, kDirectlyQuestion, "?lastChecked=2099-01-01T00:00:00Z").status,
      304u);
  ASSERT_EQ(poll_question(sim, first, kOtherDirectlyQuestion).status, 200u);
  ASSERT_EQ(poll_question(sim, "unknown").status, 401u);
  ASSERT_EQ(poll_question(sim, first, "bad").status, 400u);
  set_fault(sim, R"({"platform":"directly","status":500,"count":1})");
  ASSERT_EQ(poll_question(sim, first).status, 500u);
  ASSERT_EQ(change_question(sim, "respond", {}, "00000000-0000-4000-8000-0000000000c0").status,
            200u);

  const auto stats = sim.stats();
  EXPECT_EQ(stat(stats, "calls", "directly.token"), 2u) << stats;
  EXPECT_EQ(stat(stats, "calls", "directly.question"), 7u);
  EXPECT_EQ(stat(stats, "conversations", "directly:" + std::string(kDirectlyQuestion)), 5u);
  EXPECT_EQ(stat(stats, "conversations", "directly:" + std::string(kOtherDirectlyQuestion)), 1u);
  const auto directly_start = stats.find(R"("directly":{)");
  ASSERT_NE(directly_start, std::string::npos) << stats;
  EXPECT_EQ(stats.substr(directly_start),
            R"("directly":{"polls":{"200":3,"304":1,"400":1,"401":1,"500":1},"pollers":{)"
            R"("00000000-0000-4000-8000-000000000042":["sim-directly-1"],)"
            R"("3f2504e0-4f89-41d3-9a0c-0305e82c3301":["sim-directly-1","sim-directly-2"]},)"
            R"("logouts":0,"questions":3}})");

  ASSERT_EQ(post(sim, "/_sim/reset", "").status, 200u);
  EXPECT_NE(
      sim.stats().find(
          R"("directly":{"polls":{"200":0,"304":0},"pollers":{},"logouts":0,"questions":0}})"),
      std::string::npos)
      << sim.stats();
  EXPECT_EQ(get(sim, kDirectlyControlPath + std::string(kDirectlyQuestion), {}).status, 404u);
  EXPECT_EQ(poll_question(sim, first).status, 200u);  // tokens outlive a reset
}

TEST(SimDirectly, FaultsFailPollsInTheEnvelopeButNeverTokens) {
  SimProcess sim;
  const auto token = issue_directly_token(sim);
  set_fault(sim, R"({"platform":"directly","status":429,"count":2,"retry_after_s":4})");
  for (int i = 0; i < 2; ++i) {
    const auto throttled = poll_question(sim, token);
    expect_directly_error(throttled, 429, "simulated failure");
    EXPECT_EQ(throttled.headers["Retry-After"], "4");
  }
  EXPECT_EQ(poll_question(sim, token).status, 200u);

  set_fault(sim, R"({"platform":"all","status":503,"count":-1})");
  const auto fresh = issue_directly_token(sim);
  expect_directly_error(poll_question(sim, fresh), 503, "simulated failure");
  EXPECT_EQ(logout(sim, fresh).status, 200u);
  set_fault(sim, R"({"platform":"directly","clear":true})");
  EXPECT_EQ(poll_question(sim, token).status, 200u);
  EXPECT_EQ(get_transcript(sim).status, 503u);  // the other platforms keep their rule

  SimProcess failing({"--error-rate", "1"});
  expect_directly_error(poll_question(failing, issue_directly_token(failing)), 500, "--error-rate");
}

// --- determinism ---

TEST(SimDeterminism, SameIdSameBodyAcrossRunsDifferentIdDifferentBody) {
  SimProcess first;
  SimProcess second;
  const auto ja_first = get_question(first, issue_token(first)).body;
  EXPECT_EQ(get_question(first, issue_token(first)).body, ja_first);
  EXPECT_EQ(get_question(second, issue_token(second)).body, ja_first);
  EXPECT_NE(get_question(first, issue_token(first), "other").body, ja_first);

  EXPECT_EQ(get_transcript(first).body, get_transcript(second).body);
  EXPECT_NE(get_transcript(first, "99").body, get_transcript(first).body);
  EXPECT_EQ(get_talkjs(first).body, get_talkjs(second).body);
  EXPECT_EQ(get_talkjs(first, "/messages").body, get_talkjs(second, "/messages").body);
  EXPECT_NE(get_talkjs(first, "/messages", "other").body, get_talkjs(first, "/messages").body);
}

// --- faults and stats ---

TEST(SimFaults, InjectedFaultsFailTheNextDataCallsOfOnePlatform) {
  SimProcess sim;
  set_fault(sim, R"({"platform":"cao","status":503,"count":2,"retry_after_s":7})");
  for (int i = 0; i < 2; ++i) {
    const auto failed = get_transcript(sim);
    EXPECT_EQ(failed.status, 503u);
    EXPECT_EQ(failed.headers["Retry-After"], "7");
    EXPECT_NE(failed.body.find("\"error\""), std::string::npos);
  }
  EXPECT_EQ(get_transcript(sim).status, 200u);
  EXPECT_EQ(get_talkjs(sim).status, 200u);

  set_fault(sim, R"({"platform":"talkjs","status":429,"count":-1})");
  for (int i = 0; i < 3; ++i) {
    const auto throttled = get_talkjs(sim, "/messages");
    EXPECT_EQ(throttled.status, 429u);
    EXPECT_EQ(throttled.headers["Retry-After"], "1");  // --retry-after-s
  }
  set_fault(sim, R"({"platform":"talkjs","clear":true})");
  EXPECT_EQ(get_talkjs(sim, "/messages").status, 200u);

  // Token calls are never faulted: a client can always authenticate.
  set_fault(sim, R"({"platform":"all","status":500,"count":-1})");
  const auto token = issue_token(sim);
  EXPECT_EQ(get_question(sim, token).status, 500u);
  EXPECT_EQ(get_transcript(sim).status, 500u);
  ASSERT_EQ(post(sim, "/_sim/reset", "").status, 200u);
  EXPECT_EQ(get_question(sim, token).status, 200u);
}

TEST(SimFaults, BadFaultBodiesAreRefusedNamingTheField) {
  SimProcess sim;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"status":500})", "platform"},
      {R"({"platform":"slack","status":500})", "platform"},
      {R"({"platform":"cao"})", "status"},
      {R"({"platform":"cao","status":200})", "status"},
      {R"({"platform":"cao","status":500,"count":0})", "count"},
      {R"({"platform":"cao","status":429,"retry_after_s":"soon"})", "retry_after_s"},
      {R"({"platform":"cao","clear":"yes"})", "clear"},
      {"not json", "JSON"}};
  for (const auto& [body, field] : cases) {
    const auto answer = post(sim, "/_sim/faults", body);
    EXPECT_EQ(answer.status, 400u) << body;
    EXPECT_NE(answer.body.find(field), std::string::npos) << body << " -> " << answer.body;
  }
}

TEST(SimFaults, RandomFaultsRepeatForTheSameSeed) {
  const std::vector<std::string> flags = {"--error-rate",    "0.3", "--throttle-rate", "0.2",
                                          "--retry-after-s", "3"};
  auto statuses_of = [](const SimProcess& sim) {
    std::vector<unsigned> statuses;
    for (int i = 0; i < 40; ++i) {
      const auto answer = get_transcript(sim);
      if (answer.status == 429) {
        EXPECT_EQ(answer.headers["Retry-After"], "3");
      }
      statuses.push_back(answer.status);
    }
    return statuses;
  };
  auto with_seed = flags;
  with_seed.insert(with_seed.end(), {"--seed", "42"});
  SimProcess first(with_seed);
  SimProcess second(with_seed);
  const auto sequence = statuses_of(first);
  EXPECT_EQ(statuses_of(second), sequence);
  const std::set<unsigned> seen(sequence.begin(), sequence.end());
  EXPECT_EQ(seen, (std::set<unsigned>{200, 429, 500}));

  ASSERT_EQ(post(first, "/_sim/reset", "").status, 200u);
  EXPECT_EQ(statuses_of(first), sequence);  // reset reseeds

  auto other_seed = flags;
  other_seed.insert(other_seed.end(), {"--seed", "43"});
  SimProcess third(other_seed);
  EXPECT_NE(statuses_of(third), sequence);
}

TEST(SimStats, CountsCallsPerOperationConversationAndStatus) {
  SimProcess sim;
  const auto token = issue_token(sim);
  ASSERT_EQ(get_question(sim, token).status, 200u);
  ASSERT_EQ(get_question(sim, "bad").status, 401u);
  set_fault(sim, R"({"platform":"cao","status":503,"count":1})");
  ASSERT_EQ(get_transcript(sim).status, 503u);
  ASSERT_EQ(get_transcript(sim).status, 200u);
  ASSERT_EQ(get_talkjs(sim).status, 200u);
  ASSERT_EQ(get_talkjs(sim, "/messages").status, 200u);
  ASSERT_EQ(get_talkjs(sim, "/messages", "c2").status, 200u);

  const auto stats = sim.stats();
  EXPECT_EQ(stat(stats, "calls", "justanswer.token"), 1u) << stats;
  EXPECT_EQ(stat(stats, "calls", "justanswer.question"), 2u);
  EXPECT_EQ(stat(stats, "calls", "cao.transcript"), 2u);
  EXPECT_EQ(stat(stats, "calls", "talkjs.conversation"), 1u);
  EXPECT_EQ(stat(stats, "calls", "talkjs.messages"), 2u);
  EXPECT_EQ(stat(stats, "conversations", "justanswer:" + std::string(kQuestion)), 2u);
  EXPECT_EQ(stat(stats, "conversations", "cao:" + std::string(kVisit)), 2u);
  EXPECT_EQ(stat(stats, "conversations", "talkjs:" + std::string(kConversation)), 2u);
  EXPECT_EQ(stat(stats, "conversations", "talkjs:c2"), 1u);
  EXPECT_EQ(stat(stats, "statuses", "200"), 6u);
  EXPECT_EQ(stat(stats, "statuses", "401"), 1u);
  EXPECT_EQ(stat(stats, "statuses", "503"), 1u);

  ASSERT_EQ(post(sim, "/_sim/reset", "").status, 200u);
  EXPECT_EQ(sim.stats(),
            R"({"calls":{"cao.conversations":0,"cao.transcript":0,"directly.logout":0,)"
            R"("directly.question":0,"directly.token":0,"justanswer.question":0,)"
            R"("justanswer.questions":0,"justanswer.token":0,"talkjs.conversation":0,)"
            R"("talkjs.messages":0,"talkjs.user":0},"conversations":{},"statuses":{},)"
            R"("directly":{"polls":{"200":0,"304":0},"pollers":{},"logouts":0,"questions":0}})");
}

TEST(SimLatency, DelaysEveryAnswerWithoutHoldingAThread) {
  constexpr auto kLatency = 400ms;
  constexpr int kClients = 8;  // four per I/O thread: blocking sleeps would take 4 x 400 ms
  SimProcess sim({"--latency-ms", "400"});
  std::vector<std::chrono::steady_clock::duration> took(kClients);
  std::vector<unsigned> statuses(kClients);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const auto begun = std::chrono::steady_clock::now();
      statuses[i] = get_transcript(sim).status;
      took[i] = std::chrono::steady_clock::now() - begun;
    });
  }
  for (auto& client : clients)
    client.join();
  const auto total = std::chrono::steady_clock::now() - start;
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(statuses[i], 200u);
    EXPECT_GE(took[i], kLatency);
  }
  EXPECT_LT(total, 3 * kLatency);
}

// --- command line ---

TEST(SimCommandLine, BadFlagsExitTwoNamingTheFlag) {
  const auto rate = run_sim({"--error-rate", "2"});
  EXPECT_EQ(rate.exit_code, 2);
  EXPECT_NE(rate.err.find("--error-rate"), std::string::npos) << rate.err;
  const auto unknown = run_sim({"serve", "--bogus", "1"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--bogus"), std::string::npos) << unknown.err;
  const auto missing = run_sim({"send", "--count"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--count"), std::string::npos) << missing.err;
  const auto cao = run_sim({"send", "--platform", "cao-messages", "--conversation", "abc"});
  EXPECT_EQ(cao.exit_code, 2);
  EXPECT_NE(cao.err.find("--conversation"), std::string::npos) << cao.err;
  const auto help = run_sim({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("parley-sim send"), std::string::npos);
}

TEST(SimCommandLine, StopsCleanlyOnSigterm) {
  SimProcess sim;
  EXPECT_EQ(sim.stop(10s), 0) << sim.stderr_text();
}

// --- send ---

/// An HTTP server in the test that records every request and answers `status`.
class RecordingServer {
 public:
  explicit RecordingServer(unsigned status) : status_(status) {
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RecordingServer() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<bhttp::request<bhttp::string_body>> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, answer(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> answer(tcp::socket socket) {
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> request;
    auto [read_ec, n] =
        co_await bhttp::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
    if (read_ec) co_return;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(status_), 11};
    response.set(bhttp::field::content_type, "application/json");
    response.body() = R"({"recorded":true})";
    response.keep_alive(false);
    response.prepare_payload();
    co_await bhttp::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
  }

  const unsigned status_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::v4()};
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<bhttp::request<bhttp::string_body>> requests_;
};

std::vector<bhttp::request<bhttp::string_body>> sent_to(
    const std::vector<bhttp::request<bhttp::string_body>>& requests, std::string_view target) {
  std::vector<bhttp::request<bhttp::string_body>> matching;
  for (const auto& request : requests) {
    if (request.target() == target) matching.push_back(request);
  }
  return matching;
}

TEST(SimSend, ExitsNonZeroNamingTheProblemWhenNothingListens) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  const auto run =
      run_sim({"send", "--to", "http://127.0.0.1:" + std::to_string(port), "--platform", "talkjs"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << run.err;
}

TEST(SimSend, ExitsNonZeroWhenAWebhookIsRefused) {
  RecordingServer parley(401);
  const auto run = run_sim({"send", "--to", parley.url(), "--platform", "justanswer"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("-> 401"), std::string::npos) << run.out;
}

TEST(SimSend, PostsSignedDistinctWebhooksMatchingTheSimulatedApis) {
  RecordingServer parley(200);
  const auto run = run_sim({"send", "--to", parley.url(), "--count", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto requests = parley.requests();
  ASSERT_EQ(requests.size(), 8u);
  EXPECT_NE(run.out.find("talkjs #2 POST /v1/webhooks/talkjs -> 200 OK {\"recorded\":true}"),
            std::string::npos)
      << run.out;

  SimProcess sim;  // the ids in the webhooks are the ones its APIs return
  simdjson::dom::parser transcript_parser;
  const simdjson::dom::array transcript =
      transcript_parser.parse(get_transcript(sim).body)["Messages"];
  simdjson::dom::parser talkjs_parser;
  const simdjson::dom::array talkjs_messages =
      talkjs_parser.parse(get_talkjs(sim, "/messages?limit=100").body)["data"];
  const auto talkjs_id = [&](std::size_t index) {  // the API lists newest first
    return text(talkjs_messages.at(talkjs_messages.size() - 1 - index)["id"]);
  };
  simdjson::dom::parser parser;

  const auto ja = sent_to(requests, "/v1/webhooks/justanswer");
  ASSERT_EQ(ja.size(), 2u);
  EXPECT_EQ(ja[0][bhttp::field::content_type], "application/json");
  EXPECT_EQ(ja[0]["X-Parley-Token"], "dev-token");
  const auto ja_body = parser.parse(ja[0].body());
  EXPECT_EQ(text(ja_body["eventType"]), "1");
  EXPECT_EQ(text(ja_body["questionId"]), kQuestion);
  EXPECT_FALSE(text(ja_body["userToken"]).empty());

  const auto cao = sent_to(requests, "/v1/webhooks/cao/messages");
  ASSERT_EQ(cao.size(), 2u);
  EXPECT_EQ(cao[0][bhttp::field::authorization], "Basic dev-cao-key");
  const auto cao_body = parser.parse(cao[0].body());
  EXPECT_EQ(text(cao_body["VisitId"]), kVisit);
  EXPECT_EQ(text(cao_body["MessageId"]), text(transcript.at(1)["MessageId"]));
  EXPECT_EQ(text(cao_body["Message"]), text(transcript.at(1)["Message"]));
  EXPECT_EQ(text(cao_body["DateTime"]), text(transcript.at(1)["TimeStamp"]));
  EXPECT_EQ(text(cao_body["AgentName"]), text(transcript.at(1)["SpeakerName"]));
  EXPECT_NE(cao[1].body(), cao[0].body());

  const auto receipts = sent_to(requests, "/v1/webhooks/cao/receipts");
  ASSERT_EQ(receipts.size(), 2u);
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    const auto receipt = parser.parse(receipts[i].body());
    EXPECT_EQ(text(receipt["MessageId"]), text(transcript.at(0)["MessageId"]));
    EXPECT_EQ(text(receipt["ExternalMessageId"]), text(transcript.at(0)["ExternalMessageId"]));
    EXPECT_EQ(text(receipt["MessageStatus"]), i == 0 ? "1" : "2");  // delivered, then read
  }

  const auto talkjs = sent_to(requests, "/v1/webhooks/talkjs");
  ASSERT_EQ(talkjs.size(), 2u);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::set<std::string> event_ids;
  for (std::size_t i = 0; i < talkjs.size(); ++i) {
    const std::string timestamp(talkjs[i]["X-TalkJS-Timestamp"]);
    EXPECT_LT(std::abs(std::stoll(timestamp) - now_ms), 60'000);
    const auto expected = sources::to_hex(
        sources::hmac_sha256("dev-talkjs-secret", timestamp + "." + talkjs[i].body()), true);
    EXPECT_EQ(talkjs[i]["X-TalkJS-Signature"], expected);
    const auto event = parser.parse(talkjs[i].body());
    event_ids.emplace(text(event["id"]));
    EXPECT_EQ(text(event["type"]), "message.sent");
    EXPECT_EQ(text(event["data"]["conversation"]["id"]), kConversation);
    EXPECT_EQ(text(event["data"]["message"]["id"]), talkjs_id(i));
    EXPECT_EQ(text(event["data"]["message"]["senderId"]), text(event["data"]["sender"]["id"]));
    EXPECT_EQ(integer(event["createdAt"]), integer(event["data"]["message"]["createdAt"]));
  }
  EXPECT_EQ(event_ids.size(), 2u);
}

// --- writes (commands) ---

const std::string kCaoStartPath = "/api/v1.0/AsyncConversation/Start";
const std::string kCaoSendPath = "/api/v1.0/AsyncConversation/SendMessage";
const std::string kConversationsPath = "/api/v1.0/AsyncConversation/GetConversations/";
const Headers kCaoWriteHeaders = {{"Authorization", "Basic dev-cao-key"},
                                  {"Accept", "version=2;"},
                                  {"Content-Type", "application/json"}};
const Headers kTalkJsWriteHeaders = {{"Authorization", "Bearer dev-talkjs-secret"},
                                     {"Content-Type", "application/json"}};

HttpAnswer call(const SimProcess& sim, bhttp::verb method, const std::string& target,
                const std::string& body, const Headers& headers) {
  HttpClient client(sim.port());
  return client.request(method, target, body, headers);
}

Headers ja_write_headers(const std::string& token, const std::string& customer) {
  return {{"Authorization", "Bearer " + token},
          {"X-Api-Key", "dev-ja-api-key"},
          {"UserIdToken", customer},
          {"Content-Type", "application/json"}};
}

HttpAnswer cao_send(const SimProcess& sim, std::string_view visit, std::string_view external,
                    std::string_view message = "Can I come by on Saturday?") {
  return call(sim, bhttp::verb::post, kCaoSendPath,
              R"({"VisitId":)" + std::string(visit) + R"(,"MessageId":")" + std::string(external) +
                  R"(","ExternalMessageId":")" + std::string(external) + R"(","Message":")" +
                  std::string(message) + R"(","SessionId":"s-1"})",
              kCaoWriteHeaders);
}

// The transcript's messages (NumMessages) and the last one's ExternalMessageId.
std::pair<std::int64_t, std::string> transcript_tail(const SimProcess& sim,
                                                     std::string_view visit) {
  const auto answer = get_transcript(sim, visit);
  EXPECT_EQ(answer.status, 200u) << answer.body;
  simdjson::dom::parser parser;
  const auto transcript = parser.parse(answer.body);
  const simdjson::dom::array messages = transcript["Messages"];
  return {integer(transcript["NumMessages"]),
          std::string(text(messages.at(messages.size() - 1)["ExternalMessageId"]))};
}

std::string writes(const SimProcess& sim, const std::string& query = {}) {
  const auto answer = get(sim, "/_sim/writes" + query, {});
  EXPECT_EQ(answer.status, 200u) << answer.body;
  return answer.body;
}

// "route committed status" of each write in the record, in order.
std::vector<std::string> write_summary(const SimProcess& sim, const std::string& query = {}) {
  simdjson::dom::parser parser;
  std::vector<std::string> summary;
  for (const auto write : simdjson::dom::array(parser.parse(writes(sim, query))["writes"])) {
    summary.push_back(std::string(text(write["route"])) + " " +
                      (bool(write["committed"]) ? "committed" : "not-committed") + " " +
                      std::to_string(integer(write["status"])));
  }
  return summary;
}

void set_write_fault(const SimProcess& sim, const std::string& body) {
  const auto answer = post(sim, "/_sim/write-faults", body);
  ASSERT_EQ(answer.status, 200u) << body << " -> " << answer.body;
}

// A raw HTTP/1.1 POST, for requests the test does not wait to be answered.
std::string raw_post(const std::string& target, const std::string& body, const Headers& headers) {
  std::string out = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers)
    out += name + ": " + value + "\r\n";
  return out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(SimWrites, JustAnswerWritesChangeWhatReadsShowAndAreRecorded) {
  SimProcess sim;
  const auto token = issue_token(sim);
  const auto headers = ja_write_headers(token, "cust-1");
  const std::string question_body = R"({"message":"My sink leaks","categoryName":"Home"})";
  const auto posted =
      call(sim, bhttp::verb::post, "/api/v2/questions/post", question_body, headers);
  ASSERT_EQ(posted.status, 200u) << posted.body;
  simdjson::dom::parser parser;
  const auto posted_json = parser.parse(posted.body);
  EXPECT_TRUE(bool(posted_json["status"]));
  const std::string question(text(posted_json["data"]["questionToken"]));
  EXPECT_EQ(question.size(), 32u);

  // The start's read-back: the customer's questions; another customer has none.
  const auto listed =
      call(sim, bhttp::verb::get, "/api/v2/questions?page=1&pageSize=10", {}, headers);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  simdjson::dom::parser list_parser;
  const auto list = list_parser.parse(listed.body)["data"];
  EXPECT_EQ(integer(list["count"]), 1);
  EXPECT_EQ(integer(list["totalPages"]), 1);
  EXPECT_EQ(text(list["questions"].at(0)["token"]), question);
  EXPECT_EQ(text(list["questions"].at(0)["text"]), "My sink leaks");
  EXPECT_TRUE(list["questions"].at(0)["lastMessage"].is_null());
  const auto others =
      call(sim, bhttp::verb::get, "/api/v2/questions", {}, ja_write_headers(token, "cust-2"));
  EXPECT_NE(others.body.find(R"("count":0)"), std::string::npos) << others.body;

  const std::string messages = kQuestionPath + question + "/messages";
  const auto sent = call(
      sim, bhttp::verb::post, messages,
      R"({"text":"It drips all night","attachments":[{"url":"https://x.invalid/a.jpg","name":"a.jpg"}]})",
      headers);
  ASSERT_EQ(sent.status, 200u) << sent.body;
  EXPECT_EQ(text(parser.parse(sent.body)["data"]["messageId"]), question + "_1");
  ASSERT_EQ(post(sim, "/_sim/justanswer/questions/" + question + "/messages",
                 R"({"text":"Tighten the nut","expert":true})")
                .status,
            200u);
  const auto m2 = question + "_2";
  EXPECT_EQ(call(sim, bhttp::verb::post, messages + "/!" + m2 + "!/accept", {}, headers).status,
            200u);
  EXPECT_EQ(call(sim, bhttp::verb::post, messages + "/%21" + m2 + "%21/feedback",
                 R"({"feedbackSettings":{"text":"Thanks","feedbackLevel":4}})", headers)
                .status,
            200u);
  EXPECT_EQ(call(sim, bhttp::verb::post, messages + "/" + m2 + "/view", {}, headers).status, 200u);
  // Refusals change nothing: a customer message is no answer; message 9 does not exist.
  const auto not_expert =
      call(sim, bhttp::verb::post, messages + "/" + question + "_1/accept", {}, headers);
  EXPECT_EQ(not_expert.status, 400u);
  EXPECT_NE(not_expert.body.find(R"("status":false)"), std::string::npos) << not_expert.body;
  EXPECT_EQ(call(sim, bhttp::verb::post, messages + "/" + question + "_9/view", {}, headers).status,
            404u);

  const auto read = get_question(sim, token, question);
  ASSERT_EQ(read.status, 200u) << read.body;
  simdjson::dom::parser read_parser;
  const auto data = read_parser.parse(read.body)["data"];
  EXPECT_EQ(text(data["question"]["text"]), "My sink leaks");
  const auto customer = data["messages"].at(0);
  EXPECT_EQ(text(customer["token"]), "!" + question + "_1!");
  EXPECT_EQ(text(customer["text"]), "It drips all night");
  EXPECT_FALSE(bool(customer["isExpertMessage"]));
  EXPECT_EQ(text(customer["authorId"]), "cust-1");
  EXPECT_TRUE(is_justanswer_date(text(customer["posted"])));
  EXPECT_EQ(text(customer["attachments"].at(0)["name"]), "a.jpg");
  EXPECT_FALSE(bool(customer["isMessageExpertAcceptedAnswer"]));
  EXPECT_TRUE(bool(customer["isMessageRead"]));
  const auto answer = data["messages"].at(1);
  EXPECT_TRUE(bool(answer["isMessageExpertAcceptedAnswer"]));
  EXPECT_TRUE(bool(answer["hasFeedback"]));
  EXPECT_EQ(integer(answer["feedback"]["ratingFeedbackNumber"]), 4);
  EXPECT_EQ(text(answer["feedback"]["text"]), "Thanks");
  EXPECT_TRUE(bool(answer["isMessageRead"]));

  // A message to a generated question follows its generated ones.
  const auto generated = get_question(sim, token);
  const auto before =
      simdjson::dom::array(read_parser.parse(generated.body)["data"]["messages"]).size();
  const auto appended =
      call(sim, bhttp::verb::post, kQuestionPath + std::string(kQuestion) + "/messages",
           R"({"text":"Any update?"})", headers);
  EXPECT_EQ(text(parser.parse(appended.body)["data"]["messageId"]),
            std::string(kQuestion) + "_" + std::to_string(before + 1));

  EXPECT_EQ(
      write_summary(sim, "?platform=justanswer"),
      (std::vector<std::string>{"question.post committed 200", "message.post committed 200",
                                "message.accept committed 200", "message.feedback committed 200",
                                "message.view committed 200", "message.accept not-committed 400",
                                "message.view not-committed 404", "message.post committed 200"}));
  simdjson::dom::parser record_parser;
  const auto first = record_parser.parse(writes(sim, "?route=question.post"))["writes"].at(0);
  EXPECT_EQ(text(first["platform"]), "justanswer");
  EXPECT_EQ(text(first["method"]), "POST");
  EXPECT_EQ(text(first["path"]), "/api/v2/questions/post");
  EXPECT_EQ(text(first["authorization"]), "Bearer " + token);
  EXPECT_EQ(text(first["headers"]["useridtoken"]), "cust-1");
  EXPECT_EQ(text(first["headers"]["x-api-key"]), "dev-ja-api-key");
  EXPECT_EQ(text(first["body"]), question_body);
  EXPECT_EQ(stat(sim.stats(), "calls", "justanswer.message.post"), 2u);
}

TEST(SimWrites, JustAnswerWritesNeedTheReadCredentials) {
  SimProcess sim;
  const auto token = issue_token(sim);
  auto headers = ja_write_headers(token, "cust-1");
  headers[1].second = "wrong-key";
  EXPECT_EQ(
      call(sim, bhttp::verb::post, "/api/v2/questions/post", R"({"message":"x"})", headers).status,
      401u);
  EXPECT_EQ(call(sim, bhttp::verb::post, "/api/v2/questions/post", R"({"message":"x"})",
                 ja_write_headers("sim-ja-999", "cust-1"))
                .status,
            401u);
  const auto empty = call(sim, bhttp::verb::post, "/api/v2/questions/post", R"({"message":""})",
                          ja_write_headers(token, "cust-1"));
  EXPECT_EQ(empty.status, 400u);
  EXPECT_NE(empty.body.find("message"), std::string::npos) << empty.body;
  EXPECT_EQ(write_summary(sim), (std::vector<std::string>{"question.post not-committed 401",
                                                          "question.post not-committed 401",
                                                          "question.post not-committed 400"}));
}

TEST(SimWrites, CaoStartAndSendMessageShowInGetConversationsAndTranscripts) {
  SimProcess sim;
  const auto started = call(sim, bhttp::verb::post, kCaoStartPath,
                            R"({"AdvertiserId":"12345","ConsumerId":"c-42","SessionId":"s-1",)"
                            R"("ExternalMessageId":"cmd-start","Message":"Is the RAV4 available?",)"
                            R"("ConsumerFirstName":"Bob","Device":"iPhone 6+"})",
                            kCaoWriteHeaders);
  ASSERT_EQ(started.status, 200u) << started.body;
  simdjson::dom::parser parser;
  const auto start = parser.parse(started.body);
  EXPECT_EQ(integer(start["Status"]), 0);
  EXPECT_EQ(text(start["ConsumerId"]), "c-42");
  EXPECT_EQ(text(start["SessionId"]), "s-1");
  const auto visit = std::to_string(integer(start["VisitId"]));

  const auto conversations = get(sim, kConversationsPath + "c-42", kCaoHeaders);
  ASSERT_EQ(conversations.status, 200u) << conversations.body;
  simdjson::dom::parser list_parser;
  const auto items = list_parser.parse(conversations.body)["Conversations"];
  ASSERT_EQ(simdjson::dom::array(items).size(), 1u);
  EXPECT_EQ(text(items.at(0)["VisitId"]), visit);
  EXPECT_EQ(text(items.at(0)["SessionId"]), "s-1");
  EXPECT_EQ(text(items.at(0)["ExternalMessageId"]), "cmd-start");
  EXPECT_EQ(text(items.at(0)["LastMessage"]), "Is the RAV4 available?");

  simdjson::dom::parser transcript_parser;
  const auto transcript = transcript_parser.parse(get_transcript(sim, visit).body);
  EXPECT_EQ(integer(transcript["NumMessages"]), 1);
  EXPECT_EQ(text(transcript["ConsumerId"]), "c-42");
  EXPECT_EQ(text(transcript["Messages"].at(0)["ExternalMessageId"]), "cmd-start");
  EXPECT_EQ(text(transcript["Messages"].at(0)["SpeakerRole"]), "Customer");
  EXPECT_EQ(text(transcript["Messages"].at(0)["SpeakerName"]), "Bob");

  const auto sent = cao_send(sim, visit, "cmd-send");
  ASSERT_EQ(sent.status, 200u) << sent.body;
  EXPECT_EQ(text(parser.parse(sent.body)["ConsumerId"]), "c-42");
  EXPECT_EQ(transcript_tail(sim, visit), (std::pair<std::int64_t, std::string>{2, "cmd-send"}));

  // A generated visit (the VisitId as a string too) gets the message after its history.
  const auto [count, last] = transcript_tail(sim, kVisit);
  ASSERT_EQ(cao_send(sim, "\"" + std::string(kVisit) + "\"", "cmd-generated").status, 200u);
  EXPECT_EQ(transcript_tail(sim, kVisit),
            (std::pair<std::int64_t, std::string>{count + 1, "cmd-generated"}));

  const auto refused = call(sim, bhttp::verb::post, kCaoSendPath,
                            R"({"VisitId":12617187,"Message":"no marker"})", kCaoWriteHeaders);
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find(R"("Status":1)"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("ExternalMessageId"), std::string::npos) << refused.body;
  EXPECT_EQ(call(sim, bhttp::verb::post, kCaoSendPath, "{}", {{"Accept", "version=2"}}).status,
            401u);
  EXPECT_EQ(write_summary(sim, "?platform=cao"),
            (std::vector<std::string>{
                "start committed 200", "send-message committed 200", "send-message committed 200",
                "send-message not-committed 400", "send-message not-committed 401"}));
}

TEST(SimWrites, TalkJsUpsertsAreIdempotentAndPostedMessagesAreListed) {
  SimProcess sim;
  const std::string conversation = "cmd_conv_1";
  const std::string put_body =
      R"({"participants":["12081","8029"],"subject":"Order #7","custom":{"category":"orders"}})";
  const auto put =
      call(sim, bhttp::verb::put, kTalkJsPath + conversation, put_body, kTalkJsWriteHeaders);
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(put.body, "{}");
  const auto first = get_talkjs(sim, {}, conversation);
  ASSERT_EQ(first.status, 200u) << first.body;
  simdjson::dom::parser parser;
  const auto created = parser.parse(first.body);
  EXPECT_EQ(text(created["subject"]), "Order #7");
  EXPECT_EQ(text(created["custom"]["category"]), "orders");
  EXPECT_EQ(simdjson::dom::object(created["participants"]).size(), 2u);
  EXPECT_EQ(text(created["participants"]["12081"]["access"]), "ReadWrite");
  EXPECT_TRUE(created["lastMessage"].is_null());  // a new conversation has no history
  ASSERT_EQ(
      call(sim, bhttp::verb::put, kTalkJsPath + conversation, put_body, kTalkJsWriteHeaders).status,
      200u);
  EXPECT_EQ(get_talkjs(sim, {}, conversation).body, first.body);  // idempotent
  EXPECT_EQ(get_talkjs(sim, "/messages", conversation).body, R"({"data":[]})");

  const auto posted = call(
      sim, bhttp::verb::post, kTalkJsPath + conversation + "/messages",
      R"([{"text":"Hello Alice!","sender":"8029","type":"UserMessage","custom":{"commandId":"c-1"}},)"
      R"({"text":"Second","sender":"8029","type":"UserMessage"}])",
      kTalkJsWriteHeaders);
  ASSERT_EQ(posted.status, 200u) << posted.body;
  simdjson::dom::parser list_parser;
  const simdjson::dom::array listed =
      list_parser.parse(get_talkjs(sim, "/messages", conversation).body)["data"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(text(listed.at(0)["text"]), "Second");  // newest first
  EXPECT_EQ(text(listed.at(1)["text"]), "Hello Alice!");
  EXPECT_EQ(text(listed.at(1)["senderId"]), "8029");
  EXPECT_EQ(text(listed.at(1)["custom"]["commandId"]), "c-1");
  EXPECT_TRUE(text(listed.at(1)["id"]).starts_with("msg_"));
  EXPECT_GT(integer(listed.at(0)["createdAt"]), integer(listed.at(1)["createdAt"]));

  // A generated conversation keeps its history; the post comes after it.
  const auto before =
      simdjson::dom::array(list_parser.parse(get_talkjs(sim, "/messages?limit=100").body)["data"])
          .size();
  ASSERT_EQ(
      call(sim, bhttp::verb::post, kTalkJsPath + std::string(kConversation) + "/messages",
           R"([{"text":"Any news?","sender":"8029","type":"UserMessage"}])", kTalkJsWriteHeaders)
          .status,
      200u);
  const simdjson::dom::array after =
      list_parser.parse(get_talkjs(sim, "/messages?limit=100").body)["data"];
  EXPECT_EQ(after.size(), before + 1);
  EXPECT_EQ(text(after.at(0)["text"]), "Any news?");

  const std::string user = "/v1/devapp/users/12081";
  ASSERT_EQ(
      call(sim, bhttp::verb::put, user,
           R"({"name":"Alice","email":["alice@example.com"],"role":"buyer"})", kTalkJsWriteHeaders)
          .status,
      200u);
  ASSERT_EQ(call(sim, bhttp::verb::put, user, R"({"name":"Alice B"})", kTalkJsWriteHeaders).status,
            200u);
  const auto stored = get(sim, user, kTalkJsHeaders);
  ASSERT_EQ(stored.status, 200u) << stored.body;
  simdjson::dom::parser user_parser;
  const auto alice = user_parser.parse(stored.body);
  EXPECT_EQ(text(alice["name"]), "Alice B");
  EXPECT_EQ(text(alice["email"].at(0)), "alice@example.com");
  EXPECT_EQ(text(alice["role"]), "buyer");
  EXPECT_EQ(get(sim, "/v1/devapp/users/nobody", kTalkJsHeaders).status, 404u);

  EXPECT_EQ(call(sim, bhttp::verb::post, kTalkJsPath + conversation + "/messages",
                 R"({"text":"not an array"})", kTalkJsWriteHeaders)
                .status,
            400u);
  EXPECT_EQ(call(sim, bhttp::verb::post, kTalkJsPath + conversation + "/messages",
                 R"([{"text":"no sender","type":"UserMessage"}])", kTalkJsWriteHeaders)
                .status,
            400u);
  EXPECT_EQ(write_summary(sim, "?platform=talkjs"),
            (std::vector<std::string>{
                "conversation.put committed 200", "conversation.put committed 200",
                "message.post committed 200", "message.post committed 200",
                "user.put committed 200", "user.put committed 200",
                "message.post not-committed 400", "message.post not-committed 400"}));
}

TEST(SimWrites, DirectlyAskedQuestionsArePolledAndResponsesAccepted) {
  SimProcess sim;
  const auto token = issue_directly_token(sim);
  auto headers = bearer(token);
  headers.emplace_back("Content-Type", "application/json");
  const auto asked =
      call(sim, bhttp::verb::post, "/questions",
           R"({"text":"How do I cancel?","language":"en","author":{"name":"Ana"}})", headers);
  ASSERT_EQ(asked.status, 201u) << asked.body;
  simdjson::dom::parser parser;
  const std::string uuid(text(parser.parse(asked.body)["data"]["uuid"]));
  EXPECT_TRUE(is_uuid(uuid)) << uuid;

  simdjson::dom::parser poll_parser;
  const auto polled = poll_parser.parse(poll_question(sim, token, uuid).body)["data"];
  EXPECT_EQ(text(polled["conversation"]["text"]), "How do I cancel?");
  EXPECT_EQ(text(polled["conversation"]["author"]["name"]), "Ana");
  EXPECT_EQ(text(polled["state"]["status"]), "UNRESOLVED");

  const auto responded = change_question(sim, "respond", {}, uuid);
  ASSERT_EQ(responded.status, 200u) << responded.body;
  const std::string response(text(parser.parse(responded.body)["response"]));
  const auto accepted =
      call(sim, bhttp::verb::post, "/responses/" + response + "/accept", {}, bearer(token));
  ASSERT_EQ(accepted.status, 200u) << accepted.body;
  EXPECT_TRUE(bool(parser.parse(accepted.body)["data"]["isAccepted"]));
  const auto after = poll_parser.parse(poll_question(sim, token, uuid).body)["data"];
  EXPECT_TRUE(bool(after["conversation"]["responses"].at(0)["isAccepted"]));
  EXPECT_EQ(text(after["state"]["status"]), "RESOLVED");

  expect_directly_error(
      call(sim, bhttp::verb::post, "/responses/" + response + "/accept", {}, bearer(token)), 409,
      "already accepted");
  expect_directly_error(
      call(sim, bhttp::verb::post, "/responses/00000000-0000-4000-8000-000000000000/accept", {},
           bearer(token)),
      404, "no question");
  expect_directly_error(call(sim, bhttp::verb::post, "/responses/" + response + "/accept", {}, {}),
                        401, "Authorization");
  EXPECT_EQ(write_summary(sim, "?platform=directly"),
            (std::vector<std::string>{
                "question.post committed 201", "response.accept committed 200",
                "response.accept not-committed 409", "response.accept not-committed 404",
                "response.accept not-committed 401"}));
}

TEST(SimWriteFaults, EachModeCommitsOrNotAndAnswersAsItSays) {
  SimProcess sim;
  const std::string visit = "777";
  auto expect_committed = [&](std::string_view external, bool committed) {
    EXPECT_EQ(transcript_tail(sim, visit).second == external, committed) << external;
  };

  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"refuse"})");
  EXPECT_EQ(cao_send(sim, visit, "refuse-500").status, 500u);
  expect_committed("refuse-500", false);
  set_write_fault(
      sim,
      R"({"platform":"cao","route":"send-message","mode":"refuse","status":503,"retry_after_s":2})");
  const auto unavailable = cao_send(sim, visit, "refuse-503");
  EXPECT_EQ(unavailable.status, 503u);
  EXPECT_EQ(unavailable.headers["Retry-After"], "2");
  expect_committed("refuse-503", false);

  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"commit_then_500"})");
  EXPECT_EQ(cao_send(sim, visit, "then-500").status, 500u);
  expect_committed("then-500", true);

  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"commit_then_drop"})");
  {
    HttpClient client(sim.port());
    client.send_raw(raw_post(kCaoSendPath,
                             R"({"VisitId":777,"ExternalMessageId":"then-drop","Message":"x"})",
                             kCaoWriteHeaders));
    EXPECT_FALSE(client.read_answer().has_value());  // closed without a byte of answer
  }
  expect_committed("then-drop", true);

  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"failure_body"})");
  const auto failure = cao_send(sim, visit, "failure-body");
  EXPECT_EQ(failure.status, 200u);
  EXPECT_NE(failure.body.find(R"("Status":1)"), std::string::npos) << failure.body;
  expect_committed("failure-body", false);

  set_write_fault(
      sim, R"({"platform":"cao","route":"send-message","mode":"throttle","retry_after_s":3})");
  const auto throttled = cao_send(sim, visit, "throttle");
  EXPECT_EQ(throttled.status, 429u);
  EXPECT_EQ(throttled.headers["Retry-After"], "3");
  expect_committed("throttle", false);

  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"unauthorized"})");
  const auto unauthorized = cao_send(sim, visit, "unauthorized");
  EXPECT_EQ(unauthorized.status, 401u);
  EXPECT_FALSE(unauthorized.headers["WWW-Authenticate"].empty());
  expect_committed("unauthorized", false);

  // Each rule was used once (remaining defaults to 1): the next write goes through.
  EXPECT_EQ(cao_send(sim, visit, "normal").status, 200u);
  expect_committed("normal", true);
  EXPECT_EQ(
      write_summary(sim, "?route=send-message"),
      (std::vector<std::string>{"send-message not-committed 500", "send-message not-committed 503",
                                "send-message committed 500", "send-message committed 0",
                                "send-message not-committed 200", "send-message not-committed 429",
                                "send-message not-committed 401", "send-message committed 200"}));

  // Faults are per route: another route of the platform is not affected.
  set_write_fault(sim,
                  R"({"platform":"cao","route":"send-message","mode":"refuse","remaining":-1})");
  EXPECT_EQ(cao_send(sim, visit, "held-1").status, 500u);
  EXPECT_EQ(cao_send(sim, visit, "held-2").status, 500u);
  EXPECT_EQ(
      call(
          sim, bhttp::verb::post, kCaoStartPath,
          R"({"AdvertiserId":"1","ConsumerId":"c","SessionId":"s","ExternalMessageId":"e","Message":"m"})",
          kCaoWriteHeaders)
          .status,
      200u);
  EXPECT_EQ(
      call(sim, bhttp::verb::delete_, "/_sim/write-faults?platform=cao&route=send-message", {}, {})
          .status,
      200u);
  EXPECT_EQ(cao_send(sim, visit, "cleared").status, 200u);
  set_write_fault(sim,
                  R"({"platform":"cao","route":"send-message","mode":"refuse","remaining":2})");
  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"clear"})");
  EXPECT_EQ(cao_send(sim, visit, "cleared-again").status, 200u);
}

TEST(SimWriteFaults, FailureBodiesHaveEachPlatformsShape) {
  SimProcess sim;
  const auto token = issue_token(sim);
  set_write_fault(sim, R"({"platform":"justanswer","route":"message.post","mode":"failure_body"})");
  const auto ja = call(sim, bhttp::verb::post, kQuestionPath + std::string(kQuestion) + "/messages",
                       R"({"text":"hi"})", ja_write_headers(token, "cust-1"));
  EXPECT_EQ(ja.status, 200u);
  EXPECT_NE(ja.body.find(R"("status":false)"), std::string::npos) << ja.body;

  set_write_fault(sim, R"({"platform":"talkjs","route":"message.post","mode":"failure_body"})");
  const auto talkjs =
      call(sim, bhttp::verb::post, kTalkJsPath + std::string(kConversation) + "/messages",
           R"([{"text":"hi","sender":"8029","type":"UserMessage"}])", kTalkJsWriteHeaders);
  EXPECT_EQ(talkjs.status, 400u);
  EXPECT_NE(talkjs.body.find(R"("error")"), std::string::npos) << talkjs.body;

  const auto directly_token = issue_directly_token(sim);
  auto headers = bearer(directly_token);
  headers.emplace_back("Content-Type", "application/json");
  set_write_fault(
      sim, R"({"platform":"directly","route":"question.post","mode":"failure_body","status":422})");
  expect_directly_error(call(sim, bhttp::verb::post, "/questions", R"({"text":"hi"})", headers),
                        422, "simulated");
  EXPECT_EQ(write_summary(sim), (std::vector<std::string>{"message.post not-committed 200",
                                                          "message.post not-committed 400",
                                                          "question.post not-committed 422"}));
}

TEST(SimWriteFaults, CommitThenLateCommitsAtOnceAnswersLaterAndOutlivesAGoneClient) {
  SimProcess sim;
  set_write_fault(
      sim,
      R"({"platform":"cao","route":"send-message","mode":"commit_then_late","delay_ms":1500,"remaining":2})");
  {
    // A client that gives up after 300 ms without an answer.
    const int impatient = connect_loopback(sim.port());
    ASSERT_GE(impatient, 0);
    const auto request =
        raw_post(kCaoSendPath, R"({"VisitId":778,"ExternalMessageId":"late-1","Message":"x"})",
                 kCaoWriteHeaders);
    ASSERT_EQ(::write(impatient, request.data(), request.size()),
              static_cast<ssize_t>(request.size()));
    pollfd readable{.fd = impatient, .events = POLLIN, .revents = 0};
    EXPECT_EQ(::poll(&readable, 1, 300), 0);  // nothing answered yet
    ::close(impatient);
  }
  // Committed before the answer, and the held answer blocks nobody.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(transcript_tail(sim, "778").second, "late-1");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(write_summary(sim), (std::vector<std::string>{"send-message committed 0"}));

  // A client killed while its answer is held: the connection is reset under the sim.
  const int fd = connect_loopback(sim.port());
  ASSERT_GE(fd, 0);
  const auto request =
      raw_post(kCaoSendPath, R"({"VisitId":778,"ExternalMessageId":"late-2","Message":"x"})",
               kCaoWriteHeaders);
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::this_thread::sleep_for(200ms);
  const linger reset{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
  EXPECT_EQ(transcript_tail(sim, "778").second, "late-2");

  std::this_thread::sleep_for(2s);  // both held answers are due by now
  EXPECT_EQ(write_summary(sim),
            (std::vector<std::string>{"send-message committed 200", "send-message committed 200"}));
  EXPECT_EQ(cao_send(sim, "778", "after").status, 200u);
  EXPECT_EQ(sim.stop(10s), 0) << sim.stderr_text();
}

TEST(SimWrites, RecordFiltersByPlatformAndRouteAndResetClearsIt) {
  SimProcess sim;
  ASSERT_EQ(cao_send(sim, kVisit, "f-1").status, 200u);
  ASSERT_EQ(
      call(sim, bhttp::verb::put, "/v1/devapp/users/u1", R"({"name":"U"})", kTalkJsWriteHeaders)
          .status,
      200u);
  ASSERT_EQ(cao_send(sim, kVisit, "f-2").status, 200u);
  ASSERT_EQ(
      call(
          sim, bhttp::verb::post, kCaoStartPath,
          R"({"AdvertiserId":"1","ConsumerId":"c","SessionId":"s","ExternalMessageId":"e","Message":"m"})",
          kCaoWriteHeaders)
          .status,
      200u);

  simdjson::dom::parser parser;
  std::vector<std::string> platforms;
  for (const auto write : simdjson::dom::array(parser.parse(writes(sim))["writes"]))
    platforms.emplace_back(text(write["platform"]));
  EXPECT_EQ(platforms, (std::vector<std::string>{"cao", "talkjs", "cao", "cao"}));
  EXPECT_EQ(write_summary(sim, "?platform=cao").size(), 3u);
  EXPECT_EQ(write_summary(sim, "?route=send-message").size(), 2u);
  EXPECT_EQ(write_summary(sim, "?platform=cao&route=start"),
            (std::vector<std::string>{"start committed 200"}));
  EXPECT_TRUE(write_summary(sim, "?platform=talkjs&route=start").empty());
  EXPECT_EQ(get(sim, "/_sim/writes?platform=nope", {}).status, 400u);

  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"platform":"cao","route":"nope","mode":"refuse"})", "route"},
           {R"({"platform":"fax","route":"start","mode":"refuse"})", "platform"},
           {R"({"platform":"cao","route":"start","mode":"explode"})", "mode"},
           {R"({"platform":"cao","route":"start","mode":"refuse","remaining":0})", "remaining"},
           {R"({"platform":"cao","route":"start","mode":"refuse","status":200})", "status"},
           {"not json", "JSON"}}) {
    const auto refused = post(sim, "/_sim/write-faults", body);
    EXPECT_EQ(refused.status, 400u) << body;
    EXPECT_NE(refused.body.find(field), std::string::npos) << body << " -> " << refused.body;
  }

  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"refuse"})");
  ASSERT_EQ(post(sim, "/_sim/reset", "").status, 200u);
  EXPECT_EQ(writes(sim), R"({"writes":[]})");
  EXPECT_EQ(cao_send(sim, kVisit, "after-reset").status, 200u);  // the rule went with it
}

// Waits until `server` recorded `count` requests (or `timeout` passed).
std::vector<bhttp::request<bhttp::string_body>> wait_for_requests(
    const RecordingServer& server, std::size_t count, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (server.requests().size() < count && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(200ms);  // and nothing more arrives
  return server.requests();
}

TEST(SimEcho, CommittedWritesEchoTheWebhooksThePlatformsWouldSend) {
  RecordingServer parley(200);
  SimProcess sim({"--echo-to", parley.url(), "--echo-delay-ms", "10"});
  ASSERT_EQ(cao_send(sim, kVisit, "echo-1").status, 200u);
  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"commit_then_500"})");
  ASSERT_EQ(cao_send(sim, kVisit, "echo-2").status, 500u);  // committed: still echoed
  set_write_fault(sim, R"({"platform":"cao","route":"send-message","mode":"refuse"})");
  ASSERT_EQ(cao_send(sim, kVisit, "echo-3").status, 500u);  // not committed: no echo
  ASSERT_EQ(
      call(sim, bhttp::verb::post, kTalkJsPath + std::string(kConversation) + "/messages",
           R"([{"text":"Echo me","sender":"8029","type":"UserMessage"}])", kTalkJsWriteHeaders)
          .status,
      200u);
  const auto token = issue_token(sim);
  ASSERT_EQ(call(sim, bhttp::verb::post, kQuestionPath + std::string(kQuestion) + "/messages",
                 R"({"text":"Echo me too"})", ja_write_headers(token, "cust-9"))
                .status,
            200u);

  const auto requests = wait_for_requests(parley, 4);
  ASSERT_EQ(requests.size(), 4u);
  simdjson::dom::parser parser;
  const auto receipts = sent_to(requests, "/v1/webhooks/cao/receipts");
  ASSERT_EQ(receipts.size(), 2u);
  std::set<std::string> externals;
  simdjson::dom::parser transcript_parser;
  const simdjson::dom::array transcript =
      transcript_parser.parse(get_transcript(sim).body)["Messages"];
  for (const auto& receipt : receipts) {
    EXPECT_EQ(receipt[bhttp::field::authorization], "Basic dev-cao-key");
    const auto body = parser.parse(receipt.body());
    externals.emplace(text(body["ExternalMessageId"]));
    EXPECT_EQ(text(body["VisitId"]), kVisit);
    EXPECT_EQ(text(body["MessageStatus"]), "1");
    bool found = false;  // CAO's MessageId of the message in the transcript
    for (const auto message : transcript) {
      found |= text(message["ExternalMessageId"]) == text(body["ExternalMessageId"]) &&
               text(message["MessageId"]) == text(body["MessageId"]);
    }
    EXPECT_TRUE(found) << receipt.body();
  }
  EXPECT_EQ(externals, (std::set<std::string>{"echo-1", "echo-2"}));

  const auto talkjs = sent_to(requests, "/v1/webhooks/talkjs");
  ASSERT_EQ(talkjs.size(), 1u);
  const std::string timestamp(talkjs[0]["X-TalkJS-Timestamp"]);
  EXPECT_EQ(
      talkjs[0]["X-TalkJS-Signature"],
      sources::to_hex(sources::hmac_sha256("dev-talkjs-secret", timestamp + "." + talkjs[0].body()),
                      true));
  const auto event = parser.parse(talkjs[0].body());
  EXPECT_EQ(text(event["type"]), "message.sent");
  EXPECT_EQ(text(event["data"]["message"]["text"]), "Echo me");
  EXPECT_EQ(text(event["data"]["sender"]["id"]), "8029");
  simdjson::dom::parser messages_parser;
  EXPECT_EQ(text(event["data"]["message"]["id"]),
            text(messages_parser.parse(get_talkjs(sim, "/messages").body)["data"].at(0)["id"]));

  const auto ja = sent_to(requests, "/v1/webhooks/justanswer");
  ASSERT_EQ(ja.size(), 1u);
  EXPECT_EQ(ja[0]["X-Parley-Token"], "dev-token");
  const auto notification = parser.parse(ja[0].body());
  EXPECT_EQ(text(notification["questionId"]), kQuestion);
  EXPECT_EQ(text(notification["userToken"]), "cust-9");

  const auto record = get(sim, "/_sim/echo", {});
  EXPECT_EQ(simdjson::dom::array(parser.parse(record.body)["sent"]).size(), 4u) << record.body;

  // Turned off, then on again with other credentials, through the control routes.
  ASSERT_EQ(call(sim, bhttp::verb::delete_, "/_sim/echo", {}, {}).status, 200u);
  ASSERT_EQ(cao_send(sim, kVisit, "echo-off").status, 200u);
  EXPECT_EQ(wait_for_requests(parley, 5, 500ms).size(), 4u);
  ASSERT_EQ(
      post(sim, "/_sim/echo", R"({"to":")" + parley.url() + R"(","cao_key":"other-key"})").status,
      200u);
  ASSERT_EQ(cao_send(sim, kVisit, "echo-on").status, 200u);
  const auto later = wait_for_requests(parley, 5);
  ASSERT_EQ(later.size(), 5u);
  EXPECT_EQ(later.back()[bhttp::field::authorization], "Basic other-key");
}

TEST(SimEcho, NoEchoUnlessConfigured) {
  RecordingServer parley(200);
  SimProcess sim;
  ASSERT_EQ(cao_send(sim, kVisit, "quiet").status, 200u);
  EXPECT_TRUE(wait_for_requests(parley, 1, 500ms).empty());
  EXPECT_EQ(get(sim, "/_sim/echo", {}).body, R"({"target":null,"sent":[]})");
}

}  // namespace
}  // namespace parley::testing
