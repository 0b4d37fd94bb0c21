#include "webhook_sender.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <optional>

#include "cao_data.hpp"
#include "deterministic.hpp"
#include "json_out.hpp"
#include "justanswer_data.hpp"
#include "parley/common/result.hpp"
#include "parley/sources/crypto.hpp"
#include "talkjs_data.hpp"

namespace parley::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kTimeout = std::chrono::seconds(10);

// The JSON object `fill` writes.
template <class Fill>
std::string json_object(Fill fill) {
  std::string body;
  {
    json::ObjectWriter object(body);
    fill(object);
  }
  return body;
}

std::string conversation_or(const SendOptions& options, std::string_view fallback) {
  return options.conversation.empty() ? std::string(fallback) : options.conversation;
}

// JustAnswer's webhook carries no id of its own: parley gives each delivery a new one.
Webhook justanswer_webhook(const SendOptions& options) {
  const auto question = conversation_or(options, kDefaultQuestion);
  return Webhook{.path = std::string(webhook_path(WebhookKind::justanswer)),
                 .body = json_object([&](json::ObjectWriter& object) {
                   put_string(object, "eventType", "1");
                   put_string(object, "questionId", question);
                   put_string(object, "userToken", justanswer_user_token(question));
                 }),
                 .headers = {{"X-Parley-Token", options.ja_token}}};
}

// Round n posts the visit's n-th agent message (transcript index 2n + 1), as CAO posts
// agents' messages to the publisher.
Webhook cao_message_webhook(const SendOptions& options, std::size_t round) {
  const auto visit = cao_visit(conversation_or(options, kDefaultVisit));
  const auto message = cao_message(visit, 2 * round + 1);
  return Webhook{.path = std::string(webhook_path(WebhookKind::cao_messages)),
                 .body = json_object([&](json::ObjectWriter& object) {
                   put_string(object, "VisitId", visit.visit_id);
                   put_string(object, "SessionId", visit.session_id);
                   put_string(object, "ConsumerId", visit.consumer_id);
                   put_string(object, "DateTime", message.time_stamp);
                   put_string(object, "MessageId", message.message_id);
                   put_string(object, "Message", message.text);
                   object.string("MediaURL", message.media_url);  // only when there is one
                   put_string(object, "AgentName", visit.agent_name);
                   put_string(object, "AgentImageURL", visit.agent_image_url);
                 }),
                 .headers = {{"Authorization", "Basic " + options.cao_key}}};
}

// Rounds 2n and 2n + 1 report the consumer's n-th message (transcript index 2n) as
// delivered, then read: receipts are about the publisher's own messages.
Webhook cao_receipt_webhook(const SendOptions& options, std::size_t round) {
  const auto visit = cao_visit(conversation_or(options, kDefaultVisit));
  const auto message = cao_message(visit, 2 * (round / 2));
  return Webhook{.path = std::string(webhook_path(WebhookKind::cao_receipts)),
                 .body = json_object([&](json::ObjectWriter& object) {
                   put_string(object, "VisitId", visit.visit_id);
                   put_string(object, "SessionId", visit.session_id);
                   put_string(object, "ConsumerId", visit.consumer_id);
                   put_string(object, "ExternalMessageId", message.external_message_id);
                   put_string(object, "MessageId", message.message_id);
                   put_string(object, "MessageStatus", round % 2 == 0 ? "1" : "2");
                 }),
                 .headers = {{"Authorization", "Basic " + options.cao_key}}};
}

// Round n is message.sent for the conversation's message n. The body is deterministic;
// only the signature's timestamp is the time of sending.
Webhook talkjs_webhook(const SendOptions& options, std::size_t round) {
  const auto conversation =
      talkjs_conversation(options.talkjs_app, conversation_or(options, kDefaultTalkJsConversation));
  const auto message = talkjs_message(conversation, round);
  const TalkJsConversationState unchanged;
  Webhook webhook{.path = std::string(webhook_path(WebhookKind::talkjs)),
                  .body = json_object([&](json::ObjectWriter& object) {
                    put_string(object, "id", "evt_" + hex64(pick(conversation.id, "event", round)));
                    put_int(object, "createdAt", message.created_at_ms);
                    put_string(object, "type", "message.sent");
                    json::ObjectWriter data(object.key("data"));
                    append_talkjs_user(data.key("sender"), talkjs_sender(conversation, round));
                    append_talkjs_conversation(data.key("conversation"), conversation, unchanged,
                                               /*with_last_message=*/false);
                    append_talkjs_message(data.key("message"), message);
                  })};
  webhook.headers = talkjs_signature(options.talkjs_secret, webhook.body);
  return webhook;
}

