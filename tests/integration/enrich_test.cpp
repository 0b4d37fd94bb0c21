// The enrichment stage end to end: the real parley binary, the real parley-sim serving
// the platform APIs, a Kafka broker in the test process and real consumers of the
// events, enriched and dead-letter topics.
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "integration/enrich_fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(Enrich, EveryPlatformsEventCarriesTheConversationTheSimulatorServes) {
  // Webhooks about messages the simulated conversations really hold.
  simdjson::dom::parser sim_parser;
  const auto transcript = sim_parser.parse(sim_transcript("12617187")).value();
  const simdjson::dom::element agent_message = transcript["Messages"].at(1);
  simdjson::dom::parser receipt_parser;
  const auto receipt_transcript = receipt_parser.parse(sim_transcript("12617188")).value();
  const simdjson::dom::element customer_message = receipt_transcript["Messages"].at(0);
  simdjson::dom::parser talkjs_parser;
  const auto talkjs_messages =
      talkjs_parser.parse(sim_talkjs("order_391_fc", "/messages?limit=100"))
          .value()["data"]
          .get_array()
          .value();

  HttpClient client(parley_->port());
  ASSERT_EQ(post_justanswer(client, "q-every-platform").status, 200u);
  ASSERT_EQ(post_cao_message(client, cao_message("12617187", text(agent_message["MessageId"]),
                                                 text(agent_message["Message"])))
                .status,
            200u);
  ASSERT_EQ(client
                .post("/v1/webhooks/cao/receipts",
                      cao_receipt("12617188", text(customer_message["MessageId"]), "2"), kCaoAuth)
                .status,
            200u);
  ASSERT_EQ(post_talkjs(client, talkjs_message_sent("evt_every", "order_391_fc",
                                                    text(talkjs_messages.at(0)["id"])))
                .status,
            200u);

  const auto ja_id = justanswer_event_id("q-every-platform");
  const auto cao_id = "cao:message:" + text(agent_message["MessageId"]);
  const auto receipt_id = "cao:receipt:" + text(customer_message["MessageId"]) + ":2";
  // A TalkJS message.sent carries its message's id, not the webhook's event id.
  const std::string talkjs_id = "talkjs:message:" + text(talkjs_messages.at(0)["id"]);
  auto enriched = reader(kEnrichedTopic);
  const auto records = read_ids(enriched, {ja_id, cao_id, receipt_id, talkjs_id});
  ASSERT_EQ(missing(records, {ja_id, cao_id, receipt_id, talkjs_id}), std::set<std::string>{});

  {
    SCOPED_TRACE("JustAnswer");
    const auto* record = find_id(records, ja_id);
    expect_enriched_ok(record, ja_id, "justanswer:q-every-platform");
    EXPECT_EQ(type_of(*record), "parley.conversation.updated");
    simdjson::dom::parser parser;
    const simdjson::dom::element conversation =
        parse_event(parser, record->value)["data"]["conversation"];
    simdjson::dom::parser question_parser;
    const simdjson::dom::element question =
        question_parser.parse(sim_question("q-every-platform")).value()["data"];
    // The question itself is the first message, then the question's messages.
    IdTexts expected = {{text(question["question"]["token"]), text(question["question"]["text"])}};
    for (const auto& message : id_texts(question["messages"], "token", "text"))
      expected.push_back(message);
    EXPECT_EQ(id_texts(conversation["messages"], "id", "text"), expected);
    EXPECT_EQ(bool(conversation["closed"]), bool(question["question"]["isClosed"]));
    std::set<std::string> participants;
    for (const auto participant : conversation["participants"].get_array())
      participants.insert(text(participant["id"]));
    EXPECT_EQ(participants,
              (std::set<std::string>{"abcde12345", text(question["experts"].at(0)["token"])}));
  }
  {
    SCOPED_TRACE("CAO message");
    const auto* record = find_id(records, cao_id);
    expect_enriched_ok(record, cao_id, "cao:12617187");
    simdjson::dom::parser parser;
    const simdjson::dom::element conversation =
        parse_event(parser, record->value)["data"]["conversation"];
    EXPECT_EQ(text(conversation["id"]), "12617187");
    EXPECT_EQ(id_texts(conversation["messages"], "id", "text"),
              id_texts(transcript["Messages"], "MessageId", "Message"));
    EXPECT_EQ(conversation["participants"].get_array().size(), 2u);  // customer and agent
  }
  {
    SCOPED_TRACE("CAO receipt");
    const auto* record = find_id(records, receipt_id);
    expect_enriched_ok(record, receipt_id, "cao:12617188");
    EXPECT_EQ(type_of(*record), "parley.message.read");
    simdjson::dom::parser parser;
    const simdjson::dom::element data = parse_event(parser, record->value)["data"];
    EXPECT_EQ(text(data["receipt"]["messageId"]), text(customer_message["MessageId"]));
    EXPECT_EQ(id_texts(data["conversation"]["messages"], "id", "text"),
              id_texts(receipt_transcript["Messages"], "MessageId", "Message"));
  }
  {
    SCOPED_TRACE("TalkJS");
    const auto* record = find_id(records, talkjs_id);
    expect_enriched_ok(record, talkjs_id, "talkjs:order_391_fc");
    simdjson::dom::parser parser;
    const simdjson::dom::element conversation =
        parse_event(parser, record->value)["data"]["conversation"];
    // TalkJS lists the newest message first; the enriched conversation is oldest first.
    auto expected = id_texts(talkjs_messages, "id", "text");
    std::ranges::reverse(expected);
    EXPECT_EQ(id_texts(conversation["messages"], "id", "text"), expected);
    simdjson::dom::parser conversation_parser;
    const auto sim_conversation = conversation_parser.parse(sim_talkjs("order_391_fc")).value();
    EXPECT_EQ(text(conversation["subject"]), text(sim_conversation["subject"]));
    EXPECT_EQ(conversation["participants"].get_array().size(), 2u);
  }
}

