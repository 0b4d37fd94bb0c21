// What a webhook carries never reaches an upstream request's framing: a JustAnswer userToken
// with CR/LF (it becomes the UserIdToken header of the question fetch) fails its own fetch,
// naming the header, and the simulator -- the platform's side of the wire -- sees exactly the
// requests parley meant: no injected GET, no answer taken for another question's.
#include "integration/enrich_fixture.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::testing {
namespace {

TEST_F(Enrich, AUserTokenWithCrLfNeverReachesTheWire) {
  HttpClient client(parley_->port());
  const std::string injected =
      R"({"eventType":"1","questionId":"q-attacker","userToken":"abc\r\n\r\nGET /api/v2/questions/attacker-chosen HTTP/1.1\r\nHost: x\r\n\r\n"})";
  // Refused at the door, naming the field; were it let in, the fetch would refuse the
  // UserIdToken header (upstream::unsendable, tests/upstream, fuzz_upstream_request).
  const auto refused = client.post("/v1/webhooks/justanswer", injected, kJaAuth);
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("userToken"), std::string::npos) << refused.body;
  ASSERT_EQ(post_justanswer(client, "victim-b").status, 200u);

  auto enriched = reader(kEnrichedTopic);
  const auto records = enriched.read(1, kReadTimeout);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "justanswer:victim-b");
  simdjson::dom::parser parser;
  EXPECT_EQ(text(parse_event(parser, records[0].value)["data"]["conversation"]["id"]), "victim-b");
  EXPECT_EQ(enrichment_of(records[0]).status, "ok");
  auto events = reader(kEventsTopic);
  for (const auto& record : events.read(static_cast<std::size_t>(events.count()), 10s))
    EXPECT_NE(record.key, "justanswer:q-attacker") << "the refused webhook published nothing";
  // The platform saw one question fetch: victim-b's. Nothing else, nothing injected.
  const auto stats = sim_->stats();
  EXPECT_EQ(stat(stats, "calls", "justanswer.question"), 1) << stats;
  EXPECT_EQ(stat(stats, "conversations", "justanswer:victim-b"), 1) << stats;
  EXPECT_EQ(stat(stats, "conversations", "justanswer:attacker-chosen"), 0) << stats;
}

// The door is not the only way onto the events topic (a replay tool, an older parley,
// another producer): enrichment builds its request from validated parts itself. An event
// whose customerId carries CR/LF fails its own fetch, naming the header; the platform sees
// only the requests parley meant -- every request it answered is counted.
TEST_F(Enrich, AnEventFromTheTopicWithCrLfInItsCustomerIdNeverReachesTheWire) {
  const std::string injected_token =
      R"(abc\r\n\r\nGET /api/v2/questions/attacker-chosen HTTP/1.1\r\nHost: x\r\n\r\n)";
  const std::string crafted =
      R"({"specversion":"1.0","id":"crafted-1","source":"/parley/justanswer",)"
      R"("type":"parley.conversation.updated","subject":"q-crafted",)"
      R"("time":"2026-11-21T10:10:59.123Z","partitionkey":"justanswer:q-crafted",)"
      R"("datacontenttype":"application/json","data":{"platform":"justanswer",)"
      R"("source":"justanswer","platformEvent":"1","conversation":{"id":"q-crafted",)"
      R"("customerId":")" +
      injected_token + R"("},"raw":{"eventType":"1","questionId":"q-crafted"}}})";
  auto producer = kafka::KafkaProducer::create(
      {.bootstrap_servers = broker_->bootstrap_servers(), .probe_topic = kEventsTopic});
  ASSERT_TRUE(producer) << producer.error();
  std::optional<std::string> failure;
  producer.value()->produce(
      {.topic = kEventsTopic, .key = "justanswer:q-crafted", .value = crafted},
      [&failure](std::optional<Error> error) {
        if (error) failure = error->message;
      });
  ASSERT_EQ(producer.value()->flush(10s), 0);
  ASSERT_FALSE(failure) << *failure;
  ASSERT_TRUE(parley_->wait_for_log("header UserIdToken: control character 0x0D", kReadTimeout));

  HttpClient client(parley_->port());
  ASSERT_EQ(post_justanswer(client, "victim-c").status, 200u);
  auto enriched = reader(kEnrichedTopic);
  enriched.skip_contract_checks();  // the crafted event is no record this parley wrote
  const auto victim = read_until(enriched, kReadTimeout, [](const Records& records) {
    return std::any_of(records.begin(), records.end(),
                       [](const auto& record) { return record.key == "justanswer:victim-c"; });
  });
  for (const auto& record : victim) {
    if (record.key != "justanswer:victim-c") continue;
    EXPECT_EQ(enrichment_of(record).status, "ok");
  }
  const auto stats = sim_->stats();
  EXPECT_EQ(stat(stats, "calls", "justanswer.question"), 1) << stats;
  EXPECT_EQ(stat(stats, "conversations", "justanswer:attacker-chosen"), 0) << stats;
  EXPECT_EQ(stat(stats, "conversations", "justanswer:q-crafted"), 0) << stats;
  std::int64_t answered = 0;
  simdjson::dom::parser parser;
  simdjson::dom::object statuses;
  ASSERT_EQ(parser.parse(stats)["statuses"].get(statuses), simdjson::SUCCESS) << stats;
  for (const auto [status, count] : statuses)
    answered += count.get_int64().value_unsafe();
  EXPECT_EQ(answered, 2) << "one token request and victim-c's question, nothing else: " << stats;
}

}  // namespace
}  // namespace parley::testing
