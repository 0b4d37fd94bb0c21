// Directly questions: parsing the envelope, and which events a poll's answer means given
// what was published before.
#include "parley/platforms/directly/question.hpp"

#include <gtest/gtest.h>

#include "parley/common/time.hpp"

namespace parley::directly {
namespace {

constexpr std::string_view kUuid = "123e4567-e89b-12d3-a456-426655440000";

std::string system_message(std::string_view type, std::string_view at) {
  return R"({"uuid":"00000000-0000-0000-0000-00000000000)" +
         std::string(1, type[0] == 'N' ? '1' : '2') + R"(","type":")" + std::string(type) +
         R"(","author":{"name":"System"},"body":"-","createdAt":")" + std::string(at) + R"("})";
}

struct Shape {
  std::string status = "UNRESOLVED";
  bool answered = false;
  bool closed = false;
  bool accepted = false;
  std::string system =
      system_message("NOTIFYING_EXPERTS_SYSTEM_MESSAGE", "2026-11-21T10:00:00.000Z");
  std::string response_messages;  // empty: no response
  std::string updated = "2026-11-21T10:00:00.000Z";
};

std::string question_json(const Shape& shape) {
  std::string responses;
  if (!shape.response_messages.empty()) {
    responses =
        R"({"uuid":"aaaaaaaa-0000-0000-0000-000000000001","author":{"uuid":"expert-1","name":"Ada Expert"},"isAccepted":)" +
        std::string(shape.accepted ? "true" : "false") + R"(,"messages":[)" +
        shape.response_messages + "]}";
  }
  return R"({"meta":{"version":"v1"},"data":{"uuid":")" + std::string(kUuid) +
         R"(","createdAt":"2026-11-21T10:00:00.000Z","updatedAt":")" + shape.updated +
         R"(","conversation":{"text":"My printer prints blank pages","author":{"uuid":"user-1","name":"Original user"},"messages":[)" +
         shape.system + R"(],"responses":[)" + responses +
         R"(],"unreadMessageCount":0},"state":{"status":")" + shape.status + R"(","isAnswered":)" +
         (shape.answered ? "true" : "false") + R"(,"isClosed":)" +
         (shape.closed ? "true" : "false") + R"(,"rerouteStatus":{"isRerouted":false}}}})";
}

const std::string kExpertMessage =
    R"({"uuid":"bbbbbbbb-0000-0000-0000-000000000001","author":{"uuid":"expert-1","name":"Ada Expert"},"body":"Check the toner.","bodyHtml":"<p>Check the toner.</p>","createdAt":"2026-11-21T10:01:00.000Z"})";
const std::string kUserMessage =
    R"({"uuid":"bbbbbbbb-0000-0000-0000-000000000002","author":{"uuid":"user-1","name":"Original user"},"body":"That was it, thanks!","createdAt":"2026-11-21T10:02:00.000Z"})";

Question parsed(const Shape& shape) {
  auto question = parse_question(question_json(shape));
  EXPECT_TRUE(question) << question.error();
  return std::move(question).value();
}

std::vector<std::string> ids(const std::vector<events::CloudEvent>& events) {
  std::vector<std::string> out;
  for (const auto& event : events)
    out.push_back(event.id);
  return out;
}

