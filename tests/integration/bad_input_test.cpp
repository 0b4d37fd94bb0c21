// Every kind of bad input, for every source, against the real binary: the HTTP code, the
// message naming the problem, the metric outcome, and what reached Kafka.
#include <thread>

#include "integration/fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct BadInput {
  std::string name;
  std::string path;
  std::string body;
  Headers headers;
  unsigned status;
  std::string message;  // part of the answer's message
  std::string source;   // metric label
  std::string outcome;  // metric label
};

const std::string kLong(600, 'x');  // over the 512-byte cap on ids

Headers ja() {
  return {{"X-Parley-Token", "test-token"}};
}
Headers cao() {
  return {{"Authorization", "Basic test-cao-key"}};
}
Headers talkjs(const std::string& body) {
  return talkjs_headers(body, unix_now());
}

std::string talkjs_event(const std::string& data,
                         const std::string& type = "conversation.deleted") {
  return R"({"id":"evt_bad","createdAt":1732185600000,"type":")" + type + R"(","data":)" + data +
         "}";
}

std::vector<BadInput> cases() {
  const std::string ja_valid = ja_body("q1");
  const std::string cao_valid =
      R"({"VisitId":"1","MessageId":"2","DateTime":"6/15/2015 4:13 PM","Message":"hi"})";
  const std::string talkjs_valid = talkjs_event(R"({"conversation":{"id":"c1"}})");
  std::vector<BadInput> all = {
      // JustAnswer
      {"ja malformed", "/v1/webhooks/justanswer", R"({"eventType":"1",)", ja(), 400,
       "not valid JSON", "justanswer", "invalid"},
      {"ja wrong type", "/v1/webhooks/justanswer",
       R"({"eventType":1,"questionId":"q","userToken":"u"})", ja(), 400,
       "field eventType: must be a non-empty string, got number", "justanswer", "invalid"},
      {"ja missing", "/v1/webhooks/justanswer", R"({"eventType":"1","questionId":"q"})", ja(), 400,
       "field userToken: is required", "justanswer", "invalid"},
      {"ja empty", "/v1/webhooks/justanswer",
       R"({"eventType":"1","questionId":"","userToken":"u"})", ja(), 400,
       "field questionId: must be a non-empty string", "justanswer", "invalid"},
      {"ja oversized", "/v1/webhooks/justanswer",
       R"({"eventType":"1","questionId":")" + kLong + R"(","userToken":"u"})", ja(), 400,
       "field questionId: longer than 512 bytes", "justanswer", "invalid"},
      {"ja wrong auth",
       "/v1/webhooks/justanswer",
       ja_valid,
       {{"X-Parley-Token", "wrong"}},
       401,
       "not an accepted token",
       "justanswer",
       "unauthorized"},
      {"ja missing auth",
       "/v1/webhooks/justanswer",
       ja_valid,
       {},
       401,
       "missing credentials",
       "justanswer",
       "unauthorized"},
      // CAO
      {"cao malformed", "/v1/webhooks/cao/messages", R"({"VisitId":"1" "MessageId":"2"})", cao(),
       400, "not valid JSON", "cao", "invalid"},
      {"cao wrong type", "/v1/webhooks/cao/messages",
       R"({"VisitId":[1],"MessageId":"2","DateTime":"6/15/2015 4:13 PM","Message":"hi"})", cao(),
       400, "field VisitId: must be a non-empty string or an integer, got array", "cao", "invalid"},
      {"cao missing", "/v1/webhooks/cao/messages",
       R"({"VisitId":"1","DateTime":"6/15/2015 4:13 PM","Message":"hi"})", cao(), 400,
       "field MessageId: is required", "cao", "invalid"},
      {"cao empty", "/v1/webhooks/cao/receipts",
       R"({"VisitId":"","MessageId":"2","MessageStatus":"2"})", cao(), 400,
       "field VisitId: must be a non-empty string", "cao", "invalid"},
      {"cao oversized", "/v1/webhooks/cao/receipts",
       R"({"VisitId":"1","MessageId":")" + kLong + R"(","MessageStatus":"2"})", cao(), 400,
       "field MessageId: longer than 512 bytes", "cao", "invalid"},
      {"cao bad date", "/v1/webhooks/cao/messages",
       R"({"VisitId":"1","MessageId":"2","DateTime":"2015-13-01T00:00:00","Message":"hi"})", cao(),
       400, "field DateTime", "cao", "invalid"},
      {"cao wrong auth",
       "/v1/webhooks/cao/messages",
       cao_valid,
       {{"Authorization", "Basic wrong"}},
       401,
       "Authorization",
       "cao",
       "unauthorized"},
      {"cao missing auth",
       "/v1/webhooks/cao/receipts",
       cao_valid,
       {},
       401,
       "Authorization",
       "cao",
       "unauthorized"},
      // TalkJS
      {"talkjs malformed", "/v1/webhooks/talkjs", "{\"id\":", talkjs("{\"id\":"), 400,
       "not valid JSON", "talkjs", "invalid"},
      {"talkjs wrong type", "/v1/webhooks/talkjs",
       R"({"id":"e","createdAt":"yesterday","type":"user.created","data":{}})",
       talkjs(R"({"id":"e","createdAt":"yesterday","type":"user.created","data":{}})"), 400,
       "field createdAt", "talkjs", "invalid"},
      {"talkjs missing", "/v1/webhooks/talkjs", talkjs_event(R"({"user":{}})", "user.created"),
       talkjs(talkjs_event(R"({"user":{}})", "user.created")), 400, "data.user.id", "talkjs",
       "invalid"},
      {"talkjs empty", "/v1/webhooks/talkjs",
       R"({"id":"","createdAt":1,"type":"user.created","data":{}})",
       talkjs(R"({"id":"","createdAt":1,"type":"user.created","data":{}})"), 400, "field id",
       "talkjs", "invalid"},
      {"talkjs oversized", "/v1/webhooks/talkjs",
       talkjs_event(R"({"user":{"id":")" + kLong + R"("}})", "user.created"),
       talkjs(talkjs_event(R"({"user":{"id":")" + kLong + R"("}})", "user.created")), 400,
       "longer than 512 bytes", "talkjs", "invalid"},
      {"talkjs wrong auth", "/v1/webhooks/talkjs", talkjs_valid,
       talkjs_headers(talkjs_valid, unix_now(), "wrong-secret"), 401, "X-TalkJS-Signature",
       "talkjs", "unauthorized"},
      {"talkjs missing auth",
       "/v1/webhooks/talkjs",
       talkjs_valid,
       {},
       401,
       "X-TalkJS-",
       "talkjs",
       "unauthorized"},
      {"talkjs stale", "/v1/webhooks/talkjs", talkjs_valid,
       talkjs_headers(talkjs_valid, unix_now() - 301), 401, "over max_skew_seconds (300)", "talkjs",
       "unauthorized"},
      {"talkjs future", "/v1/webhooks/talkjs", talkjs_valid,
       talkjs_headers(talkjs_valid, unix_now() + 3600), 401, "X-TalkJS-Timestamp", "talkjs",
       "unauthorized"},
  };
  return all;
}