TEST_F(Enrich, FiftyNotificationsForOneQuestionShareOneTokenAndFewFetches) {
  HttpClient client(parley_->port());
  // A CAO event first: once it is enriched the consumer group is assigned and running,
  // so the burst below meets a live stage rather than a backlog.
  ASSERT_EQ(post_cao_message(client, cao_message("4242", "1")).status, 200u);
  auto enriched = reader(kEnrichedTopic);
  ASSERT_EQ(read_ids(enriched, {"cao:message:1"}).size(), 1u);

  constexpr std::size_t kBurst = 50;
  const auto burst_started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < kBurst; ++i)
    ASSERT_EQ(post_justanswer(client, "q-burst").status, 200u) << i;
  const auto burst_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - burst_started)
                            .count();
  auto events = reader(kEventsTopic);
  const auto ingest = ids_of_type(read_type(events, "parley.conversation.updated", kBurst),
                                  "parley.conversation.updated");
  ASSERT_EQ(ingest.size(), kBurst);

  const auto records = read_ids(enriched, ingest);
  ASSERT_EQ(missing(records, ingest), std::set<std::string>{});
  for (const auto& record : records) {
    if (ingest.contains(id_of(record))) {
      EXPECT_EQ(enrichment_of(record).status, "ok") << record.value;
    }
  }
  const auto stats = sim_->stats();
  const auto fetches = stat(stats, "calls", "justanswer.question");
  std::cout << "[ measured ] " << kBurst << " notifications for one question: " << fetches
            << " question fetches, " << stat(stats, "calls", "justanswer.token")
            << " token requests; the burst took " << burst_ms << " ms\n";
  RecordProperty("question_fetches", static_cast<int>(fetches));
  EXPECT_EQ(stat(stats, "calls", "justanswer.token"), 1) << stats;
  EXPECT_GE(fetches, 1);
  EXPECT_LE(fetches, 10) << stats;
}

