// parse_command: the envelope and per-type fields of a command, each problem naming its field.
#include "parley/commands/command.hpp"

#include <gtest/gtest.h>

namespace parley::commands {
namespace {

std::string command(std::string_view type, std::string_view data, std::string_view extra = "") {
  return std::string(
             R"({"specversion":"1.0","id":"cmd-1","source":"/crm/desk","type":"parley.command.)") +
         std::string(type) + "\"" + std::string(extra) + R"(,"data":)" + std::string(data) + "}";
}

std::string problem(const std::string& json) {
  auto parsed = parse_command(json);
  if (parsed) return "parsed";
  return parsed.error().to_string();
}

TEST(ParseCommand, ReadsAMessageSendAndFillsItsKey) {
  auto parsed = parse_command(command(
      "message.send",
      R"({"source":"cao-eu","text":"hi","author":{"id":"a1"},"customer":{"id":"c1","firstName":"Ann"},"attachments":[{"url":"https://x/y.png","name":"y"}]})",
      R"(,"subject":"12617187","expirytime":"2030-01-01T00:00:00Z")"));
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const auto& c = parsed.value();
  EXPECT_EQ(c.id, "cmd-1");
  EXPECT_EQ(c.caller, "/crm/desk");
  EXPECT_EQ(c.type, CommandType::message_send);
  EXPECT_EQ(c.subject, "12617187");
  EXPECT_EQ(c.key, "cao-eu:12617187");
  ASSERT_TRUE(c.expiry.has_value());
  EXPECT_EQ(c.data.source, "cao-eu");
  EXPECT_EQ(c.data.text, "hi");
  EXPECT_EQ(c.data.author_id, "a1");
  EXPECT_EQ(c.data.customer.id, "c1");
  EXPECT_EQ(c.data.customer.first_name, "Ann");
  ASSERT_EQ(c.data.attachments.size(), 1u);
  EXPECT_EQ(c.data.attachments[0].url, "https://x/y.png");
}

TEST(ParseCommand, KeysAStartByItsIdAndAnUpsertByItsUser) {
  auto start = parse_command(command("conversation.start", R"({"source":"cao","text":"hello"})"));
  ASSERT_TRUE(start) << start.error().to_string();
  EXPECT_EQ(start.value().key, "cao:start:cmd-1");
  auto upsert = parse_command(command(
      "user.upsert",
      R"({"source":"talkjs","user":{"id":"u1","name":"U","email":["u@x"],"custom":{"tier":"gold"}}})"));
  ASSERT_TRUE(upsert) << upsert.error().to_string();
  EXPECT_EQ(upsert.value().key, "talkjs:user:u1");
  EXPECT_EQ(upsert.value().data.user->custom_json, R"({"tier":"gold"})");
  EXPECT_EQ(upsert.value().data.user->email, std::vector<std::string>{"u@x"});
}

TEST(ParseCommand, TakesOnlyThePartitionKeyParleyWouldFillIn) {
  auto parsed = parse_command(command("message.send", R"({"source":"cao","text":"x"})",
                                      R"(,"subject":"1","partitionkey":"cao:1")"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value().key, "cao:1");
  EXPECT_EQ(problem(command("message.send", R"({"source":"cao","text":"x"})",
                            R"(,"subject":"1","partitionkey":"mine")")),
            R"(field partitionkey: must be "cao:1" (or absent: parley fills it))");
}

TEST(ParseCommand, NamesTheFieldOfEachProblem) {
  EXPECT_EQ(problem("[]"), "body must be a JSON object");
  EXPECT_EQ(problem(R"({"specversion":"0.3"})"), R"(field specversion: must be "1.0")");
  EXPECT_EQ(
      problem(
          R"({"specversion":"1.0","source":"/x","type":"parley.command.message.send","data":{}})"),
      "field id: is required");
  EXPECT_EQ(problem(command("message.send", R"({"source":"cao","text":"x"})")),
            "field subject: is required for parley.command.message.send");
  EXPECT_EQ(problem(command("message.send", R"({"source":"cao"})", R"(,"subject":"1")")),
            "field data.text: is required for parley.command.message.send");
  EXPECT_EQ(problem(command("message.send", R"({"text":"x"})", R"(,"subject":"1")")),
            "field data.source: is required");
  EXPECT_EQ(problem(command("answer.rate", R"({"source":"ja","messageId":"m","rating":6})",
                            R"(,"subject":"1")")),
            "field data.rating: must be an integer from 1 to 5");
  EXPECT_EQ(
      problem(command("answer.rate", R"({"source":"ja","messageId":"m"})", R"(,"subject":"1")")),
      "field data.rating: is required for parley.command.answer.rate");
  EXPECT_EQ(problem(command("answer.accept", R"({"source":"ja"})", R"(,"subject":"1")")),
            "field data.messageId: is required for parley.command.answer.accept");
  EXPECT_EQ(problem(command("user.upsert", R"({"source":"talkjs"})")),
            "field data.user: is required for parley.command.user.upsert");
  EXPECT_EQ(problem(command("message.send", R"({"source":"cao","text":"x"})",
                            R"(,"subject":"1","expirytime":"tomorrow")")),
            "field expirytime: must be an RFC 3339 date-time");
  EXPECT_NE(problem(command("message.delete", R"({"source":"cao"})"))
                .find("field type: unknown command type"),
            std::string::npos);
  EXPECT_NE(
      problem(command("message.send", R"({"source":"cao","text":"x"})", R"(,"subject":"a\r\nb")"))
          .find("field subject: contains a control character"),
      std::string::npos);
}

TEST(ParseCommand, TakesOnlyPrintableAsciiIdsOfAtMost200Characters) {
  const auto with_id = [](std::string id) {
    return R"({"specversion":"1.0","id":")" + id +
           R"(","source":"/x","type":"parley.command.message.send","subject":"1","data":{"source":"cao","text":"x"}})";
  };
  EXPECT_EQ(problem(with_id(std::string(200, 'a'))), "parsed");
  EXPECT_NE(problem(with_id(std::string(201, 'a'))).find("field id: must be 1-200 printable ASCII"),
            std::string::npos);
  EXPECT_EQ(problem(with_id("caf\xc3\xa9")), "field id: must be printable ASCII; byte 3 is not");
  EXPECT_EQ(problem(with_id("a\\tb")), "field id: must be printable ASCII; byte 1 is not");
}

TEST(CommandTypes, RoundTripTheirNames) {
  for (const auto type : kAllTypes) {
    EXPECT_EQ(parse_type(std::string(kTypePrefix) + std::string(type_name(type))), type);
  }
  EXPECT_FALSE(parse_type("message.send"));
}

}  // namespace
}  // namespace parley::commands
