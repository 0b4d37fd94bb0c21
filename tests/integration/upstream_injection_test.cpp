// What a webhook carries never reaches an upstream request's framing: a JustAnswer userToken
// with CR/LF (it becomes the UserIdToken header of the question fetch) fails its own fetch,
// naming the header, and the simulator -- the platform's side of the wire -- sees exactly the
// requests parley meant: no injected GET, no answer taken for another question's.
#include "integration/enrich_fixture.hpp"

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

}  // namespace
}  // namespace parley::testing