TEST(DirectlyUuid, AcceptsOnlyThe8_4_4_4_12Form) {
  EXPECT_TRUE(is_uuid(kUuid));
  EXPECT_TRUE(is_uuid("123E4567-E89B-12D3-A456-426655440000"));
  EXPECT_FALSE(is_uuid("123e4567e89b12d3a456426655440000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-42665544000g"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-4266554400001"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("../../admin"));
}

TEST(DirectlyQuestion, ParsesMessagesWithRolesAndTheState) {
  Shape shape{
      .answered = true, .system = "", .response_messages = kExpertMessage + "," + kUserMessage};
  const auto question = parsed(shape);
  EXPECT_EQ(question.uuid, kUuid);
  EXPECT_EQ(question.customer_id, "user-1");
  ASSERT_EQ(question.messages.size(), 3u);
  EXPECT_EQ(question.messages[0].message.id, kUuid);
  EXPECT_EQ(question.messages[0].message.text, "My printer prints blank pages");
  EXPECT_EQ(question.messages[0].message.author.role, "customer");
  EXPECT_EQ(question.messages[1].message.author.role, "expert");
  EXPECT_EQ(question.messages[1].message.author.name, "Ada Expert");
  EXPECT_EQ(question.messages[1].message.text, "Check the toner.");
  EXPECT_EQ(question.messages[2].message.author.role, "customer");
  EXPECT_TRUE(question.state.answered);
  EXPECT_FALSE(question.finished());
}

TEST(DirectlyQuestion, MessagesWithoutUuidsGetPositionalIdsAndRolesByName) {
  // The reduced model of seed 001: authors by name only, no message uuids.
  Shape shape{
      .response_messages =
          R"({"author":{"name":"Ada Expert"},"body":"a"},{"author":{"name":"Original user"},"body":"b"})"};
  auto json = question_json(shape);
  json.replace(json.find(R"("uuid":"user-1",)"), std::string(R"("uuid":"user-1",)").size(), "");
  auto question = parse_question(json);
  ASSERT_TRUE(question) << question.error();
  ASSERT_EQ(question.value().messages.size(), 3u);
  EXPECT_EQ(question.value().messages[1].message.id, "aaaaaaaa-0000-0000-0000-000000000001:1");
  EXPECT_EQ(question.value().messages[1].message.author.role, "expert");
  EXPECT_EQ(question.value().messages[2].message.id, "aaaaaaaa-0000-0000-0000-000000000001:2");
  EXPECT_EQ(question.value().messages[2].message.author.role, "customer");
}

TEST(DirectlyQuestion, ErrorsNameTheField) {
  EXPECT_EQ(parse_question(R"({"meta":{}})").error(), "field data: is required");
  auto wrong = question_json({});
  wrong.replace(wrong.find(R"("isClosed":false)"), 16, R"("isClosed":"no")");
  EXPECT_NE(parse_question(wrong).error().find("data.state.isClosed"), std::string::npos)
      << parse_question(wrong).error();
  EXPECT_NE(parse_question("[1]").error().find("JSON object"), std::string::npos);
}

TEST(DirectlyEvents, FirstPollPublishesTheConversationThenItsState) {
  const auto question = parsed({});
  const auto events = question_events(question, nullptr, true);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "parley.message.created");
  EXPECT_EQ(events[0].id, "directly:message:" + std::string(kUuid));
  EXPECT_EQ(events[0].partition_key, "directly:" + std::string(kUuid));
  EXPECT_EQ(events[0].source, "/parley/directly");
  EXPECT_EQ(events[0].data.platform_event, "question.asked");
  EXPECT_EQ(events[1].type, "parley.conversation.updated");
  EXPECT_EQ(events[1].data.conversation.status, "UNRESOLVED");
  EXPECT_EQ(events[1].data.platform_event, "NOTIFYING_EXPERTS_SYSTEM_MESSAGE");
  const auto json = events::to_json(events[1]);
  EXPECT_NE(json.find(R"({"field":"status","from":null,"to":"UNRESOLVED"})"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("raw":{"status":"UNRESOLVED")"), std::string::npos) << json;
}

TEST(DirectlyEvents, AnUnchangedQuestionMeansNothing) {
  const auto question = parsed({});
  const auto known = remember(question);
  EXPECT_TRUE(question_events(parsed({}), &known, true).empty());
}

TEST(DirectlyEvents, TimesArePublishedInUtcAndAnUnreadableOneFallsBack) {
  const auto known = remember(parsed({}));
  Shape answered{.answered = true, .system = "", .updated = "not a date"};
  answered.response_messages =
      R"({"uuid":"bbbbbbbb-0000-0000-0000-000000000003","author":{"uuid":"expert-1"},)"
      R"("body":"Offset time","createdAt":"2026-11-21T11:01:00.5+01:00"},)"
      R"({"uuid":"bbbbbbbb-0000-0000-0000-000000000004","author":{"uuid":"expert-1"},)"
      R"("body":"No time","createdAt":"yesterday"})";
  const auto question = parsed(answered);
  EXPECT_EQ(question.updated_at, "not a date") << "kept verbatim: the next lastChecked";
  const auto events = question_events(question, &known, true);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data.message->sent_at, "2026-11-21T10:01:00.500Z");
  EXPECT_EQ(events[0].time, "2026-11-21T10:01:00.500Z");
  EXPECT_EQ(events[1].data.message->sent_at, "") << "not a date: left out (kept in raw)";
  for (const auto& event : events) {
    EXPECT_TRUE(parse_rfc3339(event.time)) << event.id << ": " << event.time;
    EXPECT_EQ(event.time.back(), 'Z') << event.time;
  }
}

TEST(DirectlyEvents, AnAnswerIsItsMessagesFirstThenWhatChanged) {
  const auto known = remember(parsed({}));
  Shape answered{.answered = true, .system = "", .response_messages = kExpertMessage};
  const auto events = question_events(parsed(answered), &known, true);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "parley.message.created");
  EXPECT_EQ(events[0].id, "directly:message:bbbbbbbb-0000-0000-0000-000000000001");
  EXPECT_EQ(events[0].data.message->author.role, "expert");
  EXPECT_EQ(events[0].time, "2026-11-21T10:01:00.000Z");
  EXPECT_EQ(events[1].type, "parley.conversation.updated");
  const auto json = events::to_json(events[1]);
  EXPECT_NE(json.find(R"({"field":"answered","from":false,"to":true})"), std::string::npos) << json;
  EXPECT_NE(
      json.find(
          R"({"field":"systemMessages","from":["NOTIFYING_EXPERTS_SYSTEM_MESSAGE"],"to":[]})"),
      std::string::npos)
      << json;
  EXPECT_EQ(json.find(R"("field":"status")"), std::string::npos) << "status did not change";
}

TEST(DirectlyEvents, AcceptingAndClosingAreStateChangesNamedBySystemMessage) {
  Shape answered{.answered = true, .system = "", .response_messages = kExpertMessage};
  const auto known = remember(parsed(answered));
  Shape accepted = answered;
  accepted.accepted = true;
  accepted.status = "RESOLVED";
  accepted.system = system_message("ACCEPTED_RESPONSE_SYSTEM_MESSAGE", "2026-11-21T10:03:00.000Z");
  const auto events = question_events(parsed(accepted), &known, true);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.platform_event, "ACCEPTED_RESPONSE_SYSTEM_MESSAGE");
  const auto json = events::to_json(events[0]);
  EXPECT_NE(
      json.find(R"({"field":"accepted","from":null,"to":"aaaaaaaa-0000-0000-0000-000000000001"})"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"field":"status","from":"UNRESOLVED","to":"RESOLVED"})"),
            std::string::npos);
  EXPECT_FALSE(parsed(accepted).finished());

  Shape closed = accepted;
  closed.closed = true;
  closed.status = "CLOSED";
  EXPECT_TRUE(parsed(closed).finished());
  const auto closing = question_events(parsed(closed), &known, true);
  ASSERT_FALSE(closing.empty());
  EXPECT_TRUE(closing.back().data.conversation.closed.value_or(false));
  Shape expired{.status = "EXPIRED"};
  EXPECT_TRUE(parsed(expired).finished());
}

