#include "echo.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "json_out.hpp"
#include "parley/log/log.hpp"
#include "webhook_sender.hpp"

namespace parley::sim {
namespace {

namespace asio = boost::asio;

// The headers parley's source for `kind` checks, with the target's credentials.
WebhookHeaders credentials_for(const EchoTarget& target, WebhookKind kind, std::string_view body) {
  switch (kind) {
    case WebhookKind::justanswer:
      return {{"X-Parley-Token", target.ja_token}};
    case WebhookKind::cao_messages:
    case WebhookKind::cao_receipts:
      return {{"Authorization", "Basic " + target.cao_key}};
    case WebhookKind::talkjs:
      break;
  }
  return talkjs_signature(target.talkjs_secret, body);
}

}  // namespace

void Echoes::set_target(EchoTarget target) {
  std::lock_guard lock(mutex_);
  target_ = std::move(target);
}

EchoTarget Echoes::target() const {
  std::lock_guard lock(mutex_);
  return target_;
}

void Echoes::send(const asio::any_io_executor& executor, Echo echo) {
  auto target = this->target();
  if (!target.enabled) return;
  asio::co_spawn(executor, deliver(std::move(target), std::move(echo)), asio::detached);
}

asio::awaitable<void> Echoes::deliver(EchoTarget target, Echo echo) {
  // The write's answer goes out first, as a platform answers before its webhooks follow.
  asio::steady_timer delay(co_await asio::this_coro::executor, target.delay);
  co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  Webhook webhook{.path = std::string(webhook_path(echo.kind)), .body = echo.body};
  webhook.headers = credentials_for(target, echo.kind, webhook.body);
  const auto reply = co_await post_webhook(target.to, webhook);
  Sent sent{.path = target.to.base_path + webhook.path, .body = std::move(webhook.body)};
  if (reply) {
    sent.status = reply.value().status;
  } else {
    sent.status = 0;
    sent.error = reply.error();
    log::warn("echo webhook not delivered", {{"path", sent.path}, {"error", sent.error}});
  }
  std::lock_guard lock(mutex_);
  sent_.push_back(std::move(sent));
}

std::string Echoes::json() const {
  std::lock_guard lock(mutex_);
  std::string body;
  {
    json::ObjectWriter object(body);
    if (target_.enabled) {
      json::ObjectWriter target(object.key("target"));
      put_string(target, "to",
                 "http://" + target_.to.host + ":" + std::to_string(target_.to.port) +
                     target_.to.base_path);
      put_int(target, "delay_ms", target_.delay.count());
    } else {
      put_raw(object, "target", "null");
    }
    auto& list = object.key("sent");
    list += '[';
    for (std::size_t i = 0; i < sent_.size(); ++i) {
      if (i > 0) list += ',';
      json::ObjectWriter item(list);
      put_string(item, "path", sent_[i].path);
      put_string(item, "body", sent_[i].body);
      put_int(item, "status", sent_[i].status);
      put_string(item, "error", sent_[i].error);
    }
    list += ']';
  }
  return body;
}

void Echoes::reset() {
  std::lock_guard lock(mutex_);
  sent_.clear();
}

}  // namespace parley::sim