TEST_F(Enrich, ServerErrorsAreRetriedUntilTheFetchSucceeds) {
  sim_post("/_sim/faults", R"({"platform":"cao","status":500,"count":2})");
  HttpClient client(parley_->port());
  ASSERT_EQ(post_cao_message(client, cao_message("5005", "500500")).status, 200u);

  auto enriched = reader(kEnrichedTopic);
  const auto records = read_ids(enriched, {"cao:message:500500"});
  const auto* record = find_id(records, "cao:message:500500");
  expect_enriched_ok(record, "cao:message:500500", "cao:5005");
  EXPECT_EQ(enrichment_of(*record).attempts, 3);
  const auto stats = sim_->stats();
  EXPECT_EQ(stat(stats, "statuses", "500"), 2) << stats;
  EXPECT_EQ(stat(stats, "statuses", "200"), 1) << stats;
  EXPECT_EQ(stat(stats, "calls", "cao.transcript"), 3) << stats;
}

TEST_F(Enrich, ThrottlingIsWaitedOutAndRetried) {
  sim_post("/_sim/faults", R"({"platform":"cao","status":429,"count":1,"retry_after_s":1})");
  HttpClient client(parley_->port());
  ASSERT_EQ(post_cao_message(client, cao_message("4029", "402900")).status, 200u);

  auto enriched = reader(kEnrichedTopic);
  const auto records = read_ids(enriched, {"cao:message:402900"});
  const auto* record = find_id(records, "cao:message:402900");
  expect_enriched_ok(record, "cao:message:402900", "cao:4029");
  EXPECT_EQ(enrichment_of(*record).attempts, 2);
  const auto stats = sim_->stats();
  EXPECT_EQ(stat(stats, "statuses", "429"), 1) << stats;
  EXPECT_EQ(stat(stats, "statuses", "200"), 1) << stats;
}

TEST_F(Enrich, UpstreamThatStaysDownDeadLettersItsEventWhileOtherPlatformsFlow) {
  sim_post("/_sim/faults", R"({"platform":"talkjs","status":503,"count":-1})");
  HttpClient client(parley_->port());
  ASSERT_EQ(post_talkjs(client, talkjs_message_sent("evt_down", "conv_down", "msg_1")).status,
            200u);
  ASSERT_EQ(post_cao_message(client, cao_message("7007", "700700")).status, 200u);

  // TalkJS is retried for seconds (Retry-After: 1 is a floor); CAO is not held up by it.
  auto enriched = reader(kEnrichedTopic);
  const auto first = enriched.read(1, kReadTimeout);
  ASSERT_EQ(first.size(), 1u);
  expect_enriched_ok(&first[0], "cao:message:700700", "cao:7007");

  const auto records = read_ids(enriched, {"talkjs:message:msg_1"});
  const auto* failed = find_id(records, "talkjs:message:msg_1");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->key, "talkjs:conv_down");
  const auto enrichment = enrichment_of(*failed);
  EXPECT_EQ(enrichment.status, "failed");
  EXPECT_EQ(enrichment.attempts, 4);
  EXPECT_NE(enrichment.error.find("503"), std::string::npos) << enrichment.error;

  auto deadletter = reader(kDeadletterTopic);
  const auto dead = deadletter.read(1, kReadTimeout);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(id_of(dead[0]), "talkjs:message:msg_1");
  EXPECT_EQ(dead[0].key, "talkjs:conv_down");
  ASSERT_TRUE(dead[0].headers.contains("parley_deadletter_reason"));
  EXPECT_NE(dead[0].headers.at("parley_deadletter_reason").find("503"), std::string::npos)
      << dead[0].headers.at("parley_deadletter_reason");
  EXPECT_EQ(enrichment_of(dead[0]).status, "failed");
  EXPECT_EQ(deadletter.count(), 1);
  EXPECT_EQ(stat(sim_->stats(), "statuses", "503"), 4);
}

