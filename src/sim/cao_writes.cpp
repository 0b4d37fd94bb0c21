// CAO's writes as seed 002 describes them: Start (a new visit with the publisher's first
// message) and SendMessage, both answered {VisitId, ConsumerId, SessionId, Status,
// FailureDescription}. The publisher's ExternalMessageId is kept on its message, shown by
// GetTranscript and echoed in the delivery receipt.
#include <memory>

#include "json_out.hpp"
#include "parley/sources/json.hpp"
#include "routes.hpp"
#include "write_endpoint.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kStartRoute = "/api/v1.0/AsyncConversation/Start";
constexpr std::string_view kSendRoute = "/api/v1.0/AsyncConversation/SendMessage";

http::Response bad_request(const Error& error) {
  return write_failure(Platform::cao, 400, error.message);
}

// {"VisitId":<int>,"ConsumerId":"...","SessionId":"...","Status":0,"FailureDescription":""}.
http::Response succeeded(std::string_view visit, std::string_view consumer,
                         std::string_view session) {
  std::string body;
  {
    json::ObjectWriter object(body);
    put_raw(object, "VisitId", visit);  // an Int in CAO's reference
    put_string(object, "ConsumerId", consumer);
    put_string(object, "SessionId", session);
    put_int(object, "Status", 0);
    put_string(object, "FailureDescription", "");
  }
  return json_ok(std::move(body));
}

// The receipt CAO posts to the publisher once its message was delivered.
Echo delivered_receipt(const CaoVisit& visit, const CaoMessage& message) {
  std::string body;
  {
    json::ObjectWriter object(body);
    put_string(object, "VisitId", visit.visit_id);
    put_string(object, "SessionId", visit.session_id);
    put_string(object, "ConsumerId", visit.consumer_id);
    put_string(object, "ExternalMessageId", message.external_message_id);
    put_string(object, "MessageId", message.message_id);
    put_string(object, "MessageStatus", "1");
  }
  return Echo{.kind = WebhookKind::cao_receipts, .body = std::move(body)};
}

// A required string member, as text (kept whole: ids and text alike).
Result<std::string, Error> required_text(const sources::FieldReader& fields,
                                         std::string_view name) {
  auto value = fields.required_string(name, sources::kMaxTextBytes);
  if (!value) return value.error();
  return std::string(value.value());
}

/// POST /api/v1.0/AsyncConversation/Start.
class StartEndpoint final : public WriteEndpoint {
 public:
  explicit StartEndpoint(Simulator& simulator) : WriteEndpoint(simulator, Platform::cao) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.route = write_route::kCaoStart};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    if (auto refused = refuse_cao(simulator_, request)) return std::move(*refused);
    auto object = sources::parse_object(request.body);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    CaoStart start;
    std::string text;
    for (auto [name, out] :
         {std::pair{"AdvertiserId", &start.advertiser_id},
          std::pair{"ConsumerId", &start.consumer_id}, std::pair{"SessionId", &start.session_id},
          std::pair{"ExternalMessageId", &start.external_message_id},
          std::pair{"Message", &text}}) {
      auto value = required_text(fields, name);
      if (!value) return bad_request(value.error());
      *out = std::move(value).value();
    }
    for (const auto* name :
         {"Device", "OSVersion", "ConsumerLastName", "ConsumerPhoneNumber", "ListingDetails"}) {
      if (auto value = fields.optional_string(name, sources::kMaxTextBytes); !value) {
        return bad_request(value.error());
      }
    }
    auto first_name = fields.optional_string("ConsumerFirstName");
    if (!first_name) return bad_request(first_name.error());
    start.consumer_name = first_name.value().value_or("Customer");
    return Commit([this, start = std::move(start),
                   text = std::move(text)]() mutable -> Result<Committed, http::Response> {
      auto [visit_id, message] =
          simulator_.state.cao().start(start, std::move(text), unix_seconds_now());
      const auto visit = cao_visit(visit_id, simulator_.state.cao().visit(visit_id));
      return Committed{.answer = succeeded(visit_id, start.consumer_id, start.session_id),
                       .echoes = {delivered_receipt(visit, message)}};
    });
  }
};

/// POST /api/v1.0/AsyncConversation/SendMessage.
class SendMessageEndpoint final : public WriteEndpoint {
 public:
  explicit SendMessageEndpoint(Simulator& simulator) : WriteEndpoint(simulator, Platform::cao) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    // The visit is in the body, read after the call is counted: counted without one.
    return Call{.route = write_route::kCaoSendMessage};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    if (auto refused = refuse_cao(simulator_, request)) return std::move(*refused);
    auto object = sources::parse_object(request.body);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    auto visit_field = fields.required_id("VisitId");
    if (!visit_field) return bad_request(visit_field.error());
    if (!is_cao_visit_id(visit_field.value())) {
      return bad_request(sources::field_error("VisitId", "must be an integer"));
    }
    auto external = required_text(fields, "ExternalMessageId");
    if (!external) return bad_request(external.error());
    auto text = required_text(fields, "Message");
    if (!text) return bad_request(text.error());
    // MessageId is "assigned by ContactAtOnce" yet required of the sender: accepted, unused.
    if (auto message_id = fields.optional_id("MessageId"); !message_id) {
      return bad_request(message_id.error());
    }
    auto session = fields.optional_string("SessionId", sources::kMaxTextBytes);
    if (!session) return bad_request(session.error());
    return Commit([this, visit_id = std::move(visit_field).value(),
                   external = std::move(external).value(), text = std::move(text).value(),
                   session = std::string(session.value().value_or(
                       ""))]() mutable -> Result<Committed, http::Response> {
      auto& cao = simulator_.state.cao();
      const auto message =
          cao.send(visit_id, std::move(external), std::move(text), unix_seconds_now());
      const auto visit = cao_visit(visit_id, cao.visit(visit_id));
      return Committed{.answer = succeeded(visit_id, visit.consumer_id,
                                           session.empty() ? visit.session_id : session),
                       .echoes = {delivered_receipt(visit, message)}};
    });
  }
};

}  // namespace

void add_cao_write_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::post, std::string(kStartRoute),
             std::make_shared<StartEndpoint>(simulator));
  router.add(bhttp::verb::post, std::string(kSendRoute),
             std::make_shared<SendMessageEndpoint>(simulator));
}

}  // namespace parley::sim