double outcome_count(HttpClient& admin, const std::string& source, const std::string& outcome) {
  const auto value =
      metric_value(admin.get("/metrics").body, "parley_webhooks_received_total{outcome=\"" +
                                                   outcome + "\",source=\"" + source + "\"}");
  return value;
}

class BadInputTest : public IngestFixture {};

TEST_F(BadInputTest, EveryCaseIsAnsweredCountedAndPublishesNothing) {
  HttpAnswer answer;
  HttpClient admin(parley_->admin_port());
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const double before = outcome_count(admin, c.source, c.outcome);
    HttpClient client(parley_->port());  // a fresh connection: errors may close it
    answer = client.post(c.path, c.body, c.headers);
    EXPECT_EQ(answer.status, c.status) << answer.body;
    EXPECT_NE(answer.body.find(c.message), std::string::npos) << answer.body;
    EXPECT_EQ(outcome_count(admin, c.source, c.outcome), before + 1);
  }
  EXPECT_EQ(reader().count(), 0);
}

TEST_F(BadInputTest, NonJsonContentTypeIs415ForEverySource) {
  HttpClient admin(parley_->admin_port());
  // Proofs in the headers are checked first (a request without one is 401 at its head); a
  // signature over the body cannot be checked before the 415, so TalkJS's is counted as
  // refused before verification.
  const std::string body = "a=1";
  auto talkjs = talkjs_headers(body, unix_now());
  const std::vector<std::tuple<std::string, std::string,
                               std::vector<std::pair<std::string, std::string>>, std::string>>
      cases = {
          {"/v1/webhooks/justanswer", "justanswer", {{"X-Parley-Token", "test-token"}}, "invalid"},
          {"/v1/webhooks/cao/messages",
           "cao",
           {{"Authorization", "Basic test-cao-key"}},
           "invalid"},
          {"/v1/webhooks/talkjs", "talkjs", talkjs, "unauthenticated_invalid"}};
  for (auto [path, source, headers, outcome] : cases) {
    SCOPED_TRACE(path);
    HttpClient client(parley_->port());
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    const auto answer = client.request(boost::beast::http::verb::post, path, body, headers);
    EXPECT_EQ(answer.status, 415u);
    EXPECT_NE(answer.body.find("Content-Type must be application/json"), std::string::npos);
    EXPECT_EQ(outcome_count(admin, source, outcome), 1);
  }
  EXPECT_EQ(reader().count(), 0);
}