Webhook webhook_for(const SendOptions& options, WebhookKind kind, std::size_t round) {
  switch (kind) {
    case WebhookKind::justanswer:
      return justanswer_webhook(options);
    case WebhookKind::cao_messages:
      return cao_message_webhook(options, round);
    case WebhookKind::cao_receipts:
      return cao_receipt_webhook(options, round);
    case WebhookKind::talkjs:
      break;
  }
  return talkjs_webhook(options, round);
}

std::string_view label_of(WebhookKind kind) {
  switch (kind) {
    case WebhookKind::justanswer:
      return "justanswer";
    case WebhookKind::cao_messages:
      return "cao-messages";
    case WebhookKind::cao_receipts:
      return "cao-receipts";
    case WebhookKind::talkjs:
      break;
  }
  return "talkjs";
}

asio::awaitable<void> post_into(const WebhookAddress& to, const Webhook& webhook,
                                std::optional<Result<WebhookReply, std::string>>& outcome) {
  outcome = co_await post_webhook(to, webhook);
}

Result<WebhookReply, std::string> post(const WebhookAddress& to, const Webhook& webhook) {
  asio::io_context io;
  std::optional<Result<WebhookReply, std::string>> outcome;
  asio::co_spawn(io, post_into(to, webhook, outcome), [](const std::exception_ptr& failure) {
    if (failure) std::rethrow_exception(failure);  // only allocation can throw here
  });
  io.run();
  return std::move(*outcome);
}

}  // namespace

std::string_view webhook_path(WebhookKind kind) {
  switch (kind) {
    case WebhookKind::justanswer:
      return "/v1/webhooks/justanswer";
    case WebhookKind::cao_messages:
      return "/v1/webhooks/cao/messages";
    case WebhookKind::cao_receipts:
      return "/v1/webhooks/cao/receipts";
    case WebhookKind::talkjs:
      break;
  }
  return "/v1/webhooks/talkjs";
}

WebhookHeaders talkjs_signature(std::string_view secret, std::string_view body) {
  const auto timestamp = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  const auto signature = sources::hmac_sha256(secret, timestamp + "." + std::string(body));
  return {{"X-TalkJS-Timestamp", timestamp},
          {"X-TalkJS-Signature", sources::to_hex(signature, /*uppercase=*/true)}};
}

asio::awaitable<Result<WebhookReply, std::string>> post_webhook(WebhookAddress to,
                                                                Webhook webhook) {
  const auto executor = co_await asio::this_coro::executor;
  const auto where = to.host + ":" + std::to_string(to.port);
  tcp::resolver resolver(executor);
  const auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(to.host, std::to_string(to.port), kAsTuple);
  if (resolve_ec) co_return "cannot resolve " + to.host + ": " + resolve_ec.message();
  beast::tcp_stream stream(executor);
  stream.expires_after(kTimeout);
  if (const auto [ec, endpoint] = co_await stream.async_connect(endpoints, kAsTuple); ec) {
    co_return "cannot connect to " + where + ": " + ec.message();
  }
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, to.base_path + webhook.path, 11};
  request.set(bhttp::field::host, where);
  request.set(bhttp::field::user_agent, "parley-sim");
  request.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : webhook.headers)
    request.set(name, value);
  request.body() = webhook.body;
  request.prepare_payload();
  if (const auto [ec, n] = co_await bhttp::async_write(stream, request, kAsTuple); ec) {
    co_return "sending to " + where + " failed: " + ec.message();
  }
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  if (const auto [ec, n] = co_await bhttp::async_read(stream, buffer, response, kAsTuple); ec) {
    co_return "no answer from " + where + ": " + ec.message();
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return WebhookReply{.status = response.result_int(),
                         .reason = std::string(response.reason()),
                         .body = std::move(response.body())};
}

int send_webhooks(const SendOptions& options) {
  bool all_accepted = true;
  for (std::size_t round = 0; round < options.count; ++round) {
    for (const auto kind : options.kinds) {
      auto webhook = webhook_for(options, kind, round);
      const auto label = std::string(label_of(kind)) + " #" + std::to_string(round + 1);
      const auto reply = post(options.to, webhook);
      if (!reply) {
        std::cerr << "parley-sim send: " << label << ": " << reply.error() << "\n";
        return 1;
      }
      const auto& answer = reply.value();
      std::cout << label << " POST " << options.to.base_path << webhook.path << " -> "
                << answer.status << " " << answer.reason << " " << answer.body << std::endl;
      all_accepted &= answer.status >= 200 && answer.status < 300;
    }
  }
  return all_accepted ? 0 : 1;
}

}  // namespace parley::sim