TEST(DirectlyEvents, ARestartRepublishesUnderTheSameIds) {
  // Before the restart: watched, then answered. After it nothing is known.
  const auto first = question_events(parsed({}), nullptr, true);
  const auto known = remember(parsed({}));
  Shape answered{.answered = true, .system = "", .response_messages = kExpertMessage};
  const auto second = question_events(parsed(answered), &known, true);
  const auto after_restart = question_events(parsed(answered), nullptr, true);
  auto before = ids(first);
  for (const auto& id : ids(second))
    before.push_back(id);
  // The question, the expert's answer and the state: nothing republished proves nothing.
  ASSERT_EQ(after_restart.size(), 3u);
  for (const auto& id : ids(after_restart)) {
    EXPECT_NE(std::find(before.begin(), before.end(), id), before.end())
        << id << " was not published before the restart";
  }
}

TEST(DirectlyEvents, ASystemMessageComingBackLaterIsANewState) {
  const auto a = question_events(parsed({}), nullptr, false);
  Shape again{.system =
                  system_message("NOTIFYING_EXPERTS_SYSTEM_MESSAGE", "2026-11-21T11:00:00.000Z")};
  const auto b = question_events(parsed(again), nullptr, false);
  const auto a_again = question_events(parsed({}), nullptr, false);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  ASSERT_FALSE(a_again.empty());
  EXPECT_NE(a.back().id, b.back().id);
  EXPECT_EQ(a.back().id, a_again.back().id);
}

TEST(DirectlyQuestion, StateIdsKeepTheirShape) {
  const auto question = parsed(Shape{});
  const auto events = question_events(question, nullptr, true, "directly");
  ASSERT_FALSE(events.empty());
  const std::string& state_id = events.back().id;
  EXPECT_EQ(state_id.rfind("directly:state:" + std::string(kUuid) + ":", 0), 0u) << state_id;
  EXPECT_EQ(state_id.size(), std::string("directly:state:").size() + kUuid.size() + 1 + 16);
}

TEST(DirectlyQuestion, UuidsWithControlCharactersAreRefusedNamingTheField) {
  std::string question = question_json(Shape{});
  question.replace(question.find(kUuid), kUuid.size(), "q\\r\\n1");
  const auto refused = parse_question(question);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), "field data.uuid: contains a control character (U+000D) at byte 1");

  Shape with_response{.response_messages = kExpertMessage};
  std::string response = question_json(with_response);
  response.replace(response.find("bbbbbbbb"), 8, "b\\u202e");
  const auto refused_message = parse_question(response);
  ASSERT_FALSE(refused_message);
  EXPECT_NE(refused_message.error().find("uuid: contains a control character (U+202E) at byte 1"),
            std::string::npos)
      << refused_message.error();
}

}  // namespace
}  // namespace parley::directly