TEST_F(Enrich, NewJustAnswerMessageIsDiscoveredExactlyOnce) {
  const std::string question = "q-discovery";
  HttpClient client(parley_->port());
  ASSERT_EQ(post_justanswer(client, question).status, 200u);
  auto enriched = reader(kEnrichedTopic);
  const auto first = read_type(enriched, "parley.conversation.updated", 1);
  ASSERT_FALSE(first.empty());
  std::set<std::string> discovered_ids;
  {
    simdjson::dom::parser parser;
    const simdjson::dom::element conversation =
        parse_event(parser, first.back().value)["data"]["conversation"];
    for (const auto& [id, message_text] : id_texts(conversation["messages"], "id", "text"))
      discovered_ids.insert("justanswer:message:" + id);
  }
  ASSERT_FALSE(discovered_ids.empty());
  // Every message the fetch revealed became an event of its own, enriched from the cache.
  const auto served = read_ids(enriched, discovered_ids);
  ASSERT_EQ(missing(served, discovered_ids), std::set<std::string>{});
  for (const auto& id : discovered_ids) {
    const auto enrichment = enrichment_of(*find_id(served, id));
    EXPECT_EQ(enrichment.status, "ok") << id;
    EXPECT_EQ(enrichment.attempts, 0) << id;
  }

  simdjson::dom::parser parser;
  const simdjson::dom::element added =
      parser.parse(sim_post("/_sim/justanswer/questions/" + question + "/messages",
                            R"({"text":"One more thing: it rattles too."})"));
  const auto new_id = "justanswer:message:" + text(added["token"]);
  ASSERT_EQ(post_justanswer(client, question).status, 200u);
  const auto second = read_type(enriched, "parley.conversation.updated", 1);
  ASSERT_FALSE(second.empty());

  // The discovered events are acknowledged before the enriched event that found them.
  const auto expected_events = static_cast<std::int64_t>(2 + discovered_ids.size() + 1);
  auto events = reader(kEventsTopic);
  const auto all = events.read(static_cast<std::size_t>(expected_events), kReadTimeout);
  EXPECT_EQ(events.count(), expected_events);
  std::map<std::string, int> created;
  for (const auto& record : all) {
    if (type_of(record) == "parley.message.created") ++created[id_of(record)];
  }
  EXPECT_EQ(created[new_id], 1);
  EXPECT_EQ(created.size(), discovered_ids.size() + 1);
  for (const auto& [id, times] : created)
    EXPECT_EQ(times, 1) << id;
  const auto* discovered = find_id(all, new_id);
  ASSERT_NE(discovered, nullptr);
  simdjson::dom::parser event_parser;
  const simdjson::dom::element event = parse_event(event_parser, discovered->value);
  EXPECT_EQ(text(event["data"]["platformEvent"]), "enrichment.discovered");
  EXPECT_EQ(text(event["data"]["message"]["text"]), "One more thing: it rattles too.");
  EXPECT_EQ(discovered->key, "justanswer:" + question);
}

/// Every API answer 200 ms late, and two fetches at a time per platform: enrichment of a
/// few dozen events takes seconds, long enough to kill parley in the middle of it.
class EnrichWithSlowUpstream : public Enrich {
 protected:
  std::vector<std::string> sim_args() const override {
    auto args = Enrich::sim_args();
    args.insert(args.end(), {"--latency-ms", "200"});
    return args;
  }
  unsigned concurrency() const override { return 2; }
};