/// A short read timeout, so a body that never comes is seen to time out.
class ShortReadTimeout : public IngestFixture {
 protected:
  std::string extra_config() const override { return "limits: {read_timeout_ms: 1000}\n"; }
};

// Refusals of what nobody verified yet (a TalkJS signature is over the body) are anyone's to
// cause: counted as unauthenticated_*, which the rejection alert leaves out, never as the
// source's own too_large or timeout.
TEST_F(ShortReadTimeout, UnverifiedRefusalsAreCountedApartFromTheSources) {
  const auto count = [this](const std::string& outcome) {
    HttpClient admin(parley_->admin_port());  // fresh: an idle one is closed after 1 s
    return outcome_count(admin, "talkjs", outcome);
  };
  HttpClient big(parley_->port());
  big.send_raw(talkjs_head_signed_over_empty_object(2 << 20));
  const auto too_large = big.read_answer();
  ASSERT_TRUE(too_large.has_value());
  EXPECT_EQ(too_large->status, 413u);
  // A body that stops half-way: timed out after 1 s (no answer is possible then).
  HttpClient slow(parley_->port());
  slow.send_raw(talkjs_head_signed_over_empty_object(100) + "{\"id\":");
  EXPECT_TRUE(slow.closed_by_server());
  // The refusal is counted as the connection ends, which the client may see first: the
  // scrape is repeated until it shows.
  eventually([&] { return count("unauthenticated_timeout") >= 1; }, std::chrono::seconds(5));
  EXPECT_EQ(count("unauthenticated_too_large"), 1);
  EXPECT_EQ(count("unauthenticated_timeout"), 1);
  EXPECT_EQ(count("too_large"), 0);
  EXPECT_EQ(count("timeout"), 0);
}

TEST_F(BadInputTest, RefusalsBeforeRoutingAreCountedByReason) {
  HttpClient admin(parley_->admin_port());
  const auto refused = [&](const std::string& reason) {
    return metric_value(admin.get("/metrics").body,
                        "parley_http_refused_total{reason=\"" + reason + "\"}");
  };
  EXPECT_EQ(refused("not_found"), 0);
  HttpClient client(parley_->port());
  EXPECT_EQ(client.post("/v1/webhooks/nope", "{}").status, 404u);
  HttpClient other(parley_->port());  // the 404 closed the first: its body was never read
  EXPECT_EQ(other.get("/v1/webhooks/justanswer").status, 405u);
  HttpClient big(parley_->port());
  big.send_raw("POST /v1/webhooks/justanswer HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') +
               "\r\n\r\n");
  ASSERT_TRUE(big.read_answer());
  HttpClient garbage(parley_->port());
  garbage.send_raw("NOT HTTP AT ALL\r\n\r\n");
  ASSERT_TRUE(garbage.read_answer());
  EXPECT_EQ(refused("not_found"), 1);
  EXPECT_EQ(refused("method_not_allowed"), 1);
  EXPECT_EQ(refused("header_too_large"), 1);
  EXPECT_EQ(refused("malformed"), 1);
  EXPECT_EQ(reader().count(), 0);
}

