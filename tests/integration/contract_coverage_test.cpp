// Every event type the code can emit, produced by the real binary from real webhooks, read
// from parley.events.v1 and parley.enriched.v1: reading them checks each against its published
// schema and AsyncAPI message (support/contracts.cpp). The test makes sure every type is read.
#include <gtest/gtest.h>

#include "integration/enrich_fixture.hpp"
#include "parley/events/cloud_event.hpp"

namespace parley::testing {
namespace {

std::string talkjs(const std::string& id, const std::string& type, const std::string& data) {
  return R"({"id":")" + id + R"(","createdAt":1732185600000,"type":")" + type + R"(","data":)" +
         data + "}";
}

const std::string kMessage =
    R"("message":{"id":"msg_c1","conversationId":"order_391_fc","senderId":"8029",)"
    R"("text":"Hello Alice!","type":"UserMessage","createdAt":1732185600000,)"
    R"("custom":{"parleyCommandId":"cmd-7"}})";
const std::string kConversation = R"("conversation":{"id":"order_391_fc","subject":"Order"})";
const std::string kRecipient = R"("recipient":{"id":"12081","name":"Alice"})";

TEST_F(Enrich, EveryEventTypeTheCodeCanEmitFollowsItsPublishedSchema) {
  const std::string notification = R"({"notificationId":"ntf_1",)" + kRecipient + "," +
                                   kConversation + R"(,"messages":[{"id":"msg_c1"}]})";
  const std::vector<std::string> talkjs_bodies = {
      talkjs("evt_c_sent", "message.sent",
             R"({"sender":{"id":"8029","name":"Bob","role":"seller"},)" + kConversation + "," +
                 kMessage + "}"),
      talkjs("evt_c_upd", "message.updated", "{" + kConversation + "," + kMessage + "}"),
      talkjs("evt_c_del", "message.deleted", "{" + kConversation + "," + kMessage + "}"),
      talkjs("evt_c_read", "message.read",
             "{" + kRecipient + "," + kConversation + "," + kMessage + "}"),
      talkjs("evt_c_cdel", "conversation.deleted", R"({"conversation":{"id":"conv_gone"}})"),
      talkjs("evt_c_u1", "user.created",
             R"({"user":{"id":"12081","name":"Alice","email":["a@example.com"],"role":"buyer"}})"),
      talkjs("evt_c_u2", "user.updated", R"({"user":{"id":"12081","name":"Alice B."}})"),
      talkjs("evt_c_n1", "notification.triggered", notification),
      talkjs("evt_c_n2", "notification.sent", notification),
      talkjs("evt_c_n3", "notification.delivered", notification),
      talkjs("evt_c_n4", "notification.bounced",
             R"({"notificationId":"ntf_2",)" + kRecipient + "}"),
      talkjs("evt_c_n5", "notification.opened", notification),
      talkjs("evt_c_n6", "notification.link.clicked", notification),
      talkjs("evt_c_x", "something.new", R"({"conversation":{"id":"c9"}})"),
  };
  HttpClient client(parley_->port());
  for (const auto& body : talkjs_bodies)
    ASSERT_EQ(post_talkjs(client, body).status, 200u) << body;
  for (const std::string status : {"0", "1", "2"}) {
    ASSERT_EQ(
        client.post("/v1/webhooks/cao/receipts", cao_receipt("12617187", "9911", status), kCaoAuth)
            .status,
        200u);
  }
  ASSERT_EQ(post_justanswer(client, "q-contract").status, 200u);

  const std::set<std::string> all(events::type::kAll.begin(), events::type::kAll.end());
  const auto types_in = [](const Records& records) {
    std::set<std::string> types;
    for (const auto& record : records)
      types.insert(type_of(record));
    return types;
  };
  auto events = reader(kEventsTopic);
  const auto published = read_until(events, kReadTimeout, [&](const Records& records) {
    return std::ranges::includes(types_in(records), all);
  });
  EXPECT_EQ(types_in(published), all);

  std::set<std::string> ids;
  for (const auto& record : published)
    ids.insert(id_of(record));
  auto enriched = reader(kEnrichedTopic);
  const auto enriched_records = read_ids(enriched, ids);
  EXPECT_EQ(missing(enriched_records, ids), std::set<std::string>{});
  EXPECT_EQ(types_in(enriched_records), all);
}

}  // namespace
}  // namespace parley::testing