TEST_F(EnrichWithSlowUpstream, KilledMidStreamTheReplacementEnrichesEveryEvent) {
  HttpClient client(parley_->port());
  std::set<std::string> ids;
  for (int i = 0; i < 15; ++i) {
    const auto n = std::to_string(i);
    ASSERT_EQ(post_cao_message(client, cao_message("81000" + n, "82000" + n)).status, 200u);
    ids.insert("cao:message:82000" + n);
    ASSERT_EQ(
        post_talkjs(client, talkjs_message_sent("evt_kill_" + n, "kill_" + n, "msg_" + n)).status,
        200u);
    ids.insert("talkjs:message:msg_" + n);
  }
  auto enriched = reader(kEnrichedTopic);
  auto records = enriched.read(3, kReadTimeout);
  ASSERT_EQ(records.size(), 3u);
  parley_->send_signal(SIGKILL);
  ASSERT_EQ(parley_->wait_exit(10s), 128 + SIGKILL);
  // Everything on the topic at the kill (messages discovered by the fetches included).
  const auto on_topic = enriched.count();
  for (auto& record :
       enriched.read(static_cast<std::size_t>(on_topic) - records.size(), kReadTimeout))
    records.push_back(std::move(record));
  const auto before_kill = static_cast<std::int64_t>(ids.size() - missing(records, ids).size());
  EXPECT_LT(before_kill, static_cast<std::int64_t>(ids.size())) << "not killed mid-stream";

  ASSERT_TRUE(start_parley());
  for (auto& record : read_ids(enriched, missing(records, ids), 90s))
    records.push_back(std::move(record));
  EXPECT_EQ(missing(records, ids), std::set<std::string>{});
  std::cout << "[ measured ] enriched before the kill: " << before_kill << " of " << ids.size()
            << "; records read in all (repeats allowed): " << records.size() << "\n";
  for (const auto& record : records)
    EXPECT_EQ(enrichment_of(record).status, "ok") << record.value;
}

// --- recovery (issue: static membership, cooperative rebalancing) ---

using Clock = std::chrono::steady_clock;

// The issue's target (10 s) is measured alone by benchmarks/recovery/run.sh. Here, with
// ctest -j2 and ASan on 2 cores, a rolling restart was seen at 10.4 s; 20 s still fails a
// member that waits out a session of parley's default (6 s) twice, or librdkafka's (45 s).
constexpr double kRecoveryBoundSeconds = 20.0;
// A rolling restart is three hand-overs in a row: alone it measures 5-10 s, but a clean-clone
// run of the whole suite saw 20.9 s (the test took 53 s, 22 s alone). 30 s still fails a
// member that waits out librdkafka's default session (45 s).
constexpr double kRollingRestartBoundSeconds = 30.0;

std::set<std::string> ids_of(const Records& records) {
  std::set<std::string> ids;
  for (const auto& record : records)
    ids.insert(id_of(record));
  return ids;
}

class EnrichRecovery : public Enrich {
 protected:
  /// The next `count` event ids on `reader` that are not in `seen`. The mock cluster may
  /// store a produce retried after a slow answer twice (it checks idempotence only for
  /// transactional producers); a repeat carries the same id, as consumers expect.
  static std::set<std::string> read_new_ids(KafkaReader& reader, std::size_t count,
                                            const std::set<std::string>& seen = {}) {
    std::set<std::string> fresh;
    read_until(reader, kReadTimeout, [&](const Records& records) {
      if (!records.empty() && !seen.contains(id_of(records.back()))) {
        fresh.insert(id_of(records.back()));
      }
      return fresh.size() >= count;
    });
    return fresh;
  }

  /// Posts 100 webhooks, SIGKILLs parley, restarts it at once and returns how long after the
  /// restart the last of the accepted events was enriched; the restarted process then takes
  /// 100 more webhooks.
  double seconds_to_enrich_after_sigkill() {
    constexpr int kBeforeKill = 100;
    {
      HttpClient client(parley_->port());
      for (int i = 0; i < kBeforeKill; ++i)
        EXPECT_EQ(post_justanswer(client, "kill" + std::to_string(i)).status, 200u);
    }
    parley_->send_signal(SIGKILL);
    EXPECT_EQ(parley_->wait_exit(10s), 128 + SIGKILL);
    auto events = reader(kEventsTopic);
    const auto accepted = read_new_ids(events, kBeforeKill);
    EXPECT_EQ(accepted.size(), static_cast<std::size_t>(kBeforeKill));

    const auto restarted = Clock::now();
    EXPECT_TRUE(start_parley());
    auto enriched = reader(kEnrichedTopic);
    const auto records = read_ids(enriched, accepted, 60s);
    const auto recovery = std::chrono::duration<double>(Clock::now() - restarted).count();
    EXPECT_EQ(missing(records, accepted), std::set<std::string>{});
    HttpClient client(parley_->port());
    for (int i = kBeforeKill; i < 2 * kBeforeKill; ++i)
      EXPECT_EQ(post_justanswer(client, "kill" + std::to_string(i)).status, 200u);
    EXPECT_EQ(read_new_ids(events, kBeforeKill, accepted).size(),
              static_cast<std::size_t>(kBeforeKill));
    return recovery;
  }
};