TEST_F(BadInputTest, UnknownEventTypesAndStatusesArePublishedExactlyOnceAsDocumentedTypes) {
  HttpClient client(parley_->port());
  const auto unknown = talkjs_event(R"({"conversation":{"id":"c7"}})", "conversation.archived");
  EXPECT_EQ(client.post("/v1/webhooks/talkjs", unknown, talkjs(unknown)).status, 200u);
  const std::string status_9 = R"({"VisitId":"7","MessageId":"8","MessageStatus":9})";
  EXPECT_EQ(client.post("/v1/webhooks/cao/receipts", status_9, cao()).status, 200u);
  const std::string ja_unknown = ja_body("q7", "some-new-event");
  EXPECT_EQ(client.post("/v1/webhooks/justanswer", ja_unknown, ja()).status, 200u);

  auto kafka = reader();
  const auto events = kafka.read(3, 10s);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(kafka.count(), 3);
  std::map<std::string, std::string> type_by_key;
  for (const auto& event : events)
    type_by_key[event.key] = event.headers.at("ce_type");
  EXPECT_EQ(type_by_key["talkjs:c7"], "parley.platform.unmapped");
  EXPECT_EQ(type_by_key["cao:7"], "parley.message.receipt");
  EXPECT_EQ(type_by_key["justanswer:q7"], "parley.conversation.updated");
}

// Ids are namespaced by kind: a TalkJS event whose own id reads "message:<id>" cannot take
// the id of that message's parley.message.created, which parley would then drop as a
// duplicate (dedupe is by source + id).
TEST_F(BadInputTest, AnEventIdThatLooksLikeAMessageIdDoesNotSuppressTheMessage) {
  HttpClient client(parley_->port());
  const std::string forged = R"({"id":"message:m_victim2","createdAt":1732185600000,)"
                             R"("type":"user.created","data":{"user":{"id":"12081"}}})";
  const std::string real = R"({"id":"evt_real","createdAt":1732185600000,"type":"message.sent",)"
                           R"("data":{"message":{"id":"m_victim2","conversationId":"c_victim",)"
                           R"("text":"hello"}}})";
  EXPECT_EQ(client.post("/v1/webhooks/talkjs", forged, talkjs(forged)).status, 200u);
  EXPECT_EQ(client.post("/v1/webhooks/talkjs", real, talkjs(real)).status, 200u);

  auto kafka = reader();
  const auto events = kafka.read(2, 10s);
  ASSERT_EQ(events.size(), 2u);
  std::map<std::string, std::string> type_by_id;
  for (const auto& event : events)
    type_by_id[event.headers.at("ce_id")] = event.headers.at("ce_type");
  EXPECT_EQ(type_by_id["talkjs:event:message:m_victim2"], "parley.user.created");
  EXPECT_EQ(type_by_id["talkjs:message:m_victim2"], "parley.message.created");
  HttpClient admin(parley_->admin_port());
  EXPECT_EQ(outcome_count(admin, "talkjs", "duplicate"), 0);
  EXPECT_EQ(outcome_count(admin, "talkjs", "accepted"), 2);
}

// A key field with CR/LF, ESC or a bidirectional override would be copied into the record
// key, ce_subject and ce_id (a forged line or a reversed name where a consumer prints keys).
TEST_F(BadInputTest, AQuestionIdWithAControlCharacterIsRefusedNamingTheFieldAndPublishesNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(12345\r\nce_id: forged)", "U+000D"},
      {R"(12345\u001b[2J)", "U+001B"},
      {"12345\u202egnp.exe", "U+202E"}};
  for (const auto& [question, named] : cases) {
    SCOPED_TRACE(named);
    HttpClient client(parley_->port());
    const std::string body =
        R"({"eventType":"1","questionId":")" + question + R"(","userToken":"u1"})";
    const auto answer = client.post("/v1/webhooks/justanswer", body, ja());
    EXPECT_EQ(answer.status, 400u);
    EXPECT_NE(answer.body.find("field questionId: contains a control character (" + named +
                               ") at byte 5"),
              std::string::npos)
        << answer.body;
    EXPECT_NE(answer.body.find(R"("status":false)"), std::string::npos) << answer.body;
  }
  HttpClient admin(parley_->admin_port());
  EXPECT_EQ(outcome_count(admin, "justanswer", "invalid"), 3);
  EXPECT_EQ(reader().count(), 0);
}

}  // namespace
}  // namespace parley::testing
