// The integration tests' contract hook (support/contracts.cpp) reaches the validator and
// reports what it finds: a conforming record and answer pass, broken ones name the problem.
// (tools/contracts/validate.mjs selftest covers every kind of problem on its own.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "support/contracts.hpp"

namespace parley::testing::contracts {
namespace {

class ContractHook : public ::testing::Test {
 protected:
  // These checks are not parley's output: keep them out of the run's tally.
  static void SetUpTestSuite() { ::setenv("PARLEY_CONTRACTS_TALLY", "/dev/null", 1); }
};

KafkaMessage delivered_receipt(std::string value) {
  KafkaMessage record;
  record.key = "cao:12617187";
  record.value = std::move(value);
  record.headers = {{"content-type", "application/cloudevents+json; charset=utf-8"},
                    {"ce_specversion", "1.0"},
                    {"ce_id", "cao:receipt:987654322:1"},
                    {"ce_type", "parley.message.delivered"},
                    {"ce_source", "/parley/cao"},
                    {"ce_subject", "12617187"},
                    {"ce_time", "2026-11-21T10:02:17.123Z"}};
  return record;
}

std::string receipt_event(std::string_view data_extra) {
  return std::string(
             R"({"specversion":"1.0","id":"cao:receipt:987654322:1","source":"/parley/cao",)"
             R"("type":"parley.message.delivered","subject":"12617187",)"
             R"("time":"2026-11-21T10:02:17.123Z","partitionkey":"cao:12617187",)"
             R"("datacontenttype":"application/json",)"
             R"("dataschema":"https://parley.dev/schemas/events/parley.message.delivered.v1.json",)"
             R"("data":{"platform":"cao","source":"cao","platformEvent":"MessageStatus",)"
             R"("conversation":{"id":"12617187"},)"
             R"("receipt":{"messageId":"987654322","status":"delivered","platformStatus":"1"})") +
         std::string(data_extra) + "}}";
}

HttpAnswer json_answer(unsigned status, std::string body) {
  HttpAnswer answer;
  answer.status = status;
  answer.headers.set("Content-Type", "application/json");
  answer.body = std::move(body);
  return answer;
}

TEST_F(ContractHook, AConformingRecordHasNoProblem) {
  EXPECT_EQ(record_problems("parley.events.v1", delivered_receipt(receipt_event(""))),
            std::vector<std::string>{});
}

TEST_F(ContractHook, AnUndocumentedMemberIsNamed) {
  const auto problems =
      record_problems("parley.events.v1", delivered_receipt(receipt_event(R"(,"mood":"fine")")));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("must NOT have additional properties \"mood\""), std::string::npos)
      << problems[0];
}

TEST_F(ContractHook, AParleyTopicNoChannelNamesIsAProblemAnotherIsNotChecked) {
  const auto problems = record_problems("parley.events.v2", delivered_receipt(receipt_event("")));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("no channel of docs/asyncapi.yaml"), std::string::npos) << problems[0];
  EXPECT_TRUE(record_problems("some.other.topic", delivered_receipt("not json")).empty());
}

TEST_F(ContractHook, InvalidUtf8IsNamedThoughTheValidatorSeesJson) {
  const auto problems =
      record_problems("parley.events.v1", delivered_receipt(receipt_event(",\"x\":\"\xff\"")));
  EXPECT_TRUE(std::ranges::any_of(problems, [](const std::string& p) {
    return p.find("the value is not valid UTF-8") != std::string::npos;
  })) << ::testing::PrintToString(problems);
}

TEST_F(ContractHook, AnAnswerIsCheckedAgainstItsOperation) {
  EXPECT_TRUE(answer_problems("ingest", "POST", "/v1/webhooks/justanswer?token=t",
                              json_answer(200, R"({"status":true,"message":""})"))
                  .empty());
  const auto problems = answer_problems("ingest", "POST", "/v1/webhooks/justanswer",
                                        json_answer(418, R"({"status":false,"message":"no"})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("status 418 is not documented"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace parley::testing::contracts