TEST_F(EnrichRecovery, SigkillAndImmediateRestartEnrichesEverythingAcceptedWithinSeconds) {
  // A running member (its partitions assigned) is killed: the pod OOM-killed in production.
  ASSERT_TRUE(parley_->wait_for_log("kafka partitions assigned", 60s));
  const double recovery = seconds_to_enrich_after_sigkill();
  std::cout << "[ measured ] SIGKILL + restart of a running member: every accepted event "
               "enriched "
            << recovery << " s after the restart\n";
  // The mock keeps the dead member until its session (3.5 s) expires, so the restarted one
  // waits a join window (S - 1 s), the expiry, and a second window: about 2 x 2.5 s + 1 s,
  // plus enrichment. A real broker with static membership hands the partitions back at the
  // rejoin.
  EXPECT_LE(recovery, kRecoveryBoundSeconds);
}

TEST_F(EnrichRecovery, SigkillBeforeTheFirstGroupFormedStillEnrichesEverythingAccepted) {
  // Killed while its first JoinGroup was pending (the mock holds a new group open 3 s): the
  // mock does not read a connection whose JoinGroup it holds, so it elects the dead member,
  // waits a sync timeout for it, then its session: about 2 x 3.5 s + 2.5 s after the kill.
  const double recovery = seconds_to_enrich_after_sigkill();
  const auto killed_log = previous_->log_lines();
  const bool had_partitions = std::ranges::any_of(killed_log, [](const std::string& line) {
    return line.find("kafka partitions assigned") != std::string::npos;
  });
  std::cout << "[ measured ] SIGKILL + restart "
            << (had_partitions ? "(the group had formed after all)"
                               : "before the first group formed")
            << ": every accepted event enriched " << recovery << " s after the restart\n";
  EXPECT_LE(recovery, kRecoveryBoundSeconds);
}

TEST_F(Enrich, SigtermWithKafkaSilentEndsWithinTheShutdownTimeout) {
  // librdkafka's own commit and group leave wait without bound for an unreachable
  // coordinator; parley's shutdown gives them shutdown_timeout_ms and goes.
  parley_ = std::make_unique<ParleyProcess>(with_shutdown_timeout(
      enrich_test_config(broker_->bootstrap_servers(), sim_->base_url()), 5s));
  ASSERT_TRUE(parley_->wait_for_log("kafka partitions assigned", 60s));
  {
    HttpClient client(parley_->port());
    for (int i = 0; i < 100; ++i) {
      ASSERT_EQ(post_justanswer(client, "gone" + std::to_string(i)).status, 200u);
    }
  }
  // Kafka stops answering while enrichment is under way (connected, as behind a network
  // partition): offsets finished just before are still to be committed at the SIGTERM.
  auto enriched = reader(kEnrichedTopic);
  ASSERT_FALSE(enriched.read(1, kReadTimeout).empty());
  broker_->set_broker_rtt(1, std::chrono::minutes(2));
  const auto signalled = Clock::now();
  parley_->send_signal(SIGTERM);
  EXPECT_NE(parley_->wait_exit(40s), -1) << "parley still running 40 s after SIGTERM";
  const auto took = std::chrono::duration<double>(Clock::now() - signalled).count();
  std::cout << "[ measured ] SIGTERM with Kafka not answering: parley exited " << took
            << " s later\n";
  // 5 s of shutdown_timeout_ms for the commit and the group leave, then librdkafka gives up
  // the requests still unanswered (socket.timeout.ms, 10 s for consumers) as it destroys
  // the handle. Before: the commit at shutdown waited without bound.
  EXPECT_LE(took, 20.0);
  EXPECT_TRUE(parley_->wait_for_log("did not leave its group by shutdown_timeout_ms", 1s) ||
              parley_->wait_for_log("offset commit not confirmed in time", 1s));
}

TEST_F(EnrichRecovery, RollingRestartOfThreeReplicasLeavesNoPartitionUnconsumedForLong) {
  // Ingest stays up (the one from SetUp, role all); three enrich replicas are rolled. Joining
  // takes seconds, more on a loaded machine; what is measured is the wait of the events.
  constexpr auto kJoinTimeout = 60s;
  auto replica = [&] {
    return std::make_unique<ParleyProcess>(
        enrich_test_config(broker_->bootstrap_servers(), sim_->base_url(), 64, "role: enrich\n"));
  };
  ASSERT_TRUE(parley_->wait_for_log("parley started", 20s));  // SIGTERM handled from here
  parley_->send_signal(SIGTERM);
  ASSERT_EQ(parley_->wait_exit(20s), 0);
  parley_ = std::make_unique<ParleyProcess>(
      enrich_test_config(broker_->bootstrap_servers(), sim_->base_url(), 64, "role: ingest\n"));
  ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 20s));
  std::vector<std::unique_ptr<ParleyProcess>> replicas;
  for (int n = 0; n < 3; ++n)
    replicas.push_back(replica());
  for (auto& r : replicas)
    ASSERT_TRUE(r->wait_for_log("kafka partitions assigned", kJoinTimeout));

  std::atomic<bool> posting{true};
  std::atomic<int> posted{0};
  std::thread trickle([&] {
    HttpClient client(parley_->port());
    boost::asio::io_context io;
    boost::asio::steady_timer pace(io);  // paces the load (20/s); nothing waits on it
    for (int i = 0; posting.load(); ++i) {
      // A question per post, spread over every partition.
      if (post_justanswer(client, "roll" + std::to_string(i)).status == 200u) ++posted;
      pace.expires_after(50ms);
      pace.wait();
    }
  });
  for (auto& r : replicas) {
    r->send_signal(SIGTERM);
    EXPECT_EQ(r->wait_exit(20s), 0);
    r = replica();
    ASSERT_TRUE(r->wait_for_log("kafka partitions assigned", kJoinTimeout));
  }
  posting.store(false);
  trickle.join();

  // How long each event waited for an owner: its enriched record's time minus its own.
  auto events = reader(kEventsTopic);
  const auto published = events.read(static_cast<std::size_t>(posted.load()), kReadTimeout);
  ASSERT_EQ(published.size(), static_cast<std::size_t>(posted.load()));
  std::map<std::string, std::int64_t> produced_at;
  for (const auto& record : published)
    produced_at[id_of(record)] = record.timestamp_ms;
  auto enriched = reader(kEnrichedTopic);
  const auto records = read_ids(enriched, ids_of(published), 60s);
  EXPECT_EQ(missing(records, ids_of(published)), std::set<std::string>{});
  std::int64_t longest = 0;
  std::map<std::string, std::int64_t> first_enriched;
  for (const auto& record : records) {
    const auto at = first_enriched.try_emplace(id_of(record), record.timestamp_ms).first;
    at->second = std::min(at->second, record.timestamp_ms);
  }
  for (const auto& [id, at] : first_enriched) {
    if (produced_at.contains(id)) longest = std::max(longest, at - produced_at[id]);
  }
  std::cout << "[ measured ] rolling restart of 3 replicas: " << posted.load()
            << " events, longest wait for enrichment " << longest << " ms\n";
  EXPECT_LE(longest, static_cast<std::int64_t>(kRollingRestartBoundSeconds * 1000));
}

}  // namespace
}  // namespace parley::testing
